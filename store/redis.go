package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps leases and rate-limit counters in a Redis server (5 or
// newer, whose scripts may read TIME before writing; tested with 7.0), for deployments with several processes that share limits and
// locks through Redis rather than the database. It is safe for concurrent
// use. It holds nothing else of the Store: briefs, settings and the reply
// ledger stay in SQLite or PostgreSQL.
//
// Keys live under "linkbrief:lease:" and "linkbrief:rate:" followed by the
// caller's key. Times are the Redis server's (TTLs and TIME), so the
// processes' clocks do not matter.
type Redis struct {
	client           *redis.Client
	target           string // the URL without its password, for errors
	acquire, release *redis.Script
	reserve, refund  *redis.Script
	settle, counts   *redis.Script
}

// redisLeasePrefix and redisRatePrefix namespace Linkbrief's keys.
const (
	redisLeasePrefix = "linkbrief:lease:"
	redisRatePrefix  = "linkbrief:rate:"
)

// acquireScript takes the lease in KEYS[1] for owner ARGV[1] and ARGV[2]
// milliseconds if it is free (SET NX PX), or extends it when the owner
// already holds it. It returns 1 when the owner holds the lease.
const acquireScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
	return 1
end
return 0
`

// releaseScript deletes KEYS[1] if it still holds owner ARGV[1]: the
// compare-and-delete of the Redis SET documentation's locking pattern.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`

// reserveScript is the limiter's rule (rate.go) for one hold, on sorted
// sets of hold IDs scored by the server's time in microseconds: KEYS[1]
// the user's window, KEYS[2] the guild's, KEYS[3] the guild's tokens
// today. ARGV: hold ID, user limit, user window (µs), guild limit, guild
// window (µs), daily budget, estimate, µs until the day ends. A limit of 0
// skips its window. It returns {0, 0} when it took the hold, or {1 (user),
// 2 (guild) or 3 (tokens), µs until the limit frees}.
const reserveScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local hold = ARGV[1]
local function wait(key, limit, window)
	if limit <= 0 then
		return 0
	end
	redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
	local n = redis.call('ZCARD', key)
	if n < limit then
		return 0
	end
	local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
	return math.max(tonumber(oldest[2]) + window - now, 1)
end
local ulimit, uwin = tonumber(ARGV[2]), tonumber(ARGV[3])
local glimit, gwin = tonumber(ARGV[4]), tonumber(ARGV[5])
local budget, est = tonumber(ARGV[6]), tonumber(ARGV[7])
local w = wait(KEYS[1], ulimit, uwin)
if w > 0 then
	return {1, w}
end
w = wait(KEYS[2], glimit, gwin)
if w > 0 then
	return {2, w}
end
if budget > 0 and est > 0 then
	local used = tonumber(redis.call('GET', KEYS[3]) or '0')
	if used + est > budget then
		return {3, tonumber(ARGV[8])}
	end
end
if ulimit > 0 then
	redis.call('ZADD', KEYS[1], now, hold)
	redis.call('PEXPIRE', KEYS[1], math.ceil(uwin / 1000) + 1)
end
if glimit > 0 then
	redis.call('ZADD', KEYS[2], now, hold)
	redis.call('PEXPIRE', KEYS[2], math.ceil(gwin / 1000) + 1)
end
if est > 0 then
	redis.call('INCRBY', KEYS[3], est)
	redis.call('EXPIRE', KEYS[3], 172800)
end
return {0, 0}
`

// refundScript gives a hold back: KEYS as reserveScript's, ARGV the hold
// ID and the tokens it reserved.
const refundScript = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local est = tonumber(ARGV[2])
if est > 0 and redis.call('EXISTS', KEYS[3]) == 1 then
	if redis.call('DECRBY', KEYS[3], est) < 0 then
		redis.call('SET', KEYS[3], 0, 'KEEPTTL')
	end
end
return 0
`

// settleScript adds ARGV[1] (which may be negative) to the tokens in
// KEYS[1], never below zero.
const settleScript = `
if redis.call('INCRBY', KEYS[1], ARGV[1]) < 0 then
	redis.call('SET', KEYS[1], 0)
end
redis.call('EXPIRE', KEYS[1], 172800)
return 0
`

// countsScript counts KEYS[1] (user) and KEYS[2] (guild) events in their
// windows ARGV[1] and ARGV[2] (µs) at the server's time, and reads the
// tokens in KEYS[3].
const countsScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local u = redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')
local g = redis.call('ZCOUNT', KEYS[2], '(' .. (now - tonumber(ARGV[2])), '+inf')
return {u, g, tonumber(redis.call('GET', KEYS[3]) or '0')}
`

// OpenRedis connects to the Redis server at rawURL
// ("redis://[:password@]host:port/db", "rediss://" for TLS, or
// "unix:///path/to/socket") and checks it answers. Errors never show the
// password.
func OpenRedis(ctx context.Context, rawURL string) (*Redis, error) {
	if rawURL == "" {
		return nil, errors.New("store: empty Redis URL")
	}
	secrets := redisSecrets(rawURL)
	target := redactRedisURL(rawURL)
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		if uerr := (*url.Error)(nil); errors.As(err, &uerr) {
			// url.Error quotes the whole URL, password included.
			err = uerr.Err
		}
		return nil, fmt.Errorf("store: Redis URL %s: %w", target, redact(err, secrets))
	}
	// Calls honour their context's deadline, not only the fixed timeouts.
	opts.ContextTimeoutEnabled = true
	r := &Redis{
		client:  redis.NewClient(opts),
		target:  target,
		acquire: redis.NewScript(acquireScript),
		release: redis.NewScript(releaseScript),
		reserve: redis.NewScript(reserveScript),
		refund:  redis.NewScript(refundScript),
		settle:  redis.NewScript(settleScript),
		counts:  redis.NewScript(countsScript),
	}
	if err := r.client.Ping(ctx).Err(); err != nil {
		_ = r.client.Close()
		return nil, fmt.Errorf("store: connect to Redis %s: %w", target, redact(err, secrets))
	}
	return r, nil
}

// redisSecrets returns the password in raw, from its user information or
// its password parameter, as given and unescaped.
func redisSecrets(raw string) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
			if u, err := url.PathUnescape(s); err == nil && u != s {
				out = append(out, u)
			}
		}
	}
	if u, err := url.Parse(raw); err == nil {
		if pw, ok := u.User.Password(); ok {
			add(pw)
		} else if u.User != nil && u.User.Username() != "" && !strings.Contains(u.User.String(), ":") {
			// "redis://secret@host" is read by go-redis as a password-less
			// user; people write it meaning the password.
			add(u.User.Username())
		}
		add(u.Query().Get("password"))
		return out
	}
	// Unparsable: treat everything between "//" and the last "@" before
	// the path as secret.
	if _, rest, ok := strings.Cut(raw, "//"); ok {
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			add(rest[:i])
			if _, pw, ok := strings.Cut(rest[:i], ":"); ok {
				add(pw)
			}
		}
	}
	return out
}

// redactRedisURL returns raw without its password, for messages; a URL
// that does not parse is not shown at all.
func redactRedisURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else {
			u.User = url.User("xxxxx")
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redactedError is an error whose message has secrets masked. It unwraps
// to the original so errors.Is and errors.As still work.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact masks every secret in err's message.
func redact(err error, secrets []string) error {
	msg := err.Error()
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// Close closes the connections to the server. Closing twice is not an
// error; calls after Close fail.
func (r *Redis) Close() error {
	if err := r.client.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("store: close Redis %s: %w", r.target, err)
	}
	return nil
}

// redisMillis rounds d up to whole milliseconds, the resolution of PX.
func redisMillis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// AcquireLease takes key for ttl if it is free, its lease expired, or owner
// already holds it (which extends the lease to ttl from now). It reports
// whether owner now holds key. It is SET NX PX in a script, so exactly one
// caller wins across every process using the server; ttl is rounded up to
// whole milliseconds.
func (r *Redis) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if err := checkLease(key, owner, ttl); err != nil {
		return false, err
	}
	got, err := r.acquire.Run(ctx, r.client, []string{redisLeasePrefix + key}, owner, redisMillis(ttl)).Int()
	if err != nil {
		return false, fmt.Errorf("store: acquire lease %.80q: %w", key, err)
	}
	return got == 1, nil
}

// ReleaseLease frees key if owner still holds it, by compare-and-delete;
// releasing a lease that expired, went to another owner or never existed
// is not an error.
func (r *Redis) ReleaseLease(ctx context.Context, key, owner string) error {
	if err := r.release.Run(ctx, r.client, []string{redisLeasePrefix + key}, owner).Err(); err != nil {
		return fmt.Errorf("store: release lease %.80q: %w", key, err)
	}
	return nil
}

// redisLimitKeys returns the keys of a hold's user window, guild window
// and guild budget for day; a window not counted gets a key no hold uses.
func redisLimitKeys(userKey, guildKey, guild, day string) []string {
	if userKey == "" {
		userKey = "linkbrief:none"
	}
	if guildKey == "" {
		guildKey = "linkbrief:none"
	}
	return []string{redisRatePrefix + userKey, redisRatePrefix + guildKey,
		redisRatePrefix + "tokens:" + guild + ":" + day}
}

// Reserve takes q's slots and tokens, or nothing when one of its limits is
// full: one script, so it is atomic across every process using the
// server. Windows follow the server's clock; the budget's day is this
// process's UTC day.
func (r *Redis) Reserve(ctx context.Context, q Quota) (Hold, error) {
	if err := checkQuota(q); err != nil {
		return Hold{}, err
	}
	now := time.Now()
	h := Hold{ID: holdID(), Guild: q.Guild, Day: now.UTC().Format(dayFormat)}
	h.UserKey, h.GuildKey = rateKeys(q)
	est := int64(0)
	if q.Guild != "" && q.Tokens > 0 {
		est = q.Tokens
	}
	ulimit, glimit := 0, 0
	if h.UserKey != "" {
		ulimit = q.UserPerMinute
	}
	if h.GuildKey != "" {
		glimit = q.GuildPerHour
	}
	res, err := r.reserve.Run(ctx, r.client, redisLimitKeys(h.UserKey, h.GuildKey, h.Guild, h.Day),
		h.ID, ulimit, UserWindow.Microseconds(), glimit, GuildWindow.Microseconds(),
		q.DailyTokens, est, untilNextDay(now).Microseconds()).Int64Slice()
	if err != nil {
		return Hold{}, fmt.Errorf("store: reserve: %w", err)
	}
	if len(res) != 2 {
		return Hold{}, fmt.Errorf("store: reserve: unexpected script reply %v", res)
	}
	wait := max(time.Duration(res[1])*time.Microsecond, time.Microsecond)
	switch res[0] {
	case 0:
		h.Tokens = est
		return h, nil
	case 1:
		return Hold{Refused: LimitUser, RetryAfter: min(wait, UserWindow)}, nil
	case 2:
		return Hold{Refused: LimitGuild, RetryAfter: min(wait, GuildWindow)}, nil
	case 3:
		return Hold{Refused: LimitTokens, RetryAfter: wait}, nil
	}
	return Hold{}, fmt.Errorf("store: reserve: unexpected script reply %v", res)
}

// Settle keeps h's slots and replaces its estimate by tokens.
func (r *Redis) Settle(ctx context.Context, h Hold, tokens int64) error {
	if h.Guild == "" || tokens == h.Tokens {
		return nil
	}
	keys := redisLimitKeys(h.UserKey, h.GuildKey, h.Guild, h.Day)
	if err := r.settle.Run(ctx, r.client, keys[2:], tokens-h.Tokens).Err(); err != nil {
		return fmt.Errorf("store: settle: %w", err)
	}
	return nil
}

// Refund gives h's slots and tokens back, in one script.
func (r *Redis) Refund(ctx context.Context, h Hold) error {
	if h.ID == "" {
		return nil
	}
	if err := r.refund.Run(ctx, r.client, redisLimitKeys(h.UserKey, h.GuildKey, h.Guild, h.Day),
		h.ID, h.Tokens).Err(); err != nil {
		return fmt.Errorf("store: refund: %w", err)
	}
	return nil
}

// Counts returns the live counts of q's user and guild.
func (r *Redis) Counts(ctx context.Context, q Quota) (Counts, error) {
	user, guild := rateKeys(Quota{User: q.User, UserPerMinute: 1, Guild: q.Guild, GuildPerHour: 1})
	res, err := r.counts.Run(ctx, r.client, redisLimitKeys(user, guild, q.Guild, time.Now().UTC().Format(dayFormat)),
		UserWindow.Microseconds(), GuildWindow.Microseconds()).Int64Slice()
	if err != nil {
		return Counts{}, fmt.Errorf("store: counts: %w", err)
	}
	if len(res) != 3 {
		return Counts{}, fmt.Errorf("store: counts: unexpected script reply %v", res)
	}
	return Counts{User: int(res[0]), Guild: int(res[1]), Tokens: res[2]}, nil
}
