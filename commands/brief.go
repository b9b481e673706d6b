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
	// eventID is the event being answered; it owns the page claims
	// made for it, so a rescued job finds them its own.
	eventID                    string
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

// RetryWait is how long to wait before handling again an event whose
// brief is still being made.
const RetryWait = 5 * time.Second

// brief returns the reply for one link: the rendered brief, the
// "already summarized" notice, a polite refusal or an error sentence; or
// pending when the brief is still being made when ctx ends (the event is
// then handled again later, and finds it in the cache).
func (h *Handler) brief(ctx context.Context, r request, link string) (_ Reply, pending bool) {
	canon, err := h.opts.Canonical(link)
	if err != nil {
		return h.fail(r, err, "link", link), false
	}
	if !r.repeats {
		return h.briefOf(ctx, r, link, canon)
	}
	notice, release, pending := h.claimPage(ctx, r, canon)
	if pending {
		return Reply{}, true
	}
	if notice != nil {
		return *notice, false
	}
	reply, pending := h.briefOf(ctx, r, link, canon)
	// The claim stays while the thread is started; its record then
	// answers the others.
	release(reply.Thread != nil && !pending)
	return reply, pending
}

// claimTTL is how long a page claim lasts without a renewal: its holder
// renews it every third of that while it works.
const claimTTL = summarize.DefaultLeaseTTL

// claimPollEvery is how often a request waiting for another's claim on a
// page looks for its thread.
const claimPollEvery = 200 * time.Millisecond

// claimPage makes this event the one that summarizes canon in its server:
// it returns the "already summarized" notice when the page has a recent
// thread there, or claims the page (release frees the claim unless keep).
// While another event holds the claim, it waits for that event's thread
// as long as ctx lives, then says pending. A claim is a lease owned by the
// event, renewed while the work runs: one whose holder died lapses within
// claimTTL, and the holder's own rescued job takes it back at once. A
// claim kept after the work (its thread about to be recorded) lapses
// within claimTTL too; by then the thread's record answers the others.
func (h *Handler) claimPage(ctx context.Context, r request, canon string) (notice *Reply, release func(keep bool), pending bool) {
	none := func(bool) {}
	key := "page\x1f" + r.guildID + "\x1f" + canon
	ttl := claimTTL
	for {
		if n := h.recentThread(ctx, r, canon); n != nil {
			return n, none, false
		}
		if h.claims == nil || r.eventID == "" {
			return nil, none, false
		}
		ok, err := h.claims.AcquireLease(ctx, key, r.eventID, ttl)
		if err != nil {
			if ctx.Err() != nil {
				return nil, none, true
			}
			h.log.Warn("commands: page claims unavailable", "guild", r.guildID, "err", err)
			return nil, none, false
		}
		if ok {
			free := func() {
				ctx, cancel := afterWork(ctx)
				defer cancel()
				if err := h.claims.ReleaseLease(ctx, key, r.eventID); err != nil {
					h.log.Warn("commands: releasing a page claim failed", "guild", r.guildID, "err", err)
				}
			}
			// The previous holder may have recorded its thread just
			// before its claim ran out.
			if n := h.recentThread(ctx, r, canon); n != nil {
				free()
				return n, none, false
			}
			stop := summarize.Heartbeat(ctx, h.claims, key, r.eventID, ttl, h.log)
			return nil, func(keep bool) {
				stop()
				if !keep {
					free()
				}
			}, false
		}
		select {
		case <-ctx.Done():
			return nil, none, true
		case <-time.After(claimPollEvery):
		}
	}
}

// recentThread returns the "already summarized" notice when canon has a
// thread in r's server within the repeat window.
func (h *Handler) recentThread(ctx context.Context, r request, canon string) *Reply {
	th, err := h.st.RecentThread(ctx, r.guildID, canon, h.opts.Now().Add(-h.opts.RepeatWindow))
	switch {
	case err == nil:
		return &Reply{Ephemeral: r.ephemeral, Content: Text(fmt.Sprintf(
			"Already summarized here: %s", threadLink(th.GuildID, th.ThreadID)))}
	case !errors.Is(err, store.ErrNotFound):
		h.log.Warn("commands: repeat lookup failed", "guild", r.guildID, "err", err)
	}
	return nil
}

// briefOf returns the reply for one link whose canonical URL is canon:
// the rendered brief, a polite refusal or an error sentence, or pending.
func (h *Handler) briefOf(ctx context.Context, r request, link, canon string) (_ Reply, pending bool) {
	now := h.opts.Now()
	set, err := h.settings(ctx, r.guildID)
	if err != nil {
		h.log.Warn("commands: guild settings lookup failed", "guild", r.guildID, "err", err)
	}
	req := summarize.Request{Language: set.Language}
	// A brief already cached costs nothing: it is served before any limit
	// and never counted.
	cached := req
	cached.CacheOnly = true
	if b, err := h.sum.Summarize(ctx, link, cached); err == nil && b != nil {
		h.countBrief(ctx, r.guildID, now)
		return h.briefReply(r, canon, b), false
	}
	if which, full := h.limited(ctx, r.userID, r.guildID); full {
		hold, refusal := h.reserve(ctx, h.quota(r.userID, r.guildID, 0, true), r.ephemeral)
		if refusal != nil {
			return *refusal, false
		}
		// The counts moved on since: the reservation is the rule.
		h.refund(ctx, hold)
		h.log.Debug("commands: limit freed between the count and the reservation", "limit", which)
	}
	est, err := h.sum.Estimate(ctx, link, req)
	if err != nil {
		return h.fail(r, err, "link", link), false
	}
	hold, refusal := h.reserve(ctx, h.quota(r.userID, r.guildID, est, true), r.ephemeral)
	if refusal != nil {
		return *refusal, false
	}
	b, err := h.sum.Summarize(ctx, link, req)
	if errors.Is(err, summarize.ErrInProgress) {
		h.refund(ctx, hold)
		h.log.Info("commands: brief still being made; the event will be handled again", "link", link)
		return Reply{}, true
	}
	if err != nil || b == nil {
		h.refund(ctx, hold)
		if err == nil {
			err = errors.New("commands: the summarizer returned no brief")
		}
		return h.fail(r, err, "link", link), false
	}
	if b.Cached {
		// Another request made it meanwhile, here or in another process.
		h.refund(ctx, hold)
	} else {
		h.settle(ctx, hold, int64(b.Usage.Total()))
	}
	h.countBrief(ctx, r.guildID, now)
	return h.briefReply(r, canon, b), false
}

// countBrief adds a brief served to the guild's statistics of the day.
func (h *Handler) countBrief(ctx context.Context, guildID string, now time.Time) {
	if err := h.st.AddUsage(ctx, guildID, now, 1, 0); err != nil {
		h.log.Warn("commands: recording usage failed", "guild", guildID, "err", err)
	}
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

// answer returns the reply to question q, asked by r's user, about the
// article of a Linkbrief thread.
func (h *Handler) answer(ctx context.Context, r request, q Question) Reply {
	est, err := h.sum.EstimateAnswer(ctx, q.URL)
	if err != nil {
		// Ask reads the same article and says what went wrong.
		est = 0
	}
	hold, refusal := h.reserve(ctx, h.quota(r.userID, r.guildID, est, false), r.ephemeral)
	if refusal != nil {
		return *refusal
	}
	a, err := h.sum.Ask(ctx, q.URL, q.Text)
	if err != nil || a == nil {
		h.refund(ctx, hold)
		if err == nil {
			err = errors.New("commands: the summarizer returned no answer")
		}
		return h.fail(r, err, "thread", q.ThreadID)
	}
	h.settle(ctx, hold, int64(a.Usage.Total()))
	text := strings.TrimSpace(a.Text)
	if !a.Found || text == "" {
		text = summarize.NotSaid
	}
	if note := strings.TrimSpace(a.Note); note != "" {
		text += "\n\n*" + strings.Trim(oneLine(note), "*") + "*"
	}
	return Reply{Ephemeral: r.ephemeral, Content: Text(text)}
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
	if r.repeats && errors.Is(err, summarize.ErrSourceOff) {
		// Auto mode passes quietly over the links of a site this bot is
		// set not to read; only someone who asked gets the sentence.
		return Reply{}
	}
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

// limitRefusal is the polite reply when the user's (store.LimitUser) or
// the server's (store.LimitGuild) limit, or the server's token budget
// (store.LimitTokens), is full, saying when to try again.
func limitRefusal(which string, wait time.Duration, ephemeral bool) Reply {
	what := "You have asked for a lot of briefs in the last minute"
	switch which {
	case store.LimitGuild:
		what = "This server has asked for a lot of briefs in the last hour"
	case store.LimitTokens:
		what = "This server has used its summary budget for today"
	}
	return Reply{Ephemeral: ephemeral, Content: Text(what + "; please try again " + humanWait(wait) + ".")}
}
