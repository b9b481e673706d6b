// Package bot is Linkbrief's Discord edge and the only importer of
// discordgo: it opens the gateway, turns events into commands.Event values,
// and for each asks commands for a Plan at receipt, then claims it in the
// reply ledger and enqueues it in one step (Queue.Accept: one transaction
// with River); the job runs the Plan (commands.Handler.Run) and
// sends the commands.Reply values it gets back over REST (always with
// allowed_mentions {"parse": []}), starts threads and closes the event in
// the ledger. It also registers the application commands and shuts down
// cleanly.
//
// main wires it like this:
//
//	h := commands.New(service, st, commands.Options{
//		UserPerMinute: cfg.Limits.UserPerMinute, GuildPerHour: cfg.Limits.GuildPerHour,
//		GuildDailyTokens: cfg.Limits.GuildDailyTokens, Logger: log,
//	})
//	b, err := bot.New(bot.Options{
//		Token: cfg.Discord.Token.Reveal(), APIURL: cfg.Discord.APIURL, GuildID: cfg.Discord.GuildID,
//		AutoChannels: cfg.Discord.AutoChannels, ShardID: cfg.Discord.ShardID,
//		ShardCount: cfg.Discord.ShardCount, Queue: q, Durable: true, Logger: log,
//	}, h)
//	if err != nil { ... }
//	err = b.Run(ctx) // linkbrief run: until ctx is cancelled (SIGINT/SIGTERM)
//
// and linkbrief commands register, which needs neither handler nor queue:
//
//	err := bot.RegisterCommands(ctx, bot.Options{Token: ..., APIURL: ..., GuildID: ...})
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/linkbrief/linkbrief/commands"
)

// DefaultAPIURL is Discord's REST base, the default of discord.api_url.
const DefaultAPIURL = "https://discord.com/api/v9/"

// Options configures a Bot; the zero value of each optional field means the
// default noted.
type Options struct {
	// Token is the bot token, without the "Bot " prefix. Required.
	Token string
	// APIURL is the REST base every call goes to: Discord's by default
	// (DefaultAPIURL), a REST proxy, or a local fake in tests. Paths are
	// appended to it as they follow /api/v9/ on Discord. The redirection
	// is done by this session's HTTP transport, not by rewriting
	// discordgo's process-wide endpoint variables, so bots aimed at
	// different servers can run side by side.
	APIURL string
	// GuildID, when set, registers the commands in that guild only
	// instead of globally.
	GuildID string
	// AutoChannels are channel IDs where auto mode is on from the start.
	AutoChannels []string
	// ShardID and ShardCount select this process's shard; default 0 of 1.
	ShardID, ShardCount int
	// Logger receives the bot's log lines; default discards.
	Logger *slog.Logger
	// EventTimeout bounds the handling of one event; default 5 minutes
	// (interaction tokens last 15).
	EventTimeout time.Duration
	// ShutdownGrace is how long in-flight work may finish after shutdown
	// begins before it is cancelled; default 7 seconds, so that the
	// process exits within Discord's and orchestrators' usual 10.
	ShutdownGrace time.Duration
	// Queue claims each event in the reply ledger at receipt and runs the
	// slow part as a job (Accept). Required: an in-process queue.Pool
	// whose Options.Ledger is the store, or a shared River queue
	// (queue.OpenRiverPostgres, in the store's database) that
	// lets another process answer an event this one received, or rescue it
	// after a crash. The Bot starts and stops it; the caller closes it
	// after Run returns.
	Queue Queue
	// Durable says the Queue keeps jobs beyond this process (River): a job
	// interrupted by a shutdown goes back to it for a live process, and a
	// job whose replies were sent in part is retried for the rest. With
	// an in-process queue (false) such a job answers as best it can now.
	Durable bool
	// Reaction is the emoji (a Unicode emoji such as "🔍", or a custom
	// emoji's name) with which reacting to a message summarizes its links
	// for the person who reacted; "" turns the trigger off.
	Reaction string
	// WrapTransport, when set, wraps the HTTP transport of every REST
	// call, for example to count Discord's 429 answers; it receives
	// http.DefaultTransport.
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// Bot is a running Discord bot: one gateway session for its shard.
type Bot struct {
	opts Options
	h    *commands.Handler
	log  *slog.Logger
	s    *discordgo.Session
	auto map[string]bool
	q    Queue

	// work is the parent of every event's context; cancelling it aborts
	// in-flight work at the end of the shutdown grace.
	work       context.Context
	cancelWork context.CancelFunc

	mu      sync.Mutex
	closing bool
	wg      sync.WaitGroup

	intakeSem chan struct{} // bounds the events being received at once
}

// New returns a Bot that handles events with h and runs their jobs in
// Options.Queue. It does not connect; Run does.
func New(opts Options, h *commands.Handler) (*Bot, error) {
	if h == nil {
		return nil, errors.New("bot: no command handler")
	}
	if opts.Queue == nil {
		return nil, errors.New("bot: no job queue")
	}
	if opts.ShardCount <= 0 {
		opts.ShardCount = 1
	}
	if opts.ShardID < 0 || opts.ShardID >= opts.ShardCount {
		return nil, fmt.Errorf("bot: shard %d is not in 0..%d", opts.ShardID, opts.ShardCount-1)
	}
	if opts.EventTimeout <= 0 {
		opts.EventTimeout = 5 * time.Minute
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 7 * time.Second
	}
	s, opts, log, err := newSession(opts)
	if err != nil {
		return nil, err
	}
	s.Identify.Intents = intents
	if opts.Reaction != "" {
		s.Identify.Intents |= discordgo.IntentsGuildMessageReactions
	}
	s.ShardID, s.ShardCount = opts.ShardID, opts.ShardCount
	s.StateEnabled = true

	b := &Bot{opts: opts, h: h, log: log, s: s, q: opts.Queue, auto: map[string]bool{}}
	for _, c := range opts.AutoChannels {
		b.auto[c] = true
	}
	b.work, b.cancelWork = context.WithCancel(context.Background())
	// Events are received through a bounded intake: discordgo calls the
	// handlers from the gateway's reading goroutine (SyncEvents), and each
	// event runs in its own goroutine once one of intakeSlots is free. A
	// burst then waits in the socket, which is Discord's own backpressure,
	// instead of piling up as goroutines and memory.
	s.SyncEvents = true
	b.intakeSem = make(chan struct{}, intakeSlots)
	s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
		b.intake(func() { b.onMessageCreate(s, m) })
	})
	if opts.Reaction != "" {
		s.AddHandler(func(s *discordgo.Session, r *discordgo.MessageReactionAdd) {
			b.intake(func() { b.onReactionAdd(r) })
		})
	}
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		b.intake(func() { b.onInteractionCreate(s, ic) })
	})
	s.AddHandler(b.onDisconnect)
	s.AddHandler(b.onResumed)
	return b, nil
}

// newSession returns a discordgo session for opts' token whose REST calls
// go to opts.APIURL through the bot's rate limiter, with opts' defaults
// filled in and the logger to use.
func newSession(opts Options) (*discordgo.Session, Options, *slog.Logger, error) {
	opts.Token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(opts.Token), "Bot "))
	if opts.Token == "" {
		return nil, opts, nil, errors.New("bot: no Discord bot token (set discord.token or LINKBRIEF_DISCORD_TOKEN)")
	}
	if opts.APIURL == "" {
		opts.APIURL = DefaultAPIURL
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var next http.RoundTripper = http.DefaultTransport
	if opts.WrapTransport != nil {
		next = opts.WrapTransport(next)
	}
	rt, err := newRewriter(opts.APIURL, next)
	if err != nil {
		return nil, opts, nil, err
	}
	s, err := discordgo.New("Bot " + opts.Token)
	if err != nil {
		return nil, opts, nil, fmt.Errorf("bot: %w", err)
	}
	// The limiter waits out rate limits and retries server errors within
	// each request's context (see ratelimit.go); discordgo's own waits
	// ignore contexts, so they are turned off.
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: newLimiter(rt)}
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.LogLevel = discordgo.LogWarning
	return s, opts, log, nil
}

// intakeSlots bounds the events being received at once (claimed in the
// ledger, acknowledged, enqueued); the slow work runs in the queue.
const intakeSlots = 64

// intake runs fn in its own goroutine once an intake slot is free,
// blocking the caller (the gateway's reader) until one is.
func (b *Bot) intake(fn func()) {
	b.intakeSem <- struct{}{}
	go func() {
		defer func() { <-b.intakeSem }()
		fn()
	}()
}

// intents are what the bot asks for: guilds (channels and threads in the
// state), guild messages (auto mode and follow-ups) and message content
// (privileged: without it message text arrives empty).
const intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent

// Run connects to the gateway, registers the commands and handles events
// until ctx is cancelled; then it stops taking events, lets in-flight work
// finish for the shutdown grace, cancels what is left, closes the gateway
// and returns nil. A Bot runs once.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.startQueue(); err != nil {
		b.cancelWork()
		return err
	}
	if err := b.open(); err != nil {
		b.stopQueue(time.Now())
		b.cancelWork()
		return err
	}
	if err := b.register(ctx, b.appID()); err != nil {
		b.log.Error("bot: registering the commands failed; the ones registered before stay", "err", redact(err))
	}
	b.log.Info("bot: connected", "user", b.userName(), "shard", b.opts.ShardID, "shards", b.opts.ShardCount)
	<-ctx.Done()
	b.shutdown()
	return nil
}

// open opens the gateway. When Discord refuses the Message Content intent
// (close 4014, not enabled for the application), it says so once and runs
// without it: slash and context-menu commands still work, auto mode and
// follow-up messages cannot.
func (b *Bot) open() error {
	err := b.s.Open()
	if err != nil && strings.Contains(err.Error(), "4014") {
		b.log.Error("bot: Discord refused the Message Content intent (close 4014): enable it for this application in the Developer Portal (Bot > Privileged Gateway Intents); running without auto mode and thread follow-ups until then")
		b.s.Identify.Intents &^= discordgo.IntentsMessageContent
		err = b.s.Open()
	}
	if err != nil {
		return fmt.Errorf("bot: connecting to the Discord gateway: %w", err)
	}
	return nil
}

// shutdown stops intake, waits for in-flight work for the grace period,
// cancels the rest and closes the gateway.
func (b *Bot) shutdown() {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	b.log.Info("bot: shutting down")
	done := make(chan struct{})
	deadline := time.Now().Add(b.opts.ShutdownGrace)
	go func() {
		b.wg.Wait()           // receipts: claims and enqueues
		b.stopQueue(deadline) // jobs, cancelled at the deadline
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(b.opts.ShutdownGrace):
		b.log.Warn("bot: cancelling work still in flight after the shutdown grace", "grace", b.opts.ShutdownGrace)
		b.cancelWork()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			b.log.Error("bot: in-flight work did not stop after cancellation")
		}
	}
	b.cancelWork()
	// discordgo v0.29.0 reconnects when a heartbeat races Close (the write
	// fails on the closing socket), leaving a live session after Run
	// returns; no reconnecting once we close. Set under the session's lock,
	// which Close takes before the heartbeat can see the closed socket.
	b.s.Lock()
	b.s.ShouldReconnectOnError = false
	b.s.Unlock()
	if err := b.s.Close(); err != nil {
		b.log.Warn("bot: closing the gateway", "err", redact(err))
	}
	b.log.Info("bot: stopped")
}

// begin registers one in-flight event; it reports false once shutdown has
// begun, when the event must be dropped.
func (b *Bot) begin() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return false
	}
	b.wg.Add(1)
	return true
}

// RegisterCommands registers Linkbrief's commands by bulk overwrite, in
// opts.GuildID or globally, over REST alone: of opts it uses Token,
// APIURL, GuildID, Logger and WrapTransport, and needs no handler, queue
// or gateway (linkbrief commands register).
func RegisterCommands(ctx context.Context, opts Options) error {
	s, opts, log, err := newSession(opts)
	if err != nil {
		return err
	}
	b := &Bot{opts: opts, log: log, s: s}
	return b.register(ctx, "")
}

// registerError says why a registration step failed. Discord's refusals
// are named in words ("the bot token was refused") rather than by its
// raw answer; network errors keep their detail (the address dialed).
func registerError(step string, err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		return fmt.Errorf("bot: %s: %s", step, reason(err))
	}
	return fmt.Errorf("bot: %s: %w", step, err)
}

// register bulk-overwrites the commands of application appID.
func (b *Bot) register(ctx context.Context, appID string) error {
	if appID == "" {
		app, err := b.s.Application("@me")
		if err != nil {
			return registerError("looking up the application", err)
		}
		appID = app.ID
	}
	cmds := applicationCommands(commands.Definitions())
	got, err := b.s.ApplicationCommandBulkOverwrite(appID, b.opts.GuildID, cmds, discordgo.WithContext(ctx))
	if err != nil {
		return registerError("registering commands", err)
	}
	scope := "globally"
	if b.opts.GuildID != "" {
		scope = "in guild " + b.opts.GuildID
	}
	b.log.Info("bot: commands registered", "count", len(got), "scope", scope)
	return nil
}

// appID is the application's ID from READY, or "" when unknown.
func (b *Bot) appID() string {
	if b.s.State == nil {
		return ""
	}
	b.s.State.RLock()
	defer b.s.State.RUnlock()
	if b.s.State.Application != nil {
		return b.s.State.Application.ID
	}
	return ""
}

func (b *Bot) userName() string {
	if b.s.State == nil {
		return ""
	}
	b.s.State.RLock()
	defer b.s.State.RUnlock()
	if b.s.State.User != nil {
		return b.s.State.User.Username
	}
	return ""
}

// botUserID is the bot's own user ID, or "".
func (b *Bot) botUserID() string {
	if b.s.State == nil {
		return ""
	}
	b.s.State.RLock()
	defer b.s.State.RUnlock()
	if b.s.State.User != nil {
		return b.s.State.User.ID
	}
	return ""
}

// isThread reports whether the channel is a thread, as far as the state
// knows.
func (b *Bot) isThread(channelID string) bool {
	if b.s.State == nil {
		return false
	}
	c, err := b.s.State.Channel(channelID)
	return err == nil && c.IsThread()
}

// autoChannel reports whether the configuration opts the channel into
// auto mode.
func (b *Bot) autoChannel(channelID string) bool {
	return b.auto[channelID]
}

// applicationCommands converts the definitions to discordgo's form. Every
// command is for servers only.
func applicationCommands(defs []commands.Definition) []*discordgo.ApplicationCommand {
	no := false
	out := make([]*discordgo.ApplicationCommand, 0, len(defs))
	for _, d := range defs {
		c := &discordgo.ApplicationCommand{
			Type:         discordgo.ApplicationCommandType(d.Kind),
			Name:         d.Name,
			Description:  d.Description,
			DMPermission: &no,
			Contexts:     &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
			Options:      commandOptions(d.Options),
		}
		if d.Permissions != 0 {
			p := d.Permissions
			c.DefaultMemberPermissions = &p
		}
		out = append(out, c)
	}
	return out
}

func commandOptions(opts []commands.OptionDef) []*discordgo.ApplicationCommandOption {
	if len(opts) == 0 {
		return nil
	}
	out := make([]*discordgo.ApplicationCommandOption, 0, len(opts))
	for _, o := range opts {
		co := &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionType(o.Type),
			Name:        o.Name,
			Description: o.Description,
			Required:    o.Required,
			MaxLength:   o.MaxLength,
			Options:     commandOptions(o.Options),
		}
		if o.Type == commands.OptionChannel {
			co.ChannelTypes = []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews}
		}
		out = append(out, co)
	}
	return out
}

// safeMentions is the allowed_mentions of every message Linkbrief sends:
// nothing pings, not even the author of the message replied to. The empty
// (non-nil) slice makes it serialize as "parse":[]; a nil one would send
// null, which Discord reads as its defaults.
func safeMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, RepliedUser: false}
}

// embeds converts rendered embeds to discordgo's form.
func embeds(es []commands.Embed) []*discordgo.MessageEmbed {
	out := make([]*discordgo.MessageEmbed, 0, len(es))
	for _, e := range es {
		me := &discordgo.MessageEmbed{
			Type: discordgo.EmbedTypeRich, Title: e.Title, URL: e.URL, Description: e.Description,
			Color: 0x5865F2,
		}
		for _, f := range e.Fields {
			me.Fields = append(me.Fields, &discordgo.MessageEmbedField{Name: f.Name, Value: f.Value})
		}
		if e.Footer != "" {
			me.Footer = &discordgo.MessageEmbedFooter{Text: e.Footer}
		}
		out = append(out, me)
	}
	return out
}

// threadAlreadyExists is Discord's error code for a second thread on one
// message; the thread then has the message's ID.
const threadAlreadyExists = 160004

// startThread starts a public thread on message messageID and records it.
func (b *Bot) startThread(ctx context.Context, guildID, channelID, messageID string, t *commands.Thread) {
	// A thread started on a message has the message's ID: it is recorded
	// first, so a question asked the moment it appears finds it.
	if err := b.h.ThreadStarted(ctx, guildID, channelID, messageID, messageID, t); err != nil {
		b.log.Error("bot: recording a thread failed", "thread", messageID, "err", redact(err))
	}
	th, err := b.s.MessageThreadStartComplex(channelID, messageID, &discordgo.ThreadStart{
		Name: commands.ThreadName(t.Name, t.URL), AutoArchiveDuration: 1440,
	}, discordgo.WithContext(ctx))
	switch {
	case err == nil && th.ID != messageID:
		// Not as documented; record the ID Discord gave too.
		if err := b.h.ThreadStarted(ctx, guildID, channelID, messageID, th.ID, t); err != nil {
			b.log.Error("bot: recording a thread failed", "thread", th.ID, "err", redact(err))
		}
	case err == nil, restCode(err) == threadAlreadyExists:
	default:
		b.log.Warn("bot: starting a thread failed", "channel", channelID, "message", messageID, "reason", reason(err), "err", redact(err))
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := b.h.ThreadFailed(fctx, messageID); err != nil {
			b.log.Error("bot: forgetting a thread failed", "thread", messageID, "err", redact(err))
		}
		cancel()
	}
}

// restCode returns the Discord JSON error code of a REST error, or 0.
func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// finish closes an event in the reply ledger, even when the event's own
// context has ended.
func (b *Bot) finish(ctx context.Context, eventID, replyID string) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := b.h.Finish(fctx, eventID, replyID); err != nil {
		b.log.Error("bot: closing an event in the reply ledger failed", "event", eventID, "err", redact(err))
	}
}
