package fetch

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"code.dny.dev/ssrf"
)

// FuzzCheckURL feeds arbitrary URLs to the checks applied to the first
// request and to every redirect. Whatever it accepts must be an http(s)
// URL without credentials whose host, if an IP literal, is public and whose
// port is 80 or 443; whatever it refuses must be refused with a sentinel.
// Seeds: testdata/fuzz/FuzzCheckURL and the refusal matrix.
func FuzzCheckURL(f *testing.F) {
	for _, tc := range refusalCases() {
		f.Add(strings.ReplaceAll(tc.url, "{port}", "8080"))
	}
	c := New(Options{})
	guard := ssrf.New()
	sentinels := []error{ErrBadURL, ErrScheme, ErrPort, ErrCredentials, ErrPrivateAddress}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := parseForTest(raw)
		if err != nil {
			return
		}
		host, err := c.checkURL(u)
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("checkURL(%q) = %v, which wraps no sentinel", raw, err)
		}
		if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
			t.Fatalf("checkURL(%q) accepted scheme %q", raw, u.Scheme)
		}
		if u.User != nil {
			t.Fatalf("checkURL(%q) accepted credentials", raw)
		}
		name, port := host, ""
		if h, p, err := net.SplitHostPort(host); err == nil {
			name, port = h, p
		}
		if port != "" && port != "80" && port != "443" {
			t.Fatalf("checkURL(%q) = %q, accepted port %s", raw, host, port)
		}
		name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
		if name == "" {
			t.Fatalf("checkURL(%q) = %q, accepted an empty host", raw, host)
		}
		if addr, err := netip.ParseAddr(name); err == nil {
			if err := guard.SafeAddr(addr); err != nil {
				t.Fatalf("checkURL(%q) = %q, accepted a refused address: %v", raw, host, err)
			}
		} else if endsInNumber(name) {
			t.Fatalf("checkURL(%q) = %q, passed on a numeric host it did not canonicalise", raw, host)
		}
	})
}

// FuzzParseIPv4 checks the WHATWG IPv4 parser against netip on the
// spellings both accept, and that it never panics on the others.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.1", "0x7f000001", "0177.0.0.1", "1.2.3.4.", "256.1", "0x", "0..1", "4294967295", "4294967296"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseIPv4(s)
		want, err := netip.ParseAddr(s)
		if err != nil || !want.Is4() {
			return
		}
		if !ok || got != want {
			t.Fatalf("parseIPv4(%q) = %v, %v; netip.ParseAddr = %v", s, got, ok, want)
		}
	})
}
