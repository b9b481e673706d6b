package commands

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/store/pgtest"
)

// redisEnv names the variable holding the URL of the test Redis server;
// scripts/test-services.sh prints it.
const redisEnv = "LINKBRIEF_TEST_REDIS"

// sharedLimiters opens n handles on one shared limiter of each kind, as n
// processes of a deployment would: an SQLite file, a PostgreSQL schema
// and a Redis server (the last two when their test servers run).
func sharedLimiters(t *testing.T, n int) map[string]func(t *testing.T) []Limiter {
	return map[string]func(t *testing.T) []Limiter{
		"SQLite": func(t *testing.T) []Limiter {
			path := filepath.Join(t.TempDir(), "limits.db")
			var out []Limiter
			for range n {
				s, err := store.Open(context.Background(), path)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				out = append(out, s)
			}
			return out
		},
		"Postgres": func(t *testing.T) []Limiter {
			dsn := pgtest.Schema(t, "linkbrief_commands")
			var out []Limiter
			for range n {
				s, err := store.OpenPostgres(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				out = append(out, s)
			}
			return out
		},
		"Redis": func(t *testing.T) []Limiter {
			url := os.Getenv(redisEnv)
			if url == "" {
				t.Skipf("%s is not set: start a test server with `eval \"$(scripts/test-services.sh)\"`", redisEnv)
			}
			var out []Limiter
			for range n {
				r, err := store.OpenRedis(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { r.Close() })
				out = append(out, r)
			}
			return out
		},
	}
}

// procs stands up one Handler per limiter handle, as processes of one
// deployment, each with its own summarizer taking delay per new brief.
func procs(t *testing.T, limiters []Limiter, opts Options, delay time.Duration, estimate int64, tokens int) []*env {
	var out []*env
	for _, l := range limiters {
		o := opts
		o.Limits = l
		e := newEnv(t, o)
		e.sum.delay, e.sum.estimate, e.sum.tokens = delay, estimate, tokens
		out = append(out, e)
	}
	return out
}

// postAll posts one message per link at once, spread over the
// processes, and returns the replies.
func postAll(t *testing.T, ps []*env, guild func(i int) string, user func(i int) string, links []string) []Reply {
	replies := make([]Reply, len(links))
	var wg sync.WaitGroup
	for i, link := range links {
		p := ps[i%len(ps)]
		wg.Go(func() {
			resp := onMessage(ctx, p.h, Message{ID: fmt.Sprint(i + 1), ChannelID: "c" + guild(i), GuildID: guild(i),
				AuthorID: user(i), AutoChannel: true, Content: "read " + link})
			if resp == nil || len(resp.Replies) != 1 {
				t.Errorf("message %d: %+v, want one reply", i, resp)
				return
			}
			replies[i] = resp.Replies[0]
		})
	}
	wg.Wait()
	return replies
}

// TestUserLimitConcurrentAcrossProcesses: one user posts 7 new links at
// once in servers handled by three processes sharing their limits;
// exactly user_per_minute of them are summarized, the others refused
// politely.
func TestUserLimitConcurrentAcrossProcesses(t *testing.T) {
	for name, open := range sharedLimiters(t, 3) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ps := procs(t, open(t), Options{UserPerMinute: 2, GuildPerHour: 100}, 150*time.Millisecond, 0, 0)
			user := fmt.Sprint("u", time.Now().UnixNano())
			var links []string
			for i := range 7 {
				links = append(links, fmt.Sprintf("https://example.com/%s/%d", user, i))
			}
			replies := postAll(t, ps, func(i int) string { return fmt.Sprint("g", i%3) }, func(int) string { return user }, links)
			briefs, refusals := 0, 0
			for _, r := range replies {
				switch {
				case len(r.Embeds) == 1:
					briefs++
				case strings.Contains(r.Content, "You have asked for a lot of briefs in the last minute"):
					refusals++
				default:
					t.Errorf("reply %+v, want a brief or the user's limit", r)
				}
			}
			if briefs != 2 || refusals != 5 {
				t.Errorf("7 concurrent new links from one user over 3 processes: %d briefs, %d refusals; want 2 and 5", briefs, refusals)
			}
		})
	}
}

// TestTokenBudgetConcurrentAcrossProcesses: eight members of one server
// post new links at once near its daily budget, over three processes;
// briefs are admitted while their estimates fit, and the day's tokens
// pass the budget by no more than the estimates' error.
func TestTokenBudgetConcurrentAcrossProcesses(t *testing.T) {
	const budget, estimate, real = 1000, 300, 320
	for name, open := range sharedLimiters(t, 3) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ls := open(t)
			ps := procs(t, ls, Options{GuildDailyTokens: budget}, 150*time.Millisecond, estimate, real)
			guild := fmt.Sprint("g", time.Now().UnixNano())
			var links []string
			for i := range 8 {
				links = append(links, fmt.Sprintf("https://example.com/%s/%d", guild, i))
			}
			replies := postAll(t, ps, func(int) string { return guild }, func(i int) string { return fmt.Sprint("u", i) }, links)
			briefs := 0
			for _, r := range replies {
				switch {
				case len(r.Embeds) == 1:
					briefs++
				case !strings.Contains(r.Content, "used its summary budget for today"):
					t.Errorf("reply %+v, want a brief or the budget's refusal", r)
				}
			}
			c, err := ls[0].Counts(ctx, store.Quota{Guild: guild})
			if err != nil {
				t.Fatal(err)
			}
			if briefs != budget/estimate {
				t.Errorf("%d briefs of estimate %d admitted in a budget of %d, want %d", briefs, estimate, budget, budget/estimate)
			}
			if limit := int64(budget + briefs*(real-estimate)); c.Tokens > limit {
				t.Errorf("tokens spent = %d, more than the budget %d plus the estimates' error (%d)", c.Tokens, budget, limit)
			}
			if c.Tokens != int64(briefs*real) {
				t.Errorf("tokens counted = %d, want the real usage %d", c.Tokens, briefs*real)
			}
		})
	}
}

// TestLimitsFailingAllow: with the shared limits unreachable, requests are
// allowed: limits must not take the bot down with them.
func TestLimitsFailingAllow(t *testing.T) {
	e := newEnv(t, Options{UserPerMinute: 2, Limits: brokenLimits{}})
	resp := onMessage(ctx, e.h, Message{ID: "1", ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: "https://example.com/1"})
	if len(resp.Replies[0].Embeds) != 1 {
		t.Errorf("with the shared limits down got %q, want a brief", resp.Replies[0].Content)
	}
}

// brokenLimits fails every call, as an unreachable Redis would.
type brokenLimits struct{}

func (brokenLimits) Reserve(context.Context, store.Quota) (store.Hold, error) {
	return store.Hold{}, fmt.Errorf("redis: connection refused")
}
func (brokenLimits) Settle(context.Context, store.Hold, int64) error { return nil }
func (brokenLimits) Refund(context.Context, store.Hold) error        { return nil }
func (brokenLimits) Counts(context.Context, store.Quota) (store.Counts, error) {
	return store.Counts{}, fmt.Errorf("redis: connection refused")
}

// TestCachedBriefsBypassLimits: a user at the limit still gets briefs
// that are already cached, since they cost nothing; new ones are refused.
func TestCachedBriefsBypassLimits(t *testing.T) {
	e := newEnv(t, Options{UserPerMinute: 1})
	e.sum.cached = map[string]bool{"https://example.com/cached": true}
	send := func(id, link string) Reply {
		t.Helper()
		resp := onMessage(ctx, e.h, Message{ID: id, ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: link})
		if resp == nil || len(resp.Replies) != 1 {
			t.Fatalf("Message(%s) = %+v, want one reply", link, resp)
		}
		return resp.Replies[0]
	}
	if r := send("1", "https://example.com/new-1"); len(r.Embeds) != 1 {
		t.Fatalf("first brief = %q", r.Content)
	}
	if r := send("2", "https://example.com/cached"); len(r.Embeds) != 1 {
		t.Errorf("cached brief at the limit = %q, want the brief", r.Content)
	}
	if r := send("3", "https://example.com/new-2"); !strings.Contains(r.Content, "please try again") {
		t.Errorf("new brief at the limit = %+v, want a refusal", r)
	}
}

// TestJoinersAreNotCharged: a brief another request made while this one
// waited is a cache hit: its reservation is refunded, so the user's next
// new link is still allowed and the tokens are not counted.
func TestJoinersAreNotCharged(t *testing.T) {
	e := newEnv(t, Options{UserPerMinute: 1, GuildDailyTokens: 1000})
	e.sum.estimate, e.sum.tokens = 100, 100
	e.sum.joined = map[string]bool{"https://example.com/joined-1": true, "https://example.com/joined-2": true}
	for i, link := range []string{"https://example.com/joined-1", "https://example.com/joined-2", "https://example.com/new"} {
		resp := onMessage(ctx, e.h, Message{ID: fmt.Sprint(i), ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: link})
		if r := resp.Replies[0]; len(r.Embeds) != 1 {
			t.Errorf("%s = %q, want a brief", link, r.Content)
		}
	}
	c, err := e.h.limits.Counts(ctx, store.Quota{User: "u1", Guild: "g1"})
	if err != nil || c.User != 1 || c.Tokens != 100 {
		t.Errorf("counts = %+v, %v; want 1 brief and 100 tokens, the new link's only", c, err)
	}
}

// TestStillWorkingIsNotAnError: a brief still being made elsewhere when
// the work's deadline comes gives no reply at all, only a request to
// handle the event again, and costs nothing against the limits.
func TestStillWorkingIsNotAnError(t *testing.T) {
	e := newEnv(t, Options{UserPerMinute: 2})
	e.sum.busy = map[string]bool{"https://example.com/slow": true}
	resp := onMessage(ctx, e.h, Message{ID: "1", ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true,
		Content: "https://example.com/fast https://example.com/slow"})
	if resp == nil || resp.Retry <= 0 || len(resp.Replies) != 0 {
		t.Fatalf("response = %+v, want no replies and a retry", resp)
	}
	if c, err := e.h.limits.Counts(ctx, store.Quota{User: "u1"}); err != nil || c.User != 1 {
		t.Errorf("counts = %+v, %v; want the fast link's brief only", c, err)
	}
	in := Interaction{ID: "2", GuildID: "g1", ChannelID: "c", UserID: "u2", Command: CmdSummarize, Options: map[string]any{"url": "https://example.com/slow"}}
	if r := interact(t, e.h, in); r == nil || r.Retry <= 0 || len(r.Replies) != 0 {
		t.Errorf("interaction response = %+v, want no replies and a retry", r)
	}
}

// TestPageClaims: a link being summarized in a server is claimed by the
// event doing it. A claim whose holder died is taken over once it
// expires, and the holder's own rescued job takes its claim back at once
// instead of being told the page is already being summarized.
func TestPageClaims(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "claims.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := New(&fakeSummarizer{}, st, Options{})
	page := func(path string) string { return "page\x1fg1\x1fhttps://example.com" + path }
	post := func(id, path string) (*Response, time.Duration) {
		start := time.Now()
		resp := onMessage(ctx, h, Message{ID: id, ChannelID: "c", GuildID: "g1", AuthorID: "u" + id, AutoChannel: true, Content: "https://example.com" + path})
		return resp, time.Since(start)
	}
	// A dead holder's claim, expiring soon.
	if ok, err := st.AcquireLease(ctx, page("/dead"), "m-dead", 400*time.Millisecond); !ok || err != nil {
		t.Fatal(ok, err)
	}
	resp, took := post("1", "/dead")
	if len(resp.Replies) != 1 || len(resp.Replies[0].Embeds) != 1 || took < 300*time.Millisecond {
		t.Errorf("after a dead holder: %+v in %v, want the brief once its claim expired", resp, took)
	}
	// The event's own claim, from its crashed first run.
	if ok, err := st.AcquireLease(ctx, page("/mine"), "m2", time.Hour); !ok || err != nil {
		t.Fatal(ok, err)
	}
	resp, took = post("2", "/mine")
	if len(resp.Replies) != 1 || len(resp.Replies[0].Embeds) != 1 || took > 300*time.Millisecond {
		t.Errorf("rescued job with its own claim: %+v in %v, want the brief at once", resp, took)
	}
	// A live holder elsewhere: the request waits within its deadline,
	// then asks to be handled again rather than answering.
	if ok, err := st.AcquireLease(ctx, page("/busy"), "m-live", time.Hour); !ok || err != nil {
		t.Fatal(ok, err)
	}
	dctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	r := onMessage(dctx, h, Message{ID: "3", ChannelID: "c", GuildID: "g1", AuthorID: "u3", AutoChannel: true, Content: "https://example.com/busy"})
	if r == nil || r.Retry <= 0 || len(r.Replies) != 0 {
		t.Errorf("while another event holds the page: %+v, want no reply and a retry", r)
	}
}

// recordingClaims records the TTL of every page claim a handler takes
// or renews.
type recordingClaims struct {
	Claims
	mu   sync.Mutex
	ttls map[string][]time.Duration // by owner
}

func (c *recordingClaims) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	c.mu.Lock()
	c.ttls[owner] = append(c.ttls[owner], ttl)
	c.mu.Unlock()
	return c.Claims.AcquireLease(ctx, key, owner, ttl)
}

// TestPageClaimIsShortAndRenewed: with the production TTL, a page claim
// lasts claimTTL (10 s), not the job's whole time, so a holder that died
// blocks the page in its server for at most that; and while the work runs
// longer than that, the holder renews it and nobody takes it over.
func TestPageClaimIsShortAndRenewed(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "claims.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	claims := &recordingClaims{Claims: st, ttls: map[string][]time.Duration{}}
	work := claimTTL + claimTTL/5
	h := New(&fakeSummarizer{delay: work}, st, Options{Claims: claims})
	jctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // a job's deadline
	defer cancel()
	done := make(chan *Response, 1)
	go func() {
		done <- onMessage(jctx, h, Message{ID: "1", ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: "https://example.com/slow"})
	}()
	time.Sleep(claimTTL + claimTTL/10) // past the first claim's TTL, the work still running
	if ok, err := st.AcquireLease(ctx, "page\x1fg1\x1fhttps://example.com/slow", "m-other", claimTTL); ok || err != nil {
		t.Errorf("another event took the page while its holder was working (%v, %v): the claim was not renewed", ok, err)
	}
	resp := <-done
	if resp == nil || len(resp.Replies) != 1 || len(resp.Replies[0].Embeds) != 1 {
		t.Fatalf("response = %+v, want the brief", resp)
	}
	claims.mu.Lock()
	defer claims.mu.Unlock()
	got := claims.ttls["m1"]
	if len(got) < 3 {
		t.Errorf("the claim was taken or renewed %d times over %v of work, want a renewal every third of %v", len(got), work, claimTTL)
	}
	for _, ttl := range got {
		if ttl > claimTTL {
			t.Errorf("a page claim lasts %v, want at most %v: a dead holder would block the page that long", ttl, claimTTL)
		}
	}
}

// TestRefundAfterTheWorkEndsIsBounded: a refund (and a settle) runs after
// the work's context ended, so that a hold is given back even then; but a
// database that does not answer (here PostgreSQL, with the guild's usage
// row locked by a transaction that stays open, as a frozen process leaves
// it) must not keep the job past its end: the refund gives up after a
// short time of its own, logged, instead of waiting for ever.
func TestRefundAfterTheWorkEndsIsBounded(t *testing.T) {
	dsn := pgtest.Schema(t, "linkbrief_commands")
	st, err := store.OpenPostgres(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := newEnv(t, Options{Limits: st, UserPerMinute: 5, GuildPerHour: 60, GuildDailyTokens: 100000})

	for _, step := range []struct {
		name string
		do   func(ctx context.Context, h store.Hold)
	}{
		{"refund", func(ctx context.Context, h store.Hold) { e.h.refund(ctx, h) }},
		{"settle", func(ctx context.Context, h store.Hold) { e.h.settle(ctx, h, h.Tokens+10) }},
	} {
		t.Run(step.name, func(t *testing.T) {
			hold, refusal := e.h.reserve(context.Background(), e.h.quota("u-"+step.name, "g-"+step.name, 100, true), false)
			if refusal != nil || !hold.OK() {
				t.Fatalf("reserve = %+v, %v; want a hold", hold, refusal)
			}
			// Another connection locks the guild's usage row and keeps it.
			lock, err := st.SQL().BeginTx(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer lock.Rollback()
			if _, err := lock.Exec(`SELECT tokens FROM guild_usage WHERE guild_id = $1 FOR UPDATE`, hold.Guild); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the job's time is over
			done := make(chan struct{})
			go func() {
				defer close(done)
				step.do(ctx, hold)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				lock.Rollback() // let the hung call end with the test
				<-done
				t.Fatalf("%s with the usage row locked was still waiting 30 s after the work ended", step.name)
			}
		})
	}
}
