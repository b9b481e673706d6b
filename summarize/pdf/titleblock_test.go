package pdf

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/pdf/pdftest"
)

// titlePage lays out a first page: a title, the lines of the title block
// a test gives, an abstract and a numbered section, with no document
// information (so the byline must be read from the page).
func titlePage(block []pdftest.Line) []byte {
	lines := []pdftest.Line{{X: 150, Y: 720, Size: 17, Text: "Rainfall in the Riverton Basin"}}
	lines = append(lines, block...)
	lines = append(lines, pdftest.Line{X: 72, Y: 600, Size: 10, Text: "Abstract", Bold: true})
	y := 585.0
	for i := 0; i < 4; i++ {
		lines = append(lines, pdftest.Line{X: 72, Y: y, Size: 10, Text: "We measured the rainfall of the basin over thirty winters and report it here."})
		y -= 12
	}
	y -= 12
	lines = append(lines, pdftest.Line{X: 72, Y: y, Size: 12, Text: "1 Introduction", Bold: true})
	for i := 0; i < 20; i++ {
		y -= 12
		lines = append(lines, pdftest.Line{X: 72, Y: y, Size: 10, Text: "The basin drains three valleys whose winters differ in their rainfall a lot."})
	}
	return pdftest.Build(pdftest.Doc{Pages: []pdftest.Page{{Lines: lines}}})
}

// The byline names every author, however the title block sets them: on
// one line cut by affiliation marks, side by side in columns, or one a
// line; never an affiliation printed under the names.
func TestBylineFromTitleBlock(t *testing.T) {
	affiliations := []pdftest.Line{
		{X: 150, Y: 653, Size: 6, Text: "1"},
		{X: 154, Y: 650, Size: 9, Text: "Department of Hydrology, Riverton University"},
		{X: 150, Y: 641, Size: 6, Text: "2"},
		{X: 154, Y: 638, Size: 9, Text: "Institute of Weather, Lakeshore College"},
	}
	for _, tc := range []struct {
		name  string
		names []pdftest.Line
	}{
		{"one line with marks", []pdftest.Line{
			// Marks as large as the affiliations (IEEE-like layouts).
			{X: 120, Y: 690, Size: 12, Text: "Ada Lovelace"},
			{X: 192, Y: 694, Size: 9, Text: "1"},
			{X: 197, Y: 690, Size: 12, Text: ", Alan Turing"},
			{X: 275, Y: 694, Size: 9, Text: "2"},
		}},
		{"side by side", []pdftest.Line{
			{X: 120, Y: 690, Size: 12, Text: "Ada Lovelace"},
			{X: 192, Y: 694, Size: 8, Text: "1*"},
			{X: 320, Y: 690, Size: 12, Text: "Alan Turing"},
			{X: 386, Y: 694, Size: 8, Text: "2"},
		}},
		{"one a line", []pdftest.Line{
			{X: 250, Y: 690, Size: 14, Text: "Ada Lovelace"},
			{X: 250, Y: 672, Size: 14, Text: "Alan Turing"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			art, err := Read(context.Background(), titlePage(append(tc.names, affiliations...)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if want := "Ada Lovelace, Alan Turing"; art.Byline != want {
				t.Errorf("byline = %q, want %q", art.Byline, want)
			}
			if art.Title != "Rainfall in the Riverton Basin" || strings.Contains(art.Text, "Lovelace") {
				t.Errorf("title %q, text %.80q: want the title block apart from the text", art.Title, art.Text)
			}
			if art.Kind != extract.KindPaper {
				t.Errorf("kind = %q, want paper", art.Kind)
			}
		})
	}
}

// A paper whose sections are not numbered and that lists no references
// (an essay-like layout: "Abstract." run in, then "Background",
// "Discussion") is still a paper.
func TestPaperWithUnnumberedSections(t *testing.T) {
	p := paper(false, false)
	for i, h := range []string{"Background", "Methods", "Discussion"} {
		p.Sections[i].Heading = h
	}
	art, err := Read(context.Background(), p.Build(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if art.Kind != extract.KindPaper {
		t.Errorf("kind = %q, want paper", art.Kind)
	}
	if !strings.Contains(art.Text, "\n\nDiscussion\n\n") {
		t.Errorf("text %.200q: want the heading Discussion as a paragraph", art.Text)
	}
}

// LaTeX writes its quotes into the document information as typed
// (backticks and apostrophes). A title shows the quotation marks they
// stand for; a backtick that quotes code stays.
func TestTitleTeXQuotes(t *testing.T) {
	for in, want := range map[string]string{
		"He was ``honoured'' to go":              "He was “honoured” to go",
		"Using jujitsu to `put Farage on the":    "Using jujitsu to ‘put Farage on the",
		"The `quiet' years":                      "The ‘quiet’ years",
		"Running `go test` and `go vet` in CI":   "Running `go test` and `go vet` in CI",
		"Rock 'n' roll and the author's records": "Rock 'n' roll and the author's records",
	} {
		data := titlePage(nil)
		data = bytes.Replace(data, []byte("/Title ()"), []byte("/Title ("+in+")"), 1)
		art, err := Read(context.Background(), data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if art.Title != want {
			t.Errorf("title from %q = %q, want %q", in, art.Title, want)
		}
	}
}
