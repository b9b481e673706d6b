package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/observe"
	"github.com/linkbrief/linkbrief/queue"
	"github.com/linkbrief/linkbrief/store"
)

// cmdRun runs the Discord bot until SIGINT or SIGTERM.
func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("run")
	configPath := fs.String("config", "", "config file (default: $LINKBRIEF_CONFIG, else built-in defaults)")
	noGateway := fs.Bool("no-gateway", false, "answer slash commands over HTTP only (http.listen and discord.public_key), without a gateway session")
	const synopsis = "linkbrief run [--config FILE] [--no-gateway]"
	if err := noArgs(e, fs, synopsis, args); err != nil {
		return err
	}
	a, err := wire(e, *configPath, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer a.close()
	// Checked before anything is opened or migrated: a start that cannot
	// serve must not touch the store or the queue.
	if *noGateway && (a.cfg.HTTP.Listen == "" || a.cfg.Discord.PublicKey == "") {
		return fmt.Errorf("%w: --no-gateway needs http.listen and discord.public_key", errUsage)
	}
	d, err := a.deploy(ctx)
	if err != nil {
		return err
	}

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

// noArgs parses the flags of a verb that takes no other arguments: a
// stray one is a usage error, not something to ignore silently.
func noArgs(e *env, fs *flag.FlagSet, synopsis string, args []string) error {
	pos, err := parseArgs(e, fs, synopsis, args)
	if err == nil && len(pos) > 0 {
		writeUsage(e.stderr, fs, synopsis)
		err = fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	return err
}

// cmdCommands runs linkbrief commands register, which registers the
// application commands and exits.
func cmdCommands(ctx context.Context, e *env, args []string) error {
	const synopsis = "linkbrief commands register [--config FILE] [--guild ID]"
	if len(args) >= 1 && isHelp(args[0]) {
		fmt.Fprintf(e.stdout, "Usage: %s\n", synopsis)
		return errHelp
	}
	if len(args) < 1 || args[0] != "register" {
		return fmt.Errorf("%w: %s", errUsage, synopsis)
	}
	fs := newFlagSet("commands register")
	configPath := fs.String("config", "", "config file (default: $LINKBRIEF_CONFIG, else built-in defaults)")
	guild := fs.String("guild", "", "register in this server only (default: discord.guild_id, else globally)")
	if err := noArgs(e, fs, synopsis, args[1:]); err != nil {
		return err
	}
	if *guild != "" && !snowflake().MatchString(*guild) {
		return fmt.Errorf("%w: --guild wants a server ID (digits), got %q", errUsage, *guild)
	}
	a, err := wire(e, *configPath, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer a.close()
	if *guild != "" {
		a.cfg.Discord.GuildID = *guild
	}
	// Discord's REST API alone: no store, pipeline, queue or gateway.
	opts, err := a.discord()
	if err != nil {
		return err
	}
	if err := bot.RegisterCommands(ctx, opts); err != nil {
		return err
	}
	where := "globally"
	if a.cfg.Discord.GuildID != "" {
		where = "in server " + a.cfg.Discord.GuildID
	}
	a.log.Info("commands registered", "where", where)
	fmt.Fprintln(e.stdout, "linkbrief: commands registered", where)
	return nil
}

// deployment is what linkbrief run serves with: the app's store, limits
// and pipeline, with the job queue, the bot and the HTTP endpoint.
type deployment struct {
	*app
	queue        queue.Queue
	queueName    string
	bot          *bot.Bot
	interactions http.Handler // nil unless discord.public_key is set
	listener     net.Listener // nil unless http.listen is set
}

// deploy wires on a everything linkbrief run needs: metrics, store,
// Redis, job queue, pipeline, commands, bot and the HTTP listener. What
// it opens is closed by a.close.
func (a *app) deploy(ctx context.Context) (*deployment, error) {
	a.metrics = observe.New()
	opts, err := a.discord()
	if err != nil {
		return nil, err
	}
	if err := a.openStore(ctx); err != nil {
		return nil, err
	}
	if err := a.openRedis(ctx); err != nil {
		return nil, err
	}
	d := &deployment{app: a}
	if err := d.openQueue(ctx); err != nil {
		return nil, err
	}
	svc, err := a.service("")
	if err != nil {
		return nil, err
	}
	// main hands the bot its queue; River keeps jobs for any process.
	opts.Queue, opts.Durable = d.queue, true
	d.bot, err = bot.New(opts, a.handler(svc))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	if a.cfg.Discord.PublicKey != "" {
		key, err := bot.ParsePublicKey(a.cfg.Discord.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("%w: discord.public_key: %w", errConfig, err)
		}
		d.interactions = d.bot.InteractionsHandler(key)
	}
	if a.cfg.HTTP.Listen != "" {
		// Listen now, so a taken port fails the start, not later.
		d.listener, err = net.Listen("tcp", a.cfg.HTTP.Listen)
		if err != nil {
			return nil, fmt.Errorf("http.listen: %w", err)
		}
		a.closers = append(a.closers, func() { d.listener.Close() })
	} else if d.interactions != nil {
		a.log.Warn("discord.public_key is set but http.listen is empty: /interactions is not served")
	}
	return d, nil
}

// openQueue opens the job queue, River in every case, in the store's own
// database, so that an event's claim in the reply ledger and its job are
// one transaction (queue.River.Accept): on PostgreSQL, where any process
// can answer or rescue an event, and on SQLite, where work survives a
// restart of the single binary.
func (d *deployment) openQueue(ctx context.Context) error {
	st, ok := d.st.(*store.DB)
	if !ok {
		return fmt.Errorf("cannot open the job queue: the store is a %T, not a database", d.st)
	}
	jobTimeout, rescueAfter := queue.RescueTimings(d.cfg.Fetch.Timeout, d.cfg.LLM.Timeout)
	opts := queue.Options{JobTimeout: jobTimeout, RescueAfter: rescueAfter, Logger: d.log}
	var (
		q   *queue.River
		err error
	)
	if d.cfg.Store.Driver == "postgres" || d.cfg.Store.Driver == "postgresql" {
		q, err = queue.OpenRiverPostgres(ctx, d.cfg.Store.DSN.Reveal(), st, opts)
		d.queueName = "river-postgres"
	} else {
		// A poll a little more often than River's default: on SQLite it
		// is how a new job is seen, and a person is waiting.
		opts.PollInterval = 250 * time.Millisecond
		q, err = queue.OpenRiverSQLite(ctx, st, opts)
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

// serveHTTP serves the HTTP endpoint (routes) on http.listen until ctx
// ends. The channel yields the server's error, or closes at once when
// there is no listener.
func (d *deployment) serveHTTP(ctx context.Context) <-chan error {
	done := make(chan error, 1)
	if d.listener == nil {
		close(done)
		return done
	}
	d.log.Info("serving HTTP", "addr", d.listener.Addr().String(), "interactions", d.interactions != nil)
	go func() { done <- observe.ServeListener(ctx, d.listener, d.routes()) }()
	return done
}

// routes is linkbrief run's HTTP endpoint: /healthz checking the store
// and the queue, /metrics, and /interactions when discord.public_key is
// set.
func (d *deployment) routes() http.Handler {
	var checks []observe.Check
	if p, ok := d.st.(store.Pinger); ok {
		checks = append(checks, observe.Check{Name: "store", Func: p.Ping})
	}
	checks = append(checks, observe.Check{Name: "queue", Func: func(ctx context.Context) error {
		_, err := d.queue.Depth(ctx)
		return err
	}})
	return newMux(observe.Health(observe.HealthOptions{Checks: checks, Logger: d.log}), d.metrics.Handler(), d.interactions)
}

// newMux routes the HTTP endpoint's paths: GET /healthz to health, GET
// /metrics to metrics, and /interactions to interactions unless nil.
// Anything else is 404; a route asked with another method is 405.
func newMux(health, metrics, interactions http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", health)
	mux.Handle("GET /metrics", metrics)
	if interactions != nil {
		mux.Handle("/interactions", interactions)
	}
	return mux
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
