package summarize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
)

// storyHTML is a small news page used by the pipeline tests.
const storyHTML = `<!doctype html><html lang="en"><head><title>Bridge approved | Riverton Gazette</title>
<meta property="og:site_name" content="Riverton Gazette"></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<article><h1>Council approves the new river bridge</h1>
<p>The Riverton city council voted seven to two on Tuesday to approve the new river bridge, ending a debate that lasted more than two decades.</p>
<p>Construction is expected to cost 41.5 million dollars and to start in March, according to the city engineer, who presented the final plans at the meeting.</p>
<p>"We have waited for this since 1998," said Mayor Ana Ruiz, who called the vote historic and thanked residents for their patience.</p>
<p>Critics said the cost was too high and that the money should go to repairing existing roads, which they described as crumbling.</p>
<p>The bridge will carry two lanes of traffic and a protected bicycle path, and it is designed to last at least one hundred years.</p>
<p>The state has promised to pay for half of the project, while the rest will come from a bond that voters approved last year.</p>
</article><footer>Copyright Riverton Gazette</footer></body></html>`

// fakeFetcher serves pages from a map and counts fetches.
type fakeFetcher struct {
	pages map[string]string
	calls atomic.Int32
	delay time.Duration
	err   error
}

func (f *fakeFetcher) Fetch(ctx context.Context, rawURL string) (*fetch.Page, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	body, ok := f.pages[rawURL]
	if !ok {
		return nil, &fetch.StatusError{Code: 404}
	}
	return &fetch.Page{URL: rawURL, ContentType: "text/html", Body: []byte(body)}, nil
}

// memCache is an in-memory Cache.
type memCache struct {
	mu       sync.Mutex
	ttls     map[string]time.Duration
	briefs   map[string][]byte
	articles map[string]extract.Article
}

func newMemCache() *memCache {
	return &memCache{briefs: map[string][]byte{}, ttls: map[string]time.Duration{}, articles: map[string]extract.Article{}}
}

func (c *memCache) Brief(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.briefs[key]
	if !ok {
		return nil, ErrMiss
	}
	return b, nil
}

func (c *memCache) PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.briefs[key] = data
	c.ttls[key] = ttl
	return nil
}

func (c *memCache) Article(ctx context.Context, url string) (*extract.Article, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.articles[url]
	if !ok {
		return nil, ErrMiss
	}
	return &a, nil
}

func (c *memCache) PutArticle(ctx context.Context, url string, a *extract.Article, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.articles[url] = *a
	return nil
}

// fakeLLM answers with scripted summaries and counts calls.
type fakeLLM struct {
	calls   atomic.Int32
	summary func(in llm.Input) (*llm.Summary, error)
	answer  func(in llm.Input, q string) (*llm.Answer, error)
	delay   time.Duration
}

func (f *fakeLLM) Summarize(ctx context.Context, in llm.Input) (*llm.Summary, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return f.summary(in)
}

func (f *fakeLLM) Answer(ctx context.Context, in llm.Input, q string) (*llm.Answer, error) {
	f.calls.Add(1)
	return f.answer(in, q)
}

const storyURL = "https://gazette.example/news/bridge?utm_source=discord"

func newTestService(t *testing.T, l LLM) (*Service, *fakeFetcher, *memCache) {
	t.Helper()
	f := &fakeFetcher{pages: map[string]string{"https://gazette.example/news/bridge": storyHTML}}
	c := newMemCache()
	s := New(f, c, Options{LLM: l, Model: "test-model", Extract: extract.Options{MinWords: 20}})
	return s, f, c
}

func TestSummarizeExtractiveAndCache(t *testing.T) {
	s, f, _ := newTestService(t, nil)
	ctx := context.Background()
	b, err := s.Summarize(ctx, storyURL, Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if b.Backend != BackendExtractive || b.Cached || b.URL != "https://gazette.example/news/bridge" || b.Source != storyURL {
		t.Errorf("first brief = backend %q cached %v url %q source %q", b.Backend, b.Cached, b.URL, b.Source)
	}
	if b.Summary == "" || len(b.Claims) == 0 {
		t.Fatalf("brief has no summary or claims: %+v", b)
	}
	for _, c := range b.Claims {
		if !strings.Contains(storyHTML, c.Quote) {
			t.Errorf("claim quote %q is not verbatim from the page", c.Quote)
		}
	}
	again, err := s.Summarize(ctx, "https://GAZETTE.example/news/bridge#comments", Request{})
	if err != nil {
		t.Fatalf("second Summarize: %v", err)
	}
	if !again.Cached || again.Summary != b.Summary {
		t.Errorf("second brief cached=%v summary %q, want a cache hit with the same summary", again.Cached, again.Summary)
	}
	if got := f.calls.Load(); got != 1 {
		t.Errorf("fetches = %d, want 1 (the second call is a cache hit)", got)
	}
	fresh, err := s.Summarize(ctx, storyURL, Request{NoCache: true})
	if err != nil || fresh.Cached {
		t.Fatalf("NoCache Summarize = cached %v, %v; want a fresh brief", fresh != nil && fresh.Cached, err)
	}
	if got := f.calls.Load(); got != 2 {
		t.Errorf("fetches after NoCache = %d, want 2", got)
	}
}

func TestSummarizeSingleFlight(t *testing.T) {
	l := &fakeLLM{delay: 50 * time.Millisecond, summary: func(in llm.Input) (*llm.Summary, error) {
		return &llm.Summary{Summary: "The council approved a bridge.", Claims: []llm.Claim{
			{Claim: "The vote was 7-2.", Quote: "voted seven to two on Tuesday"},
		}}, nil
	}}
	s, f, _ := newTestService(t, l)
	const n = 16
	var wg sync.WaitGroup
	briefs := make([]*Brief, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			briefs[i], errs[i] = s.Summarize(context.Background(), storyURL, Request{})
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if briefs[i].Summary != "The council approved a bridge." {
			t.Errorf("caller %d summary = %q", i, briefs[i].Summary)
		}
	}
	if got := f.calls.Load(); got != 1 {
		t.Errorf("fetches = %d for %d concurrent misses, want 1", got, n)
	}
	if got := l.calls.Load(); got != 1 {
		t.Errorf("LLM calls = %d for %d concurrent misses, want 1", got, n)
	}
	// One caller made the brief; the others joined it and got a cache
	// hit that cost them nothing.
	fresh := 0
	for i, b := range briefs {
		if !b.Cached {
			fresh++
		} else if b.Usage.Total() != 0 {
			t.Errorf("joiner %d usage = %+v, want none", i, b.Usage)
		}
	}
	if fresh != 1 {
		t.Errorf("%d of %d concurrent callers got a fresh brief, want 1 (the others joined it)", fresh, n)
	}
	// Each caller owns its brief: changing one must not change another.
	briefs[0].Claims[0].Text = "changed"
	if briefs[1].Claims[0].Text == "changed" {
		t.Error("concurrent callers share one Claims slice")
	}
}

func TestEstimate(t *testing.T) {
	l := &fakeLLM{summary: func(in llm.Input) (*llm.Summary, error) {
		return &llm.Summary{Summary: "The council approved a bridge.", Usage: llm.Usage{PromptTokens: 900, CompletionTokens: 100}}, nil
	}}
	s, f, _ := newTestService(t, l)
	est, err := s.Estimate(context.Background(), storyURL, Request{})
	if err != nil || est < 500 || est > 5000 {
		t.Fatalf("Estimate = %d, %v; want the article's tokens and the answer's", est, err)
	}
	if _, err := s.Summarize(context.Background(), storyURL, Request{}); err != nil {
		t.Fatal(err)
	}
	if got := f.calls.Load(); got != 1 {
		t.Errorf("fetches = %d for an estimate and a brief, want 1: the brief reads the article the estimate cached", got)
	}
	if est, err := s.Estimate(context.Background(), storyURL, Request{}); est != 0 || err != nil {
		t.Errorf("Estimate of a cached brief = %d, %v; want 0", est, err)
	}
	if est, err := s.EstimateAnswer(context.Background(), storyURL); est <= 0 || err != nil {
		t.Errorf("EstimateAnswer = %d, %v; want the article's tokens", est, err)
	}
	off, _, _ := newTestService(t, nil)
	if est, err := off.Estimate(context.Background(), storyURL, Request{}); est != 0 || err != nil {
		t.Errorf("Estimate with the offline summarizer = %d, %v; want 0", est, err)
	}
}

func TestSummarizeDropsFabricatedQuotes(t *testing.T) {
	l := &fakeLLM{summary: func(in llm.Input) (*llm.Summary, error) {
		if !strings.Contains(in.Text, "seven to two") {
			t.Errorf("LLM input lacks the article text: %q", in.Text)
		}
		return &llm.Summary{Summary: "Bridge approved.", Model: "served-model", Claims: []llm.Claim{
			{Claim: "Real", Quote: "“We have waited for this since 1998,” said Mayor Ana Ruiz"},
			{Claim: "Fabricated", Quote: "The mayor resigned after the vote in protest."},
			{Claim: "Paraphrase", Quote: "The council approved the bridge 7 to 2."},
		}, Usage: llm.Usage{PromptTokens: 900, CompletionTokens: 80}}, nil
	}}
	s, _, _ := newTestService(t, l)
	b, err := s.Summarize(context.Background(), storyURL, Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if len(b.Claims) != 1 || b.Claims[0].Text != "Real" {
		t.Fatalf("claims = %+v, want only the real one", b.Claims)
	}
	if want := `"We have waited for this since 1998," said Mayor Ana Ruiz`; b.Claims[0].Quote != want {
		t.Errorf("quote = %q, want the page's own words %q", b.Claims[0].Quote, want)
	}
	if b.Backend != BackendLLM || b.Model != "served-model" || b.Usage.Total() != 980 {
		t.Errorf("backend %q model %q usage %+v", b.Backend, b.Model, b.Usage)
	}
	out, _ := json.Marshal(b)
	if strings.Contains(string(out), "resigned") {
		t.Errorf("fabricated quote reached the JSON: %s", out)
	}
}

func TestSummarizeFallsBackWhenLLMFails(t *testing.T) {
	l := &fakeLLM{summary: func(in llm.Input) (*llm.Summary, error) {
		return nil, &llm.Error{Kind: llm.Unavailable, Status: 503, Err: errors.New("upstream said: secret-internal-detail")}
	}}
	s, _, c := newTestService(t, l)
	b, err := s.Summarize(context.Background(), storyURL, Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if b.Backend != BackendExtractive || b.Note == "" || b.Summary == "" {
		t.Fatalf("brief backend %q note %q, want an extractive brief that says the model failed", b.Backend, b.Note)
	}
	if strings.Contains(b.Note, "secret-internal-detail") {
		t.Errorf("note leaks the provider's error: %q", b.Note)
	}
	// The fallback stands in for the model's brief for a short while only.
	llmKey := s.cacheKey("https://gazette.example/news/bridge", BackendLLM, "")
	if _, err := c.Brief(context.Background(), llmKey); err != nil {
		t.Errorf("fallback brief not cached: %v", err)
	}
	if ttl := c.ttls[llmKey]; ttl <= 0 || ttl > fallbackTTL {
		t.Errorf("fallback brief cached for %v, want at most %v", ttl, fallbackTTL)
	}
}

func TestSummarizeErrors(t *testing.T) {
	s, _, _ := newTestService(t, nil)
	ctx := context.Background()
	if _, err := s.Summarize(ctx, "ftp://gazette.example/x", Request{}); !errors.Is(err, ErrBadURL) {
		t.Errorf("ftp URL: err = %v, want ErrBadURL", err)
	}
	_, err := s.Summarize(ctx, "https://gazette.example/missing", Request{})
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("missing page: err = %v, want a 404 StatusError", err)
	}
	if got := Explain(err); !strings.Contains(got, "404") {
		t.Errorf("Explain(404) = %q, want it to mention 404", got)
	}
}

func TestSummarizeNotAnArticle(t *testing.T) {
	f := &fakeFetcher{pages: map[string]string{"https://x.example/": "<html><body><p>Hi.</p></body></html>"}}
	s := New(f, nil, Options{})
	_, err := s.Summarize(context.Background(), "https://x.example/", Request{})
	if !errors.Is(err, extract.ErrNotArticle) {
		t.Fatalf("err = %v, want ErrNotArticle", err)
	}
	if got := Explain(err); !strings.HasPrefix(got, "No article found") {
		t.Errorf("Explain = %q", got)
	}
}

func TestSummarizeCallerCancelDoesNotCancelSharedWork(t *testing.T) {
	s, f, _ := newTestService(t, nil)
	f.delay = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var other *Brief
	var otherErr error
	wg.Go(func() { other, otherErr = s.Summarize(context.Background(), storyURL, Request{}) })
	time.Sleep(10 * time.Millisecond)
	cancel()
	if _, err := s.Summarize(ctx, storyURL, Request{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller err = %v, want context.Canceled", err)
	}
	wg.Wait()
	if otherErr != nil || other == nil {
		t.Fatalf("the other caller failed: %v", otherErr)
	}
}

func TestAsk(t *testing.T) {
	s, f, _ := newTestService(t, nil)
	ctx := context.Background()
	a, err := s.Ask(ctx, storyURL, "How much will the bridge cost?")
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if !a.Found || !strings.Contains(a.Text, "41.5 million") {
		t.Errorf("answer = %+v, want the cost passage", a)
	}
	a, err = s.Ask(ctx, storyURL, "What is the capital of Mongolia?")
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if a.Found || a.Text != NotSaid {
		t.Errorf("answer to an unrelated question = %+v, want %q", a, NotSaid)
	}
	if got := f.calls.Load(); got != 1 {
		t.Errorf("fetches = %d, want 1 (the article is cached for follow-ups)", got)
	}
}

func TestAskLLMGrounded(t *testing.T) {
	l := &fakeLLM{answer: func(in llm.Input, q string) (*llm.Answer, error) {
		return &llm.Answer{Text: "The state pays half.\nThe mayor said \"the bridge will be free of tolls forever\"."}, nil
	}}
	s, _, _ := newTestService(t, l)
	a, err := s.Ask(context.Background(), storyURL, "Who pays?")
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if strings.Contains(a.Text, "tolls") || !strings.Contains(a.Text, "state pays half") {
		t.Errorf("answer = %q, want the fabricated quotation removed and the rest kept", a.Text)
	}
}

func TestSummarizeDocument(t *testing.T) {
	s := New(&fakeFetcher{}, nil, Options{Extract: extract.Options{MinWords: 20}})
	b, err := s.SummarizeDocument(context.Background(), Document{Source: "story.html", Body: []byte(storyHTML)}, Request{})
	if err != nil {
		t.Fatalf("SummarizeDocument: %v", err)
	}
	if b.Source != "story.html" || !strings.Contains(b.Title, "bridge") && !strings.Contains(b.Title, "Bridge") {
		t.Errorf("brief source %q title %q", b.Source, b.Title)
	}
	text := strings.Repeat("The quick brown fox jumps over the lazy dog near the river bank today. ", 12)
	b, err = s.SummarizeDocument(context.Background(), Document{Source: "-", Body: []byte(text)}, Request{})
	if err != nil {
		t.Fatalf("SummarizeDocument(plain text): %v", err)
	}
	if b.Summary == "" {
		t.Error("plain-text brief has no summary")
	}
}

func TestSniff(t *testing.T) {
	for _, tt := range []struct{ name, body, want string }{
		{"a.txt", "<p>looks like html</p>", "text/plain"},
		{"a.html.gz", "plain", "text/html"},
		{"-", "<!DOCTYPE html><html><body>x</body></html>", "text/html"},
		{"-", "Just some words.\n\nMore words.", "text/plain"},
		{"-", "  <p>Fragment</p>", "text/html"},
	} {
		if got := sniff(tt.name, []byte(tt.body)); got != tt.want {
			t.Errorf("sniff(%q, %q) = %q, want %q", tt.name, tt.body, got, tt.want)
		}
	}
}

func ExampleCanonicalURL() {
	u, _ := CanonicalURL("HTTPS://Example.com:443/story?utm_source=x&b=2&a=1#top")
	fmt.Println(u)
	// Output: https://example.com/story?a=1&b=2
}

func TestSummarizeCacheOnly(t *testing.T) {
	s, f, _ := newTestService(t, nil)
	ctx := context.Background()
	if _, err := s.Summarize(ctx, storyURL, Request{CacheOnly: true}); !errors.Is(err, ErrNotCached) {
		t.Errorf("CacheOnly on a miss: err = %v, want ErrNotCached", err)
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("CacheOnly fetched %d times, want 0", n)
	}
	if _, err := s.Summarize(ctx, storyURL, Request{}); err != nil {
		t.Fatal(err)
	}
	b, err := s.Summarize(ctx, storyURL, Request{CacheOnly: true})
	if err != nil || !b.Cached {
		t.Errorf("CacheOnly on a hit = %+v, %v; want the cached brief", b, err)
	}
}
