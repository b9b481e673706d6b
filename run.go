package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/observe"
	"github.com/linkbrief/linkbrief/queue"
	"github.com/linkbrief/linkbrief/store"
)

// cmdRun runs the Discord bot until SIGINT or SIGTERM.
func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("run", e.stderr)
	configPath := fs.String("config", "", "config file (default: $LINKBRIEF_CONFIG, else built-in defaults)")
	noGateway := fs.Bool("no-gateway", false, "answer slash commands over HTTP only (http.listen and discord.public_key), without a gateway session")
	if _, err := parseArgs(e, fs, "linkbrief run [--config FILE] [--no-gateway]", args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, e.getenv)
	if err != nil {
		return err
	}
	// Checked before anything is opened or migrated: a start that cannot
	// serve must not touch the store or the queue.
	if *noGateway && (cfg.HTTP.Listen == "" || cfg.Discord.PublicKey == "") {
		return fmt.Errorf("%w: --no-gateway needs http.listen and discord.public_key", errUsage)
	}
	d, err := newDeployment(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer d.close()

	janitorCtx, stopJanitor := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		janitor(janitorCtx, d.st, d.log)
	}()
	defer func() { stopJanitor(); <-done }()

	httpDone := d.serveHTTP(ctx)
	d.log.Info("linkbrief starting", "version", buildVersion(), "store", d.cfg.Store.Driver, "queue", d.queueName)
	if *noGateway {
		err = d.bot.RunWithoutGateway(ctx)
	} else {
		err = d.bot.Run(ctx)
	}
	if herr := <-httpDone; herr != nil {
		d.log.Error("http endpoint failed", "err", herr)
	}
	if err != nil {
		return err
	}
	d.log.Info("linkbrief stopped")
	return nil
}

// cmdRegister registers the application commands and exits.
func cmdRegister(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("commands register", e.stderr)
	configPath := fs.String("config", "", "config file (default: $LINKBRIEF_CONFIG, else built-in defaults)")
	guild := fs.String("guild", "", "register in this server only (default: discord.guild_id, else globally)")
	if _, err := parseArgs(e, fs, "linkbrief commands register [--config FILE] [--guild ID]", args); err != nil {
		return err
	}
	if *guild != "" && !snowflake().MatchString(*guild) {
		return fmt.Errorf("%w: --guild wants a server ID (digits), got %q", errUsage, *guild)
	}
	cfg, err := loadConfig(*configPath, e.getenv)
	if err != nil {
		return err
	}
	if *guild != "" {
		cfg.Discord.GuildID = *guild
	}
	if cfg.Discord.Token == "" {
		return fmt.Errorf("%w: discord.token: no bot token; set LINKBRIEF_DISCORD_TOKEN", errConfig)
	}
	log := newLogger(e.stderr, slog.LevelInfo)
	// Only Discord's REST API: no store, pipeline, queue or gateway.
	err = bot.RegisterCommands(ctx, bot.Options{
		Token: cfg.Discord.Token.Reveal(), APIURL: cfg.Discord.APIURL, GuildID: cfg.Discord.GuildID, Logger: log,
	})
	if err != nil {
		return err
	}
	where := "globally"
	if cfg.Discord.GuildID != "" {
		where = "in server " + cfg.Discord.GuildID
	}
	log.Info("commands registered", "where", where)
	fmt.Fprintln(e.stdout, "linkbrief: commands registered", where)
	return nil
}

// deployment is everything linkbrief run wires together.
type deployment struct {
	cfg          Config
	log          *slog.Logger
	st           store.Store
	metrics      *observe.Metrics
	queue        queue.Queue
	queueName    string
	bot          *bot.Bot
	interactions http.Handler // nil unless discord.public_key is set
	listener     net.Listener // nil unless http.listen is set
	closers      []func()
}

// close releases what newDeployment opened, last first.
func (d *deployment) close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}

// newDeployment wires store, coordination, queue, pipeline, commands, bot
// and the HTTP endpoint from cfg.
func newDeployment(ctx context.Context, e *env, cfg Config) (_ *deployment, err error) {
	if cfg.Discord.Token == "" {
		return nil, fmt.Errorf("%w: discord.token: no bot token; set LINKBRIEF_DISCORD_TOKEN (or use linkbrief summarize without Discord)", errConfig)
	}
	d := &deployment{cfg: cfg, log: newLogger(e.stderr, slog.LevelInfo), metrics: observe.New()}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	d.st, err = openStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot open the store: %w", err)
	}
	d.closers = append(d.closers, func() { d.st.Close() })
	lease, limits, closeCoord, err := coordination(ctx, cfg, d.st)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	d.closers = append(d.closers, closeCoord)
	if err := d.openQueue(ctx); err != nil {
		return nil, err
	}
	svc, err := newService(cfg, serviceDeps{st: d.st, lease: lease, metrics: d.metrics, log: d.log})
	if err != nil {
		return nil, err
	}
	h := commands.New(d.metrics.Summarizer(svc), d.st, commands.Options{
		UserPerMinute:    cfg.Limits.UserPerMinute,
		GuildPerHour:     cfg.Limits.GuildPerHour,
		GuildDailyTokens: cfg.Limits.GuildDailyTokens,
		Limits:           limits,
		Claims:           lease,
		Logger:           d.log,
		Canonical:        svc.Canonical,
	})
	d.bot, err = bot.New(bot.Options{
		Token:         cfg.Discord.Token.Reveal(),
		APIURL:        cfg.Discord.APIURL,
		GuildID:       cfg.Discord.GuildID,
		AutoChannels:  cfg.Discord.AutoChannels,
		ShardID:       cfg.Discord.ShardID,
		ShardCount:    cfg.Discord.ShardCount,
		Reaction:      cfg.Discord.Reaction,
		Logger:        d.log,
		Queue:         d.queue,
		Durable:       true,
		WrapTransport: d.metrics.RoundTripper,
	}, h)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	if cfg.Discord.PublicKey != "" {
		key, err := bot.ParsePublicKey(cfg.Discord.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("%w: discord.public_key: %w", errConfig, err)
		}
		d.interactions = d.bot.InteractionsHandler(key)
	}
	if cfg.HTTP.Listen != "" {
		// Listen now, so a taken port fails the start, not later.
		d.listener, err = net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			return nil, fmt.Errorf("http.listen: %w", err)
		}
		d.closers = append(d.closers, func() { d.listener.Close() })
	} else if d.interactions != nil {
		d.log.Warn("discord.public_key is set but http.listen is empty: /interactions is not served")
	}
	return d, nil
}

// openQueue opens the job queue, River in every case: on PostgreSQL when
// the store is PostgreSQL, so any process can answer or rescue an event,
// and otherwise on SQLite, in a file beside the store's, so work survives
// a restart of the single binary.
func (d *deployment) openQueue(ctx context.Context) error {
	jobTimeout, rescueAfter := queue.RescueTimings(d.cfg.Fetch.Timeout, d.cfg.LLM.Timeout)
	opts := queue.Options{JobTimeout: jobTimeout, RescueAfter: rescueAfter, Logger: d.log}
	var (
		q   *queue.River
		err error
	)
	if d.cfg.Store.Driver == "postgres" {
		q, err = queue.OpenRiverPostgres(ctx, d.cfg.Store.DSN.Reveal(), opts)
		d.queueName = "river-postgres"
	} else {
		path := d.cfg.Store.DSN.Reveal()
		if path == "" {
			if path, err = store.DefaultPath(); err != nil {
				return err
			}
		}
		// A poll a little more often than River's default: on SQLite it
		// is how a new job is seen, and a person is waiting.
		opts.PollInterval = 250 * time.Millisecond
		q, err = queue.OpenRiverSQLite(ctx, strings.TrimSuffix(path, ".db")+"-queue.db", opts)
		d.queueName = "river-sqlite"
	}
	if err != nil {
		return fmt.Errorf("cannot open the job queue: %w", err)
	}
	d.queue = q
	d.closers = append(d.closers, func() { q.Close() })
	d.metrics.SetQueueDepth(d.queue.Depth)
	return nil
}

// serveHTTP serves /healthz, /metrics and /interactions on http.listen
// until ctx ends. The channel yields the server's error, or closes at
// once when there is no listener.
func (d *deployment) serveHTTP(ctx context.Context) <-chan error {
	done := make(chan error, 1)
	if d.listener == nil {
		close(done)
		return done
	}
	hopts := observe.HandlerOptions{Logger: d.log, Interactions: d.interactions}
	if p, ok := d.st.(store.Pinger); ok {
		hopts.Checks = append(hopts.Checks, observe.Check{Name: "store", Func: p.Ping})
	}
	hopts.Checks = append(hopts.Checks, observe.Check{Name: "queue", Func: func(ctx context.Context) error {
		_, err := d.queue.Depth(ctx)
		return err
	}})
	d.log.Info("serving HTTP", "addr", d.listener.Addr().String(), "interactions", d.interactions != nil)
	go func() { done <- observe.ServeListener(ctx, d.listener, d.metrics.Handler(hopts)) }()
	return done
}

// janitor removes expired briefs, articles and old ledger entries every
// hour until ctx ends.
func janitor(ctx context.Context, st store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := st.DeleteExpired(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("removing expired cache entries failed", "err", err)
		} else if n > 0 {
			log.Info("expired cache entries removed", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
