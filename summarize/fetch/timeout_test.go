package fetch

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// waitOrGone blocks until the client goes away, with an upper bound so a
// broken client cannot hang the test.
func waitOrGone(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// TestTimeouts covers a server that never answers, one that drips the
// body a byte at a time (slowloris), and a caller's deadline.
func TestTimeouts(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/silent", func(w http.ResponseWriter, r *http.Request) { waitOrGone(r) })
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range 500 {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	})
	mux.HandleFunc("/slow-redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/silent", http.StatusFound)
	})
	srv, short := servePrivate(t, mux, Options{Timeout: 300 * time.Millisecond})
	long := newTestClient(t, Options{AllowPrivateNetworks: true}) // default 15s: the context decides

	for _, tc := range []struct {
		name string
		c    *Client
		path string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"no answer", short, "/silent", nil},
		{"slowloris body", short, "/drip", nil},
		{"no answer after a redirect", short, "/slow-redirect", nil},
		{"context deadline, no answer", long, "/silent", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}},
		{"context deadline, slowloris", long, "/drip", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			_, err := tc.c.Fetch(ctx, srv.URL+tc.path)
			checkErr(t, tc.path, err, ErrTimeout)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Fetch(%q) error = %v, want it to wrap context.DeadlineExceeded too", tc.path, err)
			}
		})
	}
}

// TestCanceled checks that cancelling the caller's context is reported as
// such, not as a timeout.
func TestCanceled(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv, c := servePrivate(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		waitOrGone(r)
	}), Options{})

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := c.Fetch(ctx, srv.URL)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("Fetch with a cancelled context: error = %v, want context.Canceled and not ErrTimeout", err)
	}

	_, err = c.Fetch(ctx, srv.URL) // already cancelled
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a context cancelled beforehand: error = %v, want context.Canceled", err)
	}
}

// TestUnreachable covers refused connections, DNS failures, resets and
// bodies cut short.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close()
	c := newTestClient(t, Options{AllowPrivateNetworks: true})
	_, err = c.Fetch(context.Background(), closed)
	checkErr(t, closed+" (closed port)", err, ErrUnreachable)
	checkErr(t, closed+" (closed port)", err, ErrConnectionRefused)

	lookups := &countingLookup{}
	dns := newTestClient(t, Options{Guard: publicGuard(), LookupIP: lookups.lookup})
	_, err = dns.Fetch(context.Background(), "http://no-such-host.example/")
	checkErr(t, "http://no-such-host.example/", err, ErrUnreachable)
	checkErr(t, "http://no-such-host.example/", err, ErrNoSuchHost)
	empty := newTestClient(t, Options{Guard: publicGuard(), LookupIP: func(context.Context, string) ([]netip.Addr, error) { return nil, nil }})
	_, err = empty.Fetch(context.Background(), "http://empty.example/")
	checkErr(t, "http://empty.example/ (no addresses)", err, ErrNoSuchHost)

	mux := http.NewServeMux()
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<p>only part")
		_ = buf.Flush()
		conn.Close()
	})
	srv, pc := servePrivate(t, mux, Options{})
	for _, path := range []string{"/reset", "/short"} {
		_, err := pc.Fetch(context.Background(), srv.URL+path)
		checkErr(t, path, err, ErrUnreachable)
		for _, precise := range []error{ErrNoSuchHost, ErrConnectionRefused, ErrTLS, ErrTimeout} {
			if errors.Is(err, precise) {
				t.Errorf("Fetch(%q) error = %v, matches %q", path, err, precise)
			}
		}
	}

	// A certificate no public root vouches for.
	tlsSrv := httptest.NewUnstartedServer(staticPage("text/html", []byte("<p>hi</p>")))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	_, err = c.Fetch(context.Background(), tlsSrv.URL)
	checkErr(t, tlsSrv.URL+" (self-signed)", err, ErrUnreachable)
	checkErr(t, tlsSrv.URL+" (self-signed)", err, ErrTLS)
	if errors.Is(err, ErrConnectionRefused) || errors.Is(err, ErrNoSuchHost) {
		t.Errorf("TLS failure %v also matches another kind", err)
	}
}

// TestUnreachableKindsReadDifferently: each way of failing to connect
// has its own sentence.
func TestUnreachableKindsReadDifferently(t *testing.T) {
	seen := map[string]error{}
	for _, err := range []error{ErrNoSuchHost, ErrConnectionRefused, ErrTLS, ErrTimeout, ErrUnreachable} {
		if other, dup := seen[err.Error()]; dup {
			t.Errorf("%v and %v read the same", err, other)
		}
		seen[err.Error()] = err
	}
}

// TestEnvironmentProxyIgnored points HTTP_PROXY at a listener: the fetch
// must go straight to the site. (net/http never proxies loopback
// addresses, so the site is reached through a host name.)
func TestEnvironmentProxyIgnored(t *testing.T) {
	proxy := watch(t, "127.0.0.1:0")
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:"+proxy.port)
	t.Setenv("http_proxy", "http://127.0.0.1:"+proxy.port)
	srv := serveOn(t, publicIP+":0", staticPage("text/plain", []byte("direct")))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	lookups := &countingLookup{table: map[string][]netip.Addr{"site.example": {netip.MustParseAddr(publicIP)}}}
	c := newTestClient(t, Options{Guard: publicGuard(), LookupIP: lookups.lookup})
	page, err := c.Fetch(context.Background(), "http://site.example:"+port+"/")
	if err != nil {
		t.Fatalf("Fetch error = %v", err)
	}
	if string(page.Body) != "direct" {
		t.Errorf("body = %q, want %q", page.Body, "direct")
	}
	proxy.assertUntouched(t)
}
