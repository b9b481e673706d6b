package summarize

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/pdf"
)

// FileTypeError is returned, wrapped, for a document at hand (a local
// file, standard input) that is not HTML, text or PDF: a program, an
// image, an archive, or a file whose name says it is none of them. Its
// message is a sentence a user can read.
type FileTypeError struct {
	// What names what the bytes look like: "a PNG image", "binary data";
	// "" when the file was refused by its name.
	What string
}

// Error returns a phrase such as "not an HTML, text or PDF file: it looks
// like an image (image/png)".
func (e *FileTypeError) Error() string {
	if e.What == "" {
		return "not an HTML, text or PDF file: only .html, .htm, .txt and .pdf files are read (.gz allowed), or a URL, or - for standard input"
	}
	return "not an HTML, text or PDF file: it looks like " + e.What
}

// CheckFileName returns a *FileTypeError unless the name of a local file
// ends in .html, .htm, .txt or .pdf, alone or before .gz (case
// ignored), the files DESIGN.md §6 says a SOURCE may be. A Markdown or
// CSV file, or a file without an extension, is refused by its name;
// standard input has no name and is sniffed instead.
func CheckFileName(name string) error {
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(name)), ".gz")
	switch filepath.Ext(base) {
	case ".html", ".htm", ".txt", ".pdf":
		if len(base) > len(filepath.Ext(base)) {
			return nil
		}
	}
	return &FileTypeError{}
}

// sniffSample is how much of a document the binary check reads: enough
// to see the control bytes of any real binary format, little enough to
// be free.
const sniffSample = 64 << 10

// binaryWhat says what a document at hand is when it is not text or PDF,
// or "" when it is a PDF or reads as text (HTML or plain, in UTF-8,
// UTF-16 with a byte-order mark, or an 8-bit encoding such as Latin-1 or
// windows-1251).
//
// Known signatures come first (http.DetectContentType: images, audio,
// video, fonts, archives), then the bytes themselves: a NUL, or more
// than 2% of C0 control bytes other than tab, newlines, form feed and
// escape, is binary. Invalid UTF-8 alone is not, since whole texts in
// 8-bit encodings are invalid UTF-8; but binary data without control
// bytes does not occur in practice.
func binaryWhat(body []byte) string {
	if hasUTF16BOM(body) {
		return ""
	}
	head := body[:min(len(body), 512)]
	ct, _, _ := strings.Cut(http.DetectContentType(head), ";")
	switch {
	case bytes.HasPrefix(body, []byte("\x7fELF")), bytes.HasPrefix(body, []byte("MZ")) && bytes.Contains(head, []byte("This program")):
		return "a program"
	case strings.HasPrefix(ct, "text/"):
	case ct == "application/pdf":
		return "" // read by the PDF path
	case strings.HasPrefix(ct, "image/"):
		return "an image (" + ct + ")"
	case strings.HasPrefix(ct, "audio/"), strings.HasPrefix(ct, "video/"), ct == "application/ogg":
		return "audio or video (" + ct + ")"
	case strings.HasPrefix(ct, "font/"), ct == "application/vnd.ms-fontobject":
		return "a font (" + ct + ")"
	case ct == "application/zip", ct == "application/x-gzip", ct == "application/x-rar-compressed":
		return "an archive (" + ct + ")"
	case ct != "application/octet-stream":
		return "binary data (" + ct + ")"
	}
	sample := body[:min(len(body), sniffSample)]
	if bytes.IndexByte(sample, 0) >= 0 {
		return "binary data"
	}
	ctrl := 0
	for _, c := range sample {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' && c != 0x1b) || c == 0x7f {
			ctrl++
		}
	}
	if ctrl*50 > len(sample) {
		return "binary data"
	}
	return ""
}

// CheckText returns a *FileTypeError when body, a document at hand or
// its first bytes, is not HTML, text or PDF; nil otherwise. Callers that stop
// reading a large file early use it to refuse it for what it is rather
// than for its size.
func CheckText(body []byte) error {
	if what := binaryWhat(body); what != "" {
		return &FileTypeError{What: what}
	}
	return nil
}

func hasUTF16BOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff})
}

// fromUTF16 decodes text that starts with a UTF-16 byte-order mark to
// UTF-8 (Windows editors save text so); anything else is returned as is.
func fromUTF16(b []byte) []byte {
	if !hasUTF16BOM(b) {
		return b
	}
	big := b[0] == 0xfe
	b = b[2:]
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if big {
			units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			units = append(units, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	out := make([]byte, 0, len(units)+len(units)/2)
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out
}

// documentKey is the cache address of a document at hand, once its
// content type is known: "sha256:" and the hex SHA-256 of its bytes, and
// the type it is read as. The same bytes give the same brief wherever
// they come from; a changed file gets a new one.
func documentKey(doc Document) string {
	sum := sha256.Sum256(doc.Body)
	return "sha256:" + hex.EncodeToString(sum[:]) + "?type=" + doc.ContentType
}

// readable checks that a document at hand is a PDF or text and settles
// how it is read: fetch.PDFType for a PDF, else UTF-16 becomes UTF-8
// and the type is sniffed. A document with a ContentType (a fetched page)
// is taken as it is.
func readable(doc Document) (Document, error) {
	if doc.ContentType != "" {
		return doc, nil
	}
	if pdf.IsPDF(doc.Body) {
		doc.ContentType = fetch.PDFType
		return doc, nil
	}
	if what := binaryWhat(doc.Body); what != "" {
		return doc, fmt.Errorf("summarize: %w", &FileTypeError{What: what})
	}
	doc.Body = fromUTF16(doc.Body)
	doc.ContentType = sniff(doc.Source, doc.Body)
	return doc, nil
}
