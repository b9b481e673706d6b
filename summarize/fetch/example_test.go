package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/linkbrief/linkbrief/summarize/fetch"
)

func ExampleClient_Fetch() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1252")
		_, _ = w.Write([]byte("<p>caf\xe9</p>"))
	}))
	defer srv.Close()

	// The test server is on loopback, which a default Client refuses.
	c := fetch.New(fetch.Options{AllowPrivateNetworks: true})
	page, err := c.Fetch(context.Background(), srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(page.ContentType, string(page.Body))

	_, err = fetch.New(fetch.Options{}).Fetch(context.Background(), srv.URL)
	fmt.Println(errors.Is(err, fetch.ErrPrivateAddress) || errors.Is(err, fetch.ErrPort))
	_, err = fetch.New(fetch.Options{}).Fetch(context.Background(), "http://0x7f000001/admin")
	fmt.Println(err)
	// Output:
	// text/html <p>café</p>
	// true
	// fetch: refusing to fetch a private network address: 0x7f000001
}
