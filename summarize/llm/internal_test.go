package llm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testClient(t testing.TB) *Client {
	t.Helper()
	c, err := New(Options{BaseURL: "http://127.0.0.1:1/v1", Model: "unknown-local-model"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// squash removes all whitespace, to compare texts that were re-joined.
func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func TestSplit(t *testing.T) {
	c := testClient(t)
	sentence := "The quick brown fox jumps over the lazy dog near the river bank. "
	tests := []struct {
		name      string
		text      string
		budget    int
		maxChunks int
		wantN     int // 0: any number above 1
		truncated bool
	}{
		{"short", "One paragraph.\n\nTwo paragraphs.", 200, 8, 1, false},
		{"paragraphs", strings.Repeat(strings.Repeat(sentence, 5)+"\n\n", 30), 200, 50, 0, false},
		{"one huge paragraph", strings.Repeat(sentence, 200), 200, 50, 0, false},
		{"no spaces", strings.Repeat("abcdefghij", 2000), 200, 100, 0, false},
		{"no spaces cjk", strings.Repeat("日本語の文章です", 600), 200, 100, 0, false},
		{"capped", strings.Repeat(strings.Repeat(sentence, 5)+"\n\n", 30), 200, 3, 3, true},
		{"combining marks", "a" + strings.Repeat("\u0300", 20000), 200, 300, 0, false},
		{"byte cap", strings.Repeat("word ", 20000), 200, 2, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks, largest, truncated := c.split(tt.text, tt.budget, tt.maxChunks)
			if truncated != tt.truncated {
				t.Errorf("truncated = %v, want %v", truncated, tt.truncated)
			}
			if tt.wantN != 0 && len(chunks) != tt.wantN || tt.wantN == 0 && len(chunks) < 2 {
				t.Errorf("%d chunks, want %d (0 = several)", len(chunks), tt.wantN)
			}
			most := 0
			for i, ch := range chunks {
				n := c.count(ch)
				most = max(most, n)
				if n > tt.budget {
					t.Errorf("chunk %d has %d tokens, budget %d", i, n, tt.budget)
				}
				if strings.TrimSpace(ch) == "" {
					t.Errorf("chunk %d is empty", i)
				}
			}
			if largest < most {
				t.Errorf("largest = %d, want at least %d", largest, most)
			}
			joined := squash(strings.Join(chunks, ""))
			if !tt.truncated && joined != squash(tt.text) {
				t.Errorf("chunks lost or changed text: got %d chars, want %d", len(joined), len(squash(tt.text)))
			}
			if tt.truncated && !strings.HasPrefix(squash(tt.text), joined) {
				t.Error("truncated chunks are not a prefix of the article")
			}
		})
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a  b\tc", "a b c"},
		{"one\n\n\n  two \r\n three", "one\n\ntwo\nthree"},
		{strings.Repeat("\n \n", 1000) + "x", "x"},
		{"p1\n \t \np2", "p1\n\np2"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{" \n ", ""},
	}
	for _, tt := range tests {
		if got := normalizeText(tt.in); got != tt.want {
			t.Errorf("normalizeText(%.40q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{http.Header{}, 0, false},
		{http.Header{"Retry-After": {"0"}}, 0, true},
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second, true},
		{http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond, true},
		{http.Header{"Retry-After": {"-3"}}, maxRetryWait, true},
		{http.Header{"Retry-After": {"99999999999"}}, maxRetryWait, true},
		{http.Header{"Retry-After": {now.Add(7 * time.Second).Format(http.TimeFormat)}}, 7 * time.Second, true},
		{http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%v) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWaitIsCapped(t *testing.T) {
	c := testClient(t)
	c.backoff = time.Second
	for attempt := range 40 {
		w := c.wait(attempt, &callInfo{})
		if w <= 0 || w > maxRetryWait {
			t.Errorf("wait(%d) = %v, want within (0, %v]", attempt, w, maxRetryWait)
		}
	}
	if w := c.wait(0, &callInfo{hasRetry: true, retryAfter: time.Hour}); w != maxRetryWait {
		t.Errorf("wait with Retry-After 1h = %v, want %v", w, maxRetryWait)
	}
}

func TestFenceID(t *testing.T) {
	text := "some article"
	f := newFence("ARTICLE", text)
	if len(f.id) != 16 || strings.Contains(text, f.id) {
		t.Fatalf("fence id %q", f.id)
	}
	// An article that contains the id its hash would give gets another.
	forged := text + " " + f.id
	g := newFence("ARTICLE", forged)
	if strings.Contains(forged, g.id) {
		t.Errorf("fence id %q occurs in the article %q", g.id, forged)
	}
	if newFence("ARTICLE", text) != f {
		t.Error("fence ids are not deterministic")
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"https://user:pw@api.example.com/v1?key=abc": "https://api.example.com/v1",
		"http://localhost:11434/v1":                  "http://localhost:11434/v1",
		"http://h/v1/a@b":                            "http://h/v1/a@b",
	}
	for in, want := range tests {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// repoRoot walks up from the package directory to the directory of go.mod.
func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
}

// devArticles reads the article texts of the summarization dev split in
// ../shared/data, skipping the benchmark when it is absent.
func devArticles(b *testing.B) []string {
	path := filepath.Join(repoRoot(b), "..", "shared", "data", "summarization", "dev.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("no dev split: %v", err)
	}
	var texts []string
	for line := range strings.SplitSeq(string(data), "\n") {
		var doc struct {
			Article string `json:"article"`
		}
		if json.Unmarshal([]byte(line), &doc) == nil && doc.Article != "" {
			texts = append(texts, doc.Article)
		}
	}
	if len(texts) == 0 {
		b.Skip("dev split has no articles")
	}
	return texts
}

// BenchmarkSplit measures token counting and chunking of real news
// articles at a small budget, so most are split.
func BenchmarkSplit(b *testing.B) {
	texts := devArticles(b)
	c := testClient(b)
	size, chunks := 0, 0
	for _, t := range texts {
		size += len(t)
		ch, _, _ := c.split(t, 500, DefaultMaxChunks)
		chunks += len(ch)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, t := range texts {
			c.split(t, 500, DefaultMaxChunks)
		}
	}
	b.ReportMetric(float64(chunks)/float64(len(texts)), "chunks/article")
}

// BenchmarkCount measures the tokenizer alone.
func BenchmarkCount(b *testing.B) {
	texts := devArticles(b)
	c := testClient(b)
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, t := range texts {
			c.count(t)
		}
	}
}

func ExampleParseSummary() {
	summary, claims, err := ParseSummary("Sure! ```json\n{'summary': 'Rain is coming.', 'claims': [{'text': 'Rain Tuesday', 'quote': 'Rain is expected on Tuesday.'}]}\n```")
	fmt.Println(summary, claims, err)
	// Output: Rain is coming. [{Rain Tuesday Rain is expected on Tuesday.}] <nil>
}

func TestLanguageClause(t *testing.T) {
	tests := []struct{ lang, want string }{
		{"", "in the same language as the article"},
		{"ja", "in Japanese"},
		{"pt-BR", "in Portuguese"},
		{"zh-TW", "in Chinese (Traditional)"},
		{"sw", "in Swahili"},
		{"xx", `in the language with code "xx"`},
	}
	for _, tt := range tests {
		if got := languageClause(tt.lang); got != tt.want {
			t.Errorf("languageClause(%q) = %q, want %q", tt.lang, got, tt.want)
		}
	}
}
