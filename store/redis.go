package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	client                 *redis.Client
	target                 string // the URL without its password, for errors
	acquire, release, take *redis.Script
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

// takeScript is the sliding-window rule of the SQL stores on a sorted set
// KEYS[1]: each member "<token>:<n>" records n events, scored by their
// time in microseconds of the server clock, so a Take costs one member
// whatever its n. ARGV: limit, window (µs), n, a token unique to the call.
// It returns {1, 0} when allowed (and records the events), or
// {0, µs until the Take fits}.
const takeScript = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local recs = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local function events(member)
	return tonumber(string.match(member, ':(%d+)$')) or 1
end
local count = 0
for i = 1, #recs, 2 do
	count = count + events(recs[i])
end
local need = math.max(n, 1)
if count + need <= limit then
	if n > 0 then
		redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. n)
		redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1)
	end
	return {1, 0}
end
local excess = count + need - limit
for i = 1, #recs, 2 do
	excess = excess - events(recs[i])
	if excess <= 0 then
		return {0, tonumber(recs[i + 1]) + window - now}
	end
end
return {0, window}
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
		take:    redis.NewScript(takeScript),
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

// Take records n events for key at the server's current time if the events
// recorded for key in the window before it, plus max(n, 1), do not exceed
// limit: the same sliding window as the SQL stores, kept in a sorted set by
// a script, so it is atomic across every process using the server. n = 0
// only checks whether one more event would be allowed and never records.
// When refused, retryAfter is how long until enough of the oldest events
// leave the window for the same Take to fit, in (0, window]. Times are in
// microseconds; an idle key's set expires with its window. A key should
// always be used with the same window.
func (r *Redis) Take(ctx context.Context, key string, limit int, window time.Duration, n int) (allowed bool, retryAfter time.Duration, err error) {
	if err := checkTake(key, limit, window, n); err != nil {
		return false, 0, err
	}
	var token [12]byte
	if _, err := rand.Read(token[:]); err != nil {
		return false, 0, fmt.Errorf("store: take %.80q: %w", key, err)
	}
	res, err := r.take.Run(ctx, r.client, []string{redisRatePrefix + key},
		limit, window.Microseconds(), n, hex.EncodeToString(token[:])).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("store: take %.80q: %w", key, err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("store: take %.80q: unexpected script reply %v", key, res)
	}
	if res[0] == 1 {
		return true, 0, nil
	}
	return false, min(max(time.Duration(res[1])*time.Microsecond, time.Microsecond), window), nil
}
