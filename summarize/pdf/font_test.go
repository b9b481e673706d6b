package pdf

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// cidPDF is a one-page PDF whose text is drawn with a Type0 (CID) font,
// as word processors and browsers write them: two-byte codes, widths in
// a W array, and, when toUnicode is set, a ToUnicode CMap.
func cidPDF(encoding string, toUnicode bool, codes string) []byte {
	cmap := `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfrange
<0003> <0003> <0020>
<0010> <0039> <0041>
endbfrange
2 beginbfchar
<0040> <FB01>
<0050> <E001>
endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end`
	tu := ""
	if toUnicode {
		tu = " /ToUnicode 7 0 R"
	}
	var lines strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&lines, "BT /F1 10 Tf 72 %d Td <%s> Tj ET\n", 700-i*12, codes)
	}
	return rawPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		content(lines.String()),
		"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Calibri /Encoding /" + encoding + " /DescendantFonts [6 0 R]" + tu + " >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Calibri /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [3 [250] 16 57 500 64 [550]] >>",
		content(cmap),
	}, "/Root 1 0 R")
}

func TestCIDFonts(t *testing.T) {
	// With the ToUnicode map above, 0010-0029 are "A"-"Z", 0003 a space
	// and 0040 the fi ligature. The lines are short, like a list: they
	// are kept although they look like table cells, since nothing else
	// is on the page.
	word := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			switch {
			case r == ' ':
				b.WriteString("0003")
			case r == 'ﬁ':
				b.WriteString("0040")
			default:
				fmt.Fprintf(&b, "%04X", 0x10+int(r-'A'))
			}
		}
		return b.String()
	}
	art, err := Read(context.Background(), cidPDF("Identity-H", true, word("ABCDEF GHIJ ﬁZ")), Options{})
	if err != nil {
		t.Fatalf("Identity-H with ToUnicode: %v", err)
	}
	if first, _, _ := strings.Cut(art.Text, " ABCDEF"); first != "ABCDEF GHIJ fiZ" {
		t.Errorf("Identity-H with ToUnicode: text %.60q, want lines of %q", art.Text, "ABCDEF GHIJ fiZ")
	}

	// A predefined UCS-2 CMap: the codes are the characters.
	ucs := ""
	for _, r := range "Rain fell " {
		ucs += fmt.Sprintf("%04X", r)
	}
	art, err = Read(context.Background(), cidPDF("UniGB-UCS2-H", false, ucs), Options{})
	if err != nil || !strings.HasPrefix(art.Text, "Rain fell Rain fell") {
		t.Errorf("UniGB-UCS2-H: %v, text %.40q", err, art)
	}

	// A map to private-use characters says nothing either.
	if _, err := Read(context.Background(), cidPDF("Identity-H", true, strings.Repeat("00500003", 8)), Options{}); !errors.Is(err, ErrNoFontMap) {
		t.Errorf("ToUnicode to private-use characters: err = %v, want ErrNoFontMap", err)
	}

	// Glyph numbers with no map: refused, not guessed.
	if _, err := Read(context.Background(), cidPDF("Identity-H", false, word("ABCDEF GHIJ")), Options{}); !errors.Is(err, ErrNoFontMap) {
		t.Errorf("Identity-H without ToUnicode: err = %v, want ErrNoFontMap", err)
	}
}
