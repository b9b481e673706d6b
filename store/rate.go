package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"
)

// Limiter is Linkbrief's one rule for limits and budgets: reserve before
// the work, refund when the work does not count. Reserve takes, in one
// atomic step across every process sharing the limiter, a slot in the
// user's minute, a slot in the server's hour and an estimate of the tokens
// the work will cost from the server's daily budget, or nothing when any
// of them is full. The caller then either settles the hold (a new brief:
// the slots stay, the estimate is replaced by the real usage) or refunds
// it (a cache hit, a brief another request made, a failure, a refusal).
//
// DB (on SQLite or PostgreSQL), Redis and MemoryLimiter implement it.
type Limiter interface {
	// Reserve takes q's slots and tokens, or nothing when one of its
	// limits is full; the Hold says which and when to retry.
	Reserve(ctx context.Context, q Quota) (Hold, error)
	// Settle keeps a hold's slots and replaces its estimate by tokens,
	// the real usage.
	Settle(ctx context.Context, h Hold, tokens int64) error
	// Refund gives a hold's slots and tokens back. A hold is settled or
	// refunded once; refunding a refusal does nothing.
	Refund(ctx context.Context, h Hold) error
	// Counts returns the live counts of q's user and guild.
	Counts(ctx context.Context, q Quota) (Counts, error)
}

var (
	_ Limiter = (*Redis)(nil)
	_ Limiter = (*MemoryLimiter)(nil)
)

// The windows of the two rate limits.
const (
	UserWindow  = time.Minute
	GuildWindow = time.Hour
)

// Quota is what one request asks of the limits.
type Quota struct {
	// User is counted against UserPerMinute new briefs in any
	// UserWindow, across every server; "" or a limit of 0 counts nothing.
	User          string
	UserPerMinute int
	// Guild is counted against GuildPerHour new briefs in any
	// GuildWindow; "" or a limit of 0 counts nothing.
	Guild        string
	GuildPerHour int
	// DailyTokens is Guild's language-model token budget per UTC day; 0
	// means no budget.
	DailyTokens int64
	// Tokens is the estimate of what the work will cost, reserved from
	// the budget until the hold is settled or refunded.
	Tokens int64
}

// Limit names, as in Hold.Refused.
const (
	LimitUser   = "user"
	LimitGuild  = "guild"
	LimitTokens = "tokens"
)

// Hold is what Reserve took: the keys counted and the tokens reserved.
type Hold struct {
	// ID identifies the hold's records; "" when nothing was taken.
	ID string
	// UserKey and GuildKey are the windows counted ("" when not).
	UserKey, GuildKey string
	// Guild and Day ("2006-01-02", UTC) name the budget the tokens were
	// reserved from.
	Guild, Day string
	// Tokens is the estimate reserved.
	Tokens int64
	// Refused names the full limit (LimitUser, LimitGuild or
	// LimitTokens) when Reserve took nothing; "" when it took the hold.
	Refused string
	// RetryAfter is how long until the refused limit frees.
	RetryAfter time.Duration
}

// OK reports whether Reserve took the hold.
func (h Hold) OK() bool { return h.ID != "" }

// Counts are the live counts of one user and one guild.
type Counts struct {
	// User is the user's new briefs in the last UserWindow; Guild the
	// guild's in the last GuildWindow.
	User, Guild int
	// Tokens is what the guild spent (or holds reserved) today, UTC.
	Tokens int64
}

// checkQuota validates a Quota.
func checkQuota(q Quota) error {
	if q.UserPerMinute < 0 || q.GuildPerHour < 0 || q.DailyTokens < 0 || q.Tokens < 0 {
		return fmt.Errorf("store: reserve: negative limit or estimate in %+v", q)
	}
	if q.DailyTokens > 0 && q.Guild == "" {
		return errors.New("store: reserve: a token budget needs a guild")
	}
	return nil
}

// rateKeys returns the window keys q counts ("" for a limit not applied).
func rateKeys(q Quota) (user, guild string) {
	if q.User != "" && q.UserPerMinute > 0 {
		user = "linkbrief:user:" + q.User
	}
	if q.Guild != "" && q.GuildPerHour > 0 {
		guild = "linkbrief:guild:" + q.Guild
	}
	return user, guild
}

// holdID returns a new random hold ID.
func holdID() string { return rand.Text() }

// windowWait is the sliding-window rule: at holds the times of the events
// in the window ending at now (after now-span), oldest first; one more is
// allowed when fewer than limit are there. Otherwise it returns how long
// until the oldest event that must leave does, in (0, span].
func windowWait(at []time.Time, limit int, span time.Duration, now time.Time) time.Duration {
	if len(at) < limit {
		return 0
	}
	return min(max(at[len(at)-limit].Add(span).Sub(now), time.Microsecond), span)
}

// budgetFull is the budget rule: an estimate fits when what the guild used
// today plus the estimate stays within the budget. Work estimated at
// nothing (the offline summarizer) is never refused.
func budgetFull(q Quota, used int64) bool {
	return q.DailyTokens > 0 && q.Tokens > 0 && used+q.Tokens > q.DailyTokens
}

// untilNextDay is how long until the UTC day after now starts.
func untilNextDay(now time.Time) time.Duration {
	u := now.UTC()
	return time.Date(u.Year(), u.Month(), u.Day()+1, 0, 0, 0, 0, time.UTC).Sub(u)
}

// limitTx is one engine's transaction under which reserveIn applies the
// rule; the engine makes it exclusive for the keys involved.
type limitTx interface {
	// events returns the times of keyHash's events after since, oldest
	// first.
	events(ctx context.Context, keyHash string, since time.Time) ([]time.Time, error)
	// record adds an event of hold for keyHash at at, kept until
	// expires.
	record(ctx context.Context, keyHash, hold string, at, expires time.Time) error
	// tokens returns the tokens guild used on day.
	tokens(ctx context.Context, guild, day string) (int64, error)
	// addTokens adds delta (which may be negative) to guild's day.
	addTokens(ctx context.Context, guild, day string, delta int64) error
}

// reserveIn applies the rule to q at now inside tx.
func reserveIn(ctx context.Context, tx limitTx, q Quota, now time.Time) (Hold, error) {
	h := Hold{Guild: q.Guild, Day: now.UTC().Format(dayFormat)}
	h.UserKey, h.GuildKey = rateKeys(q)
	for _, w := range []struct {
		key, name string
		limit     int
		span      time.Duration
	}{
		{h.UserKey, LimitUser, q.UserPerMinute, UserWindow},
		{h.GuildKey, LimitGuild, q.GuildPerHour, GuildWindow},
	} {
		if w.key == "" {
			continue
		}
		at, err := tx.events(ctx, hashKey(w.key), now.Add(-w.span))
		if err != nil {
			return Hold{}, err
		}
		if wait := windowWait(at, w.limit, w.span, now); wait > 0 {
			return Hold{Refused: w.name, RetryAfter: wait}, nil
		}
	}
	if q.DailyTokens > 0 && q.Tokens > 0 {
		used, err := tx.tokens(ctx, q.Guild, h.Day)
		if err != nil {
			return Hold{}, err
		}
		if budgetFull(q, used) {
			return Hold{Refused: LimitTokens, RetryAfter: untilNextDay(now)}, nil
		}
	}
	h.ID = holdID()
	for _, w := range []struct {
		key  string
		span time.Duration
	}{{h.UserKey, UserWindow}, {h.GuildKey, GuildWindow}} {
		if w.key == "" {
			continue
		}
		if err := tx.record(ctx, hashKey(w.key), h.ID, now, now.Add(w.span)); err != nil {
			return Hold{}, err
		}
	}
	if q.Guild != "" && q.Tokens > 0 {
		if err := tx.addTokens(ctx, q.Guild, h.Day, q.Tokens); err != nil {
			return Hold{}, err
		}
		h.Tokens = q.Tokens
	}
	return h, nil
}

// countsIn reads q's counts at now inside tx.
func countsIn(ctx context.Context, tx limitTx, q Quota, now time.Time) (Counts, error) {
	var c Counts
	user, guild := rateKeys(Quota{User: q.User, UserPerMinute: 1, Guild: q.Guild, GuildPerHour: 1})
	if user != "" {
		at, err := tx.events(ctx, hashKey(user), now.Add(-UserWindow))
		if err != nil {
			return Counts{}, err
		}
		c.User = len(at)
	}
	if guild != "" {
		at, err := tx.events(ctx, hashKey(guild), now.Add(-GuildWindow))
		if err != nil {
			return Counts{}, err
		}
		c.Guild = len(at)
		if c.Tokens, err = tx.tokens(ctx, q.Guild, now.UTC().Format(dayFormat)); err != nil {
			return Counts{}, err
		}
	}
	return c, nil
}

// lockKeys returns the advisory-lock keys of a hold's windows and budget,
// sorted, so that transactions taking several always take them in the same
// order and never deadlock.
func lockKeys(keys ...string) []int32 {
	var out []int32
	for _, k := range keys {
		if k == "" {
			continue
		}
		f := fnv.New32a()
		f.Write([]byte(k))
		out = append(out, int32(f.Sum32()))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// MemoryLimiter is the Limiter of one process: the same rule as the
// stores', kept in memory. It is safe for concurrent use.
type MemoryLimiter struct {
	now func() time.Time

	mu     sync.Mutex
	events map[string][]memEvent // by key hash, oldest first
	used   map[string]int64      // by guild and day
	swept  time.Time
}

type memEvent struct {
	at, expires time.Time
	hold        string
}

// NewMemoryLimiter returns an empty MemoryLimiter following now (nil:
// time.Now).
func NewMemoryLimiter(now func() time.Time) *MemoryLimiter {
	if now == nil {
		now = time.Now
	}
	return &MemoryLimiter{now: now, events: map[string][]memEvent{}, used: map[string]int64{}}
}

// memTx is MemoryLimiter's limitTx; the caller holds mu.
type memTx struct{ m *MemoryLimiter }

func (t memTx) events(_ context.Context, keyHash string, since time.Time) ([]time.Time, error) {
	var at []time.Time
	for _, e := range t.m.events[keyHash] {
		if e.at.After(since) {
			at = append(at, e.at)
		}
	}
	return at, nil
}

func (t memTx) record(_ context.Context, keyHash, hold string, at, expires time.Time) error {
	t.m.events[keyHash] = append(t.m.events[keyHash], memEvent{at: at, expires: expires, hold: hold})
	return nil
}

func (t memTx) tokens(_ context.Context, guild, day string) (int64, error) {
	return t.m.used[guild+"\x1f"+day], nil
}

func (t memTx) addTokens(_ context.Context, guild, day string, delta int64) error {
	k := guild + "\x1f" + day
	t.m.used[k] = max(t.m.used[k]+delta, 0)
	return nil
}

// sweep drops expired events and past days once a minute. The caller holds
// mu.
func (m *MemoryLimiter) sweep(now time.Time) {
	if now.Sub(m.swept) < time.Minute {
		return
	}
	m.swept = now
	for k, es := range m.events {
		es = slices.DeleteFunc(es, func(e memEvent) bool { return !e.expires.After(now) })
		if len(es) == 0 {
			delete(m.events, k)
		} else {
			m.events[k] = es
		}
	}
	today := now.UTC().Format(dayFormat)
	for k := range m.used {
		if k[len(k)-len(dayFormat):] < today {
			delete(m.used, k)
		}
	}
}

// Reserve takes q's slots and tokens, or nothing when one of its limits is
// full.
func (m *MemoryLimiter) Reserve(ctx context.Context, q Quota) (Hold, error) {
	if err := checkQuota(q); err != nil {
		return Hold{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	return reserveIn(ctx, memTx{m}, q, now)
}

// Settle keeps h's slots and replaces its estimate by tokens.
func (m *MemoryLimiter) Settle(ctx context.Context, h Hold, tokens int64) error {
	if h.Guild == "" || tokens == h.Tokens {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return memTx{m}.addTokens(ctx, h.Guild, h.Day, tokens-h.Tokens)
}

// Refund gives h's slots and tokens back.
func (m *MemoryLimiter) Refund(ctx context.Context, h Hold) error {
	if h.ID == "" {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range []string{h.UserKey, h.GuildKey} {
		if k == "" {
			continue
		}
		kh := hashKey(k)
		m.events[kh] = slices.DeleteFunc(m.events[kh], func(e memEvent) bool { return e.hold == h.ID })
	}
	if h.Guild != "" && h.Tokens > 0 {
		return memTx{m}.addTokens(ctx, h.Guild, h.Day, -h.Tokens)
	}
	return nil
}

// Counts returns the live counts of q's user and guild.
func (m *MemoryLimiter) Counts(ctx context.Context, q Quota) (Counts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return countsIn(ctx, memTx{m}, q, m.now())
}
