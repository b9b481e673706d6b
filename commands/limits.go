package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/linkbrief/linkbrief/store"
)

// quota is what a request asks of the limits: a new brief counts against
// the user's minute and the guild's hour; tokens are reserved from the
// guild's daily budget.
func (h *Handler) quota(userID, guildID string, tokens int64, brief bool) store.Quota {
	q := store.Quota{Guild: guildID, Tokens: tokens}
	if guildID != "" {
		q.DailyTokens = h.opts.GuildDailyTokens
	}
	if brief {
		q.User, q.UserPerMinute = userID, h.opts.UserPerMinute
		q.GuildPerHour = h.opts.GuildPerHour
	}
	return q
}

// reserve takes q from the limits. It returns the refusal to send when a
// limit is full. A limiter that fails is logged and the request allowed
// (with an empty hold): limits must not take the bot down with them.
func (h *Handler) reserve(ctx context.Context, q store.Quota, ephemeral bool) (store.Hold, *Reply) {
	hold, err := h.limits.Reserve(ctx, q)
	if err != nil {
		h.log.Warn("commands: limits unavailable, allowing the request", "guild", q.Guild, "err", err)
		return store.Hold{}, nil
	}
	if hold.OK() {
		return hold, nil
	}
	r := limitRefusal(hold.Refused, hold.RetryAfter, ephemeral)
	return hold, &r
}

// limited reports whether a new brief for the user in the guild would be
// refused now by the user's or the guild's limit, from the counts alone:
// a cheap early answer, before the page is fetched to estimate its cost.
// Reserve remains the rule.
func (h *Handler) limited(ctx context.Context, userID, guildID string) (string, bool) {
	if h.opts.UserPerMinute <= 0 && h.opts.GuildPerHour <= 0 {
		return "", false
	}
	c, err := h.limits.Counts(ctx, h.quota(userID, guildID, 0, true))
	if err != nil {
		h.log.Warn("commands: limits unavailable", "guild", guildID, "err", err)
		return "", false
	}
	switch {
	case h.opts.UserPerMinute > 0 && userID != "" && c.User >= h.opts.UserPerMinute:
		return store.LimitUser, true
	case h.opts.GuildPerHour > 0 && guildID != "" && c.Guild >= h.opts.GuildPerHour:
		return store.LimitGuild, true
	}
	return "", false
}

// settle keeps a hold: its work made a new brief or answer costing tokens.
func (h *Handler) settle(ctx context.Context, hold store.Hold, tokens int64) {
	if !hold.OK() {
		return
	}
	ctx, cancel := afterWork(ctx)
	defer cancel()
	if err := h.limits.Settle(ctx, hold, tokens); err != nil {
		h.log.Warn("commands: settling a reservation failed", "guild", hold.Guild, "err", err)
	}
}

// refund gives a hold back: its work made nothing new (a cache hit, a
// brief another request made, a failure).
func (h *Handler) refund(ctx context.Context, hold store.Hold) {
	if !hold.OK() {
		return
	}
	ctx, cancel := afterWork(ctx)
	defer cancel()
	if err := h.limits.Refund(ctx, hold); err != nil {
		h.log.Warn("commands: refunding a reservation failed", "guild", hold.Guild, "err", err)
	}
}

// afterWorkTimeout bounds what runs after the work of a request, whether
// or not its context ended: giving back a hold or a page claim.
const afterWorkTimeout = 5 * time.Second

// afterWork returns the context of a step that must run even when ctx has
// ended (a hold given back, a claim released), with a deadline of its own:
// a store that does not answer must not keep the job past its end.
func afterWork(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), afterWorkTimeout)
}

// humanWait says a wait the way a person would: "in 42 seconds", "in 3
// minutes", "in 2 hours and 5 minutes". It rounds up, so a user who waits
// that long is never refused again.
func humanWait(d time.Duration) string {
	switch {
	case d <= time.Second:
		return "in a second"
	case d < time.Minute:
		return fmt.Sprintf("in %d seconds", int((d+time.Second-1)/time.Second))
	case d < time.Hour:
		m := int((d + time.Minute - 1) / time.Minute)
		if m == 1 {
			return "in a minute"
		}
		if m == 60 {
			return "in an hour"
		}
		return fmt.Sprintf("in %d minutes", m)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	h, m := m/60, m%60
	hours := fmt.Sprintf("%d hours", h)
	if h == 1 {
		hours = "an hour"
	}
	switch m {
	case 0:
		return "in " + hours
	case 1:
		return "in " + hours + " and 1 minute"
	}
	return fmt.Sprintf("in %s and %d minutes", hours, m)
}
