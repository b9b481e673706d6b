// Package commands is what Linkbrief does in Discord, free of Discord
// types: the slash and context-menu commands as data, finding links in a
// message, auto mode, follow-up questions in threads, guild settings, rate
// limits and token budgets, rendering a Brief within Discord's limits, and
// turning errors into one friendly sentence with an error ID.
//
// The bot package turns gateway events into Event values, asks the Handler
// for a Plan at receipt, claims the event in the reply ledger and runs the
// Plan in a job (Run), sends the returned Reply values and reports back
// what it sent (ThreadStarted, RecordSent, Finish). Nothing here talks to
// Discord.
package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize"
)

// Summarizer produces briefs and answers; *summarize.Service is the real
// one.
type Summarizer interface {
	Summarize(ctx context.Context, rawURL string, req summarize.Request) (*summarize.Brief, error)
	Ask(ctx context.Context, rawURL, question string) (*summarize.Answer, error)
	// Estimate and EstimateAnswer return what a brief of a page, or an
	// answer about it, will likely cost in language-model tokens.
	Estimate(ctx context.Context, rawURL string, req summarize.Request) (int64, error)
	EstimateAnswer(ctx context.Context, rawURL string) (int64, error)
}

// Limiter is the one rule of the limits and the budget: reserve before
// the work, settle when it made a new brief, refund when it did not;
// store.DB (SQLite or PostgreSQL), store.Redis and store.MemoryLimiter
// are real ones.
type Limiter interface {
	Reserve(ctx context.Context, q store.Quota) (store.Hold, error)
	Settle(ctx context.Context, h store.Hold, tokens int64) error
	Refund(ctx context.Context, h store.Hold) error
	Counts(ctx context.Context, q store.Quota) (store.Counts, error)
}

var _ Limiter = (*store.MemoryLimiter)(nil)

// Claims is a lock with expiry shared by every process of a deployment:
// the claim of one event on a page in a server, so that the page gets one
// brief and one thread there however many post it at once.
// store.DB (SQLite or PostgreSQL) and store.Redis are real ones.
type Claims interface {
	AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, key, owner string) error
}

// Store is the part of the store the commands need; *store.DB is the
// real one.
type Store interface {
	GuildSettings(ctx context.Context, guildID string) (store.GuildSettings, error)
	SetAutoChannel(ctx context.Context, guildID, channelID string, enabled bool) error
	SetLanguage(ctx context.Context, guildID, lang string) error
	PutThread(ctx context.Context, t store.Thread) error
	DeleteThread(ctx context.Context, threadID string) error
	Thread(ctx context.Context, threadID string) (store.Thread, error)
	RecentThread(ctx context.Context, guildID, url string, since time.Time) (store.Thread, error)
	ClaimEvent(ctx context.Context, eventID string) (bool, error)
	FinishEvent(ctx context.Context, eventID, replyID string) error
	ReleaseEvent(ctx context.Context, eventID string) error
	EventFinished(ctx context.Context, eventID string) (bool, error)
	EventReply(ctx context.Context, eventID string) (string, error)
	AddUsage(ctx context.Context, guildID string, day time.Time, briefs, tokens int64) error
	Usage(ctx context.Context, guildID string, day time.Time) (store.Usage, error)
}

var _ Store = store.Store(nil)

// Options tunes a Handler; the zero value of each field means the default
// noted.
type Options struct {
	// UserPerMinute caps the new briefs one user may ask for in any 60
	// seconds (cache hits and refusals do not count); 0 means no limit.
	UserPerMinute int
	// GuildPerHour caps the new briefs of one server in any hour; 0 means
	// no limit.
	GuildPerHour int
	// GuildDailyTokens is each server's language-model token budget per
	// UTC day; 0 means no budget.
	GuildDailyTokens int64
	// MaxLinksPerMessage caps the links summarized from one message;
	// default 3.
	MaxLinksPerMessage int
	// RepeatWindow is how far back a link already summarized in the same
	// server gets the short "already summarized" notice; default 7 days.
	RepeatWindow time.Duration
	// Limits keeps the counts of UserPerMinute, GuildPerHour and
	// GuildDailyTokens: Redis or the store, shared by every process of the
	// deployment; default a store.MemoryLimiter of this process alone.
	Limits Limiter
	// Claims keeps the pages being summarized in each server; default
	// the Store when it implements Claims, else no claims (a link posted
	// by several people at once may then get several briefs).
	Claims Claims
	// Logger receives one line per failure with its error ID; default
	// discards.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Canonical names the one URL every form of a link maps to, for the
	// "already summarized" notice: summarize.Service.Canonical, which
	// knows that youtu.be/ID and a Reddit thread's long and short links
	// are one item; default summarize.CanonicalURL.
	Canonical func(rawURL string) (string, error)
}

// Handler decides what the bot does with each event. It is safe for
// concurrent use.
type Handler struct {
	sum    Summarizer
	st     Store
	opts   Options
	log    *slog.Logger
	limits Limiter
	claims Claims
}

// New returns a Handler that summarizes with sum and keeps its state in
// st.
func New(sum Summarizer, st Store, opts Options) *Handler {
	if opts.MaxLinksPerMessage <= 0 {
		opts.MaxLinksPerMessage = 3
	}
	if opts.RepeatWindow <= 0 {
		opts.RepeatWindow = 7 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Canonical == nil {
		opts.Canonical = summarize.CanonicalURL
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	limits := opts.Limits
	if limits == nil {
		limits = store.NewMemoryLimiter(opts.Now)
	}
	claims := opts.Claims
	if c, ok := st.(Claims); ok && claims == nil {
		claims = c
	}
	return &Handler{sum: sum, st: st, opts: opts, log: log, limits: limits, claims: claims}
}

// Message is a message posted in a server, as the bot saw it.
type Message struct {
	// ID, ChannelID and GuildID are Discord snowflakes.
	ID, ChannelID, GuildID string
	// AuthorID is the user who posted it.
	AuthorID string
	// Bot is true when the author is a bot (including Linkbrief itself);
	// Webhook when a webhook posted it. Both are ignored.
	Bot, Webhook bool
	// Content is the message text (empty without the Message Content
	// intent).
	Content string
	// AutoChannel is true when the configuration (discord.auto_channels)
	// opts the channel into auto mode; admins can add channels with
	// /linkbrief auto.
	AutoChannel bool
	// InThread is true when the channel is a thread, where no new thread
	// can be started.
	InThread bool
	// Attachments are the message's files; its PDF, text and HTML files
	// count as links.
	Attachments []Attachment
}

// Response is what the bot should send for one event, in order: what Run
// returns.
type Response struct {
	// EventID keys the reply ledger; the bot passes it to Finish.
	EventID string
	// Replies are sent in order: for a message, each as a reply to it;
	// for an interaction, the first edits the deferred response and the
	// others are follow-ups.
	Replies []Reply
	// Retry, when positive, says a brief is still being made (by another
	// request, here or in another process) and the event should be
	// handled again after Retry; Replies is then empty, so nothing is
	// sent twice.
	Retry time.Duration
}

// Reply is one message to send.
type Reply struct {
	// Content is plain text, at most 2000 characters, mentions
	// neutralized.
	Content string
	// Embeds are rendered within Discord's limits.
	Embeds []Embed
	// Ephemeral replies are seen only by the user who asked.
	Ephemeral bool
	// Thread, when set, asks the bot to start a thread on the sent
	// message and then report it with ThreadStarted.
	Thread *Thread
}

// Thread asks for a thread on a sent reply, for follow-up questions about
// one article.
type Thread struct {
	// Name is the thread name, 1 to 100 characters.
	Name string
	// URL is the canonical URL of the article; Title its title.
	URL, Title string
}

// Embed is a Discord embed, already within Discord's limits.
type Embed struct {
	Title, URL, Description string
	Fields                  []Field
	Footer                  string
}

// Field is a name and value pair of an Embed.
type Field struct {
	Name, Value string
}

// ThreadFailed forgets the record of a thread that could not be started
// after all (ThreadStarted recorded it first).
func (h *Handler) ThreadFailed(ctx context.Context, threadID string) error {
	if err := h.st.DeleteThread(ctx, threadID); err != nil {
		return fmt.Errorf("commands: forgetting thread %s: %w", threadID, err)
	}
	return nil
}

// ThreadStarted records a thread the bot starts for a Reply's Thread, so
// that messages in it are answered from its article. The bot calls it
// before starting the thread, under the ID the thread will have (a thread
// started on a message has that message's ID), so a question asked the
// moment the thread appears is already answered.
func (h *Handler) ThreadStarted(ctx context.Context, guildID, channelID, messageID, threadID string, t *Thread) error {
	if t == nil {
		return errors.New("commands: no thread to record")
	}
	err := h.st.PutThread(ctx, store.Thread{
		ThreadID: threadID, GuildID: guildID, ChannelID: channelID, MessageID: messageID,
		URL: t.URL, Title: t.Title, CreatedAt: h.opts.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("commands: recording thread %s: %w", threadID, err)
	}
	return nil
}

// replyKey is the ledger key of reply n of an event.
func replyKey(eventID string, n int) string { return fmt.Sprintf("%s#%d", eventID, n) }

// Sent returns the message ID of reply n of an event when an earlier run
// of its job already sent it, so a rescued or retried job sends only
// what is missing. A ledger failure is logged and reported as not sent.
func (h *Handler) Sent(ctx context.Context, eventID string, n int) (string, bool) {
	id, err := h.st.EventReply(ctx, replyKey(eventID, n))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			h.log.Warn("commands: reply ledger unavailable", "event", eventID, "err", err)
		}
		return "", false
	}
	return id, true
}

// RecordSent records that reply n of an event was sent as messageID.
func (h *Handler) RecordSent(ctx context.Context, eventID string, n int, messageID string) {
	key := replyKey(eventID, n)
	if _, err := h.st.ClaimEvent(ctx, key); err != nil {
		h.log.Warn("commands: recording a reply failed", "event", eventID, "err", err)
		return
	}
	if err := h.st.FinishEvent(ctx, key, messageID); err != nil {
		h.log.Warn("commands: recording a reply failed", "event", eventID, "err", err)
	}
}

// Finish closes an event in the reply ledger: with the ID of the first
// message sent when something was sent, or releasing the event so a
// redelivery can try again when nothing could be sent (replyID "").
func (h *Handler) Finish(ctx context.Context, eventID, replyID string) error {
	if eventID == "" {
		return nil
	}
	var err error
	if replyID == "" {
		err = h.st.ReleaseEvent(ctx, eventID)
	} else {
		err = h.st.FinishEvent(ctx, eventID, replyID)
	}
	if err != nil {
		return fmt.Errorf("commands: closing event %s: %w", eventID, err)
	}
	return nil
}

// settings returns a guild's settings; a guild never configured has the
// zero settings.
func (h *Handler) settings(ctx context.Context, guildID string) (store.GuildSettings, error) {
	s, err := h.st.GuildSettings(ctx, guildID)
	if errors.Is(err, store.ErrNotFound) {
		return store.GuildSettings{GuildID: guildID}, nil
	}
	if err != nil {
		return store.GuildSettings{}, fmt.Errorf("commands: guild settings: %w", err)
	}
	return s, nil
}
