package observe

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
)

// Summarizer produces briefs and answers: the method set of
// commands.Summarizer, which *summarize.Service provides.
type Summarizer interface {
	Summarize(ctx context.Context, rawURL string, req summarize.Request) (*summarize.Brief, error)
	Ask(ctx context.Context, rawURL, question string) (*summarize.Answer, error)
	Estimate(ctx context.Context, rawURL string, req summarize.Request) (int64, error)
	EstimateAnswer(ctx context.Context, rawURL string) (int64, error)
}

// Summarizer returns s counting briefs and answers by backend and outcome
// (linkbrief_briefs_total, linkbrief_answers_total).
//
// Every decorator of a nil *Metrics returns its argument unchanged, so
// code paths without metrics (the CLI) can share the wiring.
func (m *Metrics) Summarizer(s Summarizer) Summarizer {
	if m == nil || s == nil {
		return s
	}
	return summarizer{m: m, next: s}
}

type summarizer struct {
	m    *Metrics
	next Summarizer
}

func (s summarizer) Summarize(ctx context.Context, rawURL string, req summarize.Request) (*summarize.Brief, error) {
	b, err := s.next.Summarize(ctx, rawURL, req)
	switch {
	case err != nil || b == nil:
		s.m.briefs.With("none", outcome(err)).Inc()
	case b.Cached:
		s.m.briefs.With(backendLabel(b.Backend), "cached").Inc()
	default:
		s.m.briefs.With(backendLabel(b.Backend), "fresh").Inc()
	}
	return b, err
}

func (s summarizer) Estimate(ctx context.Context, rawURL string, req summarize.Request) (int64, error) {
	return s.next.Estimate(ctx, rawURL, req)
}

func (s summarizer) EstimateAnswer(ctx context.Context, rawURL string) (int64, error) {
	return s.next.EstimateAnswer(ctx, rawURL)
}

func (s summarizer) Ask(ctx context.Context, rawURL, question string) (*summarize.Answer, error) {
	a, err := s.next.Ask(ctx, rawURL, question)
	if err != nil || a == nil {
		s.m.answers.With("none", outcome(err)).Inc()
	} else {
		s.m.answers.With(backendLabel(a.Backend), "fresh").Inc()
	}
	return a, err
}

// backendLabel keeps the backend label to its known values.
func backendLabel(b string) string {
	switch b {
	case summarize.BackendLLM, summarize.BackendExtractive:
		return b
	}
	return "other"
}

// outcome classifies a failed brief or answer.
func outcome(err error) string {
	var se *fetch.StatusError
	switch {
	case err == nil:
		return "error" // a nil result without an error
	case isCanceled(err):
		return "canceled"
	case errors.Is(err, summarize.ErrNotCached):
		return "not_cached" // a cache-only look-up for a request over a limit
	case errors.Is(err, summarize.ErrBadURL), errors.Is(err, fetch.ErrBadURL):
		return "bad_url"
	case errors.Is(err, extract.ErrNotArticle):
		return "not_article"
	case errors.As(err, &se) || fetchKind(err) != "other":
		return "fetch_error"
	}
	return "error"
}

// Fetcher returns f counting fetches (linkbrief_fetches_total) and failed
// fetches by kind (linkbrief_fetch_errors_total).
func (m *Metrics) Fetcher(f summarize.Fetcher) summarize.Fetcher {
	if m == nil || f == nil {
		return f
	}
	return fetcher{m: m, next: f}
}

type fetcher struct {
	m    *Metrics
	next summarize.Fetcher
}

func (f fetcher) Fetch(ctx context.Context, rawURL string) (*fetch.Page, error) {
	p, err := f.next.Fetch(ctx, rawURL)
	f.m.fetches.Inc()
	if err != nil {
		f.m.fetchErrors.With(fetchKind(err)).Inc()
	}
	return p, err
}

// fetchKinds maps the fetch sentinels to their label.
var fetchKinds = []struct {
	err  error
	kind string
}{
	{fetch.ErrBadURL, "bad_url"},
	{fetch.ErrScheme, "scheme"},
	{fetch.ErrPort, "port"},
	{fetch.ErrCredentials, "credentials"},
	{fetch.ErrPrivateAddress, "private_address"},
	{fetch.ErrTooManyRedirects, "too_many_redirects"},
	{fetch.ErrTooLarge, "too_large"},
	{fetch.ErrContentType, "content_type"},
	{fetch.ErrTimeout, "timeout"},
	{fetch.ErrUnreachable, "unreachable"},
}

// fetchKind is the label of a fetch error.
func fetchKind(err error) string {
	for _, k := range fetchKinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	var se *fetch.StatusError
	if errors.As(err, &se) {
		if se.Code >= 500 {
			return "status_5xx"
		}
		return "status_4xx"
	}
	if isCanceled(err) {
		return "canceled"
	}
	return "other"
}

// LLM returns l recording the duration of each call
// (linkbrief_llm_request_seconds) and the tokens reported
// (linkbrief_llm_tokens_total). A nil l stays nil: the pipeline reads a
// nil LLM as "offline summarizer only".
func (m *Metrics) LLM(l summarize.LLM) summarize.LLM {
	if m == nil || l == nil {
		return l
	}
	return model{m: m, next: l}
}

type model struct {
	m    *Metrics
	next summarize.LLM
}

func (l model) Summarize(ctx context.Context, in llm.Input) (*llm.Summary, error) {
	start := time.Now()
	s, err := l.next.Summarize(ctx, in)
	l.observe("summarize", start, err)
	if err == nil && s != nil {
		l.tokens(s.Usage)
	}
	return s, err
}

func (l model) Answer(ctx context.Context, in llm.Input, question string) (*llm.Answer, error) {
	start := time.Now()
	a, err := l.next.Answer(ctx, in, question)
	l.observe("answer", start, err)
	if err == nil && a != nil {
		l.tokens(a.Usage)
	}
	return a, err
}

func (l model) observe(op string, start time.Time, err error) {
	o := "ok"
	if err != nil {
		o = "error"
	}
	l.m.llmSeconds.With(op, o).Observe(time.Since(start).Seconds())
}

func (l model) tokens(u llm.Usage) {
	l.m.llmTokens.With("prompt").Add(float64(max(u.PromptTokens, 0)))
	l.m.llmTokens.With("completion").Add(float64(max(u.CompletionTokens, 0)))
}

// Cache returns c counting brief lookups by result
// (linkbrief_cache_lookups_total: hit, miss, error). Article lookups, for
// follow-up questions, are not counted. A nil c stays nil: the pipeline
// reads a nil Cache as "no caching".
func (m *Metrics) Cache(c summarize.Cache) summarize.Cache {
	if m == nil || c == nil {
		return c
	}
	return cache{m: m, Cache: c}
}

// cache embeds the Cache it wraps, so only Brief is intercepted.
type cache struct {
	m *Metrics
	summarize.Cache
}

func (c cache) Brief(ctx context.Context, key string) ([]byte, error) {
	b, err := c.Cache.Brief(ctx, key)
	switch {
	case err == nil:
		c.m.cache.With("hit").Inc()
	case errors.Is(err, summarize.ErrMiss):
		c.m.cache.With("miss").Inc()
	default:
		c.m.cache.With("error").Inc()
	}
	return b, err
}

// RoundTripper returns next counting Discord REST answers with status 429
// (linkbrief_discord_rest_429_total); bot.Options.WrapTransport takes it.
// A nil next means http.DefaultTransport.
func (m *Metrics) RoundTripper(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return roundTripper{m: m, next: next}
}

type roundTripper struct {
	m    *Metrics
	next http.RoundTripper
}

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		rt.m.rest429.Inc()
	}
	return resp, err
}

var (
	_ summarize.Fetcher = fetcher{}
	_ summarize.LLM     = model{}
	_ summarize.Cache   = cache{}
	_ Summarizer        = summarizer{}
	_ Summarizer        = (*summarize.Service)(nil)
)
