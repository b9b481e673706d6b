package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"code.dny.dev/ssrf"
)

// refusalCases are URLs refused before any lookup or dial. {port} is the
// port of a listener on 127.0.0.1 that must see no connection.
func refusalCases() []struct {
	url  string
	want error
} {
	return []struct {
		url  string
		want error
	}{
		// Loopback in every spelling Go's parser or a C resolver accepts.
		{"http://127.0.0.1:{port}/", ErrPrivateAddress},
		{"http://127.1:{port}/", ErrPrivateAddress},
		{"http://127.0.1:{port}/", ErrPrivateAddress},
		{"http://2130706433:{port}/", ErrPrivateAddress},
		{"http://0x7f000001:{port}/", ErrPrivateAddress},
		{"http://0X7F.1:{port}/", ErrPrivateAddress},
		{"http://0177.0.0.1:{port}/", ErrPrivateAddress},
		{"http://127.0.0.1.:{port}/", ErrPrivateAddress},
		{"http://127.255.255.254:{port}/", ErrPrivateAddress},
		{"http://0.0.0.0:{port}/", ErrPrivateAddress},
		{"http://0:{port}/", ErrPrivateAddress},
		{"http://localhost:{port}/", ErrPrivateAddress},
		{"http://LocalHost.:{port}/", ErrPrivateAddress},
		{"http://app.localhost:{port}/", ErrPrivateAddress},
		{"http://[::1]:{port}/", ErrPrivateAddress},
		{"http://[::]:{port}/", ErrPrivateAddress},
		{"http://[::ffff:127.0.0.1]:{port}/", ErrPrivateAddress},
		{"http://[0:0:0:0:0:ffff:7f00:1]:{port}/", ErrPrivateAddress},
		{"http://[::ffff:7f00:1]:{port}/", ErrPrivateAddress},
		{"http://[::127.0.0.1]:{port}/", ErrPrivateAddress},
		{"http://[64:ff9b::7f00:1]:{port}/", ErrPrivateAddress},
		// Private, CGNAT, link-local, metadata, multicast, reserved.
		{"http://10.0.0.1/", ErrPrivateAddress},
		{"http://10.255.255.255/", ErrPrivateAddress},
		{"http://172.16.0.1/", ErrPrivateAddress},
		{"http://172.31.255.254/", ErrPrivateAddress},
		{"http://192.168.0.1/", ErrPrivateAddress},
		{"http://192.168.255.255/", ErrPrivateAddress},
		{"http://100.64.0.1/", ErrPrivateAddress},
		{"http://100.127.255.254/", ErrPrivateAddress},
		{"http://169.254.0.1/", ErrPrivateAddress},
		{"http://169.254.169.254/latest/meta-data/", ErrPrivateAddress},
		{"http://0xa9fea9fe/", ErrPrivateAddress},
		{"http://100.100.100.200/latest/meta-data/", ErrPrivateAddress},
		{"http://[fd00:ec2::254]/", ErrPrivateAddress},
		{"http://224.0.0.1/", ErrPrivateAddress},
		{"http://239.255.255.250/", ErrPrivateAddress},
		{"http://255.255.255.255/", ErrPrivateAddress},
		{"http://198.18.0.1/", ErrPrivateAddress},
		{"http://192.0.2.1/", ErrPrivateAddress},
		{"http://[fc00::1]/", ErrPrivateAddress},
		{"http://[fd12:3456:789a::1]/", ErrPrivateAddress},
		{"http://[fe80::1]/", ErrPrivateAddress},
		{"http://[fe80::1%25eth0]/", ErrPrivateAddress},
		{"http://[ff02::1]/", ErrPrivateAddress},
		{"http://[::ffff:10.0.0.1]/", ErrPrivateAddress},
		{"http://[::ffff:169.254.169.254]/", ErrPrivateAddress},
		{"http://[::ffff:8.8.8.8]/", ErrPrivateAddress},
		{"http://[2001:db8::1]/", ErrPrivateAddress},
		// Schemes.
		{"file:///etc/passwd", ErrScheme},
		{"gopher://127.0.0.1:{port}/_stats", ErrScheme},
		{"ftp://example.com/file.txt", ErrScheme},
		{"data:text/html,<p>hi</p>", ErrScheme},
		{"javascript:alert(1)", ErrScheme},
		{"ws://example.com/", ErrScheme},
		{"dict://127.0.0.1:{port}/", ErrScheme},
		// Credentials.
		{"http://user:secret@example.com/", ErrCredentials},
		{"http://user@example.com/", ErrCredentials},
		{"https://:@example.com/", ErrCredentials},
		{"http://user:secret@127.0.0.1:{port}/", ErrCredentials},
		// Ports other than 80 and 443 (these clients use the default guard).
		{"http://example.com:8080/", ErrPort},
		{"https://example.com:22/", ErrPort},
		{"http://example.com:443/", nil}, // allowed: only checked, not fetched, below
		{"http://93.184.215.14:25/", ErrPort},
		// Not web addresses at all.
		{"", ErrBadURL},
		{"   ", ErrBadURL},
		{"example.com/article", ErrBadURL},
		{"//example.com/article", ErrBadURL},
		{"http://", ErrBadURL},
		{"http:///path", ErrBadURL},
		{"http:example.com", ErrBadURL},
		{"http://1.2.3.4.5/", ErrBadURL},
		{"http://256.0.0.1/", ErrBadURL},
		{"http://0x100000000/", ErrBadURL},
		{"http://127..1/", ErrBadURL},
		{"http://[::1/", ErrBadURL},
		{"http://[not:an:address]/", ErrBadURL},
		{"http://example.com:99999/", ErrBadURL},
		{"http://example.com:0/", ErrBadURL},
		{"http://exa mple.com/", ErrBadURL},
		{"http://]/", ErrBadURL},
		{"http://exa$mple.com/", ErrBadURL},
		{"http://" + strings.Repeat("a", 254) + "/", ErrBadURL},
		{"http://example.com/" + strings.Repeat("a", maxURLLength), ErrBadURL},
	}
}

// TestRefusedBeforeDialing runs the whole matrix through Fetch: each URL
// must be refused with its sentinel, without a DNS lookup and without a
// connection to the listener on 127.0.0.1.
func TestRefusedBeforeDialing(t *testing.T) {
	target := watch(t, "127.0.0.1:0")
	var lookups countingLookup
	// Any port, so that the address check, not the port check, decides the
	// loopback cases that carry the listener's port.
	anyPort := newTestClient(t, Options{Guard: ssrf.New(ssrf.WithAnyPort()), LookupIP: lookups.lookup})
	defaultPorts := newTestClient(t, Options{LookupIP: lookups.lookup})

	for _, tc := range refusalCases() {
		if tc.want == nil {
			continue
		}
		input := strings.ReplaceAll(tc.url, "{port}", target.port)
		c := anyPort
		if tc.want == ErrPort {
			c = defaultPorts
		}
		page, err := c.Fetch(context.Background(), input)
		checkErr(t, truncate(input), err, tc.want)
		if page != nil {
			t.Errorf("Fetch(%q) page = %+v, want nil", truncate(input), page)
		}
	}
	if n := lookups.calls.Load(); n != 0 {
		t.Errorf("DNS lookups during refusals = %d, want 0", n)
	}
	target.assertUntouched(t)
}

// TestCheckURL covers the URL checks alone, including what they let
// through and the canonical host they hand to the transport.
func TestCheckURL(t *testing.T) {
	c := New(Options{})
	for _, tc := range refusalCases() {
		input := strings.ReplaceAll(tc.url, "{port}", "8443")
		u, err := parseForTest(input)
		if err != nil || len(input) > maxURLLength {
			continue // refused by Fetch before checkURL: covered by TestRefusedBeforeDialing
		}
		_, err = c.checkURL(u)
		if tc.want == nil {
			if err != nil {
				t.Errorf("checkURL(%q) = %v, want nil", input, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("checkURL(%q) = nil, want %v", truncate(input), tc.want)
		}
	}

	canonical := []struct{ in, want string }{
		{"http://example.com/a", "example.com"},
		{"https://Example.COM:443/a", "Example.COM:443"},
		{"http://8.8.8.8/", "8.8.8.8"},
		{"http://134744072/", "8.8.8.8"},
		{"http://0x8.0x8.0x8.0x8/", "8.8.8.8"},
		{"http://8.8.2056/", "8.8.8.8"},
		{"http://8.8.8.8.:80/", "8.8.8.8:80"},
		{"http://[2606:4700:4700::1111]/", "[2606:4700:4700::1111]"},
		{"http://[2606:4700:4700:0:0:0:0:1111]:443/", "[2606:4700:4700::1111]:443"},
	}
	for _, tc := range canonical {
		u, err := parseForTest(tc.in)
		if err != nil {
			t.Fatalf("parse %q: %v", tc.in, err)
		}
		got, err := c.checkURL(u)
		if err != nil || got != tc.want {
			t.Errorf("checkURL(%q) = %q, %v; want %q, nil", tc.in, got, err, tc.want)
		}
	}
}

// TestAllowPrivateNetworks checks that the option lifts the address and
// port checks but not the scheme and credential checks.
func TestAllowPrivateNetworks(t *testing.T) {
	srv, c := servePrivate(t, staticPage("text/html", []byte("<p>inside</p>")), Options{})
	page, err := c.Fetch(context.Background(), srv.URL+"/")
	if err != nil {
		t.Fatalf("Fetch(%q) error = %v, want success", srv.URL, err)
	}
	if got, want := string(page.Body), "<p>inside</p>"; got != want {
		t.Errorf("Fetch(%q) body = %q, want %q", srv.URL, got, want)
	}
	for _, tc := range []struct {
		url  string
		want error
	}{
		{"file:///etc/passwd", ErrScheme},
		{"http://u:p@" + strings.TrimPrefix(srv.URL, "http://") + "/", ErrCredentials},
	} {
		_, err := c.Fetch(context.Background(), tc.url)
		checkErr(t, tc.url, err, tc.want)
	}
}

// TestDialTimeRefusal covers names that resolve to refused addresses: the
// check inside net.Dialer.Control must stop them, with no connection.
func TestDialTimeRefusal(t *testing.T) {
	target := watch(t, "127.0.0.1:0")
	lookups := &countingLookup{table: map[string][]netip.Addr{
		"intranet.example": {netip.MustParseAddr("127.0.0.1")},
		"mapped.example":   {netip.MustParseAddr("::ffff:127.0.0.1")},
		"both.example":     {netip.MustParseAddr("127.0.0.3"), netip.MustParseAddr("127.0.0.1")},
	}}
	c := newTestClient(t, Options{Guard: ssrf.New(ssrf.WithAnyPort()), LookupIP: lookups.lookup})
	for _, host := range []string{"intranet.example", "mapped.example", "both.example"} {
		input := "http://" + host + ":" + target.port + "/"
		_, err := c.Fetch(context.Background(), input)
		checkErr(t, input, err, ErrPrivateAddress)
	}
	if lookups.calls.Load() == 0 {
		t.Errorf("LookupIP was never called: the names were not resolved")
	}
	target.assertUntouched(t)

	// The default guard refuses the port at dial time too, whatever the
	// address.
	strict := newTestClient(t, Options{LookupIP: lookups.lookup})
	_, err := strict.Fetch(context.Background(), "http://intranet.example/")
	checkErr(t, "http://intranet.example/ (default guard)", err, ErrPrivateAddress)
}

// TestDNSRebinding serves a name that first resolves to the "public"
// address and then to 127.0.0.1 on the same port: the second fetch must be
// refused at dial time and never reach the loopback listener.
func TestDNSRebinding(t *testing.T) {
	target := watch(t, "127.0.0.1:0")
	srv := serveOn(t, publicIP+":"+target.port, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close") // the second fetch must dial again
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("public"))
	}))
	var calls atomic.Int64
	lookup := func(_ context.Context, host string) ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr(publicIP)}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	c := newTestClient(t, Options{Guard: publicGuard(), LookupIP: lookup})
	input := "http://rebind.example:" + target.port + "/"

	page, err := c.Fetch(context.Background(), input)
	if err != nil {
		t.Fatalf("first Fetch(%q) error = %v, want success from %s", input, err, srv.URL)
	}
	if string(page.Body) != "public" {
		t.Fatalf("first Fetch(%q) body = %q, want %q", input, page.Body, "public")
	}
	_, err = c.Fetch(context.Background(), input)
	checkErr(t, input+" (rebound)", err, ErrPrivateAddress)
	if n := calls.Load(); n != 2 {
		t.Errorf("lookups = %d, want 2", n)
	}
	target.assertUntouched(t)
}

// TestCheck: Check tells, without fetching, whether the policy in force
// would let a fetch of the URL start: public names and addresses pass;
// private addresses, names resolving to them, other ports and names that
// do not resolve are refused with the sentinel a fetch would give; with
// private networks allowed, only the URL checks apply.
func TestCheck(t *testing.T) {
	names := map[string][]netip.Addr{
		"news.example":     {netip.MustParseAddr("93.184.216.34")},
		"intranet.example": {netip.MustParseAddr("10.0.0.5")},
		"mixed.example":    {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("::ffff:192.168.1.9")},
	}
	lookups := 0
	lookup := func(ctx context.Context, host string) ([]netip.Addr, error) {
		lookups++
		if a, ok := names[host]; ok {
			return a, nil
		}
		return nil, errors.New("no such host")
	}
	strict := New(Options{LookupIP: lookup})
	open := New(Options{LookupIP: lookup, AllowPrivateNetworks: true})
	for _, tc := range []struct {
		url        string
		strict     error
		openPasses bool
	}{
		{"https://news.example/story", nil, true},
		{"http://93.184.216.34/story", nil, true},
		{"http://intranet.example/wiki/page", ErrPrivateAddress, true},
		{"http://mixed.example/", ErrPrivateAddress, true},
		{"http://10.0.0.5/wiki", ErrPrivateAddress, true},
		{"http://127.0.0.1/", ErrPrivateAddress, true},
		{"http://localhost/", ErrPrivateAddress, true},
		{"https://news.example:8443/", ErrPort, true},
		{"http://gone.example/", ErrNoSuchHost, true},
		{"ftp://news.example/", ErrScheme, false},
		{"http://user:pw@news.example/", ErrCredentials, false},
	} {
		err := strict.Check(context.Background(), tc.url)
		if (tc.strict == nil) != (err == nil) || (tc.strict != nil && !errors.Is(err, tc.strict)) {
			t.Errorf("Check(%q) = %v, want %v", tc.url, err, tc.strict)
		}
		if err := open.Check(context.Background(), tc.url); (err == nil) != tc.openPasses {
			t.Errorf("Check(%q) with private networks allowed = %v, want passing %v", tc.url, err, tc.openPasses)
		}
	}
	if lookups == 0 {
		t.Error("Check never looked a name up")
	}
}
