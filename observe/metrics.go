// Package observe is Linkbrief's observability: metrics in Prometheus'
// text format, each Metrics its own, decorators that record them around
// the pipeline's interfaces (so the pipeline packages need no import of
// this one), the handlers of the metrics and of a health check, and an
// HTTP server that shuts down gracefully.
//
// main wires it: it builds one Metrics, wraps the Fetcher, LLM and Cache
// it gives summarize.New and the Summarizer it gives commands.New, installs
// RoundTripper as the bot's WrapTransport, and routes /metrics to Handler,
// /healthz to Health and /interactions to the bot in its own mux, which it
// serves on http.listen with ServeListener.
package observe

import (
	"bufio"
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// namespace prefixes every metric name.
const namespace = "linkbrief"

// Metrics keeps Linkbrief's metrics, each Metrics its own (nothing is
// shared by the process), and writes them with the Go runtime's and the
// process's in Prometheus' text format. Every label has a small fixed set
// of values. It is safe for concurrent use.
type Metrics struct {
	briefs      *family // backend, outcome
	answers     *family // backend, outcome
	cache       *family // result
	llmSeconds  *family // op, outcome (a histogram)
	llmTokens   *family // kind
	fetches     handle
	fetchErrors *family // kind
	rest429     handle

	families []*family // every family, sorted by name

	queueDepth atomic.Pointer[QueueDepthFunc]
}

// QueueDepthFunc reports how many jobs wait in the work queue. It is
// called on every scrape of /metrics, with a deadline.
type QueueDepthFunc func(ctx context.Context) (int, error)

// New returns Metrics with every metric at zero.
func New() *Metrics {
	m := &Metrics{
		briefs: newFamily(namespace+"_briefs_total",
			"Briefs asked for, by backend (llm, extractive, none) and outcome (fresh, cached, not_cached, bad_url, fetch_error, not_article, canceled, error).",
			kindCounter, []string{"backend", "outcome"}),
		answers: newFamily(namespace+"_answers_total",
			"Follow-up questions answered, by backend and outcome (as for briefs).",
			kindCounter, []string{"backend", "outcome"}),
		cache: newFamily(namespace+"_cache_lookups_total",
			"Brief cache lookups by result (hit, miss, error).",
			kindCounter, []string{"result"}),
		llmSeconds: newFamily(namespace+"_llm_request_seconds",
			"Duration of language-model requests (one brief or answer, all chunks and retries included), by op (summarize, answer) and outcome (ok, error).",
			kindHistogram, []string{"op", "outcome"}, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120),
		llmTokens: newFamily(namespace+"_llm_tokens_total",
			"Language-model tokens the server reported, by kind (prompt, completion).",
			kindCounter, []string{"kind"}),
		fetchErrors: newFamily(namespace+"_fetch_errors_total",
			"Failed fetches by kind (bad_url, scheme, port, credentials, private_address, too_many_redirects, too_large, content_type, timeout, unreachable, status_4xx, status_5xx, canceled, other).",
			kindCounter, []string{"kind"}),
	}
	fetches := newFamily(namespace+"_fetches_total", "Pages fetched or attempted.", kindCounter, nil)
	rest429 := newFamily(namespace+"_discord_rest_429_total",
		"Discord REST responses with status 429 Too Many Requests.", kindCounter, nil)
	m.fetches, m.rest429 = fetches.With(), rest429.With()
	m.families = []*family{m.answers, m.briefs, m.cache, rest429, m.fetchErrors, fetches, m.llmSeconds, m.llmTokens}
	// Zero series for the label values known in advance, so rates and
	// alerts work before the first event.
	for _, r := range []string{"hit", "miss", "error"} {
		m.cache.With(r)
	}
	for _, k := range []string{"prompt", "completion"} {
		m.llmTokens.With(k)
	}
	return m
}

// SetQueueDepth sets the function the linkbrief_queue_depth gauge reads.
// Until it is set, or when it fails or takes longer than two seconds, the
// gauge is left out of the scrape.
func (m *Metrics) SetQueueDepth(f QueueDepthFunc) {
	if f == nil {
		m.queueDepth.Store(nil)
		return
	}
	m.queueDepth.Store(&f)
}

// queueDepthTimeout bounds one call of the QueueDepthFunc.
const queueDepthTimeout = 2 * time.Second

// queueGauge reads the queue depth for a scrape; ok is false when there
// is no QueueDepthFunc or it failed.
func (m *Metrics) queueGauge(ctx context.Context) (g gauge, ok bool) {
	f := m.queueDepth.Load()
	if f == nil {
		return gauge{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, queueDepthTimeout)
	defer cancel()
	n, err := (*f)(ctx)
	if err != nil {
		return gauge{}, false
	}
	return gauge{namespace + "_queue_depth", "Jobs waiting in the work queue.", kindGauge, float64(n)}, true
}

// write writes every metric in the text format, each family once, sorted
// by name: the Go runtime's (go_*), Linkbrief's, then the process's
// (process_*).
func (m *Metrics) write(ctx context.Context, w *bufio.Writer) {
	writeGoMetrics(w)
	for _, f := range m.families {
		f.write(w)
	}
	if g, ok := m.queueGauge(ctx); ok {
		writeGauges(w, []gauge{g})
	}
	writeProcessMetrics(w)
}

// isCanceled reports whether err is a context's cancellation or deadline.
func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
