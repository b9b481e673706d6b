package observe_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/linkbrief/linkbrief/observe"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// Example wraps a pipeline dependency, serves the endpoint and reads a
// metric and the health check back.
func Example() {
	m := observe.New()
	// main wraps the real fetcher, LLM, cache and summarizer the same way.
	f := m.Fetcher(fetch.New(fetch.Options{}))
	_, err := f.Fetch(context.Background(), "http://127.0.0.1/") // refused: loopback
	fmt.Println("fetch:", err != nil)

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("GET /healthz", observe.Health(observe.HealthOptions{Checks: []observe.Check{
		{Name: "store", Func: func(ctx context.Context) error { return nil }},
	}}))
	// In main: go observe.ServeListener(ctx, listener, mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, _ := http.Get(srv.URL + "/metrics")
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "linkbrief_fetch_errors_total") {
			fmt.Println(sc.Text())
		}
	}
	resp.Body.Close()

	resp, _ = http.Get(srv.URL + "/healthz")
	fmt.Println("healthz:", resp.Status)
	resp.Body.Close()
	// Output:
	// fetch: true
	// linkbrief_fetch_errors_total{kind="private_address"} 1
	// healthz: 200 OK
}
