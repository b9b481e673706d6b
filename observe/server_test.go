package observe_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/observe"
	"github.com/linkbrief/linkbrief/store"
)

// get returns the status and body of GET path on h.
func get(t *testing.T, h http.Handler, method, path string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	ok := func(ctx context.Context) error { return nil }
	secret := errors.New(`failed to connect to "host=db user=linkbrief password=hunter2"`)
	bad := func(ctx context.Context) error { return secret }
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	hang := func(ctx context.Context) error { <-release; return nil } // ignores ctx
	tests := []struct {
		name       string
		checks     []observe.Check
		wantStatus int
		wantLines  []string
	}{
		{"no checks", nil, 200, []string{"ok"}},
		{"all pass", []observe.Check{{"store", ok}, {"queue", ok}}, 200, []string{"ok", "store: ok", "queue: ok"}},
		{"store fails", []observe.Check{{"store", bad}, {"queue", ok}}, 503, []string{"unhealthy", "store: failed", "queue: ok"}},
		{"queue panics", []observe.Check{{"store", ok}, {"queue", func(ctx context.Context) error { panic("boom") }}}, 503,
			[]string{"unhealthy", "store: ok", "queue: failed"}},
		{"check hangs", []observe.Check{{"queue", hang}}, 503,
			[]string{"unhealthy", "queue: failed"}},
		{"no function", []observe.Check{{"store", nil}}, 503, []string{"unhealthy", "store: failed"}},
	}
	for _, tt := range tests {
		logs := &strings.Builder{}
		h := observe.Health(observe.HealthOptions{
			Checks: tt.checks, CheckTimeout: 50 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil)),
		})
		status, body := get(t, h, http.MethodGet, "/healthz")
		if status != tt.wantStatus || body != strings.Join(tt.wantLines, "\n")+"\n" {
			t.Errorf("%s: /healthz = %d %q, want %d %q", tt.name, status, body, tt.wantStatus, strings.Join(tt.wantLines, "\n")+"\n")
		}
		if strings.Contains(body, "hunter2") || strings.Contains(body, "host=") {
			t.Errorf("%s: /healthz shows the error text: %q", tt.name, body)
		}
		if failed := tt.wantStatus != 200; failed != strings.Contains(logs.String(), "health check failed") {
			t.Errorf("%s: logs %q, want a line per failed check and none otherwise", tt.name, logs.String())
		}
	}
}

// lockedWriter serialises writes from concurrent checks.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestHealthzStore(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "health.db"))
	if err != nil {
		t.Fatal(err)
	}
	var p store.Pinger = st
	h := observe.Health(observe.HealthOptions{Checks: []observe.Check{{Name: "store", Func: p.Ping}}})
	if status, body := get(t, h, http.MethodGet, "/healthz"); status != 200 {
		t.Errorf("/healthz with an open store = %d %q, want 200", status, body)
	}
	st.Close()
	if status, body := get(t, h, http.MethodGet, "/healthz"); status != 503 || !strings.Contains(body, "store: failed") {
		t.Errorf("/healthz with a closed store = %d %q, want 503 naming the store", status, body)
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- observe.ServeListener(ctx, ln, observe.New().Handler()) }()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /healthz = %d, want 200", resp.StatusCode)
	}

	// A second server on the same address cannot listen.
	if err := observe.Serve(context.Background(), addr, http.NotFoundHandler()); err == nil || !strings.HasPrefix(err.Error(), "observe: listening on") {
		t.Errorf("Serve on an address in use = %v, want a listening error", err)
	}
	if err := observe.Serve(context.Background(), "not an address", http.NotFoundHandler()); err == nil {
		t.Error("Serve on a malformed address = nil, want an error")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeListener after cancellation = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeListener did not return after cancellation")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the server still answers after shutdown")
	}
}
