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
	b, st, log, err := newBot(ctx, e, *configPath, "")
	if err != nil {
		return err
	}
	defer st.Close()

	janitorCtx, stopJanitor := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		janitor(janitorCtx, st, log)
	}()
	defer func() { stopJanitor(); <-done }()

	log.Info("linkbrief starting", "version", version)
	if err := b.Run(ctx); err != nil {
		return err
	}
	log.Info("linkbrief stopped")
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
	b, st, log, err := newBot(ctx, e, *configPath, *guild)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := b.RegisterCommands(ctx); err != nil {
		return err
	}
	where := "globally"
	if *guild != "" {
		where = "in server " + *guild
	}
	log.Info("commands registered", "where", where)
	fmt.Fprintln(e.stdout, "linkbrief: commands registered", where)
	return nil
}

// newBot loads the config and wires store, pipeline, commands and bot.
func newBot(ctx context.Context, e *env, configPath, guild string) (*bot.Bot, store.Store, *slog.Logger, error) {
	cfg, err := loadConfig(configPath, e.getenv)
	if err != nil {
		return nil, nil, nil, err
	}
	if cfg.Discord.Token == "" {
		return nil, nil, nil, fmt.Errorf("%w: discord.token: no bot token; set LINKBRIEF_DISCORD_TOKEN (or use linkbrief summarize without Discord)", errConfig)
	}
	if guild != "" {
		cfg.Discord.GuildID = guild
	}
	log := newLogger(e.stderr, slog.LevelInfo)
	warnUnsupported(cfg, log)
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cannot open the store: %w", err)
	}
	svc, err := newService(cfg, st, "", log)
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	h := commands.New(svc, st, commands.Options{
		UserPerMinute:    cfg.Limits.UserPerMinute,
		GuildPerHour:     cfg.Limits.GuildPerHour,
		GuildDailyTokens: cfg.Limits.GuildDailyTokens,
		Logger:           log,
	})
	b, err := bot.New(bot.Options{
		Token:        cfg.Discord.Token.Reveal(),
		APIURL:       cfg.Discord.APIURL,
		GuildID:      cfg.Discord.GuildID,
		AutoChannels: cfg.Discord.AutoChannels,
		ShardID:      cfg.Discord.ShardID,
		ShardCount:   cfg.Discord.ShardCount,
		Logger:       log,
	}, h)
	if err != nil {
		st.Close()
		return nil, nil, nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	return b, st, log, nil
}

// warnUnsupported says which configured scale-out features this build
// does not serve, so nobody relies on them by mistake.
func warnUnsupported(cfg Config, log *slog.Logger) {
	if cfg.Limits.RedisURL != "" {
		log.Warn("limits.redis_url is set but this build keeps limits in the process and the store")
	}
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
