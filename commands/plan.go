package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/linkbrief/linkbrief/store"
)

// The bot and the commands meet in two calls. At receipt, in the process
// that got the event, Plan decides once, cheaply, what the event asks for
// (a thread or a guild's settings looked up, links found, the limits'
// counts read for an interaction's first response) and returns it as a
// Plan: a plain value the bot accepts (its queue claims the event in the
// reply ledger and adds the job carrying the Plan, in one transaction). In the job, in any process and again after a crash, Run does the
// slow work the Plan names and returns the replies. Nothing is decided
// twice; nothing here talks to Discord.

// Event is one thing that happened in Discord, as the bot saw it: exactly
// one of its fields is set.
type Event struct {
	// Message is a message posted in a server: auto mode in opted-in
	// channels, a question in a Linkbrief thread.
	Message *Message
	// Reaction is the summary emoji added to a message.
	Reaction *Reaction
	// Interaction is an application command a member used.
	Interaction *Interaction
	// Received is when the bot got the event, by the clock the bot will
	// check an interaction token's age with; zero means now, by the
	// Handler's clock (Options.Now).
	Received time.Time
}

// Reaction is the summary emoji (discord.reaction) added to a message: its
// links are summarized for the person who reacted, whose limits count,
// wherever and by whomever the message was posted. It shares the message's
// event, so the message gets one reply however many react, and none more
// when auto mode answered it.
type Reaction struct {
	// Message is the message reacted to.
	Message Message
	// UserID is the person who reacted.
	UserID string
}

// Plan is what Linkbrief will do for one event, decided at receipt: a
// plain value that survives JSON, so that the job carrying it may run in
// any process. Exactly one of Say, Question, Setting and Links says what
// to do; the other fields say for whom and where the replies go.
type Plan struct {
	// EventID keys the reply ledger: "m" and a message ID (a reaction
	// shares its message's), or "i" and an interaction ID.
	EventID string `json:"event_id"`
	// GuildID and ChannelID are where the event happened; UserID is the
	// person whose limits count (the author, the one who reacted, the one
	// who used the command).
	GuildID   string `json:"guild_id"`
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id"`
	// MessageID is the message the replies answer, for messages and
	// reactions; "" for an interaction, whose replies go through Callback.
	MessageID string `json:"message_id,omitempty"`
	// Callback is what replying to an interaction needs; nil for messages.
	Callback *Callback `json:"callback,omitempty"`
	// InThread is true when the channel is a thread, where no new thread
	// can be started.
	InThread bool `json:"in_thread,omitempty"`
	// Ephemeral replies are seen only by the person who asked; an
	// interaction is acknowledged ephemeral from its first response.
	Ephemeral bool `json:"ephemeral,omitempty"`
	// Received is when the event arrived: an interaction's token dies 15
	// minutes later.
	Received time.Time `json:"received"`

	// Say is a reply decided at receipt: a refusal known in advance, a
	// hint about how to use a command.
	Say string `json:"say,omitempty"`
	// Question is a question about the article of a Linkbrief thread.
	Question *Question `json:"question,omitempty"`
	// Setting is a /linkbrief subcommand, its options checked.
	Setting *Setting `json:"setting,omitempty"`
	// Links are the links to summarize, one reply each.
	Links []string `json:"links,omitempty"`
	// Repeats answers a link summarized in this server recently with the
	// short "already summarized" notice, claims each page in the server
	// while its brief is made, and passes quietly over links of a site
	// turned off: for links nobody typed a command for (auto mode, a
	// reaction).
	Repeats bool `json:"repeats,omitempty"`
}

// Callback is what the replies to an interaction need: the interaction's
// ID, its application's ID and its token, valid 15 minutes after the
// interaction arrived. The token never appears in logs.
type Callback struct {
	ID    string `json:"id"`
	AppID string `json:"app_id"`
	Token string `json:"token"`
	// ViaHTTP is true when the interaction came to the HTTP endpoint and
	// was acknowledged in the HTTP response, which Discord may record a
	// moment after the work is done.
	ViaHTTP bool `json:"via_http,omitempty"`
}

// LogValue shows a Callback without its token.
func (c Callback) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.String("app_id", c.AppID), slog.Bool("via_http", c.ViaHTTP))
}

// Question is a question asked about the article of a Linkbrief thread.
type Question struct {
	// Text is the question, neutralized.
	Text string `json:"text"`
	// ThreadID is the thread; URL the canonical URL of its article.
	ThreadID string `json:"thread_id"`
	URL      string `json:"url"`
}

// Setting is a /linkbrief subcommand whose permission and options were
// checked at receipt.
type Setting struct {
	// Name is SubAuto, SubLanguage or SubUsage.
	Name string `json:"name"`
	// Enabled and Channel are /linkbrief auto's: auto mode on or off in
	// that channel.
	Enabled bool   `json:"enabled,omitempty"`
	Channel string `json:"channel,omitempty"`
	// Language is /linkbrief language's code; "" means each article's
	// own language.
	Language string `json:"language,omitempty"`
}

// Plan decides what an event asks for. It reports false when the event
// needs no reply (a message in a channel not in auto mode, without links,
// from a bot...). It reads the store (threads, guild settings) and the
// limits' counts, and fetches, summarizes and claims nothing: the bot's
// queue claims the Plan's event in the reply ledger with its job.
func (h *Handler) Plan(ctx context.Context, ev Event) (Plan, bool) {
	var (
		p  Plan
		ok bool
	)
	switch {
	case ev.Interaction != nil:
		p, ok = h.planInteraction(ctx, *ev.Interaction)
	case ev.Reaction != nil:
		p, ok = h.planReaction(*ev.Reaction)
	case ev.Message != nil:
		p, ok = h.planMessage(ctx, *ev.Message)
	}
	if !ok {
		return Plan{}, false
	}
	p.Received = ev.Received
	if p.Received.IsZero() {
		p.Received = h.opts.Now()
	}
	return p, true
}

// messagePlan is the start of the Plan of a message's event, the replies
// answering m and userID's limits counting.
func (h *Handler) messagePlan(m Message, userID string) Plan {
	return Plan{
		EventID: MessageEventID(m.ID), GuildID: m.GuildID, ChannelID: m.ChannelID, UserID: userID,
		MessageID: m.ID, InThread: m.InThread,
	}
}

// planMessage plans a message: a question in a Linkbrief thread, or the
// links of a message in an auto-mode channel.
func (h *Handler) planMessage(ctx context.Context, m Message) (Plan, bool) {
	if m.ID == "" || m.GuildID == "" || m.Bot || m.Webhook || (strings.TrimSpace(m.Content) == "" && len(m.Attachments) == 0) {
		return Plan{}, false
	}
	p := h.messagePlan(m, m.AuthorID)
	th, err := h.st.Thread(ctx, m.ChannelID)
	switch {
	case err == nil:
		q := clean(m.Content)
		if q == "" {
			return Plan{}, false
		}
		p.Question = &Question{Text: q, ThreadID: th.ThreadID, URL: th.URL}
		return p, true
	case !errors.Is(err, store.ErrNotFound):
		h.log.Warn("commands: thread lookup failed", "channel", m.ChannelID, "err", err)
		return Plan{}, false
	}
	if !m.AutoChannel {
		set, err := h.settings(ctx, m.GuildID)
		if err != nil {
			h.log.Warn("commands: guild settings lookup failed", "guild", m.GuildID, "err", err)
			return Plan{}, false
		}
		if !slices.Contains(set.AutoChannels, m.ChannelID) {
			return Plan{}, false
		}
	}
	p.Links = AutoMessageLinks(m.Content, m.Attachments, h.opts.MaxLinksPerMessage)
	p.Repeats = true
	return p, len(p.Links) > 0
}

// planReaction plans a reaction: every link of the message, as "Summarize
// links" finds them, for the person who reacted.
func (h *Handler) planReaction(r Reaction) (Plan, bool) {
	m := r.Message
	if m.ID == "" || m.GuildID == "" || r.UserID == "" {
		return Plan{}, false
	}
	p := h.messagePlan(m, r.UserID)
	p.Links = MessageLinks(m.Content, m.Attachments, h.opts.MaxLinksPerMessage)
	p.Repeats = true
	return p, len(p.Links) > 0
}

// Run does the work of a Plan and returns the replies to send: briefs,
// notices, answers, refusals, each error turned into one sentence with an
// error ID. The bot calls it in the job of an event it claimed, and sends
// what it returns. When a brief is still being made when ctx ends (by
// another request, here or in another process), the Response asks to be
// run again later (Retry) and carries no replies, so nothing is sent
// twice.
func (h *Handler) Run(ctx context.Context, p Plan) Response {
	resp := Response{EventID: p.EventID}
	r := request{
		eventID: p.EventID, guildID: p.GuildID, channelID: p.ChannelID, userID: p.UserID,
		ephemeral: p.Ephemeral, thread: !p.Ephemeral && !p.InThread, repeats: p.Repeats,
	}
	switch {
	case p.Say != "":
		resp.Replies = []Reply{{Ephemeral: p.Ephemeral, Content: p.Say}}
	case p.Question != nil:
		resp.Replies = []Reply{h.answer(ctx, r, *p.Question)}
	case p.Setting != nil:
		resp.Replies = []Reply{h.runSetting(ctx, r, *p.Setting)}
	default:
		for _, link := range p.Links {
			reply, pending := h.brief(ctx, r, link)
			if pending {
				return Response{EventID: p.EventID, Retry: RetryWait}
			}
			if reply.Content == "" && len(reply.Embeds) == 0 {
				continue // a link passed over quietly
			}
			resp.Replies = append(resp.Replies, reply)
		}
	}
	return resp
}

// MessageEventID is the reply ledger's event ID of a message: its
// replies share it whether auto mode or a reaction asked for them.
func MessageEventID(messageID string) string { return "m" + messageID }

// Answered reports whether the reply ledger shows an event answered, so
// that a job run again after its replies were sent (a rescue, a retry)
// sends nothing. A ledger failure is logged and reported as not answered:
// a rare duplicate beats a lost reply.
func (h *Handler) Answered(ctx context.Context, eventID string) bool {
	done, err := h.st.EventFinished(ctx, eventID)
	if err != nil {
		h.log.Warn("commands: reply ledger unavailable", "event", eventID, "err", err)
		return false
	}
	return done
}

// errNoSetting is the error of a Setting whose Name is none of the
// subcommands (a Plan made by a newer version).
var errNoSetting = errors.New("commands: unknown setting")

// runSetting carries out a /linkbrief subcommand checked at receipt.
func (h *Handler) runSetting(ctx context.Context, r request, s Setting) Reply {
	r.ephemeral = true
	var (
		err  error
		done string
	)
	switch s.Name {
	case SubAuto:
		err = h.st.SetAutoChannel(ctx, r.guildID, s.Channel, s.Enabled)
		done = fmt.Sprintf("Auto mode is off in <#%s>.", s.Channel)
		if s.Enabled {
			done = fmt.Sprintf("Auto mode is on in <#%s>: I will summarize links posted there.", s.Channel)
		}
	case SubLanguage:
		err = h.st.SetLanguage(ctx, r.guildID, s.Language)
		done = "Briefs are now written in each article's own language."
		if s.Language != "" {
			done = fmt.Sprintf("Briefs are now written in %s.", s.Language)
		}
	case SubUsage:
		done = h.usageText(ctx, r.guildID)
	default:
		err = errNoSetting
	}
	if err != nil {
		return h.fail(r, fmt.Errorf("commands: /linkbrief %s: %w", s.Name, err))
	}
	return Reply{Ephemeral: true, Content: Text(done)}
}
