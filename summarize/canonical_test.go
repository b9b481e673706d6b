package summarize

import (
	"errors"
	"strings"
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://Example.COM/Path?b=2&a=1#frag", "https://example.com/Path?a=1&b=2"},
		{"HTTP://example.com:80/", "http://example.com/"},
		{"https://example.com:443/x", "https://example.com/x"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com/a?utm_source=tw&utm_medium=x&id=7", "https://example.com/a?id=7"},
		{"https://example.com/a?fbclid=abc&gclid=def&mc_cid=1&ref_src=twsrc", "https://example.com/a"},
		{"https://example.com/a?UTM_Campaign=x&q=go", "https://example.com/a?q=go"},
		{"https://example.com/a?z=1&a=2&a=1", "https://example.com/a?a=2&a=1&z=1"},
		{"https://user:pass@example.com/a", "https://example.com/a"},
		{"  https://example.com/a  ", "https://example.com/a"},
		{"https://example.com./a", "https://example.com/a"},
		{"https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"},
		{"https://[2001:db8::1]:8080/a", "https://[2001:db8::1]:8080/a"},
		{"https://example.com/a%20b?q=a%20b", "https://example.com/a%20b?q=a%20b"},
		{"https://example.com/?", "https://example.com/"},
	}
	for _, tt := range tests {
		got, err := CanonicalURL(tt.in)
		if err != nil {
			t.Errorf("CanonicalURL(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalURLRejects(t *testing.T) {
	for _, in := range []string{
		"", "example.com/a", "ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)",
		"https://", "http:///path", "mailto:a@example.com", "data:text/html,hi", "https://%zz",
		"https://example.com/" + strings.Repeat("a", 9000),
	} {
		got, err := CanonicalURL(in)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("CanonicalURL(%q) = %q, %v; want ErrBadURL", in, got, err)
		}
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://Example.com/a?utm_source=x&b=1#f", "http://[::1]:80/", "https://a.b/c%2Fd?e=%zz&f",
		"HTTPS://EXAMPLE.COM:443", "https://example.com/?&&a=1&", "https://xn--nxasmq6b.com/é",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := CanonicalURL(in)
		if err != nil {
			return
		}
		again, err := CanonicalURL(got)
		if err != nil {
			t.Fatalf("CanonicalURL(%q) = %q, which it then rejects: %v", in, got, err)
		}
		if again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Fatalf("CanonicalURL(%q) = %q, not http(s)", in, got)
		}
		if strings.Contains(got, "#") {
			t.Fatalf("CanonicalURL(%q) = %q keeps a fragment", in, got)
		}
	})
}
