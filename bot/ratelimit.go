package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// limiter is the session's HTTP transport beneath discordgo. It waits out
// Discord's rate limits (per route and global) and retries transient server
// errors itself, each wait bounded by the request's context.
//
// discordgo v0.29.0 does both with time.Sleep while holding the route's
// bucket: a 429 with a long retry_after, or a hostile one, would hold a
// worker, and shutdown, for as long as Discord says, and a global 429 would
// stall every route the same way. So the bot turns discordgo's own retries
// off (ShouldRetryOnRateLimit, MaxRestRetries) and the limiter hides the
// X-RateLimit-* headers from it, which leaves discordgo's limiter inert.
type limiter struct {
	next http.RoundTripper

	mu      sync.Mutex
	global  time.Time            // every route waits until then
	buckets map[string]time.Time // route key -> when its exhausted bucket resets
}

const (
	// maxAttempts bounds the tries of one request, first one included.
	maxAttempts = 4
	// maxBuckets bounds the route keys remembered; expired ones go first.
	maxBuckets = 4096
	// maxErrorBody bounds the 429 body read for its retry_after.
	maxErrorBody = 64 << 10
)

// ErrRateLimited is returned (wrapped, inside discordgo's error) when
// Discord's rate limit outlasts the time a request may take: the request
// was not sent, or not retried.
var ErrRateLimited = errors.New("bot: rate limited by Discord")

// retryKey marks a request context as safe to send twice.
type retryKey struct{}

// retrySafe marks ctx's requests as safe to repeat after a server error: a
// message sent with a nonce that Discord enforces cannot be posted twice.
func retrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryKey{}, true)
}

func newLimiter(next http.RoundTripper) *limiter {
	return &limiter{next: next, buckets: map[string]time.Time{}}
}

// RoundTrip implements http.RoundTripper.
func (l *limiter) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	key := routeKey(r.Method, r.URL.Path)
	for attempt := 1; ; attempt++ {
		if err := l.wait(ctx, key); err != nil {
			return nil, err
		}
		req := r
		if attempt > 1 {
			body, err := r.GetBody()
			if err != nil {
				return nil, fmt.Errorf("bot: rewinding a request body to retry: %w", err)
			}
			req = r.Clone(ctx)
			req.Body = body
		}
		resp, err := l.next.RoundTrip(req)
		if err != nil {
			return nil, err // the request may have arrived: not repeated
		}
		delay := l.observe(key, resp, attempt)
		retry := resp.StatusCode == http.StatusTooManyRequests ||
			(resp.StatusCode >= 500 && resp.StatusCode <= 599 && canRepeat(r))
		if !retry || attempt == maxAttempts || (r.Body != nil && r.Body != http.NoBody && r.GetBody == nil) {
			return resp, nil
		}
		if !fits(ctx, delay) {
			if resp.StatusCode == http.StatusTooManyRequests {
				_ = resp.Body.Close()
				return nil, fmt.Errorf("%w for %v", ErrRateLimited, delay.Round(time.Millisecond))
			}
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// wait blocks until key's bucket and the global limit allow a request, or
// fails at once when that is later than ctx allows.
func (l *limiter) wait(ctx context.Context, key string) error {
	l.mu.Lock()
	until := l.buckets[key]
	if l.global.After(until) && !globalExempt(key) {
		until = l.global
	}
	l.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return nil
	}
	if !fits(ctx, d) {
		return fmt.Errorf("%w for %v", ErrRateLimited, d.Round(time.Millisecond))
	}
	return sleep(ctx, d)
}

// observe records the rate-limit state a response reports, strips the
// headers that would make discordgo sleep on its own, and returns how long
// to wait before retrying the request, should it be retried.
func (l *limiter) observe(key string, resp *http.Response, attempt int) time.Duration {
	h := resp.Header
	now := time.Now()
	var delay time.Duration
	if resp.StatusCode == http.StatusTooManyRequests {
		delay = retryAfter(resp)
		global := h.Get("X-RateLimit-Global") != "" || h.Get("X-RateLimit-Scope") == "global"
		l.mu.Lock()
		if global {
			if t := now.Add(delay); t.After(l.global) {
				l.global = t
			}
		} else {
			l.setBucket(key, now.Add(delay))
		}
		l.mu.Unlock()
	} else {
		if h.Get("X-RateLimit-Remaining") == "0" {
			if after, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64); err == nil && after > 0 {
				l.mu.Lock()
				l.setBucket(key, now.Add(seconds(after)))
				l.mu.Unlock()
			}
		}
		delay = min(250*time.Millisecond<<(attempt-1), 2*time.Second)
		if s, err := strconv.ParseFloat(h.Get("Retry-After"), 64); err == nil && s > 0 {
			delay = seconds(s)
		}
	}
	for _, name := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
		"X-RateLimit-Reset-After", "X-RateLimit-Global", "X-RateLimit-Bucket", "X-RateLimit-Scope", "Retry-After"} {
		h.Del(name)
	}
	return delay
}

// setBucket records that key's bucket is empty until t; l.mu is held.
func (l *limiter) setBucket(key string, t time.Time) {
	if len(l.buckets) >= maxBuckets {
		now := time.Now()
		for k, until := range l.buckets {
			if until.Before(now) {
				delete(l.buckets, k)
			}
		}
		if len(l.buckets) >= maxBuckets {
			clear(l.buckets) // all live: forgetting them costs at most a 429 each
		}
	}
	if t.After(l.buckets[key]) {
		l.buckets[key] = t
	}
}

// retryAfter reads a 429's wait: retry_after in the JSON body (seconds, a
// float), else the Retry-After header. The body is put back for discordgo.
func retryAfter(resp *http.Response) time.Duration {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	var body struct {
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal(raw, &body) == nil && body.RetryAfter > 0 {
		return seconds(body.RetryAfter)
	}
	if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && s > 0 {
		return seconds(s)
	}
	return 100 * time.Millisecond
}

// seconds converts Discord's float seconds to a duration, capping absurd
// values so the arithmetic cannot overflow.
func seconds(s float64) time.Duration {
	const most = 24 * time.Hour
	if s >= most.Seconds() || s != s {
		return most
	}
	return time.Duration(s * float64(time.Second))
}

// canRepeat reports whether r may be sent again after a server error,
// which may come after Discord acted on it: reads, edits and deletes are
// idempotent; a thread on a message exists once (Discord answers the second
// with 160004, which startThread handles); a message sent with an enforced
// nonce is posted once. Interaction callbacks and follow-ups are not.
func canRepeat(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	if safe, _ := r.Context().Value(retryKey{}).(bool); safe {
		return true
	}
	rest, _ := strings.CutPrefix(routeKey(r.Method, r.URL.Path), "POST channels/")
	return strings.HasSuffix(rest, "/messages/*/threads")
}

// fits reports whether waiting d leaves ctx alive.
func fits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > d
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// routeKey approximates Discord's rate-limit bucket of a request: its
// method and route below /api/v<N>/, keeping the top-level resource's ID
// (the "major parameter": channel, guild, webhook, interaction) and
// replacing other IDs and tokens with "*".
func routeKey(method, path string) string {
	if i := strings.Index(path, "/api/v"); i >= 0 {
		if _, rest, ok := strings.Cut(path[i+len("/api/v"):], "/"); ok {
			path = rest
		}
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if i == 1 && (segs[0] == "channels" || segs[0] == "guilds" || segs[0] == "webhooks" || segs[0] == "interactions") {
			continue
		}
		if i > 0 && (isID(s) || (segs[0] == "webhooks" || segs[0] == "interactions") && i == 2) {
			segs[i] = "*"
		}
	}
	return method + " " + strings.Join(segs, "/")
}

// globalExempt reports whether a route is outside the global limit:
// interaction callbacks and interaction webhooks are, per Discord.
func globalExempt(key string) bool {
	_, route, _ := strings.Cut(key, " ")
	return strings.HasPrefix(route, "interactions/") || strings.HasPrefix(route, "webhooks/")
}

func isID(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
