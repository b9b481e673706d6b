package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/linkbrief/linkbrief/store"
)

// Command names as registered with Discord.
const (
	CmdSummarize   = "summarize"
	CmdAsk         = "ask"
	CmdLinkbrief   = "linkbrief"
	CmdSummarizeIn = "Summarize links" // the message context-menu command

	SubAuto     = "auto"
	SubLanguage = "language"
	SubUsage    = "usage"
)

// Discord permission bits the commands check.
const (
	PermAdministrator int64 = 1 << 3
	PermManageGuild   int64 = 1 << 5
)

// Interaction is an application command a member used, as the bot saw it.
type Interaction struct {
	// ID is the interaction's snowflake; it keys the reply ledger.
	ID string
	// GuildID is "" in direct messages, where Linkbrief does nothing.
	GuildID, ChannelID, UserID string
	// Permissions are the member's permissions in the channel, from the
	// payload.
	Permissions int64
	// InThread is true when the channel is a thread.
	InThread bool
	// Command is the command name (CmdSummarize, CmdSummarizeIn...);
	// Subcommand the /linkbrief subcommand.
	Command, Subcommand string
	// Options holds the options given: string options as string, boolean
	// options as bool, channel options as the channel ID string.
	Options map[string]any
	// TargetContent is the text of the message a context-menu command was
	// used on.
	TargetContent string
	// TargetAttachments are the files of that message.
	TargetAttachments []Attachment `json:",omitempty"`
}

func (in Interaction) str(name string) string {
	s, _ := in.Options[name].(string)
	return s
}

func (in Interaction) boolean(name string) (value, ok bool) {
	value, ok = in.Options[name].(bool)
	return value, ok
}

// Ack is the first response to an interaction, sent at once: a deferred
// response the Reply later edits.
type Ack struct {
	// Ephemeral deferred responses, and everything sent after them, are
	// seen only by the user.
	Ephemeral bool
}

// Ack decides how to acknowledge an interaction, reading no more than the
// limits' counts: private requests, settings, refusals known in advance
// (limits, no links, /ask outside a thread) are ephemeral from the first
// response.
func (h *Handler) Ack(ctx context.Context, in Interaction) Ack {
	if in.GuildID == "" {
		return Ack{Ephemeral: true}
	}
	limited := false
	if in.Command == CmdSummarize || in.Command == CmdSummarizeIn {
		_, limited = h.limited(ctx, in.UserID, in.GuildID)
	}
	switch in.Command {
	case CmdSummarize:
		private, _ := in.boolean("private")
		return Ack{Ephemeral: private || limited}
	case CmdSummarizeIn:
		return Ack{Ephemeral: limited || len(MessageLinks(in.TargetContent, in.TargetAttachments, h.opts.MaxLinksPerMessage)) == 0}
	case CmdAsk:
		return Ack{Ephemeral: !in.InThread}
	}
	return Ack{Ephemeral: true}
}

// Interaction returns the replies to an application command that was
// acknowledged with ack. It returns nil when the reply ledger shows the
// interaction was already handled.
func (h *Handler) Interaction(ctx context.Context, in Interaction, ack Ack) *Response {
	return h.interaction(ctx, in, ack, h.claim)
}

// interaction is Interaction with own deciding whether this call answers
// the event (h.claim, or h.unfinished for an event claimed at receipt).
func (h *Handler) interaction(ctx context.Context, in Interaction, ack Ack, own func(context.Context, string) bool) *Response {
	if in.ID == "" {
		return nil
	}
	eventID := "i" + in.ID
	if !own(ctx, eventID) {
		return nil
	}
	resp := &Response{EventID: eventID}
	say := func(s string) *Response {
		resp.Replies = []Reply{{Ephemeral: ack.Ephemeral, Content: Text(s)}}
		return resp
	}
	if in.GuildID == "" {
		return say("Linkbrief works in servers only.")
	}
	r := request{eventID: eventID, guildID: in.GuildID, channelID: in.ChannelID, userID: in.UserID,
		ephemeral: ack.Ephemeral, thread: !ack.Ephemeral && !in.InThread}
	switch in.Command {
	case CmdSummarize:
		link := strings.TrimSpace(in.str("url"))
		if link == "" {
			return say("Please give the link to summarize.")
		}
		reply, pending := h.brief(ctx, r, link)
		if pending {
			return &Response{EventID: eventID, Retry: RetryWait}
		}
		resp.Replies = []Reply{reply}
		return resp
	case CmdSummarizeIn:
		links := MessageLinks(in.TargetContent, in.TargetAttachments, h.opts.MaxLinksPerMessage)
		if len(links) == 0 {
			return say("I found no links to summarize in that message.")
		}
		for _, link := range links {
			reply, pending := h.brief(ctx, r, link)
			if pending {
				return &Response{EventID: eventID, Retry: RetryWait}
			}
			resp.Replies = append(resp.Replies, reply)
		}
		return resp
	case CmdAsk:
		q := clean(in.str("question"))
		if q == "" {
			return say("Please ask a question about the article.")
		}
		th, err := h.st.Thread(ctx, in.ChannelID)
		if errors.Is(err, store.ErrNotFound) {
			return say("Use /ask inside a thread Linkbrief started for an article.")
		}
		if err != nil {
			resp.Replies = []Reply{h.fail(r, fmt.Errorf("commands: thread lookup: %w", err))}
			return resp
		}
		resp.Replies = []Reply{h.answer(ctx, in.GuildID, in.UserID, th, q, ack.Ephemeral)}
		return resp
	case CmdLinkbrief:
		resp.Replies = []Reply{h.settingsCommand(ctx, in, r)}
		return resp
	}
	return say("I don't know that command; it may have been removed.")
}

// languageCode accepts BCP 47-like tags such as "en", "pt-BR" or
// "zh-Hant".
var languageCode = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`)

// settingsCommand runs /linkbrief auto|language|usage.
func (h *Handler) settingsCommand(ctx context.Context, in Interaction, r request) Reply {
	r.ephemeral = true
	say := func(s string) Reply { return Reply{Ephemeral: true, Content: Text(s)} }
	if in.Subcommand != SubUsage && in.Permissions&(PermManageGuild|PermAdministrator) == 0 {
		return say("You need the Manage Server permission to change Linkbrief's settings.")
	}
	switch in.Subcommand {
	case SubAuto:
		enabled, ok := in.boolean("enabled")
		if !ok {
			return say("Please say whether auto mode should be on or off.")
		}
		channel := in.str("channel")
		if channel == "" {
			channel = in.ChannelID
		}
		if err := h.st.SetAutoChannel(ctx, in.GuildID, channel, enabled); err != nil {
			return h.fail(r, fmt.Errorf("commands: setting auto mode: %w", err))
		}
		if enabled {
			return say(fmt.Sprintf("Auto mode is on in <#%s>: I will summarize links posted there.", channel))
		}
		return say(fmt.Sprintf("Auto mode is off in <#%s>.", channel))
	case SubLanguage:
		code := strings.TrimSpace(in.str("code"))
		switch strings.ToLower(code) {
		case "", "auto", "off", "none":
			code = ""
		default:
			if !languageCode.MatchString(code) {
				return say("Please give a language code such as en, fr or pt-BR, or auto for each article's own language.")
			}
		}
		if err := h.st.SetLanguage(ctx, in.GuildID, code); err != nil {
			return h.fail(r, fmt.Errorf("commands: setting language: %w", err))
		}
		if code == "" {
			return say("Briefs are now written in each article's own language.")
		}
		return say(fmt.Sprintf("Briefs are now written in %s.", code))
	case SubUsage:
		return say(h.usageText(ctx, in.GuildID))
	}
	return say("Use /linkbrief auto, /linkbrief language or /linkbrief usage.")
}

// usageText describes a guild's usage today and its limits.
func (h *Handler) usageText(ctx context.Context, guildID string) string {
	now := h.opts.Now()
	u, err := h.st.Usage(ctx, guildID, now)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.log.Warn("commands: usage lookup failed", "guild", guildID, "err", err)
	}
	// The limits' counts are the deployment's, shared by every process.
	c, err := h.limits.Counts(ctx, store.Quota{Guild: guildID})
	if err != nil {
		h.log.Warn("commands: limit counts unavailable", "guild", guildID, "err", err)
	}
	u.Tokens = c.Tokens
	var b strings.Builder
	fmt.Fprintf(&b, "Today (UTC): %s, %s", plural(u.Briefs, "brief"), plural(u.Tokens, "language-model token"))
	if h.opts.GuildDailyTokens > 0 {
		left := max(h.opts.GuildDailyTokens-u.Tokens, 0)
		fmt.Fprintf(&b, " of a daily budget of %d (%d left, resets %s)", h.opts.GuildDailyTokens, left,
			humanWait(untilMidnightUTC(now)))
	}
	b.WriteString(".\n")
	if h.opts.GuildPerHour > 0 {
		fmt.Fprintf(&b, "New briefs in the last hour: %d of %d for this server.\n", c.Guild, h.opts.GuildPerHour)
	} else {
		b.WriteString("No hourly limit for this server.\n")
	}
	if h.opts.UserPerMinute > 0 {
		fmt.Fprintf(&b, "Each member may ask for %s a minute.", plural(int64(h.opts.UserPerMinute), "new brief"))
	} else {
		b.WriteString("No per-member limit.")
	}
	b.WriteString(" Briefs served from the cache do not count.")
	return b.String()
}

// plural writes a count with its noun: "1 brief", "2 briefs".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
