package fetch

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"code.dny.dev/ssrf"
)

// publicIP is the loopback address tests treat as a public web server.
const publicIP = "127.0.0.2"

// publicGuard treats publicIP as public on any port, and keeps every other
// check of the default policy.
func publicGuard() *ssrf.Guardian {
	return ssrf.New(ssrf.WithAnyPort(), ssrf.WithAllowedV4Prefixes(netip.MustParsePrefix(publicIP+"/32")))
}

// serveOn starts an HTTP test server listening on addr ("127.0.0.2:0").
func serveOn(t testing.TB, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// servePublic starts a test server on publicIP and a client that treats it
// as public while refusing every other private address.
func servePublic(t *testing.T, h http.Handler, opts Options) (*httptest.Server, *Client) {
	t.Helper()
	srv := serveOn(t, publicIP+":0", h)
	opts.Guard = publicGuard()
	return srv, newTestClient(t, opts)
}

// servePrivate starts a test server on 127.0.0.1 and a client with the
// address checks lifted, for tests about bodies rather than addresses.
func servePrivate(t *testing.T, h http.Handler, opts Options) (*httptest.Server, *Client) {
	t.Helper()
	srv := serveOn(t, "127.0.0.1:0", h)
	opts.AllowPrivateNetworks = true
	return srv, newTestClient(t, opts)
}

// staticPage serves body with the given Content-Type (none when empty).
func staticPage(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		} else {
			w.Header()["Content-Type"] = nil // stop net/http from sniffing one
		}
		_, _ = w.Write(body)
	}
}

// watchedListener is a raw TCP listener that proves no connection reached
// it: see assertUntouched.
type watchedListener struct {
	ln    net.Listener
	conns chan net.Conn
	port  string
}

// watch listens on addr ("127.0.0.1:0") and records every connection.
func watch(t *testing.T, addr string) *watchedListener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	w := &watchedListener{ln: ln, conns: make(chan net.Conn, 64)}
	_, w.port, _ = net.SplitHostPort(ln.Addr().String())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case w.conns <- c:
			default:
				c.Close()
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		close(w.conns)
		for c := range w.conns {
			c.Close()
		}
	})
	return w
}

// assertUntouched checks that nothing connected to the listener so far:
// it connects itself and writes a marker, and the first connection the
// listener accepted must be that one. No timing is involved.
func (w *watchedListener) assertUntouched(t *testing.T) {
	t.Helper()
	probe, err := net.Dial("tcp", w.ln.Addr().String())
	if err != nil {
		t.Fatalf("probe dial: %v", err)
	}
	defer probe.Close()
	if _, err := probe.Write([]byte("probe")); err != nil {
		t.Fatalf("probe write: %v", err)
	}
	first := <-w.conns
	defer first.Close()
	_ = first.SetReadDeadline(time.Now().Add(10 * time.Second)) // only guards against a hang
	buf := make([]byte, 5)
	n, _ := io.ReadFull(first, buf)
	if got := string(buf[:n]); got != "probe" {
		t.Errorf("listener %s: first connection sent %q, want the probe: the fetch reached the refused address", w.ln.Addr(), got)
	}
}

// countingLookup resolves names from a fixed table and counts the calls.
type countingLookup struct {
	calls atomic.Int64
	table map[string][]netip.Addr
}

func (l *countingLookup) lookup(_ context.Context, host string) ([]netip.Addr, error) {
	l.calls.Add(1)
	if addrs, ok := l.table[strings.ToLower(host)]; ok {
		return addrs, nil
	}
	return nil, errors.New("no such host")
}

// checkErr fails unless err wraps want (nil want means success).
func checkErr(t *testing.T, input string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("Fetch(%q) error = %v, want success", input, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("Fetch(%q) error = %v, want errors.Is %q", input, err, want)
	}
}

// parseForTest parses a URL the way Fetch does.
func parseForTest(s string) (*url.URL, error) {
	return url.Parse(strings.TrimSpace(s))
}

// newTestClient is New with every dial kept on loopback.
func newTestClient(t *testing.T, opts Options) *Client {
	t.Helper()
	return loopbackOnly(t, New(opts))
}

// loopbackOnly makes c refuse, and report, any dial to an address outside
// 127.0.0.0/8 and ::1, so that a broken check fails the test instead of
// sending packets to the private or public addresses under test. Host
// names pass: the tests' LookupIP tables only return loopback addresses.
func loopbackOnly(t *testing.T, c *Client) *Client {
	t.Helper()
	dial := c.dial
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if ip, err := netip.ParseAddr(host); err == nil && !ip.Unmap().IsLoopback() {
			t.Errorf("dial attempted to %s: a refused address got past the checks", addr)
			return nil, errors.New("test: dial outside loopback blocked")
		}
		return dial(ctx, network, addr)
	}
	return c
}
