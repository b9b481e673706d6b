package pdf

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// texOT1PDF is a one-page PDF set as TeX sets text in an OT1 font
// (Computer Modern): no space glyphs, words apart by a kern in a TJ
// array, and Ł and ł drawn as TeX's \L and \l draw them, the stroke
// glyph (code 32, named suppress) first and the letter over it, pulled
// back by the kern the font's metrics give (0.319 em for L, 0.278 em for
// l). The glyph names come from the font's /Differences, or, with
// builtin set, from the encoding of the embedded font program, as pdfTeX
// writes Computer Modern.
func texOT1PDF(lines []string, builtin bool) []byte {
	tj := func(s string) string {
		var b strings.Builder
		b.WriteString("[(")
		for _, r := range s {
			switch r {
			case ' ':
				b.WriteString(") -333 (")
			case 'Ł':
				b.WriteString(`\040) 319 (L`)
			case 'ł':
				b.WriteString(`\040) 278 (l`)
			case '(', ')', '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteString(")] TJ")
		return b.String()
	}
	var c strings.Builder
	for i, l := range lines {
		fmt.Fprintf(&c, "BT /F1 10 Tf 72 %d Td %s ET\n", 700-12*i, tj(l))
	}
	widths := "278" + strings.Repeat(" 500", 95) // codes 32-127
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /CMR10 /FirstChar 32 /LastChar 127 /Widths [" + widths + "] /FontDescriptor 6 0 R"
	desc := "<< /Type /FontDescriptor /FontName /CMR10 /Flags 4 /FontBBox [-40 -250 1009 750] /ItalicAngle 0 /Ascent 694 /Descent -194 /CapHeight 683 /StemV 69"
	program := "%!PS-AdobeFont-1.0: CMR10 003.002\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 32 /suppress put\n"
	for r := 33; r < 127; r++ {
		if n, ok := asciiGlyphName(rune(r)); ok {
			program += fmt.Sprintf("dup %d /%s put\n", r, n)
		}
	}
	program += "readonly def\ncurrentdict end\ncurrentfile eexec\n"
	if builtin {
		desc += " /FontFile 7 0 R >>"
	} else {
		font += " /Encoding << /Type /Encoding /BaseEncoding /StandardEncoding /Differences [32 /suppress] >>"
		desc += " >>"
	}
	font += " >>"
	return rawPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		content(c.String()),
		font,
		desc,
		fmt.Sprintf("<< /Length %d /Length1 %d /Length2 0 /Length3 0 >>\nstream\n%s\nendstream", len(program), len(program), program),
	}, "/Root 1 0 R")
}

// asciiGlyphName is the PostScript name of a printable ASCII character.
func asciiGlyphName(r rune) (string, bool) {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		return string(r), true
	case r >= '0' && r <= '9':
		return []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}[r-'0'], true
	}
	switch r {
	case '.':
		return "period", true
	case ',':
		return "comma", true
	}
	return "", false
}

// TeX's OT1 fonts have no Ł or ł: \L and \l overlay a stroke glyph on L
// and l. The text must read "Łukasz" and "Michał", not "Lukasz" or
// "Michal", whether the letter starts the line, starts a word after a
// space, or ends a word.
func TestTeXStrokeLetters(t *testing.T) {
	lines := []string{
		"Łukasz Nowak and Paweł Michał from Łask wrote the report on the river",
	}
	for i := 0; i < 10; i++ {
		lines = append(lines, "The survey of the old town found that trade went on much as before in the years.")
	}
	lines = append(lines, "Łukasz thanks the staff of the archive.")
	for _, builtin := range []bool{false, true} {
		t.Run(fmt.Sprintf("builtin encoding %v", builtin), func(t *testing.T) {
			art, err := Read(context.Background(), texOT1PDF(lines, builtin), Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Łukasz Nowak and Paweł Michał from Łask wrote", "Łukasz thanks the staff"} {
				if !strings.Contains(art.Text, want) {
					t.Errorf("text %q: want %q", art.Text, want)
				}
			}
		})
	}
}
