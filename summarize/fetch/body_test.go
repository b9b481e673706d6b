package fetch

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

var update = flag.Bool("update", false, "regenerate testdata/zeros-1GiB.br")

const brotliBombFile = "testdata/zeros-1GiB.br"

// encoded serves body compressed with the given Content-Encoding.
func encoded(t *testing.T, contentEncoding string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch contentEncoding {
	case "gzip", "x-gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "br":
		w = brotli.NewWriter(&buf)
	default:
		t.Fatalf("unknown encoding %q", contentEncoding)
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// compressedPage serves raw (already compressed) bytes as text/html with
// the given Content-Encoding.
func compressedPage(contentEncoding string, raw []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", contentEncoding)
		_, _ = w.Write(raw)
	}
}

// gzipBomb returns a gzip stream that inflates to n MiB of zeros: one
// member compressing 1 MiB, repeated (gzip readers read concatenated
// members as one stream), so building it costs almost nothing.
func gzipBomb(t *testing.T, n int) []byte {
	t.Helper()
	return bytes.Repeat(encoded(t, "gzip", make([]byte, 1<<20)), n)
}

// brotliBomb returns a brotli stream that inflates to 1 GiB of zeros. It
// is kept in testdata because compressing 1 GiB takes a minute under -race;
// `go test -run TestDecompressionBombs -update` rebuilds it.
func brotliBomb(t *testing.T) []byte {
	t.Helper()
	if *update {
		var buf bytes.Buffer
		w := brotli.NewWriterLevel(&buf, 5)
		zero := make([]byte, 1<<20)
		for range 1024 {
			if _, err := w.Write(zero); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.FromSlash(brotliBombFile), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.FromSlash(brotliBombFile))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestSizeCap checks the cap on plain and compressed bodies.
func TestSizeCap(t *testing.T) {
	const limit = 64 << 10
	page := bytes.Repeat([]byte("<p>lorem ipsum</p>\n"), limit/19+1)[:limit]
	over := append(bytes.Clone(page), 'x')

	for _, tc := range []struct {
		name    string
		handler http.Handler
		want    error
	}{
		{"plain at the limit", staticPage("text/html", page), nil},
		{"plain one byte over", staticPage("text/html", over), ErrTooLarge},
		{"plain, chunked, over", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for i := 0; i < len(over); i += 1000 {
				_, _ = w.Write(over[i:min(i+1000, len(over))])
				w.(http.Flusher).Flush()
			}
		}), ErrTooLarge},
		{"gzip at the limit", compressedPage("gzip", encoded(t, "gzip", page)), nil},
		{"gzip over", compressedPage("gzip", encoded(t, "gzip", over)), ErrTooLarge},
		{"x-gzip at the limit", compressedPage("x-gzip", encoded(t, "gzip", page)), nil},
		{"deflate at the limit", compressedPage("deflate", encoded(t, "deflate", page)), nil},
		{"br at the limit", compressedPage("br", encoded(t, "br", page)), nil},
		{"br over", compressedPage("br", encoded(t, "br", over)), ErrTooLarge},
		{"gzip then br", compressedPage("gzip, br", encoded(t, "br", encoded(t, "gzip", page))), nil},
		{"gzip then br, over", compressedPage("gzip, br", encoded(t, "br", encoded(t, "gzip", over))), ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := servePrivate(t, tc.handler, Options{MaxBytes: limit})
			got, err := c.Fetch(context.Background(), srv.URL)
			checkErr(t, tc.name, err, tc.want)
			if tc.want == nil && err == nil && !bytes.Equal(got.Body, page) {
				t.Errorf("body = %d bytes, want the %d bytes served", len(got.Body), len(page))
			}
		})
	}
}

// TestDecompressionBombs serves 1 GiB of zeros in 1 MiB of gzip and 1.6 KiB
// of brotli: the fetch must stop at the cap, and allocate far less than the
// bomb inflates to (the decoders stream; nothing reads the whole body).
func TestDecompressionBombs(t *testing.T) {
	const limit = 1 << 20
	for _, tc := range []struct {
		name     string
		encoding string
		raw      []byte
	}{
		{"gzip", "gzip", gzipBomb(t, 1024)},
		{"brotli", "br", brotliBomb(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := servePrivate(t, compressedPage(tc.encoding, tc.raw), Options{MaxBytes: limit})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := c.Fetch(context.Background(), srv.URL)
			runtime.ReadMemStats(&after)
			checkErr(t, tc.name+" bomb", err, ErrTooLarge)
			// The 1 GiB would show in TotalAlloc; the cap, the decoder's
			// window and the server's buffers stay well under 64 MiB.
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s bomb (%d bytes compressed): %.1f MiB allocated", tc.name, len(tc.raw), float64(alloc)/(1<<20))
			if alloc > 64<<20 {
				t.Errorf("%s bomb: allocated %d MiB during the fetch, want < 64 MiB", tc.name, alloc>>20)
			}
		})
	}
}

// TestBadEncoding covers bodies the decoders cannot read.
func TestBadEncoding(t *testing.T) {
	for _, tc := range []struct {
		name, encoding string
		raw            []byte
	}{
		{"not gzip", "gzip", []byte("<p>plain text, not gzip</p>")},
		{"truncated gzip", "gzip", encoded(t, "gzip", bytes.Repeat([]byte("abc "), 1000))[:40]},
		{"not brotli", "br", []byte("\xff\xff\xff\xff<p>plain</p>")},
		{"unknown coding", "compress", []byte("x")},
		{"too many codings", "gzip, gzip, gzip", []byte("x")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := servePrivate(t, compressedPage(tc.encoding, tc.raw), Options{})
			_, err := c.Fetch(context.Background(), srv.URL)
			if err == nil || !strings.Contains(err.Error(), "decode") {
				t.Errorf("Fetch with Content-Encoding %q and a bad body: error = %v, want a decode error", tc.encoding, err)
			}
		})
	}

	// An empty gzip body is an empty page, not an error.
	srv, c := servePrivate(t, compressedPage("gzip", nil), Options{})
	page, err := c.Fetch(context.Background(), srv.URL)
	if err != nil || len(page.Body) != 0 {
		t.Errorf("Fetch of an empty gzip body = %v, %v; want an empty page", page, err)
	}
}

// TestContentType checks which declared and sniffed types are accepted.
func TestContentType(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")
	pdf := []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")
	junk := []byte("\x00\x01\x02\x03\x04\x05\x06\x07binary\x10\x11\x12")
	html := []byte("<!doctype html><html><head><title>t</title></head><body><p>hello</p></body></html>")
	xhtml := []byte(`<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>hi</p></body></html>`)
	text := []byte("Just some plain text.\nSecond line.\n")

	for _, tc := range []struct {
		name, contentType string
		body              []byte
		want              error
		wantType          string
	}{
		{"html", "text/html; charset=utf-8", html, nil, "text/html"},
		{"html upper case", "TEXT/HTML; Charset=UTF-8", html, nil, "text/html"},
		{"html malformed parameter", "text/html; charset", html, nil, "text/html"},
		{"xhtml", "application/xhtml+xml", xhtml, nil, "application/xhtml+xml"},
		{"plain", "text/plain", text, nil, "text/plain"},
		{"empty html", "text/html", nil, nil, "text/html"},
		{"missing, html", "", html, nil, "text/html"},
		{"missing, text", "", text, nil, "text/plain"},
		{"png", "image/png", png, ErrContentType, ""},
		{"pdf", "application/pdf", pdf, nil, PDFType},
		{"pdf as octet-stream", "application/octet-stream", pdf, nil, PDFType},
		{"pdf that is html", "application/pdf", html, ErrContentType, ""},
		{"octet-stream", "application/octet-stream", html, ErrContentType, ""},
		{"zip", "application/zip", zip, ErrContentType, ""},
		{"json", "application/json", []byte(`{"a":1}`), ErrContentType, ""},
		{"xml", "text/xml", xhtml, ErrContentType, ""},
		{"video", "video/mp4", junk, ErrContentType, ""},
		{"missing, png", "", png, ErrContentType, ""},
		{"missing, pdf", "", pdf, nil, PDFType},
		{"missing, binary", "", junk, ErrContentType, ""},
		{"missing, xml", "", []byte(`<?xml version="1.0"?><rss><channel/></rss>`), ErrContentType, ""},
		{"html that is a png", "text/html", png, ErrContentType, ""},
		{"text that is a pdf", "text/plain", pdf, nil, PDFType},
		{"text that is a zip", "text/plain", zip, ErrContentType, ""},
		{"text that is gzip", "text/plain", encoded(t, "gzip", text), ErrContentType, ""},
		{"html that is binary", "text/html", junk, ErrContentType, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := servePrivate(t, staticPage(tc.contentType, tc.body), Options{})
			page, err := c.Fetch(context.Background(), srv.URL)
			checkErr(t, tc.name, err, tc.want)
			if tc.want == nil && err == nil && page.ContentType != tc.wantType {
				t.Errorf("ContentType = %q, want %q", page.ContentType, tc.wantType)
			}
			if mt := mediaType(tc.contentType); tc.want != nil && mt != "" && !allowedType(mt) && !strings.Contains(err.Error(), mt) {
				t.Errorf("error %q does not name the type %q", err, mt)
			}
		})
	}
}

// TestPDFCap checks that a PDF has its own size cap, found by its magic
// whatever its declared type, and comes back as its own bytes.
func TestPDFCap(t *testing.T) {
	pdf := func(n int) []byte {
		b := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), bytes.Repeat([]byte("x"), n)...)
		return b
	}
	opts := Options{MaxBytes: 1 << 10, MaxPDFBytes: 4 << 10}
	for _, tc := range []struct {
		name, contentType string
		body              []byte
		want              error
		limit             int64
	}{
		{"pdf under the pdf cap", "application/pdf", pdf(3 << 10), nil, 0},
		{"pdf sent as html under the pdf cap", "text/html", pdf(3 << 10), nil, 0},
		{"pdf sent as octet-stream under the pdf cap", "application/octet-stream", pdf(3 << 10), nil, 0},
		{"pdf over the pdf cap", "application/pdf", pdf(5 << 10), ErrTooLarge, 4 << 10},
		{"pdf sent as html over the pdf cap", "text/html", pdf(5 << 10), ErrTooLarge, 4 << 10},
		{"pdf compressed over the pdf cap", "", nil, ErrTooLarge, 4 << 10},
		{"html over the page cap", "text/html", bytes.Repeat([]byte("<p>hello</p>"), 300), ErrTooLarge, 1 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := staticPage(tc.contentType, tc.body)
			if tc.body == nil {
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/pdf")
					w.Header().Set("Content-Encoding", "gzip")
					w.Write(encoded(t, "gzip", pdf(64<<10)))
				})
			}
			srv, c := servePrivate(t, h, opts)
			page, err := c.Fetch(context.Background(), srv.URL)
			checkErr(t, tc.name, err, tc.want)
			if tc.want == nil && err == nil && (page.ContentType != PDFType || !bytes.Equal(page.Body, tc.body)) {
				t.Errorf("page type %q, %d bytes; want the PDF's %d bytes as %s", page.ContentType, len(page.Body), len(tc.body), PDFType)
			}
			var se *SizeError
			if tc.limit != 0 && (!errors.As(err, &se) || se.Limit != tc.limit) {
				t.Errorf("error %v: want a SizeError of %d bytes", err, tc.limit)
			}
		})
	}
}

// TestCharsets checks decoding to UTF-8 from headers, <meta>, BOMs and
// guesses.
func TestCharsets(t *testing.T) {
	enc := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatalf("encode %q: %v", s, err)
		}
		return b
	}
	const russian = "Съешь же ещё этих мягких французских булок"
	const japaneseText = "日本語のテキストです。"
	late := strings.Repeat("plain ascii ", 100) + "naïve café – “quotes” ü"

	for _, tc := range []struct {
		name, contentType string
		body              []byte
		want              string
	}{
		{"windows-1251 from header", "text/html; charset=windows-1251", enc(charmap.Windows1251, "<p>"+russian+"</p>"), "<p>" + russian + "</p>"},
		{"windows-1251 from meta", "text/html",
			enc(charmap.Windows1251, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body>`+russian+`</body></html>`),
			`<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body>` + russian + `</body></html>`},
		{"Shift_JIS from meta", "text/html",
			enc(japanese.ShiftJIS, `<meta charset="Shift_JIS"><p>`+japaneseText+`</p>`),
			`<meta charset="Shift_JIS"><p>` + japaneseText + `</p>`},
		{"Shift_JIS from header", "text/plain; charset=shift_jis", enc(japanese.ShiftJIS, japaneseText), japaneseText},
		{"ISO-8859-1 from header", "text/plain; charset=ISO-8859-1", []byte("caf\xe9 cr\xe8me br\xfbl\xe9e"), "café crème brûlée"},
		{"ISO-8859-1 from meta", "text/html", []byte("<meta charset=\"iso-8859-1\"><p>caf\xe9</p>"), `<meta charset="iso-8859-1"><p>café</p>`},
		{"UTF-8, first non-ASCII after 1 KiB, no charset", "text/html", []byte(late), late},
		{"UTF-8, first non-ASCII after 1 KiB, plain", "text/plain", []byte(late), late},
		{"UTF-8 despite a wrong meta", "text/html", []byte(`<meta charset="windows-1251"><p>` + russian + `</p>`), `<meta charset="windows-1251"><p>` + russian + `</p>`},
		{"UTF-8 BOM", "text/plain", []byte("\xef\xbb\xbfhé"), "hé"},
		{"UTF-16LE BOM", "text/plain", enc(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "hé "+japaneseText), "hé " + japaneseText},
		{"invalid UTF-8 declared UTF-8", "text/plain; charset=utf-8", []byte("ok \xff\xfe end \xc3"), "ok \uFFFD end \uFFFD"},
		{"unknown charset label", "text/plain; charset=x-no-such-charset", []byte("hello"), "hello"},
		{"no charset, not UTF-8", "text/plain", []byte("na\xefve"), "naïve"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := servePrivate(t, staticPage(tc.contentType, tc.body), Options{})
			page, err := c.Fetch(context.Background(), srv.URL)
			if err != nil {
				t.Fatalf("Fetch error = %v", err)
			}
			if !utf8.Valid(page.Body) {
				t.Errorf("body is not valid UTF-8: %q", page.Body)
			}
			if got := string(page.Body); got != tc.want {
				t.Errorf("body = %q, want %q", truncate(got), truncate(tc.want))
			}
		})
	}
}

// TestLongLine serves a megabyte on one line.
func TestLongLine(t *testing.T) {
	line := bytes.Repeat([]byte("word "), 1<<20/5)
	srv, c := servePrivate(t, staticPage("text/plain", line), Options{})
	page, err := c.Fetch(context.Background(), srv.URL)
	if err != nil {
		t.Fatalf("Fetch error = %v", err)
	}
	if !bytes.Equal(page.Body, line) {
		t.Errorf("body = %d bytes, want the %d bytes served", len(page.Body), len(line))
	}
}

// TestStatus checks non-2xx answers.
func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		code int
		want string
	}{
		{404, "the site answered 404 Not Found"},
		{403, "the site answered 403 Forbidden"},
		{500, "the site answered 500 Internal Server Error"},
		{503, "the site answered 503 Service Unavailable"},
		{599, "the site answered 599"},
		{301, "the site answered 301 Moved Permanently"}, // no Location to follow
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			srv, c := servePrivate(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tc.code)
				_, _ = w.Write([]byte("<p>error page</p>"))
			}), Options{})
			_, err := c.Fetch(context.Background(), srv.URL)
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("Fetch error = %v, want a *StatusError", err)
			}
			if se.Code != tc.code {
				t.Errorf("StatusError.Code = %d, want %d", se.Code, tc.code)
			}
			if se.Error() != tc.want {
				t.Errorf("StatusError.Error() = %q, want %q", se.Error(), tc.want)
			}
		})
	}
}

// TestHugeHeaders checks the cap on response headers.
func TestHugeHeaders(t *testing.T) {
	srv, c := servePrivate(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Padding", strings.Repeat("a", 2*maxHeaderBytes))
		w.Header().Set("Content-Type", "text/plain")
	}), Options{})
	_, err := c.Fetch(context.Background(), srv.URL)
	checkErr(t, "huge headers", err, ErrTooLarge)
}

// TestGzippedPDF: a paper served as .pdf.gz (application/gzip or
// application/x-gzip, or a generic download type) is read as the PDF
// inside, within MaxPDFBytes once decompressed; a gzip bomb is refused at
// the cap without inflating, and a gzip file holding anything else is
// not read.
func TestGzippedPDF(t *testing.T) {
	pdf := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), bytes.Repeat([]byte("1 0 obj << >> endobj\n"), 150)...) // ~3 KiB
	opts := Options{MaxBytes: 1 << 10, MaxPDFBytes: 4 << 10}
	zipped := encoded(t, "gzip", pdf)
	for _, tc := range []struct {
		name, contentType string
		body              []byte
		want              error // nil with decode: an error that says the gzip file could not be decoded
		decode            bool
	}{
		{"application/gzip", "application/gzip", encoded(t, "gzip", pdf), nil, false},
		{"application/x-gzip", "application/x-gzip", encoded(t, "gzip", pdf), nil, false},
		{"octet-stream", "application/octet-stream", encoded(t, "gzip", pdf), nil, false},
		{"no type", "", encoded(t, "gzip", pdf), nil, false},
		{"over the pdf cap decompressed", "application/gzip", encoded(t, "gzip", append(bytes.Clone(pdf), make([]byte, 2<<10)...)), ErrTooLarge, false},
		{"html inside", "application/gzip", encoded(t, "gzip", bytes.Repeat([]byte("<p>hello</p>"), 50)), ErrContentType, false},
		{"not gzip data", "application/gzip", []byte("plain words, not gzip"), ErrContentType, false},
		{"truncated", "application/gzip", zipped[:len(zipped)/2], nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := servePrivate(t, http.StripPrefix("/papers", staticPage(tc.contentType, tc.body)), opts)
			page, err := c.Fetch(context.Background(), srv.URL+"/papers/2501.00001.pdf.gz")
			if tc.decode {
				if err == nil || !strings.Contains(err.Error(), "decode the gzip file") {
					t.Errorf("Fetch(%s) error = %v, want a decode error", tc.name, err)
				}
				return
			}
			checkErr(t, tc.name, err, tc.want)
			if tc.want == nil && err == nil && (page.ContentType != PDFType || !bytes.Equal(page.Body, pdf)) {
				t.Errorf("Fetch(%s): type %q, %d bytes; want the %d bytes of the PDF inside as %s", tc.name, page.ContentType, len(page.Body), len(pdf), PDFType)
			}
			var se *SizeError
			if tc.want == ErrTooLarge && (!errors.As(err, &se) || se.Limit != opts.MaxPDFBytes) {
				t.Errorf("Fetch(%s) error = %v, want a SizeError of the PDF cap", tc.name, err)
			}
		})
	}

	// A PDF header followed by 1 GiB of zeros, in about 1 MiB of gzip:
	// refused at the 4 MiB cap, with far less than 1 GiB allocated.
	bomb := append(encoded(t, "gzip", pdf), gzipBomb(t, 1024)...)
	srv, c := servePrivate(t, staticPage("application/gzip", bomb), Options{MaxPDFBytes: 4 << 20})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.Fetch(context.Background(), srv.URL+"/bomb.pdf.gz")
	runtime.ReadMemStats(&after)
	checkErr(t, "gzip bomb as .pdf.gz", err, ErrTooLarge)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("gzip bomb as .pdf.gz: allocated %d MiB, want < 64 MiB", alloc>>20)
	}
}
