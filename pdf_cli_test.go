package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/pdf/pdftest"
	"github.com/linkbrief/linkbrief/summarize/sites/sitestest"
)

// testPaper is a two-column paper with ligatures and hyphenation.
func testPaper() pdftest.Paper {
	body := strings.Repeat("The council measured the flooding of the western districts, ﬁnding that drainage had failed in nine streets after the storm. ", 6)
	return pdftest.Paper{
		Title:        "Drainage Failures in Riverton",
		Authors:      "Mara Quinn, Theo Park",
		Abstract:     "We study why the western districts of Riverton flooded in March and find that nine drains were blocked by construction debris.",
		RunningHead:  "Drainage Failures — preprint",
		TwoColumns:   true,
		Compress:     true,
		CreationDate: "D:20260301120000Z",
		Sections: []pdftest.Section{
			{Heading: "1 Introduction", Paragraphs: []string{"The storm of March dropped ninety millimetres of rain in six hours. " + body}},
			{Heading: "2 Findings", Paragraphs: []string{"Inspectors found that construction debris blocked nine drains on the western side. " + body,
				"The city engineer said the drains would be cleared before the autumn rains. " + body}},
		},
	}
}

// paperText is what the paper says, ligatures as letters, for checking
// that quotes come from it.
func paperText(p pdftest.Paper) string {
	parts := []string{p.Abstract}
	for _, s := range p.Sections {
		parts = append(parts, s.Paragraphs...)
	}
	return strings.NewReplacer("ﬁ", "fi", "ﬂ", "fl").Replace(strings.Join(parts, " "))
}

func TestSummarizePDFOverHTTP(t *testing.T) {
	paper := testPaper()
	data := paper.Build()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/paper.pdf":
			w.Header().Set("Content-Type", "application/pdf")
		case "/download":
			// Servers often send PDFs as a generic download.
			w.Header().Set("Content-Type", "application/octet-stream")
		default:
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(ts.Close)
	cfg := testConfig(t, "")
	code, out, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, "--format", "json", ts.URL+"/paper.pdf", ts.URL+"/download")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	text := paperText(paper)
	for _, b := range decodeLines(t, out) {
		if b["kind"] != "paper" || b["title"] != paper.Title || b["byline"] != paper.Authors || b["lang"] != "en" || b["site"] != "127.0.0.1" {
			t.Errorf("brief of %v: kind %v title %v byline %v lang %v site %v", b["source"], b["kind"], b["title"], b["byline"], b["lang"], b["site"])
		}
		claims, _ := b["claims"].([]any)
		if len(claims) == 0 || b["summary"] == "" {
			t.Fatalf("brief of %v has no summary or claims: %v", b["source"], b)
		}
		for _, c := range claims {
			q := c.(map[string]any)["quote"].(string)
			if !strings.Contains(text, q) {
				t.Errorf("quote %q is not the paper's text", q)
			}
		}
	}
}

func TestExtractPDFFileJSON(t *testing.T) {
	paper := testPaper()
	data := paper.Build()
	dir := t.TempDir()
	plain := filepath.Join(dir, "paper.pdf")
	os.WriteFile(plain, data, 0o600)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	zipped := filepath.Join(dir, "paper.pdf.gz")
	os.WriteFile(zipped, gz.Bytes(), 0o600)

	code, out, errOut := runCLI(t, nil, "", "extract", "--format", "json", plain, zipped)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := decodeLines(t, out)
	if len(objs) != 2 {
		t.Fatalf("got %d JSON lines, want 2: %s", len(objs), out)
	}
	want := []string{"source", "url", "title", "site", "byline", "published", "lang", "kind", "text"}
	for i, o := range objs {
		if len(o) != len(want) {
			t.Errorf("line %d has keys %v, want exactly %v", i, o, want)
		}
		for _, k := range want {
			if _, ok := o[k]; !ok {
				t.Errorf("line %d lacks %q", i, k)
			}
		}
		text, _ := o["text"].(string)
		if o["kind"] != "paper" || o["title"] != paper.Title || o["published"] != "2026-03-01T12:00:00Z" ||
			!strings.HasPrefix(text, "Abstract\n\n"+paper.Abstract+"\n\n1 Introduction\n\nThe storm of March") ||
			!strings.Contains(text, "finding that drainage") || strings.Contains(text, "preprint") {
			t.Errorf("line %d: kind %v title %v published %v text %.300q", i, o["kind"], o["title"], o["published"], text)
		}
		if !strings.HasPrefix(o["url"].(string), "file://") {
			t.Errorf("line %d url %v, want a file:// URL", i, o["url"])
		}
	}
}

func TestSummarizePDFOnStdin(t *testing.T) {
	code, out, errOut := runCLI(t, nil, string(testPaper().Build()), "summarize", "--config", testConfig(t, ""), "--format", "json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b := decodeLines(t, out)[0]; b["kind"] != "paper" || b["title"] != testPaper().Title {
		t.Errorf("brief of a PDF on standard input: %v", b)
	}
}

func TestPDFFailures(t *testing.T) {
	good := testPaper().Build()
	scanned := pdftest.Build(pdftest.Doc{Pages: []pdftest.Page{{Image: true}}})
	encrypted, err := os.ReadFile(filepath.Join("summarize", "pdf", "testdata", "encrypted-user.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	big := pdftest.Paper{Title: "Big", Abstract: "x", Sections: []pdftest.Section{{Heading: "1 Long", Paragraphs: []string{strings.Repeat("Word after word fills the page. ", 400)}}}}.Build()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(big)
	}))
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		return p
	}
	// PDFs have their own cap: 8 KiB here, pages 1 KiB; the big paper is
	// over both.
	cfg := testConfig(t, "")
	cfg = writeConfig(t, strings.Replace(readFile(t, cfg), "allow_private_networks = true", "allow_private_networks = true\nmax_bytes = 1024\nmax_pdf_bytes = 8192", 1))
	for _, tc := range []struct{ name, source, want string }{
		{"scanned", file("scan.pdf", scanned), "this PDF has no text to read (it looks scanned)"},
		{"encrypted", file("locked.pdf", encrypted), "this PDF is protected by a password and cannot be read"},
		{"truncated", file("cut.pdf", good[:len(good)*2/3]), "this PDF is damaged or incomplete"},
		{"oversized file", file("big.pdf", big), "larger than the size limit of 8 KiB"},
		{"oversized answer", ts.URL + "/big.pdf", "larger than the size limit of 8 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, tc.source)
			if code != 1 || !strings.Contains(strings.ToLower(errOut), strings.ToLower(tc.want)) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want 1 and one line saying %q", code, errOut, tc.want)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSummarizeArxivAbsAndPDFAreOneEntry(t *testing.T) {
	fake := sitestest.New(t)
	paper := testPaper()
	fake.PDF("2603.01234", paper.Build())
	cfg := testConfig(t, fmt.Sprintf("[sources.arxiv]\napi_url = %q\n", fake.URL))
	text := paperText(paper)
	for i, link := range []string{"https://arxiv.org/abs/2603.01234", "https://arxiv.org/pdf/2603.01234"} {
		code, out, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, "--format", "json", link)
		if code != 0 {
			t.Fatalf("%s: exit %d, stderr %s", link, code, errOut)
		}
		b := decodeLines(t, out)[0]
		if b["url"] != "https://arxiv.org/abs/2603.01234" || b["kind"] != "paper" || b["title"] != "Drainage Failures in Riverton" ||
			b["byline"] != "Mara Quinn, Theo Park" || b["site"] != "arXiv" || b["note"] != nil {
			t.Errorf("%s: brief %v", link, b)
		}
		if cached := b["cached"] == true; cached != (i == 1) {
			t.Errorf("%s: cached = %v; the second form of the link must hit the first's entry", link, b["cached"])
		}
		claims, _ := b["claims"].([]any)
		if len(claims) == 0 {
			t.Fatalf("%s: no claims: %v", link, b)
		}
		for _, c := range claims {
			if q := c.(map[string]any)["quote"].(string); !strings.Contains(text, q) {
				t.Errorf("%s: quote %q is not the paper's text", link, q)
			}
		}
	}
	// Without its PDF, a paper is briefed from its abstract, and says so.
	fake.PDF("2603.01234", nil)
	code, out, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, "--no-cache", "--format", "json", "https://arxiv.org/abs/2603.01234v1")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	b := decodeLines(t, out)[0]
	if note, _ := b["note"].(string); !strings.Contains(note, "made from the abstract only") || b["kind"] != "paper" {
		t.Errorf("abstract-only brief: note %v, kind %v", b["note"], b["kind"])
	}
}
