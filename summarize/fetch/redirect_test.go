package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"code.dny.dev/ssrf"
)

// redirector redirects /go?to=URL to URL, and serves a page elsewhere.
func redirector() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<p>%s</p>", r.URL.Path)
	}
}

// TestRedirectRefusals starts on the "public" server and redirects into
// each refused target: every hop must be re-checked, and nothing may reach
// the loopback listener.
func TestRedirectRefusals(t *testing.T) {
	target := watch(t, "127.0.0.1:0")
	lookups := &countingLookup{table: map[string][]netip.Addr{
		"intranet.example": {netip.MustParseAddr("127.0.0.1")},
	}}
	srv := serveOn(t, publicIP+":0", redirector())
	c := newTestClient(t, Options{Guard: publicGuard(), LookupIP: lookups.lookup})
	pub := strings.TrimPrefix(srv.URL, "http://")

	for _, tc := range []struct {
		to   string
		want error
	}{
		{"http://127.0.0.1:{port}/", ErrPrivateAddress},
		{"http://127.1:{port}/", ErrPrivateAddress},
		{"http://2130706433:{port}/", ErrPrivateAddress},
		{"http://0x7f000001:{port}/", ErrPrivateAddress},
		{"http://0.0.0.0:{port}/", ErrPrivateAddress},
		{"http://localhost:{port}/", ErrPrivateAddress},
		{"http://[::1]:{port}/", ErrPrivateAddress},
		{"http://[::ffff:127.0.0.1]:{port}/", ErrPrivateAddress},
		{"http://[0:0:0:0:0:ffff:7f00:1]:{port}/", ErrPrivateAddress},
		{"http://intranet.example:{port}/", ErrPrivateAddress}, // refused at dial time
		{"http://10.0.0.1/", ErrPrivateAddress},
		{"http://172.16.0.1/", ErrPrivateAddress},
		{"http://192.168.1.1/", ErrPrivateAddress},
		{"http://100.64.0.1/", ErrPrivateAddress},
		{"http://169.254.169.254/latest/meta-data/", ErrPrivateAddress},
		{"http://100.100.100.200/", ErrPrivateAddress},
		{"http://[fd00:ec2::254]/", ErrPrivateAddress},
		{"http://224.0.0.1/", ErrPrivateAddress},
		{"http://[fc00::1]/", ErrPrivateAddress},
		{"http://[fe80::1]/", ErrPrivateAddress},
		{"file:///etc/passwd", ErrScheme},
		{"gopher://127.0.0.1:{port}/_x", ErrScheme},
		{"ftp://example.com/", ErrScheme},
		{"data:text/html,hi", ErrScheme},
		{"javascript:alert(1)", ErrScheme},
		{"http://user:pw@" + pub + "/", ErrCredentials},
	} {
		to := strings.ReplaceAll(tc.to, "{port}", target.port)
		input := srv.URL + "/go?to=" + url.QueryEscape(to)
		_, err := c.Fetch(context.Background(), input)
		checkErr(t, "redirect to "+to, err, tc.want)
	}
	target.assertUntouched(t)

	// A safe redirect still works, and Page.URL is where it ended.
	input := srv.URL + "/go?to=/final"
	page, err := c.Fetch(context.Background(), input)
	if err != nil {
		t.Fatalf("Fetch(%q) error = %v, want success", input, err)
	}
	if want := srv.URL + "/final"; page.URL != want {
		t.Errorf("Fetch(%q) URL = %q, want %q", input, page.URL, want)
	}
}

// TestRedirectPort checks the port on every hop with a guard that allows
// only the public server's own port.
func TestRedirectPort(t *testing.T) {
	other := watch(t, publicIP+":0")
	srv := serveOn(t, publicIP+":0", redirector())
	_, portStr, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	port, _ := strconv.ParseUint(portStr, 10, 16)
	c := newTestClient(t, Options{Guard: ssrf.New(
		ssrf.WithPorts(uint16(port)),
		ssrf.WithAllowedV4Prefixes(netip.MustParsePrefix(publicIP+"/32")),
	)})
	to := "http://" + publicIP + ":" + other.port + "/"
	_, err := c.Fetch(context.Background(), srv.URL+"/go?to="+url.QueryEscape(to))
	checkErr(t, "redirect to "+to, err, ErrPort)
	other.assertUntouched(t)
}

// TestRedirectLimits covers loops, endless chains and the hop count.
func TestRedirectLimits(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/self", http.StatusTemporaryRedirect)
	})
	// /chain/N redirects to /chain/N-1; /chain/0 is the page. /chain/-1
	// never ends.
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		switch {
		case n < 0:
			http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
		case n > 0:
			http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusSeeOther)
		default:
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("end"))
		}
	})
	srv, c := servePublic(t, mux, Options{})
	two := newTestClient(t, Options{Guard: publicGuard(), MaxRedirects: 2})
	none := newTestClient(t, Options{Guard: publicGuard(), MaxRedirects: -1})

	for _, tc := range []struct {
		name string
		c    *Client
		path string
		want error
	}{
		{"loop of two", c, "/loop/a", ErrTooManyRedirects},
		{"self loop", c, "/self", ErrTooManyRedirects},
		{"endless", c, "/chain/-1", ErrTooManyRedirects},
		{"5 hops", c, "/chain/5", nil},
		{"6 hops", c, "/chain/6", ErrTooManyRedirects},
		{"2 hops, max 2", two, "/chain/2", nil},
		{"3 hops, max 2", two, "/chain/3", ErrTooManyRedirects},
		{"0 hops, none followed", none, "/chain/0", nil},
		{"1 hop, none followed", none, "/chain/1", ErrTooManyRedirects},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := tc.c.Fetch(context.Background(), srv.URL+tc.path)
			checkErr(t, tc.path, err, tc.want)
			if tc.want == nil && err == nil && page.URL != srv.URL+"/chain/0" {
				t.Errorf("Fetch(%q) URL = %q, want %q", tc.path, page.URL, srv.URL+"/chain/0")
			}
		})
	}
}

// TestNoCookies checks that a cookie set before a redirect is not sent
// back after it.
func TestNoCookies(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", Path: "/"})
		http.Redirect(w, r, "/check", http.StatusFound)
	})
	mux.HandleFunc("/check", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "cookies=%d", len(r.Cookies()))
	})
	srv, c := servePublic(t, mux, Options{})
	page, err := c.Fetch(context.Background(), srv.URL+"/set")
	if err != nil {
		t.Fatalf("Fetch error = %v", err)
	}
	if got, want := string(page.Body), "cookies=0"; got != want {
		t.Errorf("after redirect the server saw %q, want %q", got, want)
	}
}

// TestRequestHeaders checks what every request announces.
func TestRequestHeaders(t *testing.T) {
	var got http.Header
	srv, c := servePublic(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "text/plain")
	}), Options{})
	if _, err := c.Fetch(context.Background(), srv.URL+"/"); err != nil {
		t.Fatalf("Fetch error = %v", err)
	}
	for name, want := range map[string]string{
		"User-Agent":      DefaultUserAgent,
		"Accept-Encoding": "gzip, br",
		"Cookie":          "",
		"Authorization":   "",
	} {
		if g := got.Get(name); g != want {
			t.Errorf("request header %s = %q, want %q", name, g, want)
		}
	}

	srv2, c2 := servePublic(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(r.UserAgent()))
	}), Options{UserAgent: "TestAgent/2"})
	page, err := c2.Fetch(context.Background(), srv2.URL+"/")
	if err != nil {
		t.Fatalf("Fetch error = %v", err)
	}
	if string(page.Body) != "TestAgent/2" {
		t.Errorf("User-Agent with Options.UserAgent = %q, want %q", page.Body, "TestAgent/2")
	}
}

// TestConcurrentFetches shares one Client between goroutines (run with
// -race).
func TestConcurrentFetches(t *testing.T) {
	srv, c := servePublic(t, redirector(), Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			path := fmt.Sprintf("/page/%d", i)
			page, err := c.Fetch(context.Background(), srv.URL+"/go?to="+url.QueryEscape(path))
			switch {
			case err != nil:
				errs <- err
			case string(page.Body) != "<p>"+path+"</p>":
				errs <- fmt.Errorf("fetch %s: body %q", path, page.Body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
