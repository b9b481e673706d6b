// Package pdftest writes small PDF files for tests: text placed where a
// test says, in the standard Helvetica fonts, optionally compressed, so
// tests of the PDF reader and of everything that carries PDFs can make the
// documents they need without fixtures from elsewhere.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// Line is a run of text whose baseline starts at X, Y (points, from the
// page's lower left corner).
type Line struct {
	X, Y, Size float64
	Text       string
	Bold       bool
}

// Page is one US Letter page (612 x 792 points).
type Page struct {
	Lines []Line
	// Image draws a grey picture over the page, as a scanner's page is.
	Image bool
}

// Doc describes a PDF to write.
type Doc struct {
	Title, Author string
	CreationDate  string // PDF date, such as "D:20260102030405Z"
	Pages         []Page
	// Compress writes content streams with FlateDecode.
	Compress bool
}

// charWidth is every glyph's advance, in thousandths of the font size.
const charWidth = 500

// Width is how wide text set at size is, in points.
func Width(text string, size float64) float64 {
	return float64(len([]rune(text))) * charWidth / 1000 * size
}

// Build returns d as a PDF file. Text is Latin-1 as WinAnsiEncoding; the
// ligatures ﬁ and ﬂ are drawn as single glyphs named fi and fl, as TeX's
// fonts draw them.
func Build(d Doc) []byte {
	var objs []string // object bodies, numbered from 1
	add := func(s string) int {
		objs = append(objs, s)
		return len(objs)
	}
	catalog := add("") // filled below
	pagesObj := add("")
	widths := strings.TrimSpace(strings.Repeat(fmt.Sprintf("%d ", charWidth), 256))
	fontDict := func(base string) string {
		return fmt.Sprintf("<< /Type /Font /Subtype /Type1 /BaseFont /%s /FirstChar 0 /LastChar 255 /Widths [%s] "+
			"/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /fi /fl] >> >>", base, widths)
	}
	regular := add(fontDict("Helvetica"))
	bold := add(fontDict("Helvetica-Bold"))
	image := add("<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x80\x40\x40\x80\nendstream")
	var kids []string
	for _, p := range d.Pages {
		var c bytes.Buffer
		if p.Image {
			c.WriteString("q 612 0 0 792 0 0 cm /Im1 Do Q\n")
		}
		for _, l := range p.Lines {
			font := "F1"
			if l.Bold {
				font = "F2"
			}
			fmt.Fprintf(&c, "BT /%s %g Tf %g %g Td (%s) Tj ET\n", font, l.Size, l.X, l.Y, escape(l.Text))
		}
		data := c.Bytes()
		filter := ""
		if d.Compress {
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(data)
			w.Close()
			data = z.Bytes()
			filter = " /Filter /FlateDecode"
		}
		content := add(fmt.Sprintf("<< /Length %d%s >>\nstream\n%s\nendstream", len(data), filter, data))
		pg := add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "+
			"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>", pagesObj, content, regular, bold, image))
		kids = append(kids, fmt.Sprintf("%d 0 R", pg))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj)
	objs[pagesObj-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	info := add(fmt.Sprintf("<< /Title (%s) /Author (%s) /CreationDate (%s) /Producer (pdftest) >>", escape(d.Title), escape(d.Author), d.CreationDate))

	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, catalog, info, xref)
	return out.Bytes()
}

// escape writes s as the inside of a PDF literal string in WinAnsi.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 'ﬁ':
			b.WriteString(`\001`)
		case r == 'ﬂ':
			b.WriteString(`\002`)
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '’':
			b.WriteString(`\222`)
		case r == '“':
			b.WriteString(`\223`)
		case r == '”':
			b.WriteString(`\224`)
		case r == '–':
			b.WriteString(`\226`)
		case r == '—':
			b.WriteString(`\227`)
		case r < 256:
			if r < 128 {
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, `\%03o`, r)
			}
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// Paper lays out a paper: a title, authors, an abstract, then the
// sections (heading, then paragraphs), in one column or two, with a
// running head and a page number on every page. Paragraphs are filled
// line by line at a fixed width; a word that does not fit is broken with
// a hyphen when long enough, as TeX would.
type Paper struct {
	Title, Authors string
	Abstract       string
	Sections       []Section
	TwoColumns     bool
	RunningHead    string
	Compress       bool
	CreationDate   string
}

// Section is a heading and its paragraphs.
type Section struct {
	Heading    string
	Paragraphs []string
}

// Build returns the paper as a PDF.
func (p Paper) Build() []byte {
	const size, lead = 10.0, 12.0
	colW := 470.0
	cols := []float64{71}
	if p.TwoColumns {
		colW = 225
		cols = []float64{71, 316}
	}
	var pages []Page
	var page *Page
	col := 0
	y := 0.0
	newPage := func() {
		pages = append(pages, Page{})
		page = &pages[len(pages)-1]
		n := len(pages)
		if p.RunningHead != "" && n > 1 {
			page.Lines = append(page.Lines, Line{X: 71, Y: 750, Size: 8, Text: p.RunningHead})
		}
		page.Lines = append(page.Lines, Line{X: 300, Y: 40, Size: 8, Text: fmt.Sprint(n)})
		col = 0
		y = 710
	}
	top1 := 0.0
	newPage()
	// Title block, full width.
	page.Lines = append(page.Lines, Line{X: 71, Y: y, Size: 17, Text: p.Title, Bold: true})
	y -= 26
	page.Lines = append(page.Lines, Line{X: 71, Y: y, Size: 11, Text: p.Authors})
	y -= 28
	next := func() {
		y -= lead
		if y < 70 {
			col++
			if col >= len(cols) {
				newPage()
			} else {
				y = 710
				if len(pages) == 1 {
					y = top1
				}
			}
		}
	}
	top1 = y
	emit := func(text string, bold, indent bool) {
		for _, l := range fill(text, colW, size, indent) {
			x := cols[col]
			if l.indent {
				x += 15
			}
			page.Lines = append(page.Lines, Line{X: x, Y: y, Size: size, Text: l.text, Bold: bold})
			next()
		}
	}
	emit("Abstract", true, false)
	emit(p.Abstract, false, false)
	y -= lead / 2
	for _, s := range p.Sections {
		y -= lead / 2
		emit(s.Heading, true, false)
		for _, para := range s.Paragraphs {
			emit(para, false, true)
		}
	}
	return Build(Doc{Title: p.Title, Author: p.Authors, Pages: pages, Compress: p.Compress, CreationDate: p.CreationDate})
}

type filled struct {
	text   string
	indent bool
}

// fill breaks text into lines of at most width points at size, the
// first indented when indent is set; words longer than the room left are
// hyphenated when at least 6 letters would stay on each side.
func fill(text string, width, size float64, indent bool) []filled {
	var out []filled
	var cur []string
	room := func() float64 {
		if indent && len(out) == 0 {
			return width - 15
		}
		return width
	}
	for _, w := range strings.Fields(text) {
		line := strings.Join(append(cur, w), " ")
		if Width(line, size) <= room() || len(cur) == 0 {
			cur = append(cur, w)
			continue
		}
		base := strings.Join(cur, " ") + " "
		left := int((room()-Width(base, size))/(charWidth*size/1000)) - 1
		r := []rune(w)
		if left >= 4 && len(r)-left >= 4 && onlyLetters(r) {
			cur = append(cur, string(r[:left])+"-")
			out = append(out, filled{strings.Join(cur, " "), indent && len(out) == 0})
			cur = []string{string(r[left:])}
			continue
		}
		out = append(out, filled{strings.Join(cur, " "), indent && len(out) == 0})
		cur = []string{w}
	}
	if len(cur) > 0 {
		out = append(out, filled{strings.Join(cur, " "), indent && len(out) == 0})
	}
	return out
}

func onlyLetters(r []rune) bool {
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
