package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/store"
)

// cmdRun runs the Discord bot until SIGINT or SIGTERM.
func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("run", e.stderr)
	configPath := fs.String("config", "", "config file (default: $LINKBRIEF_CONFIG, else built-in defaults)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := newDeployment(ctx, e, *configPath, "")
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

	d.log.Info("linkbrief starting", "version", version)
	if err := d.bot.Run(ctx); err != nil {
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
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *guild != "" && !snowflake.MatchString(*guild) {
		return fmt.Errorf("%w: --guild wants a server ID (digits), got %q", errUsage, *guild)
	}
	d, err := newDeployment(ctx, e, *configPath, *guild)
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.bot.RegisterCommands(ctx); err != nil {
		return err
	}
	where := "globally"
	if d.cfg.Discord.GuildID != "" {
		where = "in server " + d.cfg.Discord.GuildID
	}
	d.log.Info("commands registered", "where", where)
	fmt.Fprintln(e.stdout, "linkbrief: commands registered", where)
	return nil
}

// deployment is everything linkbrief run wires together.
type deployment struct {
	cfg     Config
	log     *slog.Logger
	st      store.Store
	bot     *bot.Bot
	closers []func()
}

// close releases what newDeployment opened, last first.
func (d *deployment) close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}

// newDeployment loads the config and wires store, coordination, pipeline,
// commands and bot.
func newDeployment(ctx context.Context, e *env, configPath, guild string) (_ *deployment, err error) {
	cfg, err := loadConfig(configPath, e.getenv)
	if err != nil {
		return nil, err
	}
	if cfg.Discord.Token == "" {
		return nil, fmt.Errorf("%w: discord.token: no bot token; set LINKBRIEF_DISCORD_TOKEN (or use linkbrief summarize without Discord)", errConfig)
	}
	if guild != "" {
		cfg.Discord.GuildID = guild
	}
	d := &deployment{cfg: cfg, log: newLogger(e.stderr, slog.LevelInfo)}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	warnUnsupported(cfg, d.log)
	d.st, err = openStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot open the store: %w", err)
	}
	d.closers = append(d.closers, func() { d.st.Close() })
	lease, shared, closeCoord, err := coordination(ctx, cfg, d.st)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	d.closers = append(d.closers, closeCoord)
	svc, err := newService(cfg, d.st, lease, "", d.log)
	if err != nil {
		return nil, err
	}
	h := commands.New(svc, d.st, commands.Options{
		UserPerMinute:    cfg.Limits.UserPerMinute,
		GuildPerHour:     cfg.Limits.GuildPerHour,
		GuildDailyTokens: cfg.Limits.GuildDailyTokens,
		Shared:           shared,
		Logger:           d.log,
	})
	d.bot, err = bot.New(bot.Options{
		Token:        cfg.Discord.Token.Reveal(),
		APIURL:       cfg.Discord.APIURL,
		GuildID:      cfg.Discord.GuildID,
		AutoChannels: cfg.Discord.AutoChannels,
		ShardID:      cfg.Discord.ShardID,
		ShardCount:   cfg.Discord.ShardCount,
		Logger:       d.log,
	}, h)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	return d, nil
}

// warnUnsupported says which configured scale-out features this build
// does not serve, so nobody relies on them by mistake.
func warnUnsupported(cfg Config, log *slog.Logger) {
	if cfg.HTTP.Listen != "" {
		log.Warn("http.listen is set but this build serves no HTTP endpoint yet")
	}
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
