package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extractive"
)

// TestSummarizeEveryLanguage runs the real pipeline (file -> extract ->
// extractive backend -> quote verification -> JSON) over a short news
// article in each language of the table: each brief has a summary of one
// to five sentences of the source within the length limit, at least two
// distinct claims quoting it, and the article's language.
func TestSummarizeEveryLanguage(t *testing.T) {
	dir := filepath.Join("summarize", "testdata", "lang")
	files := []string{}
	for _, code := range []string{"ja", "zh", "ko", "th", "my", "hi", "bn", "am", "fa", "ar", "he", "ru", "de", "es", "fr", "sw"} {
		files = append(files, code+".txt")
	}
	html, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil || len(html) == 0 {
		t.Fatalf("html fixtures: %v", err)
	}
	for _, f := range html {
		files = append(files, filepath.Base(f))
	}
	cfg := testConfig(t, "")
	args := []string{"summarize", "--config", cfg, "--no-cache", "--backend", "extractive", "--format", "json"}
	for _, f := range files {
		args = append(args, filepath.Join(dir, f))
	}
	code, out, errOut := runCLI(t, nil, "", args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	objs := decodeLines(t, out)
	if len(objs) != len(files) {
		t.Fatalf("got %d briefs for %d files", len(objs), len(files))
	}
	for i, b := range objs {
		f := files[i]
		want := strings.TrimSuffix(strings.TrimSuffix(f, ".txt"), ".html")
		// The HTML pages carry the text of their .txt twins.
		raw, err := os.ReadFile(filepath.Join(dir, want+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		source := string(raw)
		sentences := extractive.Sentences(source)
		if b["lang"] != want {
			t.Errorf("%s: lang %v, want %q", f, b["lang"], want)
		}
		summary, _ := b["summary"].(string)
		if summary == "" {
			t.Errorf("%s: empty summary: %v", f, b)
			continue
		}
		// The summary is whole sentences of the source, one to five.
		n := 0
		rest := summary
		for rest != "" {
			longest := ""
			for _, s := range sentences {
				if strings.HasPrefix(rest, s) && len(s) > len(longest) {
					longest = s
				}
			}
			if longest == "" {
				break
			}
			n++
			rest = strings.TrimLeft(rest[len(longest):], " ")
		}
		if rest != "" || n < 1 || n > 5 {
			t.Errorf("%s: summary %q is not 1-5 sentences of the source (%d, left %q)", f, summary, n, rest)
		}
		if w := extractive.Words(summary); w > extractive.MaxSummaryWords {
			t.Errorf("%s: summary of %d words, over the limit of %d", f, w, extractive.MaxSummaryWords)
		}
		claims, _ := b["claims"].([]any)
		var quotes []string
		for _, c := range claims {
			q, _ := c.(map[string]any)["quote"].(string)
			if !slices.Contains(sentences, q) {
				t.Errorf("%s: claim quote %q is not a sentence of the source", f, q)
			}
			if !slices.Contains(quotes, q) {
				quotes = append(quotes, q)
			}
		}
		if len(quotes) < 2 {
			t.Errorf("%s: %d distinct claims, want at least 2: %v", f, len(quotes), claims)
		}
	}
}
