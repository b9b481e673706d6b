package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize"
)

// request says who asked for a brief and how to reply.
type request struct {
	guildID, channelID, userID string
	// thread starts a thread on the reply (public replies outside
	// threads).
	thread bool
	// repeats answers links summarized in this server recently with the
	// short "already summarized" notice (auto mode).
	repeats bool
	// ephemeral replies are seen by the asking user only.
	ephemeral bool
}

// brief returns the reply for one link: the rendered brief, the
// "already summarized" notice, a polite refusal or an error sentence.
func (h *Handler) brief(ctx context.Context, r request, link string) Reply {
	now := h.opts.Now()
	canon, err := summarize.CanonicalURL(link)
	if err != nil {
		return h.fail(r, err, "link", link)
	}
	if r.repeats {
		th, err := h.st.RecentThread(ctx, r.guildID, canon, now.Add(-h.opts.RepeatWindow))
		switch {
		case err == nil:
			return Reply{Ephemeral: r.ephemeral, Content: Text(fmt.Sprintf(
				"Already summarized here: %s", threadLink(th.GuildID, th.ThreadID)))}
		case !errors.Is(err, store.ErrNotFound):
			h.log.Warn("commands: repeat lookup failed", "guild", r.guildID, "err", err)
		}
	}
	set, err := h.settings(ctx, r.guildID)
	if err != nil {
		h.log.Warn("commands: guild settings lookup failed", "guild", r.guildID, "err", err)
	}
	req := summarize.Request{Language: set.Language}
	// refuse answers a request over a limit or the budget, unless the brief
	// is already cached: a cache hit costs nothing, so it is never refused.
	refuse := func(refusal Reply) Reply {
		cr := req
		cr.CacheOnly = true
		if b, err := h.sum.Summarize(ctx, link, cr); err == nil && b != nil && b.Cached {
			if err := h.st.AddUsage(ctx, r.guildID, now, 1, 0); err != nil {
				h.log.Warn("commands: recording usage failed", "guild", r.guildID, "err", err)
			}
			return h.briefReply(r, canon, b)
		}
		return refusal
	}
	if refusal, ok := h.overBudget(ctx, r.guildID, now); ok {
		return refuse(Reply{Ephemeral: r.ephemeral, Content: refusal})
	}
	releaseUser, wait := h.users.reserve(r.userID, now)
	if releaseUser == nil {
		return refuse(limitRefusal("user", wait, r.ephemeral))
	}
	releaseGuild, wait := h.guilds.reserve(r.guildID, now)
	if releaseGuild == nil {
		releaseUser()
		return refuse(limitRefusal("guild", wait, r.ephemeral))
	}
	if which, wait := h.sharedWait(ctx, r.userID, r.guildID); which != "" {
		releaseUser()
		releaseGuild()
		return refuse(limitRefusal(which, wait, r.ephemeral))
	}
	b, err := h.sum.Summarize(ctx, link, req)
	if err != nil || b == nil {
		releaseUser()
		releaseGuild()
		if err == nil {
			err = errors.New("commands: the summarizer returned no brief")
		}
		return h.fail(r, err, "link", link)
	}
	if b.Cached {
		releaseUser()
		releaseGuild()
	} else {
		h.sharedRecord(ctx, r.userID, r.guildID)
	}
	if err := h.st.AddUsage(ctx, r.guildID, now, 1, int64(b.Usage.Total())); err != nil {
		h.log.Warn("commands: recording usage failed", "guild", r.guildID, "err", err)
	}
	return h.briefReply(r, canon, b)
}

// briefReply is the reply carrying brief b, with a thread to start on it
// when the request wants one.
func (h *Handler) briefReply(r request, canon string, b *summarize.Brief) Reply {
	reply := Reply{Ephemeral: r.ephemeral, Embeds: []Embed{RenderBrief(b)}}
	if r.thread && !r.ephemeral {
		url := b.URL
		if url == "" {
			url = canon
		}
		reply.Thread = &Thread{Name: ThreadName(b.Title, url), URL: url, Title: b.Title}
	}
	return reply
}

// answer returns the reply to a question about the article of thread th.
func (h *Handler) answer(ctx context.Context, guildID, userID string, th store.Thread, question string, ephemeral bool) Reply {
	r := request{guildID: guildID, userID: userID, ephemeral: ephemeral}
	now := h.opts.Now()
	if refusal, ok := h.overBudget(ctx, guildID, now); ok {
		return Reply{Ephemeral: ephemeral, Content: refusal}
	}
	a, err := h.sum.Ask(ctx, th.URL, question)
	if err != nil || a == nil {
		if err == nil {
			err = errors.New("commands: the summarizer returned no answer")
		}
		return h.fail(r, err, "thread", th.ThreadID)
	}
	if t := a.Usage.Total(); t > 0 {
		if err := h.st.AddUsage(ctx, guildID, now, 0, int64(t)); err != nil {
			h.log.Warn("commands: recording usage failed", "guild", guildID, "err", err)
		}
	}
	text := strings.TrimSpace(a.Text)
	if !a.Found || text == "" {
		text = summarize.NotSaid
	}
	if note := strings.TrimSpace(a.Note); note != "" {
		text += "\n\n*" + strings.Trim(oneLine(note), "*") + "*"
	}
	return Reply{Ephemeral: ephemeral, Content: Text(text)}
}

// overBudget returns a refusal when the guild has spent its daily token
// budget.
func (h *Handler) overBudget(ctx context.Context, guildID string, now time.Time) (string, bool) {
	if h.opts.GuildDailyTokens <= 0 || guildID == "" {
		return "", false
	}
	u, err := h.st.Usage(ctx, guildID, now)
	if errors.Is(err, store.ErrNotFound) {
		return "", false
	}
	if err != nil {
		h.log.Warn("commands: usage lookup failed", "guild", guildID, "err", err)
		return "", false
	}
	if u.Tokens < h.opts.GuildDailyTokens {
		return "", false
	}
	return Text("This server has used its summary budget for today; please try again " +
		humanWait(untilMidnightUTC(now)) + "."), true
}

// untilMidnightUTC is how long until the next UTC day starts, when daily
// budgets reset.
func untilMidnightUTC(now time.Time) time.Duration {
	u := now.UTC()
	next := time.Date(u.Year(), u.Month(), u.Day()+1, 0, 0, 0, 0, time.UTC)
	return next.Sub(u)
}

// fail logs err once with a new error ID and returns the one sentence the
// user sees: the pipeline's own explanation for known failures, a generic
// apology otherwise, each with the ID.
func (h *Handler) fail(r request, err error, attrs ...any) Reply {
	id := errorID()
	expl := summarize.Explain(err)
	if expl == "" && errors.Is(err, context.Canceled) {
		// The bot is shutting down and cancelled the work.
		expl = "Linkbrief was interrupted before it could finish; please try again in a minute."
	}
	level := "error"
	if expl != "" {
		level = "info"
	}
	args := append([]any{"error_id", id, "guild", r.guildID, "channel", r.channelID, "user", r.userID, "err", err}, attrs...)
	if level == "info" {
		h.log.Info("commands: request refused", args...)
	} else {
		h.log.Error("commands: request failed", args...)
	}
	return Reply{Ephemeral: r.ephemeral, Content: Text(userError(expl, id))}
}

// userError is the sentence shown for a failure: explanation (or a
// generic apology) with the error ID before the final period.
func userError(expl, id string) string {
	s := strings.TrimSpace(expl)
	if s == "" {
		s = "Sorry, something went wrong on my side"
	}
	s = strings.TrimRight(s, ".!? ")
	return s + " (error ID " + id + ")."
}

// errorID returns a short random ID that ties a message shown to a user
// to the log line with the details.
func errorID() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "00000000"
	}
	return hex.EncodeToString(b[:])
}

// threadLink is the Discord link to a channel or thread.
func threadLink(guildID, threadID string) string {
	return "https://discord.com/channels/" + guildID + "/" + threadID
}

// limitRefusal is the polite reply when the user's ("user") or the
// server's ("guild") limit is full, saying when to try again.
func limitRefusal(which string, wait time.Duration, ephemeral bool) Reply {
	what := "You have asked for a lot of briefs in the last minute"
	if which == "guild" {
		what = "This server has asked for a lot of briefs in the last hour"
	}
	return Reply{Ephemeral: ephemeral, Content: Text(what + "; please try again " + humanWait(wait) + ".")}
}
