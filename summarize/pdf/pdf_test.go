package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/pdf/pdftest"
)

// paper is a paper with enough text to fill more than a page in either
// layout; its words are long enough to be hyphenated at some line ends.
func paper(twoCols, compress bool) pdftest.Paper {
	para := func(topic string, n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString("The committee examined the " + topic + " thoroughly, ﬁnding that independent measurements ﬂuctuated considerably between neighbourhoods. ")
		}
		return strings.TrimSpace(b.String())
	}
	return pdftest.Paper{
		Title:        "Measuring Rainfall in Riverton",
		Authors:      "Ada Lovelace, Alan Turing",
		Abstract:     "We report rainfall measurements from the Riverton basin over three decades and show that the extraordinary variability of winter precipitation is mostly explained by altitude.",
		RunningHead:  "Rainfall in Riverton — preprint",
		TwoColumns:   twoCols,
		Compress:     compress,
		CreationDate: "D:20260314093000Z",
		Sections: []pdftest.Section{
			{Heading: "1 Introduction", Paragraphs: []string{"Alpha opens the introduction. " + para("instrumentation", 6), "Bravo starts the second paragraph. " + para("calibration", 5)}},
			{Heading: "2 Methods", Paragraphs: []string{"Charlie describes the methods. " + para("questionnaires", 7), "Delta closes the methods. " + para("precipitation", 6)}},
			{Heading: "3 Results", Paragraphs: []string{"Echo gives the results. " + para("observations", 8)}},
		},
	}
}

func TestReadPaper(t *testing.T) {
	for _, tc := range []struct {
		name             string
		twoCols, deflate bool
	}{{"one column", false, false}, {"two columns", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			p := paper(tc.twoCols, tc.deflate)
			art, err := Read(context.Background(), p.Build(), Options{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if art.Title != p.Title || art.Byline != p.Authors {
				t.Errorf("title, byline = %q, %q; want %q, %q", art.Title, art.Byline, p.Title, p.Authors)
			}
			if art.Kind != extract.KindPaper || art.Lang != "en" {
				t.Errorf("kind, lang = %q, %q; want paper, en", art.Kind, art.Lang)
			}
			if got := art.Published.Format("2006-01-02"); got != "2026-03-14" {
				t.Errorf("published = %s, want 2026-03-14", got)
			}
			// The text is the abstract and the sections, paragraph by
			// paragraph, in order, exactly as written.
			want := []string{"Abstract", p.Abstract}
			for _, s := range p.Sections {
				want = append(want, s.Heading)
				want = append(want, s.Paragraphs...)
			}
			wantText := strings.ReplaceAll(strings.ReplaceAll(strings.Join(want, "\n\n"), "ﬁ", "fi"), "ﬂ", "fl")
			if art.Text != wantText {
				t.Errorf("text differs from the paper's\n got: %q\nwant: %q", head(art.Text), head(wantText))
				for i, g := range strings.Split(art.Text, "\n\n") {
					w := strings.ReplaceAll(strings.ReplaceAll(want[min(i, len(want)-1)], "ﬁ", "fi"), "ﬂ", "fl")
					if g != w {
						at := 0
						for at < len(g) && at < len(w) && g[at] == w[at] {
							at++
						}
						t.Errorf("paragraph %d differs at byte %d:\n got ...%q\nwant ...%q", i, at, g[max(0, at-60):min(len(g), at+60)], w[max(0, at-60):min(len(w), at+60)])
						break
					}
				}
			}
		})
	}
}

func head(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

func TestReadFailures(t *testing.T) {
	good := paper(false, true).Build()
	scanned := pdftest.Build(pdftest.Doc{Title: "Scan", Pages: []pdftest.Page{{Image: true}, {Image: true}}})
	garbage := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("\x00\xff junk obj << /Type"), 200)...)
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"scanned pages", scanned, ErrScanned},
		{"cut in half", good[:len(good)/2], ErrDamaged},
		{"garbage after the header", garbage, ErrDamaged},
		{"not a PDF", []byte("<html><body>hello</body></html>"), ErrNotPDF},
		{"empty", nil, ErrNotPDF},
		{"user password", fixture(t, "encrypted-user.pdf"), ErrEncrypted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			art, err := Read(context.Background(), tc.data, Options{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Read = %v, %v; want error %v", art, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "pdf: ") {
				t.Errorf("error %q lacks the pdf: prefix", err)
			}
		})
	}
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The fixtures in testdata are made by testdata/make.sh with qpdf from
// plain.pdf (written by TestWritePlainFixture with -update).
func TestReadFixtures(t *testing.T) {
	for _, name := range []string{"plain.pdf", "objstreams.pdf", "encrypted-rc4-40.pdf", "encrypted-rc4-128.pdf", "encrypted-aes128.pdf", "encrypted-aes256.pdf", "broken-xref.pdf"} {
		t.Run(name, func(t *testing.T) {
			art, err := Read(context.Background(), fixture(t, name), Options{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if art.Title != "Measuring Rainfall in Riverton" || !strings.Contains(art.Text, "Echo gives the results. The committee examined the observations thoroughly, finding that") {
				t.Errorf("title %q, text %q", art.Title, head(art.Text))
			}
		})
	}
}

func TestWritePlainFixture(t *testing.T) {
	if os.Getenv("PDF_UPDATE_FIXTURES") == "" {
		t.Skip("set PDF_UPDATE_FIXTURES=1 to rewrite testdata/plain.pdf, then run testdata/make.sh")
	}
	if err := os.WriteFile(filepath.Join("testdata", "plain.pdf"), paper(true, true).Build(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, paper(false, false).Build(), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestIsPDF(t *testing.T) {
	for in, want := range map[string]bool{"%PDF-1.4\n": true, "\xef\xbb\xbf%PDF-1.7": true, "\n %PDF-2.0": true, "<html>": false, "": false,
		"<html><p>Version %PDF-1.7 of the format</p>": false} {
		if got := IsPDF([]byte(in)); got != want {
			t.Errorf("IsPDF(%q) = %v, want %v", in, got, want)
		}
	}
}

// A report that is not a paper: its title is the Title, not the text's
// first paragraph, and its kind is article.
func TestReadReport(t *testing.T) {
	lines := []pdftest.Line{{X: 72, Y: 720, Size: 20, Text: "Annual Water Report", Bold: true}}
	y := 680.0
	for i := 0; i < 30; i++ {
		lines = append(lines, pdftest.Line{X: 72, Y: y, Size: 10, Text: "The reservoirs held more water this year than in any of the last ten."})
		y -= 12
	}
	data := pdftest.Build(pdftest.Doc{Pages: []pdftest.Page{{Lines: lines}}})
	art, err := Read(context.Background(), data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if art.Title != "Annual Water Report" || art.Kind != extract.KindArticle || !strings.HasPrefix(art.Text, "The reservoirs held") {
		t.Errorf("title %q kind %q text %.80q; want the title apart, kind article", art.Title, art.Kind, art.Text)
	}
}

// A section heading at the top of a page, with space under it, is text;
// a running head and a page number there are not.
func TestTopOfPageHeading(t *testing.T) {
	body := func(y float64, n int) []pdftest.Line {
		var ls []pdftest.Line
		for i := 0; i < n; i++ {
			ls = append(ls, pdftest.Line{X: 72, Y: y - float64(i)*12, Size: 10, Text: "Water levels in the northern reservoirs rose steadily through the spring."})
		}
		return ls
	}
	p1 := append(body(700, 40), pdftest.Line{X: 300, Y: 40, Size: 10, Text: "1"})
	p2 := append([]pdftest.Line{{X: 72, Y: 750, Size: 9, Text: "Reservoir survey"}, {X: 72, Y: 715, Size: 10, Text: "3 Results"}}, body(690, 30)...)
	p2 = append(p2, pdftest.Line{X: 300, Y: 40, Size: 10, Text: "2"})
	art, err := Read(context.Background(), pdftest.Build(pdftest.Doc{Pages: []pdftest.Page{{Lines: p1}, {Lines: p2}}}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(art.Text, "\n\n3 Results\n\n") || strings.Contains(art.Text, "Reservoir survey") || strings.Contains(art.Text, " 2 ") {
		t.Errorf("text around the page break: %q", art.Text[max(0, strings.Index(art.Text, "3 Results")-80):min(len(art.Text), strings.Index(art.Text, "3 Results")+80)])
	}
}

// Two columns whose headings stand at the same height leave a band of
// space across the page; the columns are still read one after the other.
func TestColumnsWithHeadingsSideBySide(t *testing.T) {
	col := func(x float64, heading, word string) []pdftest.Line {
		ls := []pdftest.Line{{X: x, Y: 650, Size: 10, Text: word + " opens the column with text that runs on."}}
		for i := 1; i < 16; i++ {
			ls = append(ls, pdftest.Line{X: x, Y: 650 - float64(i)*12, Size: 10, Text: word + " line " + fmt.Sprint(i) + " of the column goes on and on."})
		}
		ls = append(ls, pdftest.Line{X: x, Y: 430, Size: 12, Text: heading, Bold: true})
		for i := 0; i < 20; i++ {
			ls = append(ls, pdftest.Line{X: x, Y: 405 - float64(i)*12, Size: 10, Text: word + " after " + fmt.Sprint(i) + " of the column goes on and on."})
		}
		return ls
	}
	// A full-width line above the columns, so that the page as a whole
	// has no gutter.
	lines := []pdftest.Line{{X: 72, Y: 680, Size: 10, Text: strings.Repeat("A line across the whole page. ", 3)}}
	lines = append(lines, col(72, "2 Methods", "Left")...)
	lines = append(lines, col(320, "3 Results", "Right")...)
	data := pdftest.Build(pdftest.Doc{Pages: []pdftest.Page{{Lines: lines}}})
	art, err := Read(context.Background(), data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lastLeft, firstRight := strings.LastIndex(art.Text, "Left after 19"), strings.Index(art.Text, "Right")
	if lastLeft < 0 || firstRight < 0 || lastLeft > firstRight {
		t.Errorf("the left column is not read before the right: %q", art.Text)

	}
}

func TestResolveHyphens(t *testing.T) {
	m := string(softHyphen)
	for in, want := range map[string]string{
		"the hyphen" + m + "ation of words":                                           "the hyphenation of words",
		"a well" + m + "known fact and a well-known one":                              "a well-known fact and a well-known one",
		"a well" + m + "known fact, wellknown too, and well-known":                    "a wellknown fact, wellknown too, and well-known",
		"(Self" + m + "driving) cars and self-driving buses.\n\nSelf" + m + "driving": "(Self-driving) cars and self-driving buses.\n\nSelf-driving",
	} {
		if got := resolveHyphens(in); got != want {
			t.Errorf("resolveHyphens(%q) = %q, want %q", in, got, want)
		}
	}
}
