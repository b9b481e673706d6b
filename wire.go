package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/observe"
	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/store/briefcache"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
)

// app is the wiring of one linkbrief command, the one path every verb
// takes: run, summarize, ask, extract and commands register. wire loads
// the config and makes the logger; each further part is built by the
// method that names it, from the parts before it, and released by close,
// last first. A verb builds only what it uses: commands register needs
// Discord's REST API alone, extract no store, and only run counts metrics
// or shares limits through Redis.
type app struct {
	cfg     Config
	log     *slog.Logger
	metrics *observe.Metrics // nil: nothing counted (the CLI)
	st      store.Store      // nil until openStore, or without a cache
	lease   summarize.Lease  // page leases: the store's, or Redis's
	limits  commands.Limiter // the one limiter: the store's, or Redis's
	closers []func()
}

// wire loads the config at configPath ($LINKBRIEF_CONFIG when "", else
// the defaults) and returns the app built on it, logging at level on
// e's standard error.
func wire(e *env, configPath string, level slog.Level) (*app, error) {
	cfg, err := loadConfig(configPath, e.getenv)
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, log: newLogger(e.stderr, level)}, nil
}

// close releases what the app opened, last first.
func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// openStore opens the configured store: an SQLite file (in the user cache
// directory unless store.dsn names another path) or PostgreSQL. Its page
// leases and limiter are the app's until openRedis replaces them.
func (a *app) openStore(ctx context.Context) error {
	st, err := store.OpenDSN(ctx, a.cfg.Store.Driver, a.cfg.Store.DSN.Reveal())
	if err != nil {
		return fmt.Errorf("cannot open the store: %w", err)
	}
	a.st, a.lease, a.limits = st, st, st
	a.closers = append(a.closers, func() { st.Close() })
	return nil
}

// openRedis moves the page leases and the limiter to Redis when
// limits.redis_url is set, for the processes of a deployment to share.
func (a *app) openRedis(ctx context.Context) error {
	if a.cfg.Limits.RedisURL == "" {
		return nil
	}
	// The URL was checked with the config: what fails here is the
	// server (down, refusing the password), as when the store's is.
	r, err := store.OpenRedis(ctx, a.cfg.Limits.RedisURL.Reveal())
	if err != nil {
		return fmt.Errorf("limits.redis_url: %w", err)
	}
	a.closers = append(a.closers, func() { r.Close() })
	a.lease, a.limits = r, r
	return nil
}

// handler wires what the bot does, on the pipeline svc and the store.
func (a *app) handler(svc *summarize.Service) *commands.Handler {
	return commands.New(a.metrics.Summarizer(svc), a.st, commands.Options{
		UserPerMinute:    a.cfg.Limits.UserPerMinute,
		GuildPerHour:     a.cfg.Limits.GuildPerHour,
		GuildDailyTokens: a.cfg.Limits.GuildDailyTokens,
		Limits:           a.limits,
		Claims:           a.lease,
		Logger:           a.log,
		Canonical:        svc.Canonical,
	})
}

// discord returns the bot's options from [discord], or the config error
// of a missing token.
func (a *app) discord() (bot.Options, error) {
	d := a.cfg.Discord
	if d.Token == "" {
		return bot.Options{}, fmt.Errorf("%w: discord.token: no bot token; set LINKBRIEF_DISCORD_TOKEN (or use linkbrief summarize without Discord)", errConfig)
	}
	return bot.Options{
		Token: d.Token.Reveal(), APIURL: d.APIURL, GuildID: d.GuildID, AutoChannels: d.AutoChannels,
		ShardID: d.ShardID, ShardCount: d.ShardCount, Reaction: d.Reaction,
		Logger: a.log, WrapTransport: a.metrics.RoundTripper,
	}, nil
}

// service wires the pipeline from the config on what the app opened: the
// store as the cache (none without a store), its leases or Redis's (none:
// single flight within the process only), and the metrics; backend
// overrides summary.backend unless "".
func (a *app) service(backend string) (*summarize.Service, error) {
	cfg, st, lease, log := a.cfg, a.st, a.lease, a.log
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
		Policy: fc, // a cache hit meets the fetch policy in force
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
		opts.LLM, opts.Model = a.metrics.LLM(c), cfg.LLM.Model
	}
	f := a.metrics.Fetcher(fc)
	var c summarize.Cache
	if st != nil {
		c = a.metrics.Cache(briefcache.New(st))
	}
	return summarize.New(f, c, opts), nil
}
