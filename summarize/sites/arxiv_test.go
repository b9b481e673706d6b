package sites

import (
	"context"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/pdf"
	"github.com/linkbrief/linkbrief/summarize/pdf/pdftest"
)

func TestArxivMatch(t *testing.T) {
	checkMatch(t, NewArxiv(nil, Options{}), map[string]string{
		"https://arxiv.org/abs/2603.01234":              "https://arxiv.org/abs/2603.01234",
		"https://arxiv.org/abs/2603.01234v2":            "https://arxiv.org/abs/2603.01234v2",
		"http://www.arxiv.org/pdf/2603.01234":           "https://arxiv.org/abs/2603.01234",
		"https://arxiv.org/pdf/2603.01234v2":            "https://arxiv.org/abs/2603.01234v2",
		"https://arxiv.org/pdf/2603.01234v2.pdf":        "https://arxiv.org/abs/2603.01234v2",
		"https://export.arxiv.org/abs/1501.0001":        "https://arxiv.org/abs/1501.0001",
		"https://arxiv.org/abs/hep-th/9901001":          "https://arxiv.org/abs/hep-th/9901001",
		"https://arxiv.org/pdf/hep-th/9901001v3":        "https://arxiv.org/abs/hep-th/9901001v3",
		"https://arxiv.org/abs/math.AG/0309136":         "https://arxiv.org/abs/math.AG/0309136",
		"https://arxiv.org/list/cs.CL/recent":           "",
		"https://arxiv.org/abs/26030.1234":              "",
		"https://arxiv.org/abs/hep-th/990100":           "",
		"https://arxiv.org/abs/2603.01234/../../etc":    "",
		"https://example.com/abs/2603.01234":            "",
		"https://arxiv.org.evil.example/abs/2603.01234": "",
	})
}

// pdfReader reads PDFs fetched through f, as the Service's pipeline does.
type pdfReader struct{ f *fetch.Client }

func (r pdfReader) ReadURL(ctx context.Context, rawURL string) (*extract.Article, error) {
	page, err := r.f.Fetch(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	return pdf.Read(ctx, page.Body, pdf.Options{})
}

func riverPaper(title string) []byte {
	body := strings.Repeat("Inspectors walked every street of the western districts and logged each blocked drain. ", 8)
	return pdftest.Paper{
		Title: title, Authors: "Mara Quinn, Theo Park",
		Abstract: "We study why the western districts of Riverton flooded in March and find that nine drains were blocked by construction debris.",
		Sections: []pdftest.Section{{Heading: "1 Introduction", Paragraphs: []string{"The storm dropped ninety millimetres of rain. " + body}}},
	}.Build()
}

func TestArxivRead(t *testing.T) {
	srv, f := fakeAPI(t)
	a := NewArxiv(f, Options{APIURL: srv.URL})
	scanned := pdftest.Build(pdftest.Doc{Pages: []pdftest.Page{{Image: true}}})
	for _, tc := range []struct {
		name, link string
		pdf        []byte // served for the paper; nil: none (404)
		wantText   string // in the text
		wantNote   string // in the note ("" = no note)
	}{
		{"abstract page and PDF", "https://arxiv.org/abs/2603.01234", riverPaper("Drainage Failures in Riverton"), "The storm dropped ninety millimetres of rain.", ""},
		{"PDF link, versioned", "https://arxiv.org/pdf/2603.01234v1", riverPaper("Drainage Failures in Riverton"), "The storm dropped ninety millimetres of rain.", ""},
		{"no PDF", "https://arxiv.org/abs/2603.01234", nil, "Abstract\n\nWe study why", "PDF could not be read (the site answered 404 Not Found), so this brief is made from the abstract only"},
		{"scanned PDF", "https://arxiv.org/abs/2603.01234", scanned, "Abstract\n\nWe study why", "this PDF has no text to read (it looks scanned)"},
		{"another paper's PDF", "https://arxiv.org/abs/2603.01234", riverPaper("Tidal Energy in Northport Harbour"), "Abstract\n\nWe study why", "did not match the paper's title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.PDF("2603.01234", tc.pdf)
			canon, ok := a.Match(mustURL(t, tc.link))
			if !ok {
				t.Fatalf("Match(%q) failed", tc.link)
			}
			item, err := a.Read(context.Background(), canon, Request{Reader: pdfReader{f}})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			art := item.Article
			if art.Title != "Drainage Failures in Riverton" || art.Byline != "Mara Quinn, Theo Park" || art.Kind != extract.KindPaper ||
				art.Site != "arXiv" || art.Published.Format("2006-01-02") != "2026-03-02" || art.Lang != "en" {
				t.Errorf("article %q by %q, kind %q, site %q, published %v, lang %q", art.Title, art.Byline, art.Kind, art.Site, art.Published, art.Lang)
			}
			if !strings.Contains(art.Text, tc.wantText) || !strings.HasPrefix(art.Text, "Abstract\n\nWe study why the western districts") {
				t.Errorf("text %.200q lacks %q", art.Text, tc.wantText)
			}
			if tc.wantNote == "" && item.Note != "" || !strings.Contains(item.Note, tc.wantNote) {
				t.Errorf("note %q, want %q", item.Note, tc.wantNote)
			}
			if tc.wantNote != "" && strings.Contains(art.Text, "The storm dropped") {
				t.Errorf("abstract-only text holds the PDF's body: %q", art.Text)
			}
		})
	}
}

func TestArxivOldStyleAndMissing(t *testing.T) {
	srv, f := fakeAPI(t)
	a := NewArxiv(f, Options{APIURL: srv.URL})
	canon, _ := a.Match(mustURL(t, "https://arxiv.org/pdf/hep-th/9901001v2"))
	item, err := a.Read(context.Background(), canon, Request{Reader: pdfReader{f}})
	if err != nil {
		t.Fatalf("Read(%s): %v", canon, err)
	}
	if item.Article.Title != "Strings on a Riverton Lattice" || item.Article.Byline != "Dana Okafor" || !strings.Contains(item.Note, "abstract only") {
		t.Errorf("old-style paper: %q by %q, note %q", item.Article.Title, item.Article.Byline, item.Note)
	}
	_, err = a.Read(context.Background(), "https://arxiv.org/abs/2101.99999", Request{Reader: pdfReader{f}})
	if se := siteError(t, err); !strings.Contains(se.Reason, "arXiv has no paper 2101.99999") {
		t.Errorf("missing paper: %q", se.Reason)
	}
}

func FuzzParseAbstractPage(f *testing.F) {
	f.Add([]byte(`<meta name="citation_title" content="T"><blockquote class="abstract"><span class="descriptor">Abstract:</span>A</blockquote>`))
	f.Add([]byte(`<blockquote class="abstract"><blockquote class="abstract">x</blockquote>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseAbstractPage(b)
		if err == nil && (m.title == "" || m.abstract == "") {
			t.Fatalf("page accepted without title or abstract: %+v", m)
		}
	})
}
