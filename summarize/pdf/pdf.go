package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkbrief/linkbrief/summarize/extract"
)

// Errors a caller may tell apart; each message is a sentence a user can
// read. Read's errors wrap them (errors.Is).
var (
	// ErrNotPDF means the data does not start like a PDF.
	ErrNotPDF = errors.New("not a PDF file")
	// ErrScanned means the PDF has pages but no text layer: pictures of
	// pages, as a scanner makes them.
	ErrScanned = errors.New("this PDF has no text to read (it looks scanned)")
	// ErrEncrypted means the PDF needs a password to open.
	ErrEncrypted = errors.New("this PDF is protected by a password and cannot be read")
	// ErrDamaged means the file is truncated or corrupt beyond repair.
	ErrDamaged = errors.New("this PDF is damaged or incomplete")
	// ErrNoFontMap means the PDF draws text whose fonts do not say which
	// letters they are, so it cannot be read without guessing.
	ErrNoFontMap = errors.New("this PDF's text cannot be read (its fonts do not map to letters)")
	// ErrTooComplex means reading would cost more than the limits allow.
	ErrTooComplex = errors.New("this PDF is too large or complex to read")
)

// Options tunes Read; the zero value means the defaults.
type Options struct {
	// MaxPages is the most pages read; later pages are left out. Zero
	// means DefaultMaxPages.
	MaxPages int
	// MinWords is the fewest words a readable PDF has; zero means
	// extract.DefaultMinWords.
	MinWords int
}

// DefaultMaxPages is the MaxPages used when Options.MaxPages is zero.
const DefaultMaxPages = 300

// maxPageFrags bounds the runs of text one page may have for its
// layout to be worked out.
const maxPageFrags = 4000

// maxOps bounds the content-stream operators run for one document.
const maxOps = 30_000_000

// IsPDF reports whether b starts as a PDF file does: "%PDF-" after at
// most a byte-order mark or some whitespace. (Read itself also accepts
// the magic later in the first 1024 bytes, as PDF readers do, but a file
// is called a PDF by its start.)
func IsPDF(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b[:min(len(b), 64)], " \t\r\n\x00")
	return bytes.HasPrefix(b, []byte("%PDF-"))
}

// hasMagic reports the %PDF- magic within the first 1024 bytes.
func hasMagic(b []byte) bool {
	return bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-"))
}

// Read extracts the text of a PDF in reading order, with its title,
// authors (Byline), date and language, as the same Article the HTML
// extractor gives. Kind is extract.KindPaper when the document reads as a
// paper (an abstract and sections or references), else KindArticle.
// Untrusted input is bounded in time (ctx, and an operator budget),
// memory and pages; it never panics.
func Read(ctx context.Context, data []byte, opts Options) (art *extract.Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			// A bug met by hostile input: say the file is damaged rather
			// than take the process down.
			art = nil
			err = fmt.Errorf("pdf: %w (internal error: %v)", ErrDamaged, r)
		}
	}()
	if !hasMagic(data) {
		return nil, fmt.Errorf("pdf: %w", ErrNotPDF)
	}
	d, err := open(data)
	if err == nil && d.rebuilt && !endsWithEOF(data) {
		// A file cut short (an interrupted download) has lost its end,
		// and with it part of its text.
		err = errDamaged
	}
	switch {
	case errors.Is(err, errPassword):
		return nil, fmt.Errorf("pdf: %w", ErrEncrypted)
	case errors.Is(err, errNotPDF):
		return nil, fmt.Errorf("pdf: %w", ErrNotPDF)
	case err != nil:
		return nil, fmt.Errorf("pdf: %w", ErrDamaged)
	}
	maxPages := opts.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	pages := d.pages(maxPages)
	if len(pages) == 0 {
		return nil, fmt.Errorf("pdf: %w", ErrDamaged)
	}
	in := &interp{d: d, ops: maxOps, fonts: map[object]*font{}, ctx: ctx}
	var frags []*frag
	glyphs, unknown := 0, 0
	for i, p := range pages {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("pdf: %w", err)
		}
		in.glyphs = in.glyphs[:0]
		in.runPage(p)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("pdf: %w", err)
		}
		if in.ops <= 0 || errors.Is(in.err, ErrTooComplex) {
			return nil, fmt.Errorf("pdf: %w", ErrTooComplex)
		}
		if in.err != nil {
			// Summarizing what is left of a broken file would pass
			// for the whole document.
			return nil, fmt.Errorf("pdf: %w", ErrDamaged)
		}
		w, h := p.box[2]-p.box[0], p.box[3]-p.box[1]
		if p.rotate == 90 || p.rotate == 270 {
			w, h = h, w
		}
		w, h = turnPage(in.glyphs, w, h)
		b := fragBuilder{page: i, pw: w, ph: h, sizes: map[float64]int{}}
		for _, g := range in.glyphs {
			if g.text != " " {
				glyphs++
				if g.text == "" || junk(g.text) {
					// Unmapped, or mapped to private-use or control
					// characters: a font whose letters are not known.
					unknown++
					continue
				}
			}
			b.add(g)
		}
		b.flush()
		if len(b.out) > maxPageFrags {
			// Not prose: a page of scattered text (a map, a chart).
			continue
		}
		frags = append(frags, b.out...)
	}
	if glyphs == 0 {
		return nil, fmt.Errorf("pdf: %w", ErrScanned)
	}
	if unknown*2 > glyphs {
		return nil, fmt.Errorf("pdf: %w", ErrNoFontMap)
	}
	doc := assemble(frags, len(pages))
	art = &extract.Article{Text: doc.text, Kind: extract.KindArticle}
	if doc.paper {
		art.Kind = extract.KindPaper
	}
	info := d.dictOf(d.trailer["Info"])
	art.Title = texQuotes(infoText(d, info["Title"]))
	if !usableTitle(art.Title) {
		art.Title = doc.title
	}
	art.Byline = infoText(d, info["Author"])
	if art.Byline == "" {
		art.Byline = doc.authors
	}
	art.Published = parseDate(infoText(d, info["CreationDate"]))
	art.Lang = extract.DetectLang(art.Text)
	minWords := opts.MinWords
	if minWords <= 0 {
		minWords = extract.DefaultMinWords
	}
	if n := len(strings.Fields(art.Text)); n == 0 {
		return nil, fmt.Errorf("pdf: %w", ErrScanned)
	} else if n < minWords {
		return nil, fmt.Errorf("pdf: %w", &extract.NotArticleError{Kind: extract.TooShort})
	}
	return art, nil
}

// junk reports text of private-use or control characters only.
func junk(s string) bool {
	for _, r := range s {
		if !(r >= 0xE000 && r <= 0xF8FF || r < 0x20 || r >= 0x7F && r < 0xA0 || r == 0xFFFD) {
			return false
		}
	}
	return true
}

// endsWithEOF reports whether the file still has its end-of-file marker
// near its end.
func endsWithEOF(b []byte) bool {
	if len(b) > 1024 {
		b = b[len(b)-1024:]
	}
	return bytes.Contains(b, []byte("%%EOF"))
}

// infoText reads a text string of the document information dictionary.
func infoText(d *document, o object) string {
	s, ok := d.resolve(o).(pdfString)
	if !ok {
		return ""
	}
	return strings.Join(strings.Fields(textString(string(s))), " ")
}

// textString decodes a PDF text string: UTF-16 with a BOM, UTF-8 with a
// BOM, else PDFDocEncoding (read as Latin-1, which it nearly is).
func textString(s string) string {
	switch {
	case strings.HasPrefix(s, "\xfe\xff"):
		return utf16Text(s[2:])
	case strings.HasPrefix(s, "\xef\xbb\xbf"):
		return strings.ToValidUTF8(s[3:], "")
	}
	r := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n' {
			r = append(r, rune(s[i]))
		}
	}
	return string(r)
}

// texQuotes turns the quotes LaTeX users type (two backticks and two
// apostrophes around double quotes, one of each around single ones),
// which hyperref copies into the document information as they are, into
// the quotation marks they print. A backtick that pairs with another
// backtick (code) is left alone.
func texQuotes(s string) string {
	if !strings.Contains(s, "`") {
		return s
	}
	s = strings.ReplaceAll(s, "``", "“")
	if strings.Contains(s, "“") {
		s = strings.ReplaceAll(s, "''", "”")
	}
	switch strings.Count(s, "`") {
	case 0:
		return s
	case 1:
		if i := strings.IndexByte(s, '`'); !strings.Contains(s[i:], "'") {
			return strings.Replace(s, "`", "‘", 1)
		}
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			break
		}
		j := strings.IndexAny(s[i+1:], "`'")
		if j < 0 || s[i+1+j] == '`' {
			// Code between backticks, or no closing quote: as written.
			end := len(s)
			if j >= 0 {
				end = i + 1 + j + 1
			}
			b.WriteString(s[:end])
			s = s[end:]
			continue
		}
		b.WriteString(s[:i] + "‘" + s[i+1:i+1+j] + "’")
		s = s[i+1+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// usableTitle rejects the placeholder titles producers write.
func usableTitle(t string) bool {
	l := strings.ToLower(t)
	if len(t) < 3 || l == "untitled" || strings.HasPrefix(l, "microsoft word") {
		return false
	}
	for _, ext := range []string{".dvi", ".tex", ".doc", ".docx", ".pdf", ".indd", ".qxd", ".ps"} {
		if strings.HasSuffix(l, ext) {
			return false
		}
	}
	return true
}

// parseDate reads a PDF date, "D:YYYYMMDDHHmmSSOHH'mm'", as much of it as
// is there; a bad one is the zero time.
func parseDate(s string) time.Time {
	s = strings.TrimPrefix(s, "D:")
	if len(s) < 4 {
		return time.Time{}
	}
	layouts := []string{"20060102150405Z07'00'", "20060102150405Z07'00", "20060102150405Z0700", "20060102150405Z", "20060102150405", "200601021504", "2006010215", "20060102", "200601", "2006"}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	if len(s) >= 14 {
		if t, err := time.Parse("20060102150405", s[:14]); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
