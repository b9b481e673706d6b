package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// rawPDF writes objects (numbered from 1) with a correct xref table and
// the given trailer entries.
func rawPDF(objs []string, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailer, x)
	return b.Bytes()
}

const helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

func content(s string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(s), s)
}

// TestHostileStructures feeds Read files built to loop, recurse or
// allocate without end: each must end quickly with an article or one of
// the package's errors.
func TestHostileStructures(t *testing.T) {
	words := strings.Repeat("word ", 80)
	text := "BT /F1 10 Tf 72 700 Td (" + words + ") Tj ET"
	page := func(contents string) string {
		return "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + contents + " /Resources << /Font << /F1 5 0 R >> /XObject << /X 6 0 R >> >> >>"
	}
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"page tree cycle", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", page("4 0 R"), content(text), helvetica}, "/Root 1 0 R")},
		{"kids that are their own parents", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] >>"}, "/Root 1 0 R")},
		{"xref Prev to itself", bytes.Replace(rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>", page("4 0 R"), content(text), helvetica}, "/Root 1 0 R /Prev 9"), []byte("/Prev 9"), []byte("/Prev 0"), 1)},
		{"stream length is itself", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>", page("4 0 R"), "<< /Length 4 0 R >>\nstream\n" + text + "\nendstream", helvetica}, "/Root 1 0 R")},
		{"nesting without end", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R /X " + deep + " >>", "<< /Type /Pages /Kids [3 0 R] >>", page("4 0 R"), content(text), helvetica}, "/Root 1 0 R")},
		{"form drawing itself", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>", page("4 0 R"), content(text + " /X Do"), helvetica,
			"<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X 6 0 R >> /Font << /F1 5 0 R >> >> /Length 80 >>\nstream\n" + strings.Repeat("/X Do ", 12) + "BT /F1 1 Tf (a) Tj ET\nendstream"}, "/Root 1 0 R")},
		{"huge object numbers and sizes", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [99999999 0 R 3 0 R] /Count 999999999 >>", page("[4 0 R 4 0 R 4 0 R]"), content(text), helvetica}, "/Root 1 0 R /Size 2147483647")},
		{"object stream that holds itself", rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>", page("4 0 R"), content(text), helvetica, "<< /Type /ObjStm /N 1 /First 4 /Length 10 >>\nstream\n6 0 6 0 R\nendstream"}, "/Root 1 0 R")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			art, err := Read(ctx, tc.data, Options{MinWords: 1})
			if err != nil && !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrTooComplex) && !errors.Is(err, ErrScanned) && !errors.Is(err, ErrNotPDF) {
				t.Errorf("Read = %v, want an article or one of the package's errors", err)
			}
			if err == nil && art == nil {
				t.Error("Read returned neither an article nor an error")
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("Read took %v", d)
			}
		})
	}
}

// A page stored portrait and shown landscape (/Rotate 90), its text
// drawn turned so that it reads across once the page is turned, is read
// as shown.
func TestRotatedPage(t *testing.T) {
	var c strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&c, "BT /F1 10 Tf 0 1 -1 0 %d 72 Tm (Line %02d of the landscape page reads across once it is turned.) Tj ET\n", 100+i*12, i)
	}
	turned := rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Rotate 90 /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		content(c.String()), helvetica}, "/Root 1 0 R")
	art, err := Read(context.Background(), turned, Options{})
	if err != nil {
		t.Fatalf("rotated page: %v", err)
	}
	if !strings.HasPrefix(art.Text, "Line 00 of the landscape page") || strings.Index(art.Text, "Line 29") < strings.Index(art.Text, "Line 28") {
		t.Errorf("rotated page text: %.120q", art.Text)
	}
	// The same content on a page that is not turned (a landscape table
	// printed sideways) is read as it would be once the page is turned.
	upright := bytes.Replace(turned, []byte("/Rotate 90 "), []byte(""), 1)
	if art, err := Read(context.Background(), upright, Options{}); err != nil || !strings.HasPrefix(art.Text, "Line 00 of the landscape page") {
		t.Errorf("sideways text on a portrait page: %v, %.80q", err, art)
	}
}
