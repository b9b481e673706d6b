package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/observe"
	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/store/briefcache"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
)

// openStore opens the configured store: an SQLite file (in the user cache
// directory unless store.dsn names another path) or PostgreSQL.
func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	return store.OpenDSN(ctx, cfg.Store.Driver, cfg.Store.DSN.Reveal())
}

// serviceDeps is what newService wires in besides the config; every
// field may be left zero.
type serviceDeps struct {
	st      store.Store      // nil: no cache
	lease   summarize.Lease  // nil: single flight within the process only
	metrics *observe.Metrics // nil: no metrics
	backend string           // "": summary.backend
	log     *slog.Logger
}

// newService wires the pipeline from cfg.
func newService(cfg Config, d serviceDeps) (*summarize.Service, error) {
	st, lease, backend, log := d.st, d.lease, d.backend, d.log
	// One safe fetcher for pages and for the site adapters' API calls.
	fc := fetch.New(fetch.Options{
		Timeout:              cfg.Fetch.Timeout,
		MaxBytes:             int64(cfg.Fetch.MaxBytes),
		MaxPDFBytes:          int64(cfg.Fetch.MaxPDFBytes),
		AllowPrivateNetworks: cfg.Fetch.AllowPrivateNetworks,
	})
	opts := summarize.Options{
		Backend:   cfg.Summary.Backend,
		Language:  cfg.Summary.Language,
		MaxClaims: cfg.Summary.MaxClaims,
		TTL:       cfg.Cache.TTL,
		// A page's lease (summarize.DefaultLeaseTTL) is renewed while its
		// holder works, so a crashed holder delays the others by at most
		// one TTL.
		Lease:  lease,
		Logger: log,
		Sites:  siteAdapters(cfg, fc),
	}
	if backend != "" {
		opts.Backend = backend
	}
	if opts.Backend == summarize.BackendLLM && cfg.LLM.BaseURL == "" {
		return nil, fmt.Errorf("%w: the llm backend needs llm.base_url and llm.model in the config", errUsage)
	}
	if cfg.LLM.BaseURL != "" && opts.Backend != summarize.BackendExtractive {
		c, err := llm.New(llm.Options{
			BaseURL:        cfg.LLM.BaseURL,
			APIKey:         cfg.LLM.APIKey.Reveal(),
			Model:          cfg.LLM.Model,
			JSONMode:       cfg.LLM.JSONMode,
			Timeout:        cfg.LLM.Timeout,
			MaxInputTokens: cfg.LLM.MaxInputTokens,
			Logger:         log,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errConfig, err)
		}
		opts.LLM, opts.Model = d.metrics.LLM(c), cfg.LLM.Model
	}
	f := d.metrics.Fetcher(fc)
	var c summarize.Cache
	if st != nil {
		c = d.metrics.Cache(briefcache.New(st))
	}
	return summarize.New(f, c, opts), nil
}

// coordination returns what processes sharing a deployment use to agree:
// leases on pages being summarized and the one limiter of the rate limits
// and budgets. They live in Redis when limits.redis_url is set, else in
// the store. closer frees what it opened.
func coordination(ctx context.Context, cfg Config, st store.Store) (summarize.Lease, commands.Limiter, func(), error) {
	if cfg.Limits.RedisURL != "" {
		r, err := store.OpenRedis(ctx, cfg.Limits.RedisURL.Reveal())
		if err != nil {
			return nil, nil, nil, fmt.Errorf("limits.redis_url: %w", err)
		}
		return r, r, func() { r.Close() }, nil
	}
	var (
		lease  summarize.Lease
		limits commands.Limiter
	)
	if l, ok := st.(store.Leases); ok {
		lease = l
	}
	if l, ok := st.(store.Limiter); ok {
		limits = l
	}
	return lease, limits, func() {}, nil
}
