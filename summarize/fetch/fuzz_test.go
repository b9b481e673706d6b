package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

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

// FuzzReadPage feeds arbitrary bodies, declared types and content codings
// to the body reader: it must never panic, return more than its caps, a
// PDF that does not start as one, or a page that is not UTF-8. Seeds: a
// page, a PDF, a gzipped PDF as a .pdf.gz is served, and gzip bombs.
func FuzzReadPage(f *testing.F) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	pdf := []byte("%PDF-1.7\n1 0 obj << >> endobj\n")
	f.Add("text/html; charset=utf-8", "", []byte("<p>hello</p>"))
	f.Add("application/pdf", "", pdf)
	f.Add("application/gzip", "", gz(pdf))
	f.Add("application/x-gzip", "gzip", gz(gz(pdf)))
	f.Add("application/gzip", "", gz(append(bytes.Clone(pdf), make([]byte, 64<<10)...)))
	f.Add("", "", gz([]byte("<p>not a pdf</p>")))
	f.Add("text/plain", "br", []byte("\xff\xff"))
	const limit, pdfLimit = 4 << 10, 16 << 10
	c := New(Options{MaxBytes: limit, MaxPDFBytes: pdfLimit})
	f.Fuzz(func(t *testing.T, contentType, encoding string, body []byte) {
		resp := &http.Response{Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: -1}
		if contentType != "" {
			resp.Header.Set("Content-Type", contentType)
		}
		if encoding != "" {
			resp.Header.Set("Content-Encoding", encoding)
		}
		page, err := c.readPage(context.Background(), resp, nil)
		if err != nil {
			return
		}
		switch {
		case page.ContentType == PDFType && (len(page.Body) > pdfLimit || !isPDF(page.Body)):
			t.Fatalf("readPage(%q, %q) = a PDF of %d bytes that starts %.20q", contentType, encoding, len(page.Body), page.Body)
		case page.ContentType != PDFType && (len(page.Body) > limit*4 || !utf8.Valid(page.Body)):
			t.Fatalf("readPage(%q, %q) = %d bytes of %s, not UTF-8 under the cap", contentType, encoding, len(page.Body), page.ContentType)
		}
	})
}
