package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

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
	TargetAttachments []Attachment
	// AppID and Token are what replying to the interaction needs (the
	// token is valid for 15 minutes); the Plan carries them as its
	// Callback.
	AppID, Token string
	// ViaHTTP is true when the interaction came to the HTTP endpoint.
	ViaHTTP bool
}

func (in Interaction) str(name string) string {
	s, _ := in.Options[name].(string)
	return s
}

func (in Interaction) boolean(name string) (value, ok bool) {
	value, ok = in.Options[name].(bool)
	return value, ok
}

// planInteraction plans an application command. Every interaction with
// an ID gets a Plan, since it is acknowledged at once: refusals known in
// advance (a direct message, no links, /ask outside a Linkbrief thread, a
// full limit by the counts, a settings change without the permission)
// are ephemeral from the first response, as are private requests and
// settings.
func (h *Handler) planInteraction(ctx context.Context, in Interaction) (Plan, bool) {
	if in.ID == "" {
		return Plan{}, false
	}
	p := Plan{
		EventID: "i" + in.ID, GuildID: in.GuildID, ChannelID: in.ChannelID, UserID: in.UserID,
		InThread: in.InThread,
		Callback: &Callback{ID: in.ID, AppID: in.AppID, Token: in.Token, ViaHTTP: in.ViaHTTP},
	}
	say := func(ephemeral bool, s string) (Plan, bool) {
		p.Ephemeral, p.Say = ephemeral, Text(s)
		return p, true
	}
	if in.GuildID == "" {
		return say(true, "Linkbrief works in servers only.")
	}
	switch in.Command {
	case CmdSummarize:
		private, _ := in.boolean("private")
		_, limited := h.limited(ctx, in.UserID, in.GuildID)
		p.Ephemeral = private || limited
		link := strings.TrimSpace(in.str("url"))
		if link == "" {
			return say(p.Ephemeral, "Please give the link to summarize.")
		}
		p.Links = []string{link}
		return p, true
	case CmdSummarizeIn:
		links := MessageLinks(in.TargetContent, in.TargetAttachments, h.opts.MaxLinksPerMessage)
		if len(links) == 0 {
			return say(true, "I found no links to summarize in that message.")
		}
		_, p.Ephemeral = h.limited(ctx, in.UserID, in.GuildID)
		p.Links = links
		return p, true
	case CmdAsk:
		q := clean(in.str("question"))
		if q == "" {
			return say(!in.InThread, "Please ask a question about the article.")
		}
		th, err := h.st.Thread(ctx, in.ChannelID)
		// In any thread the hint is public, as /ask is meant for threads.
		if errors.Is(err, store.ErrNotFound) {
			return say(!in.InThread, "Use /ask inside a thread Linkbrief started for an article.")
		}
		if err != nil {
			r := request{guildID: in.GuildID, channelID: in.ChannelID, userID: in.UserID, ephemeral: !in.InThread}
			return say(!in.InThread, h.fail(r, fmt.Errorf("commands: thread lookup: %w", err)).Content)
		}
		p.Question = &Question{Text: q, ThreadID: th.ThreadID, URL: th.URL}
		return p, true
	case CmdLinkbrief:
		return h.planSetting(in, p)
	}
	return say(true, "I don't know that command; it may have been removed.")
}

// languageCode accepts BCP 47-like tags such as "en", "pt-BR" or
// "zh-Hant".
var languageCode = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`) })

// planSetting plans /linkbrief auto|language|usage: the permission and the
// options are checked here, the change is made by Run.
func (h *Handler) planSetting(in Interaction, p Plan) (Plan, bool) {
	p.Ephemeral = true
	say := func(s string) (Plan, bool) {
		p.Say = Text(s)
		return p, true
	}
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
		p.Setting = &Setting{Name: SubAuto, Enabled: enabled, Channel: channel}
		return p, true
	case SubLanguage:
		code := strings.TrimSpace(in.str("code"))
		switch strings.ToLower(code) {
		case "", "auto", "off", "none":
			code = ""
		default:
			if !languageCode().MatchString(code) {
				return say("Please give a language code such as en, fr or pt-BR, or auto for each article's own language.")
			}
		}
		p.Setting = &Setting{Name: SubLanguage, Language: code}
		return p, true
	case SubUsage:
		p.Setting = &Setting{Name: SubUsage}
		return p, true
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
