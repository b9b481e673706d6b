package pdf

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/summarize/pdf/pdftest"
)

// FuzzRead feeds Read arbitrary bytes: it must return, without a panic,
// an article or an error.
func FuzzRead(f *testing.F) {
	// Small seeds keep each run fast: one plain page, one compressed,
	// one with object streams, one encrypted (both made by qpdf).
	page := pdftest.Page{Lines: []pdftest.Line{{X: 72, Y: 700, Size: 10, Text: "Rain ﬁlls the basin."}, {X: 300, Y: 700, Size: 10, Text: "Two columns."}}}
	f.Add(pdftest.Build(pdftest.Doc{Title: "T", Pages: []pdftest.Page{page}}))
	f.Add(pdftest.Build(pdftest.Doc{Pages: []pdftest.Page{page, {Image: true}}, Compress: true}))
	for _, name := range []string{"objstreams.pdf", "encrypted-aes128.pdf"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj trailer << /Root 1 0 R >>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		art, err := Read(ctx, data, Options{})
		if err == nil && art == nil {
			t.Fatal("Read returned neither an article nor an error")
		}
	})
}
