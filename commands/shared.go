package commands

import (
	"context"
	"time"
)

// SharedLimits counts events per key in a sliding window shared by every
// process of a deployment; store.SQLite, store.Postgres and store.Redis
// implement it. Take records n events (0 only checks) when fewer than
// limit happened in the last window, and otherwise says how long until
// one slot frees.
type SharedLimits interface {
	Take(ctx context.Context, key string, limit int, window time.Duration, n int) (allowed bool, retryAfter time.Duration, err error)
}

// sharedKeys are the keys of one request's shared limits: the user's
// (across every server) and the server's.
func sharedKeys(userID, guildID string) (user, guild string) {
	return "linkbrief:user:" + userID, "linkbrief:guild:" + guildID
}

// sharedWait checks the shared limits of a request without recording
// anything. It returns which limit is full ("user" or "guild") and how
// long until it frees, or "" when both allow a new brief. A shared store
// that fails is logged and treated as allowing: limits must not take the
// bot down with them.
func (h *Handler) sharedWait(ctx context.Context, userID, guildID string) (string, time.Duration) {
	if h.opts.Shared == nil {
		return "", 0
	}
	uk, gk := sharedKeys(userID, guildID)
	for _, l := range []struct {
		name, key string
		limit     int
		window    time.Duration
	}{
		{"user", uk, h.opts.UserPerMinute, time.Minute},
		{"guild", gk, h.opts.GuildPerHour, time.Hour},
	} {
		if l.limit <= 0 || l.key == "" {
			continue
		}
		ok, wait, err := h.opts.Shared.Take(ctx, l.key, l.limit, l.window, 0)
		if err != nil {
			h.log.Warn("commands: shared limit check failed", "limit", l.name, "err", err)
			continue
		}
		if !ok {
			return l.name, wait
		}
	}
	return "", 0
}

// sharedRecord counts a new brief against the shared limits.
func (h *Handler) sharedRecord(ctx context.Context, userID, guildID string) {
	if h.opts.Shared == nil {
		return
	}
	uk, gk := sharedKeys(userID, guildID)
	if h.opts.UserPerMinute > 0 && userID != "" {
		if _, _, err := h.opts.Shared.Take(ctx, uk, h.opts.UserPerMinute, time.Minute, 1); err != nil {
			h.log.Warn("commands: recording a shared limit failed", "limit", "user", "err", err)
		}
	}
	if h.opts.GuildPerHour > 0 && guildID != "" {
		if _, _, err := h.opts.Shared.Take(ctx, gk, h.opts.GuildPerHour, time.Hour, 1); err != nil {
			h.log.Warn("commands: recording a shared limit failed", "limit", "guild", "err", err)
		}
	}
}
