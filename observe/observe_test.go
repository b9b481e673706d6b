package observe_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/observe"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// scrape GETs /metrics from h through a real HTTP server and parses the
// text format into series -> value, a series written as Prometheus writes
// it: `name{label="value",...}` with labels sorted by name.
func scrape(t *testing.T, h http.Handler) map[string]float64 {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: status %d, want 200", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("unparsable metrics line %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("unparsable value in %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// delta scrapes around fn and returns how each series moved.
func delta(t *testing.T, m *observe.Metrics, fn func()) map[string]float64 {
	t.Helper()
	h := m.Handler()
	before := scrape(t, h)
	fn()
	after := scrape(t, h)
	d := map[string]float64{}
	for k, v := range after {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}

// fakeFetcher returns err, or a page when err is nil.
type fakeFetcher struct{ err error }

func (f fakeFetcher) Fetch(ctx context.Context, rawURL string) (*fetch.Page, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &fetch.Page{URL: rawURL}, nil
}

func TestFetchErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		kind string
	}{
		{fmt.Errorf("fetch: %w", fetch.ErrBadURL), "bad_url"},
		{fmt.Errorf("fetch: %w", fetch.ErrScheme), "scheme"},
		{fmt.Errorf("fetch: %w", fetch.ErrPort), "port"},
		{fmt.Errorf("fetch: %w", fetch.ErrCredentials), "credentials"},
		{fmt.Errorf("fetch: %w: 10.0.0.1", fetch.ErrPrivateAddress), "private_address"},
		{fmt.Errorf("fetch: %w", fetch.ErrTooManyRedirects), "too_many_redirects"},
		{fmt.Errorf("fetch: %w", fetch.ErrTooLarge), "too_large"},
		{fmt.Errorf("fetch: %w: image/png", fetch.ErrContentType), "content_type"},
		{fmt.Errorf("fetch: %w", fetch.ErrTimeout), "timeout"},
		{fmt.Errorf("fetch: %w", fetch.ErrUnreachable), "unreachable"},
		{fmt.Errorf("fetch: %w", &fetch.StatusError{Code: 404}), "status_4xx"},
		{fmt.Errorf("fetch: %w", &fetch.StatusError{Code: 503}), "status_5xx"},
		{fmt.Errorf("fetch: %w", context.Canceled), "canceled"},
		{errors.New("something else"), "other"},
	}
	m := observe.New()
	for _, tt := range tests {
		f := m.Fetcher(fakeFetcher{err: tt.err})
		d := delta(t, m, func() {
			if _, err := f.Fetch(context.Background(), "https://example.com/"); !errors.Is(err, tt.err) {
				t.Errorf("Fetch error = %v, want %v passed through", err, tt.err)
			}
		})
		want := map[string]float64{
			`linkbrief_fetch_errors_total{kind="` + tt.kind + `"}`: 1,
			`linkbrief_fetches_total`:                              1,
		}
		if !sameDelta(d, want) {
			t.Errorf("after %q: metrics moved %v, want %v", tt.err, d, want)
		}
	}
	d := delta(t, m, func() {
		if _, err := m.Fetcher(fakeFetcher{}).Fetch(context.Background(), "https://example.com/"); err != nil {
			t.Fatal(err)
		}
	})
	if want := map[string]float64{`linkbrief_fetches_total`: 1}; !sameDelta(d, want) {
		t.Errorf("after a good fetch: metrics moved %v, want %v", d, want)
	}
}

// TestFetchErrorsReal runs the real fetch client against local pages.
func TestFetchErrorsReal(t *testing.T) {
	t.Parallel()
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			http.Error(w, "gone", http.StatusNotFound)
		case "/image":
			w.Header().Set("Content-Type", "image/png")
			w.Write([]byte("\x89PNG"))
		default:
			http.Error(w, "down", http.StatusBadGateway)
		}
	}))
	defer pages.Close()
	m := observe.New()
	open := m.Fetcher(fetch.New(fetch.Options{AllowPrivateNetworks: true}))
	strict := m.Fetcher(fetch.New(fetch.Options{}))
	tests := []struct {
		f    summarize.Fetcher
		url  string
		kind string
	}{
		{open, pages.URL + "/gone", "status_4xx"},
		{open, pages.URL + "/down", "status_5xx"},
		{open, pages.URL + "/image", "content_type"},
		{strict, "http://127.0.0.1/", "private_address"},
		{strict, "ftp://example.com/", "scheme"},
	}
	for _, tt := range tests {
		d := delta(t, m, func() {
			if _, err := tt.f.Fetch(context.Background(), tt.url); err == nil {
				t.Errorf("Fetch(%s) succeeded, want an error", tt.url)
			}
		})
		if got := d[`linkbrief_fetch_errors_total{kind="`+tt.kind+`"}`]; got != 1 {
			t.Errorf("Fetch(%s): metrics moved %v, want fetch_errors_total{kind=%q} +1", tt.url, d, tt.kind)
		}
	}
}

func TestLLMMetrics(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	c, err := llm.New(llm.Options{BaseURL: srv.URL(), Model: "test-model", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	m := observe.New()
	l := m.LLM(c)
	in := llm.Input{Title: "Rain", URL: "https://example.com/rain",
		Text: "Heavy rain returned to the valley on Monday. The weather office measured 42 millimetres of rain in Riverton."}
	var s *llm.Summary
	d := delta(t, m, func() {
		s, err = l.Summarize(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
	})
	if d[`linkbrief_llm_request_seconds_count{op="summarize",outcome="ok"}`] != 1 {
		t.Errorf("after a summary: metrics moved %v, want llm_request_seconds_count{op=summarize,outcome=ok} +1", d)
	}
	if s.Usage.PromptTokens == 0 || s.Usage.CompletionTokens == 0 {
		t.Fatalf("the fake reported usage %+v, want tokens to count", s.Usage)
	}
	if got, want := d[`linkbrief_llm_tokens_total{kind="prompt"}`], float64(s.Usage.PromptTokens); got != want {
		t.Errorf("prompt tokens moved %v, want %v", got, want)
	}
	if got, want := d[`linkbrief_llm_tokens_total{kind="completion"}`], float64(s.Usage.CompletionTokens); got != want {
		t.Errorf("completion tokens moved %v, want %v", got, want)
	}

	d = delta(t, m, func() {
		if _, err := l.Answer(context.Background(), in, "How much rain fell?"); err != nil {
			t.Fatal(err)
		}
	})
	if d[`linkbrief_llm_request_seconds_count{op="answer",outcome="ok"}`] != 1 {
		t.Errorf("after an answer: metrics moved %v, want llm_request_seconds_count{op=answer,outcome=ok} +1", d)
	}

	srv.Enqueue(llmtest.Unauthorized())
	d = delta(t, m, func() {
		if _, err := l.Summarize(context.Background(), in); err == nil {
			t.Error("Summarize succeeded against a 401, want an error")
		}
	})
	if d[`linkbrief_llm_request_seconds_count{op="summarize",outcome="error"}`] != 1 ||
		d[`linkbrief_llm_tokens_total{kind="prompt"}`] != 0 {
		t.Errorf("after a failed summary: metrics moved %v, want outcome=error +1 and no tokens", d)
	}
	if m.LLM(nil) != nil {
		t.Error("LLM(nil) is not nil: the pipeline would think a model is configured")
	}
}

// memCache is an in-memory summarize.Cache; fail makes Brief fail.
type memCache struct {
	mu     sync.Mutex
	briefs map[string][]byte
	arts   map[string]*extract.Article
	fail   error
}

func newMemCache() *memCache {
	return &memCache{briefs: map[string][]byte{}, arts: map[string]*extract.Article{}}
}

func (c *memCache) Brief(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return nil, c.fail
	}
	b, ok := c.briefs[key]
	if !ok {
		return nil, summarize.ErrMiss
	}
	return b, nil
}

func (c *memCache) PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.briefs[key] = data
	return nil
}

func (c *memCache) Article(ctx context.Context, url string) (*extract.Article, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.arts[url]
	if !ok {
		return nil, summarize.ErrMiss
	}
	return a, nil
}

func (c *memCache) PutArticle(ctx context.Context, url string, a *extract.Article, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.arts[url] = a
	return nil
}

func TestCacheMetrics(t *testing.T) {
	t.Parallel()
	m := observe.New()
	mc := newMemCache()
	c := m.Cache(mc)
	ctx := context.Background()
	steps := []struct {
		name   string
		run    func() error
		result string
	}{
		{"miss", func() error { _, err := c.Brief(ctx, "k"); return err }, "miss"},
		{"hit", func() error {
			if err := c.PutBrief(ctx, "k", []byte("{}"), time.Hour); err != nil {
				return err
			}
			_, err := c.Brief(ctx, "k")
			return err
		}, "hit"},
		{"error", func() error {
			mc.mu.Lock()
			mc.fail = errors.New("database is locked")
			mc.mu.Unlock()
			_, err := c.Brief(ctx, "k")
			return err
		}, "error"},
	}
	for _, s := range steps {
		var err error
		d := delta(t, m, func() { err = s.run() })
		want := map[string]float64{`linkbrief_cache_lookups_total{result="` + s.result + `"}`: 1}
		if !sameDelta(d, want) {
			t.Errorf("%s (err %v): metrics moved %v, want %v", s.name, err, d, want)
		}
		if s.result == "miss" && !errors.Is(err, summarize.ErrMiss) {
			t.Errorf("miss: error %v, want summarize.ErrMiss passed through", err)
		}
	}
	if m.Cache(nil) != nil {
		t.Error("Cache(nil) is not nil: the pipeline would think a cache is configured")
	}
}

// fakeSummarizer returns its brief or error.
type fakeSummarizer struct {
	b   *summarize.Brief
	a   *summarize.Answer
	err error
}

func (f fakeSummarizer) Summarize(ctx context.Context, rawURL string, req summarize.Request) (*summarize.Brief, error) {
	return f.b, f.err
}

func (f fakeSummarizer) Estimate(ctx context.Context, rawURL string, req summarize.Request) (int64, error) {
	return 0, f.err
}

func (f fakeSummarizer) EstimateAnswer(ctx context.Context, rawURL string) (int64, error) {
	return 0, f.err
}

func (f fakeSummarizer) Ask(ctx context.Context, rawURL, question string) (*summarize.Answer, error) {
	return f.a, f.err
}

func TestBriefOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		f      fakeSummarizer
		series string
	}{
		{"fresh llm", fakeSummarizer{b: &summarize.Brief{Backend: "llm"}}, `{backend="llm",outcome="fresh"}`},
		{"cached extractive", fakeSummarizer{b: &summarize.Brief{Backend: "extractive", Cached: true}}, `{backend="extractive",outcome="cached"}`},
		{"odd backend", fakeSummarizer{b: &summarize.Brief{Backend: "bogus\"label"}}, `{backend="other",outcome="fresh"}`},
		{"bad url", fakeSummarizer{err: fmt.Errorf("summarize: %w", summarize.ErrBadURL)}, `{backend="none",outcome="bad_url"}`},
		{"not an article", fakeSummarizer{err: fmt.Errorf("summarize: %w", &extract.NotArticleError{})}, `{backend="none",outcome="not_article"}`},
		{"not cached", fakeSummarizer{err: fmt.Errorf("summarize: %w", summarize.ErrNotCached)}, `{backend="none",outcome="not_cached"}`},
		{"fetch refused", fakeSummarizer{err: fmt.Errorf("summarize: %w", fetch.ErrPrivateAddress)}, `{backend="none",outcome="fetch_error"}`},
		{"fetch status", fakeSummarizer{err: fmt.Errorf("summarize: %w", &fetch.StatusError{Code: 404})}, `{backend="none",outcome="fetch_error"}`},
		{"cancelled", fakeSummarizer{err: fmt.Errorf("summarize: %w", context.DeadlineExceeded)}, `{backend="none",outcome="canceled"}`},
		{"other error", fakeSummarizer{err: errors.New("disk full")}, `{backend="none",outcome="error"}`},
	}
	m := observe.New()
	for _, tt := range tests {
		s := m.Summarizer(tt.f)
		d := delta(t, m, func() { _, _ = s.Summarize(context.Background(), "https://example.com/", summarize.Request{}) })
		want := map[string]float64{"linkbrief_briefs_total" + tt.series: 1}
		if !sameDelta(d, want) {
			t.Errorf("%s: metrics moved %v, want %v", tt.name, d, want)
		}
	}
	s := m.Summarizer(fakeSummarizer{a: &summarize.Answer{Backend: "extractive"}})
	d := delta(t, m, func() { _, _ = s.Ask(context.Background(), "https://example.com/", "why?") })
	if want := map[string]float64{`linkbrief_answers_total{backend="extractive",outcome="fresh"}`: 1}; !sameDelta(d, want) {
		t.Errorf("answer: metrics moved %v, want %v", d, want)
	}
}

// TestPipeline wires the decorators around a real summarize.Service, as
// main does, and checks what one miss and one hit record.
func TestPipeline(t *testing.T) {
	t.Parallel()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="en"><head><title>Rain returns</title></head><body><article><h1>Rain returns</h1>`+
			strings.Repeat(`<p>Heavy rain returned to the valley on Monday after a dry spell that lasted eleven weeks, the regional weather office said in a statement.</p>
<p>The weather office measured 42 millimetres of rain in Riverton during the first twelve hours of the storm, officials said.</p>`, 4)+
			`</article></body></html>`)
	}))
	defer page.Close()
	m := observe.New()
	svc := summarize.New(m.Fetcher(fetch.New(fetch.Options{AllowPrivateNetworks: true})), m.Cache(newMemCache()),
		summarize.Options{LLM: m.LLM(nil)})
	s := m.Summarizer(svc)
	ctx := context.Background()
	d := delta(t, m, func() {
		if _, err := s.Summarize(ctx, page.URL+"/rain", summarize.Request{}); err != nil {
			t.Fatal(err)
		}
	})
	want := map[string]float64{
		`linkbrief_briefs_total{backend="extractive",outcome="fresh"}`: 1,
		`linkbrief_cache_lookups_total{result="miss"}`:                 1,
		`linkbrief_fetches_total`:                                      1,
	}
	if !sameDelta(d, want) {
		t.Errorf("first brief: metrics moved %v, want %v", d, want)
	}
	d = delta(t, m, func() {
		if _, err := s.Summarize(ctx, page.URL+"/rain", summarize.Request{}); err != nil {
			t.Fatal(err)
		}
	})
	want = map[string]float64{
		`linkbrief_briefs_total{backend="extractive",outcome="cached"}`: 1,
		`linkbrief_cache_lookups_total{result="hit"}`:                   1,
	}
	if !sameDelta(d, want) {
		t.Errorf("second brief: metrics moved %v, want %v", d, want)
	}
}

func TestRoundTripper429(t *testing.T) {
	t.Parallel()
	var calls int
	var mu sync.Mutex
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n <= 2 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer api.Close()
	m := observe.New()
	client := &http.Client{Transport: m.RoundTripper(api.Client().Transport)}
	statuses := []int{}
	d := delta(t, m, func() {
		for range 4 {
			resp, err := client.Get(api.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
		}
	})
	if want := map[string]float64{`linkbrief_discord_rest_429_total`: 2}; !sameDelta(d, want) {
		t.Errorf("after statuses %v: metrics moved %v, want %v", statuses, d, want)
	}
	// A transport error is passed through and counts nothing.
	api.Close()
	d = delta(t, m, func() {
		if _, err := client.Get(api.URL); err == nil {
			t.Error("GET on a closed server succeeded")
		}
	})
	if !sameDelta(d, map[string]float64{}) {
		t.Errorf("after a transport error: metrics moved %v, want nothing", d)
	}
}

func TestQueueDepth(t *testing.T) {
	t.Parallel()
	m := observe.New()
	h := m.Handler()
	const series = "linkbrief_queue_depth"
	if v, ok := scrape(t, h)[series]; ok {
		t.Errorf("queue depth = %v before SetQueueDepth, want no series", v)
	}
	depth := 7
	m.SetQueueDepth(func(ctx context.Context) (int, error) { return depth, nil })
	if v := scrape(t, h)[series]; v != 7 {
		t.Errorf("queue depth = %v, want 7", v)
	}
	depth = 2
	if v := scrape(t, h)[series]; v != 2 {
		t.Errorf("queue depth = %v after it fell, want 2", v)
	}
	m.SetQueueDepth(func(ctx context.Context) (int, error) { return 0, errors.New("queue down") })
	got := scrape(t, h)
	if v, ok := got[series]; ok {
		t.Errorf("queue depth = %v while the queue fails, want no series", v)
	}
	if _, ok := got[`linkbrief_fetches_total`]; !ok {
		t.Errorf("a failing queue depth hid the other metrics")
	}
	m.SetQueueDepth(nil)
	if v, ok := scrape(t, h)[series]; ok {
		t.Errorf("queue depth = %v after SetQueueDepth(nil), want no series", v)
	}
}

// TestPrivateRegistries checks that two Metrics coexist: nothing is
// registered in a process-wide registry.
func TestPrivateRegistries(t *testing.T) {
	t.Parallel()
	a, b := observe.New(), observe.New()
	a.Fetcher(fakeFetcher{}).Fetch(context.Background(), "https://example.com/")
	if got := scrape(t, b.Handler())["linkbrief_fetches_total"]; got != 0 {
		t.Errorf("a fetch counted in a's Metrics shows %v in b's, want 0", got)
	}
	if got := scrape(t, a.Handler())["go_goroutines"]; got <= 0 {
		t.Errorf("go_goroutines = %v, want the Go collector registered", got)
	}
}

// sameDelta compares metric movements, ignoring series of the Go runtime
// and the process, and the scrape's own histogram buckets and sums.
func sameDelta(got, want map[string]float64) bool {
	n := 0
	for k, v := range got {
		if !strings.HasPrefix(k, "linkbrief_") {
			continue
		}
		if strings.Contains(k, "_bucket{") || strings.Contains(k, "_sum{") {
			continue
		}
		n++
		if want[k] != v {
			return false
		}
	}
	return n == len(want)
}

// TestNilMetrics checks that a nil *Metrics leaves everything unwrapped.
func TestNilMetrics(t *testing.T) {
	t.Parallel()
	var m *observe.Metrics
	f := fakeFetcher{}
	if got := m.Fetcher(f); got != summarize.Fetcher(f) {
		t.Errorf("nil Metrics: Fetcher = %#v, want the fetcher itself", got)
	}
	c := newMemCache()
	if got := m.Cache(c); got != summarize.Cache(c) {
		t.Errorf("nil Metrics: Cache = %#v, want the cache itself", got)
	}
	s := fakeSummarizer{}
	if got := m.Summarizer(s); got != observe.Summarizer(s) {
		t.Errorf("nil Metrics: Summarizer = %#v, want the summarizer itself", got)
	}
	if got := m.RoundTripper(nil); got != http.DefaultTransport {
		t.Errorf("nil Metrics: RoundTripper(nil) = %#v, want http.DefaultTransport", got)
	}
	if got := m.LLM(nil); got != nil {
		t.Errorf("nil Metrics: LLM(nil) = %#v, want nil", got)
	}
}
