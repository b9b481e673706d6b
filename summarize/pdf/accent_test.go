package pdf

import (
	"context"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/pdf/pdftest"
)

// TeX's OT1 fonts draw an accent as a glyph of its own, before its
// letter, raised over a capital. An accent that starts a line, or stands
// after a wide justified space, still goes on its letter: it is neither
// a paragraph of its own nor one that cuts the sentence in two.
func TestAccentOverCapital(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []pdftest.Line
		want  string
	}{
		{"starting a line", []pdftest.Line{
			{X: 72, Y: 700, Size: 10, Text: "In the spring the old shop by the river sold goods worth less than"},
			{X: 72, Y: 690.5, Size: 10, Text: "^"},
			{X: 72, Y: 688, Size: 10, Text: "A and nothing more, said the owner."},
		}, "sold goods worth less than Â and nothing more, said the owner."},
		{"after a wide space", []pdftest.Line{
			{X: 72, Y: 700, Size: 10, Text: "The old shop by the river on the corner of the square was opened by"},
			{X: 72, Y: 688, Size: 10, Text: "the writer"},
			{X: 72 + pdftest.Width("the writer", 10) + 9, Y: 690.5, Size: 10, Text: "´"},
			{X: 72 + pdftest.Width("the writer", 10) + 9, Y: 688, Size: 10, Text: "Emile Zola in the spring of that year, they say."},
		}, "was opened by the writer Émile Zola in the spring"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := tc.lines
			for i, y := 0, 676.0; i < 8; i, y = i+1, y-12 {
				lines = append(lines, pdftest.Line{X: 72, Y: y, Size: 10, Text: "Trade in the old town went on much as it had in the years before."})
			}
			data := pdftest.Build(pdftest.Doc{Pages: []pdftest.Page{{Lines: lines}}})
			art, err := Read(context.Background(), data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(art.Text, tc.want) {
				t.Errorf("text %q: want %q in one paragraph", art.Text, tc.want)
			}
		})
	}
}
