package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// realPages loads the gzipped pages of the shared extraction benchmark,
// ../shared/data/extraction/html relative to the repository root, and
// skips when they are absent.
func realPages(tb testing.TB) map[string][]byte {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("repository root not found")
		}
		dir = parent
	}
	files, _ := filepath.Glob(filepath.Join(dir, "..", "shared", "data", "extraction", "html", "*.html.gz"))
	if len(files) == 0 {
		tb.Skip("../shared/data/extraction/html is absent")
	}
	pages := make(map[string][]byte, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		pages["/"+strings.TrimSuffix(filepath.Base(f), ".html.gz")] = raw
	}
	return pages
}

// serveGzipped serves each page gzipped, as most sites send them.
func serveGzipped(pages map[string][]byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(raw)
	}
}

// TestRealPages fetches every page of the benchmark: each must pass the
// content checks and come back as valid UTF-8, byte for byte the page when
// the page was UTF-8 already.
func TestRealPages(t *testing.T) {
	pages := realPages(t)
	srv, c := servePrivate(t, serveGzipped(pages), Options{})
	for path, raw := range pages {
		page, err := c.Fetch(context.Background(), srv.URL+path)
		if err != nil {
			t.Errorf("Fetch(%s) error = %v", path, err)
			continue
		}
		if !utf8.Valid(page.Body) {
			t.Errorf("Fetch(%s) body is not valid UTF-8", path)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		orig, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		orig = bytes.TrimPrefix(orig, []byte("\xef\xbb\xbf"))
		if utf8.Valid(orig) && !bytes.Equal(page.Body, orig) {
			t.Errorf("Fetch(%s) changed a UTF-8 page: %d bytes in, %d out", path, len(orig), len(page.Body))
		}
	}
}

// BenchmarkFetchRealPages measures a fetch of a real gzipped page over
// loopback: request, decompression, checks and charset decoding.
func BenchmarkFetchRealPages(b *testing.B) {
	pages := realPages(b)
	srv := serveOn(b, "127.0.0.1:0", serveGzipped(pages))
	c := New(Options{AllowPrivateNetworks: true})
	paths := make([]string, 0, len(pages))
	var total int64
	for p := range pages {
		paths = append(paths, p)
	}
	for i := 0; b.Loop(); i++ {
		page, err := c.Fetch(context.Background(), srv.URL+paths[i%len(paths)])
		if err != nil {
			b.Fatal(err)
		}
		total += int64(len(page.Body))
	}
	b.ReportMetric(float64(total)/float64(b.N)/1024, "KiB/page")
}
