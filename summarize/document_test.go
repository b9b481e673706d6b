package summarize

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/linkbrief/linkbrief/summarize/extract"
)

const storyText = `Council approves the new river bridge

The Riverton city council voted seven to two on Tuesday to approve the new river bridge, ending a debate that lasted more than two decades.

Construction is expected to cost 41.5 million dollars and to start in March, according to the city engineer, who presented the final plans at the meeting.

Critics said the cost was too high and that the money should go to repairing existing roads, which they described as crumbling.

The bridge will carry two lanes of traffic and a protected bicycle path, and it is designed to last at least one hundred years.
`

func utf16LE(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// TestBinaryDocumentsRefused: a local file or standard input that is not
// HTML, text or PDF is refused in one sentence, never summarized.
func TestBinaryDocumentsRefused(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i*i*31)
	}
	tests := []struct {
		name, source string
		body         []byte
		what         string
	}{
		{"program", "/bin/ls", prog[:min(len(prog), 1<<20)], "a program"},
		{"png named .txt", "photo.txt", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), random...), "an image"},
		{"zip", "-", append([]byte("PK\x03\x04"), random...), "an archive"},
		{"binary noise", "-", random, "binary data"},
		{"text then NUL", "notes", append([]byte(strings.Repeat(storyText, 3)), 0, 1, 2), "binary data"},
		{"control bytes", "-", bytes.Repeat([]byte("ab\x01\x02cdefgh\x03"), 500), "binary data"},
	}
	s, _, _ := newTestService(t, nil)
	for _, tt := range tests {
		doc := Document{Source: tt.source, Body: tt.body}
		for name, call := range map[string]func() error{
			"ExtractDocument":   func() error { _, err := s.ExtractDocument(context.Background(), doc); return err },
			"SummarizeDocument": func() error { _, err := s.SummarizeDocument(context.Background(), doc, Request{}); return err },
			"AskDocument":       func() error { _, err := s.AskDocument(context.Background(), doc, "Why?"); return err },
		} {
			err := call()
			var fte *FileTypeError
			if !errors.As(err, &fte) {
				t.Errorf("%s(%s) error = %v, want a *FileTypeError", name, tt.name, err)
				continue
			}
			expl := Explain(err)
			if !strings.Contains(expl, tt.what) || !strings.HasPrefix(expl, "Not an HTML, text or PDF file") || strings.Count(expl, ". ") > 0 {
				t.Errorf("%s(%s): Explain = %q, want one sentence saying it looks like %s", name, tt.name, expl, tt.what)
			}
		}
	}
}

// TestTextDocumentsRead: text in UTF-8, an 8-bit encoding or UTF-16 is
// read, not refused as binary.
func TestTextDocumentsRead(t *testing.T) {
	latin1 := []byte(strings.ReplaceAll(storyText, "Riverton", "Riv\xe9rton"))
	cyrillic := bytes.Repeat([]byte("\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0! \xdd\xf2\xee \xf2\xe5\xea\xf1\xf2.\n\n"), 40) // windows-1251
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"utf-8", []byte(storyText), "voted seven to two"},
		{"latin-1", latin1, "voted seven to two"},
		{"windows-1251", cyrillic, ""},
		{"utf-16le", utf16LE(storyText), "voted seven to two"},
		{"html", []byte("<html><body><article><p>" + strings.ReplaceAll(storyText, "\n\n", "</p><p>") + "</p></article></body></html>"), "voted seven to two"},
	}
	s, _, _ := newTestService(t, nil)
	for _, tt := range tests {
		art, err := s.ExtractDocument(context.Background(), Document{Source: "story", Body: tt.body})
		var fte *FileTypeError
		if errors.As(err, &fte) {
			t.Errorf("%s: refused as %q", tt.name, fte.What)
			continue
		}
		if err == nil && !strings.Contains(art.Text, tt.want) {
			t.Errorf("%s: text %.80q, want it to contain %q", tt.name, art.Text, tt.want)
		}
	}
}

// countingCache counts the article cache's hits.
type countingCache struct {
	*memCache
	articleHits atomic.Int32
}

func (c *countingCache) Article(ctx context.Context, url string) (*extract.Article, error) {
	a, err := c.memCache.Article(ctx, url)
	if err == nil {
		c.articleHits.Add(1)
	}
	return a, err
}

// TestDocumentsCachedByContent: a file's brief is cached by its bytes,
// so summarizing it again (under any name) is a cache hit and a question
// after the brief reads the cached article; a changed file gets a new
// brief.
func TestDocumentsCachedByContent(t *testing.T) {
	c := &countingCache{memCache: newMemCache()}
	s := New(&fakeFetcher{}, c, Options{Extract: extract.Options{MinWords: 20}})
	ctx := context.Background()
	doc := Document{Source: "story.txt", URL: "file:///tmp/story.txt", Body: []byte(storyText)}
	b1, err := s.SummarizeDocument(ctx, doc, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if b1.Cached || b1.Summary == "" {
		t.Fatalf("first brief cached %v summary %q", b1.Cached, b1.Summary)
	}
	var keys []string
	for k := range c.articles {
		keys = append(keys, k)
	}
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "sha256:") {
		t.Errorf("article cache keys %q, want one sha256: key", keys)
	}

	again := doc
	again.Source, again.URL = "copy.txt", "file:///tmp/copy.txt"
	b2, err := s.SummarizeDocument(ctx, again, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if !b2.Cached || b2.Summary != b1.Summary || b2.Source != "copy.txt" || b2.URL != "file:///tmp/copy.txt" {
		t.Errorf("same bytes again: cached %v source %q url %q, want a cache hit under the new name", b2.Cached, b2.Source, b2.URL)
	}

	a, err := s.AskDocument(ctx, doc, "How much will the bridge cost?")
	if err != nil {
		t.Fatal(err)
	}
	if c.articleHits.Load() != 1 || !strings.Contains(a.Text, "41.5 million") {
		t.Errorf("ask after summarize: %d article cache hits, answer %q; want the cached article used", c.articleHits.Load(), a.Text)
	}

	changed := doc
	changed.Body = []byte(strings.Replace(storyText, "seven to two", "eight to one", 1))
	b3, err := s.SummarizeDocument(ctx, changed, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if b3.Cached || strings.Contains(b3.Summary+b3.Claims[0].Quote, "seven to two") {
		t.Errorf("changed file: cached %v summary %q, want a new brief of the new text", b3.Cached, b3.Summary)
	}
	if b4, err := s.SummarizeDocument(ctx, doc, Request{NoCache: true}); err != nil || b4.Cached {
		t.Errorf("--no-cache: cached %v, err %v", b4 != nil && b4.Cached, err)
	}
}

func FuzzBinaryWhat(f *testing.F) {
	f.Add([]byte(storyText))
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Add([]byte{0xff, 0xfe, 'h', 0, 'i', 0, 0x3d})
	f.Add([]byte{0xfe, 0xff, 0xd8, 0x00})
	f.Add([]byte("%PDF-1.4"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		what := binaryWhat(body)
		if what != binaryWhat(body) {
			t.Fatal("binaryWhat is not deterministic")
		}
		if what == "" {
			if out := fromUTF16(body); hasUTF16BOM(body) && !utf8.Valid(out) {
				t.Fatalf("fromUTF16(%q) = %q, not valid UTF-8", body, out)
			}
		}
	})
}

// TestCheckFileName: a local file is read when its name ends in .html,
// .htm, .txt or .pdf, alone or before .gz, in any case; any other name
// (Markdown, CSV, no extension, a bare .gz) is refused with a sentence
// naming what is read.
func TestCheckFileName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"story.html", true}, {"story.htm", true}, {"notes.txt", true}, {"paper.pdf", true},
		{"PAPER.PDF", true}, {"paper.pdf.gz", true}, {"page.html.gz", true}, {"dir.v2/notes.txt", true},
		{"README.md", false}, {"table.csv", false}, {"notes", false}, {"archive.gz", false},
		{"photo.png", false}, {".txt", false}, {"notes.txt.bak", false}, {"dir.html/notes", false},
	} {
		err := CheckFileName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("CheckFileName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
		var fte *FileTypeError
		if err != nil && (!errors.As(err, &fte) || !strings.Contains(Explain(err), ".html, .htm, .txt and .pdf") || strings.Count(Explain(err), ". ") > 0) {
			t.Errorf("CheckFileName(%q): Explain = %q, want one sentence naming the files read", tt.name, Explain(err))
		}
	}
}
