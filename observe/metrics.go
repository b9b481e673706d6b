// Package observe is Linkbrief's observability: Prometheus metrics kept in
// a private registry, decorators that record them around the pipeline's
// interfaces (so the pipeline packages need no import of this one), the
// handlers of the metrics and of a health check, and an HTTP server that
// shuts down gracefully.
//
// main wires it: it builds one Metrics, wraps the Fetcher, LLM and Cache
// it gives summarize.New and the Summarizer it gives commands.New, installs
// RoundTripper as the bot's WrapTransport, and routes /metrics to Handler,
// /healthz to Health and /interactions to the bot in its own mux, which it
// serves on http.listen with ServeListener.
package observe

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// namespace prefixes every metric name.
const namespace = "linkbrief"

// Metrics owns a private Prometheus registry (nothing is registered in the
// process-wide default one) and Linkbrief's metrics. Every label has a
// small fixed set of values. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	briefs      *prometheus.CounterVec   // backend, outcome
	answers     *prometheus.CounterVec   // backend, outcome
	cache       *prometheus.CounterVec   // result
	llmSeconds  *prometheus.HistogramVec // op, outcome
	llmTokens   *prometheus.CounterVec   // kind
	fetches     prometheus.Counter
	fetchErrors *prometheus.CounterVec // kind
	rest429     prometheus.Counter

	queueDepth atomic.Pointer[QueueDepthFunc]
}

// QueueDepthFunc reports how many jobs wait in the work queue. It is
// called on every scrape of /metrics, with a deadline.
type QueueDepthFunc func(ctx context.Context) (int, error)

// New returns Metrics with every metric registered, along with the Go
// runtime and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.briefs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "briefs_total",
		Help: "Briefs asked for, by backend (llm, extractive, none) and outcome (fresh, cached, not_cached, bad_url, fetch_error, not_article, canceled, error).",
	}, []string{"backend", "outcome"})
	m.answers = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "answers_total",
		Help: "Follow-up questions answered, by backend and outcome (as for briefs).",
	}, []string{"backend", "outcome"})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "cache_lookups_total",
		Help: "Brief cache lookups by result (hit, miss, error).",
	}, []string{"result"})
	m.llmSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "llm_request_seconds",
		Help:    "Duration of language-model requests (one brief or answer, all chunks and retries included), by op (summarize, answer) and outcome (ok, error).",
		Buckets: []float64{0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120},
	}, []string{"op", "outcome"})
	m.llmTokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "llm_tokens_total",
		Help: "Language-model tokens the server reported, by kind (prompt, completion).",
	}, []string{"kind"})
	m.fetches = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "fetches_total",
		Help: "Pages fetched or attempted.",
	})
	m.fetchErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "fetch_errors_total",
		Help: "Failed fetches by kind (bad_url, scheme, port, credentials, private_address, too_many_redirects, too_large, content_type, timeout, unreachable, status_4xx, status_5xx, canceled, other).",
	}, []string{"kind"})
	m.rest429 = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "discord_rest_429_total",
		Help: "Discord REST responses with status 429 Too Many Requests.",
	})
	m.reg.MustRegister(m.briefs, m.answers, m.cache, m.llmSeconds, m.llmTokens, m.fetches, m.fetchErrors, m.rest429,
		queueCollector{m},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Zero series for the label values known in advance, so rates and
	// alerts work before the first event.
	for _, r := range []string{"hit", "miss", "error"} {
		m.cache.WithLabelValues(r)
	}
	for _, k := range []string{"prompt", "completion"} {
		m.llmTokens.WithLabelValues(k)
	}
	return m
}

// Registry returns the private registry, for tests and for adding
// collectors of other components.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

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

var queueDepthDesc = prometheus.NewDesc(namespace+"_queue_depth",
	"Jobs waiting in the work queue.", nil, nil)

// queueCollector reads the queue depth on each scrape.
type queueCollector struct{ m *Metrics }

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDepthDesc }

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	f := c.m.queueDepth.Load()
	if f == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), queueDepthTimeout)
	defer cancel()
	n, err := (*f)(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(n))
}

// isCanceled reports whether err is a context's cancellation or deadline.
func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
