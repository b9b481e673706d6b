package fetch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"golang.org/x/net/html/charset"
)

// PDFType is the ContentType of a Page that holds a PDF.
const PDFType = "application/pdf"

// isPDFType reports the declared types a PDF comes under: its own, and
// the generic binary ones servers use for downloads.
func isPDFType(mt string) bool {
	switch mt {
	case PDFType, "application/x-pdf", "application/acrobat", "application/octet-stream", "binary/octet-stream", "application/download", "application/force-download":
		return true
	}
	return false
}

// isGzipType reports the declared types of a gzip file, such as a paper
// served as .pdf.gz.
func isGzipType(mt string) bool {
	switch mt {
	case "application/gzip", "application/x-gzip", "application/x-gzip-compressed", "application/gzip-compressed":
		return true
	}
	return false
}

// isGzip reports a body that starts with gzip's magic number.
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// gunzipPDF reads a gzip file that holds a PDF (a paper served as
// .pdf.gz), at most limit bytes once decompressed: the decoder streams
// into the cap, so a gzip bomb costs no more memory than the cap. A gzip
// file that holds anything but a PDF is refused from its first bytes.
func gunzipPDF(data []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("fetch: could not decode the gzip file: %w", err)
	}
	br := bufio.NewReaderSize(zr, 1024)
	head, err := br.Peek(1024)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("fetch: could not decode the gzip file: %w", err)
	}
	if !isPDF(head) {
		return nil, fmt.Errorf("fetch: %w: a gzip file that is not a PDF", ErrContentType)
	}
	out, err := io.ReadAll(io.LimitReader(br, limit+1))
	if err != nil {
		return nil, fmt.Errorf("fetch: could not decode the gzip file: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("fetch: the gzipped PDF, decompressed, is %w", &SizeError{Limit: limit})
	}
	return out, nil
}

// isPDF reports a body that starts as a PDF does: "%PDF-" after at most
// a byte-order mark or some whitespace.
func isPDF(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b[:min(len(b), 64)], " \t\r\n\x00")
	return bytes.HasPrefix(b, []byte("%PDF-"))
}

// allowedType reports the declared media types that are read at all:
// web pages, plain text and PDFs, and the extra types a Request accepts.
func allowedType(mt string, extra ...string) bool {
	switch mt {
	case "text/html", "application/xhtml+xml", "text/plain":
		return true
	}
	if isPDFType(mt) || isGzipType(mt) {
		return true
	}
	for _, t := range extra {
		if strings.EqualFold(mt, t) {
			return true
		}
	}
	return false
}

// readPage checks the declared type, reads the body through the content
// decoders under the size cap, checks what the bytes really are and
// decodes them to UTF-8.
func (c *Client) readPage(ctx context.Context, resp *http.Response, extra []string) (*Page, error) {
	header := resp.Header.Get("Content-Type")
	declared := mediaType(header)
	if declared != "" && !allowedType(declared, extra...) {
		return nil, fmt.Errorf("fetch: %w: %s", ErrContentType, truncate(declared))
	}
	encodings := contentEncodings(resp.Header.Values("Content-Encoding"))
	// A gzip file is read only when it holds a PDF: it has the PDF cap.
	declaredPDF := isPDFType(declared) || isGzipType(declared)
	limit := c.opts.MaxBytes
	if declaredPDF {
		limit = c.opts.MaxPDFBytes
	}
	if len(encodings) == 0 && resp.ContentLength > limit {
		return nil, fmt.Errorf("fetch: %w", &SizeError{Limit: limit})
	}

	wire := &wireReader{r: resp.Body}
	body, err := decodeContent(wire, encodings)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(body, limit+1))
	}
	// A PDF served under another type (octet-stream, even text/html) has
	// the PDF cap too: its magic decides, not the header.
	if err == nil && !declaredPDF && int64(len(data)) > limit && isPDF(data) {
		limit = c.opts.MaxPDFBytes
		var rest []byte
		rest, err = io.ReadAll(io.LimitReader(body, limit+1-int64(len(data))))
		data = append(data, rest...)
	}
	if err != nil {
		if wire.err != nil || ctx.Err() != nil {
			return nil, c.classify(ctx, errors.Join(wire.err, err))
		}
		return nil, fmt.Errorf("fetch: could not decode the %s body: %w", strings.Join(encodings, ", "), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("fetch: %w", &SizeError{Limit: limit})
	}
	if isGzip(data) && (declaredPDF || declared == "") {
		// A paper served as .pdf.gz (application/gzip, or a generic
		// download type): the PDF inside, under the same cap.
		if data, err = gunzipPDF(data, c.opts.MaxPDFBytes); err != nil {
			return nil, err
		}
		return &Page{ContentType: PDFType, Body: data}, nil
	}
	if isPDF(data) {
		return &Page{ContentType: PDFType, Body: data}, nil
	}
	if declaredPDF {
		return nil, fmt.Errorf("fetch: %w: %s that is not a PDF", ErrContentType, declared)
	}

	// Binary signatures (images, PDF, archives...) are found on the raw
	// bytes; control characters only after decoding, so that UTF-16 text is
	// not mistaken for binary.
	sniffed := mediaType(http.DetectContentType(data))
	if !strings.HasPrefix(sniffed, "text/") && sniffed != "application/octet-stream" {
		return nil, fmt.Errorf("fetch: %w: %s", ErrContentType, sniffed)
	}
	text := toUTF8(data, header)
	sniffed = mediaType(http.DetectContentType(text))
	if sniffed == "application/octet-stream" {
		return nil, fmt.Errorf("fetch: %w: binary data", ErrContentType)
	}
	ct := declared
	if ct == "" {
		switch sniffed {
		case "text/html", "text/plain":
			ct = sniffed
		default:
			return nil, fmt.Errorf("fetch: %w: %s", ErrContentType, sniffed)
		}
	}
	return &Page{ContentType: ct, Body: text}, nil
}

// wireReader remembers the last network error, to tell a broken or slow
// connection from a corrupt compressed stream.
type wireReader struct {
	r   io.Reader
	err error
}

func (w *wireReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err != nil && err != io.EOF {
		w.err = err
	}
	return n, err
}

// emptyBody stands for a compressed body with no bytes at all.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }

// decodeContent stacks streaming decoders for the content codings, last
// applied first. Nothing is buffered beyond the decoders' own windows, so
// the size cap on their output bounds memory however the input expands.
func decodeContent(r io.Reader, encodings []string) (io.Reader, error) {
	if len(encodings) > 2 {
		return nil, fmt.Errorf("%d stacked content encodings", len(encodings))
	}
	for i := len(encodings) - 1; i >= 0; i-- {
		switch enc := encodings[i]; enc {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(r)
			if errors.Is(err, io.EOF) {
				return emptyBody{}, nil
			}
			if err != nil {
				return nil, err
			}
			r = zr
		case "deflate":
			zr, err := zlib.NewReader(r)
			if errors.Is(err, io.EOF) {
				return emptyBody{}, nil
			}
			if err != nil {
				return nil, err
			}
			r = zr
		case "br":
			r = brotli.NewReader(r)
		default:
			return nil, fmt.Errorf("unsupported content encoding %q", truncate(enc))
		}
	}
	return r, nil
}

// contentEncodings lists the codings of a Content-Encoding header, lower
// case, without "identity".
func contentEncodings(values []string) []string {
	var out []string
	for _, v := range values {
		for _, e := range strings.Split(v, ",") {
			e = strings.ToLower(strings.TrimSpace(e))
			if e != "" && e != "identity" {
				out = append(out, e)
			}
		}
	}
	return out
}

// mediaType returns the lower-case media type of a Content-Type value, or
// "" when there is none. A malformed parameter does not hide the type.
func mediaType(contentType string) string {
	if strings.TrimSpace(contentType) == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// toUTF8 decodes data using, in order, a byte-order mark, the charset in
// the Content-Type header, a <meta> charset in the first 1024 bytes, and
// otherwise UTF-8 when the whole body is valid UTF-8, else windows-1252.
// An uncertain guess (anything but a BOM or the header) yields to UTF-8
// when the whole body is valid UTF-8: a page whose first non-ASCII byte
// comes after 1 KiB must not turn into mojibake, and real windows-1251,
// Shift_JIS or Latin-1 text is almost never valid UTF-8. Invalid sequences
// become U+FFFD, so the result is always valid UTF-8.
func toUTF8(data []byte, contentType string) []byte {
	enc, name, certain := charset.DetermineEncoding(data, contentType)
	if name == "utf-8" || (!certain && utf8.Valid(data)) {
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		return bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		out = data
	}
	out = bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))
	return bytes.ToValidUTF8(out, []byte("\uFFFD"))
}

// formatBytes writes a size limit the way a user would say it.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
