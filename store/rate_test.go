package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// limitEnv is one Limiter under test: two handles on the same shared
// state, as two processes would have.
type limitEnv struct {
	a, b Limiter
	// advance moves the clock forward by at least d; nil when the clock
	// is the wall clock, so windows cannot be waited out in a test.
	advance func(d time.Duration)
	prefix  string
}

// limitBackends lists every Limiter: the coordination backends and the
// in-process one.
func limitBackends() []struct {
	name string
	open func(t *testing.T) *limitEnv
} {
	var out []struct {
		name string
		open func(t *testing.T) *limitEnv
	}
	for _, b := range coordBackends() {
		out = append(out, struct {
			name string
			open func(t *testing.T) *limitEnv
		}{b.name, func(t *testing.T) *limitEnv {
			e := b.open(t)
			le := &limitEnv{a: e.a, b: e.b, advance: e.advance, prefix: e.prefix}
			if e.real {
				le.advance = nil
			}
			return le
		}})
	}
	out = append(out, struct {
		name string
		open func(t *testing.T) *limitEnv
	}{"Memory", func(t *testing.T) *limitEnv {
		clk := &fakeClock{t: coordEpoch}
		m := NewMemoryLimiter(clk.Now)
		return &limitEnv{a: m, b: m, advance: clk.Advance, prefix: randomHex(t, 4) + ":"}
	}})
	return out
}

func TestLimiter(t *testing.T) {
	for _, b := range limitBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct {
				name string
				run  func(t *testing.T, e *limitEnv)
			}{
				{"ConcurrentUser", testReserveConcurrentUser},
				{"ConcurrentBudget", testReserveConcurrentBudget},
				{"Refund", testReserveRefund},
				{"Settle", testReserveSettle},
				{"GuildAcrossUsers", testReserveGuild},
				{"Slides", testReserveSlides},
				{"NoLimits", testReserveNoLimits},
				{"BadInput", testReserveBadInput},
			} {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, b.open(t))
				})
			}
		})
	}
}

// reserveAll runs n Reserves of q at once, alternating handles, and
// returns the holds taken and the refusals.
func reserveAll(t *testing.T, e *limitEnv, n int, q Quota) (taken, refused []Hold) {
	t.Helper()
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for i := range n {
		h := []Limiter{e.a, e.b}[i%2]
		wg.Go(func() {
			got, err := h.Reserve(t.Context(), q)
			if err != nil {
				t.Errorf("Reserve #%d: %v", i, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if got.OK() {
				taken = append(taken, got)
			} else {
				refused = append(refused, got)
			}
		})
	}
	wg.Wait()
	return taken, refused
}

// testReserveConcurrentUser: 20 reservations at once for one user, on two
// handles, against a limit of 5: exactly 5 are taken, and every refusal
// names the user's limit and says when to retry.
func testReserveConcurrentUser(t *testing.T, e *limitEnv) {
	q := Quota{User: e.prefix + "u", UserPerMinute: 5, Guild: e.prefix + "g", GuildPerHour: 100}
	taken, refused := reserveAll(t, e, 20, q)
	if len(taken) != 5 {
		t.Errorf("20 concurrent reservations with user_per_minute 5: %d taken, want 5", len(taken))
	}
	for _, h := range refused {
		if h.Refused != LimitUser || h.RetryAfter <= 0 || h.RetryAfter > UserWindow {
			t.Errorf("refusal = %+v, want the user limit with a retry in (0, %v]", h, UserWindow)
		}
	}
	c, err := e.b.Counts(t.Context(), q)
	if err != nil || c.User != 5 || c.Guild != 5 {
		t.Errorf("Counts = %+v, %v; want 5 for the user and the guild", c, err)
	}
}

// testReserveConcurrentBudget: a budget of 1000 tokens and 12 concurrent
// reservations of 300: exactly 3 fit; after settling each with its real
// usage the day's total is exactly what was spent.
func testReserveConcurrentBudget(t *testing.T, e *limitEnv) {
	ctx := t.Context()
	q := Quota{Guild: e.prefix + "g", DailyTokens: 1000, Tokens: 300}
	taken, refused := reserveAll(t, e, 12, q)
	if len(taken) != 3 {
		t.Fatalf("12 concurrent reservations of 300 in a budget of 1000: %d taken, want 3", len(taken))
	}
	for _, h := range refused {
		if h.Refused != LimitTokens || h.RetryAfter <= 0 || h.RetryAfter > 24*time.Hour {
			t.Errorf("refusal = %+v, want the token budget with a retry within a day", h)
		}
	}
	for i, h := range taken {
		if err := e.a.Settle(ctx, h, int64(310+i)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := e.b.Counts(ctx, q)
	if err != nil || c.Tokens != 310+311+312 {
		t.Errorf("Counts = %+v, %v; want %d tokens, the real usage", c, err, 310+311+312)
	}
	if h, err := e.a.Reserve(ctx, q); err != nil || h.OK() {
		t.Errorf("Reserve over the budget = %+v, %v; want a refusal", h, err)
	}
	// Work estimated at nothing (the offline summarizer) still passes.
	if h, err := e.a.Reserve(ctx, Quota{Guild: q.Guild, DailyTokens: 1000}); err != nil || !h.OK() {
		t.Errorf("Reserve of no tokens over the budget = %+v, %v; want it taken", h, err)
	}
}

// testReserveRefund: a refunded hold frees its slot and its tokens;
// refunding a refusal changes nothing.
func testReserveRefund(t *testing.T, e *limitEnv) {
	ctx := t.Context()
	q := Quota{User: e.prefix + "u", UserPerMinute: 2, Guild: e.prefix + "g", GuildPerHour: 10, DailyTokens: 1000, Tokens: 400}
	var hs []Hold
	for i := range 2 {
		h, err := e.a.Reserve(ctx, q)
		if err != nil || !h.OK() {
			t.Fatalf("Reserve #%d = %+v, %v", i, h, err)
		}
		hs = append(hs, h)
	}
	full, err := e.b.Reserve(ctx, q)
	if err != nil || full.OK() || full.Refused != LimitUser {
		t.Fatalf("third Reserve = %+v, %v; want the user limit", full, err)
	}
	if err := e.b.Refund(ctx, hs[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.b.Refund(ctx, full); err != nil {
		t.Fatal(err)
	}
	c, err := e.a.Counts(ctx, q)
	if err != nil || c.User != 1 || c.Guild != 1 || c.Tokens != 400 {
		t.Errorf("Counts after a refund = %+v, %v; want 1, 1, 400", c, err)
	}
	if h, err := e.b.Reserve(ctx, q); err != nil || !h.OK() {
		t.Errorf("Reserve after a refund = %+v, %v; want it taken", h, err)
	}
}

// testReserveSettle: settling with less or more than the estimate moves
// the day's total by the difference; settling with the estimate keeps it.
func testReserveSettle(t *testing.T, e *limitEnv) {
	ctx := t.Context()
	q := Quota{Guild: e.prefix + "g", DailyTokens: 10000, Tokens: 500}
	h, err := e.a.Reserve(ctx, q)
	if err != nil || !h.OK() {
		t.Fatalf("Reserve = %+v, %v", h, err)
	}
	for _, step := range []struct {
		tokens, want int64
	}{{500, 500}, {200, 200}} {
		if err := e.b.Settle(ctx, h, step.tokens); err != nil {
			t.Fatal(err)
		}
		if c, err := e.a.Counts(ctx, q); err != nil || c.Tokens != step.want {
			t.Errorf("Counts after settling %d = %+v, %v; want %d tokens", step.tokens, c, err, step.want)
		}
		h.Tokens = step.tokens
	}
}

// testReserveGuild: the guild's hourly limit counts every member.
func testReserveGuild(t *testing.T, e *limitEnv) {
	ctx := t.Context()
	for i := range 4 {
		q := Quota{User: fmt.Sprint(e.prefix, "u", i), UserPerMinute: 5, Guild: e.prefix + "g", GuildPerHour: 3}
		h, err := []Limiter{e.a, e.b}[i%2].Reserve(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want := i < 3; h.OK() != want {
			t.Errorf("Reserve by member %d = %+v, want taken %v", i, h, want)
		}
		if i == 3 && (h.Refused != LimitGuild || h.RetryAfter <= 0 || h.RetryAfter > GuildWindow) {
			t.Errorf("refusal = %+v, want the guild limit with a retry within the hour", h)
		}
	}
}

// testReserveSlides: slots free as the window slides past them.
func testReserveSlides(t *testing.T, e *limitEnv) {
	if e.advance == nil {
		t.Skip("the wall clock cannot be moved a minute on")
	}
	ctx := t.Context()
	q := Quota{User: e.prefix + "u", UserPerMinute: 2}
	for range 2 {
		if h, err := e.a.Reserve(ctx, q); err != nil || !h.OK() {
			t.Fatalf("Reserve = %+v, %v", h, err)
		}
		e.advance(20 * time.Second)
	}
	h, err := e.b.Reserve(ctx, q)
	if err != nil || h.OK() || h.RetryAfter != 20*time.Second {
		t.Fatalf("Reserve with the window full = %+v, %v; want a refusal for 20s", h, err)
	}
	e.advance(20 * time.Second)
	if h, err := e.b.Reserve(ctx, q); err != nil || !h.OK() {
		t.Errorf("Reserve once the oldest left the window = %+v, %v; want it taken", h, err)
	}
}

// testReserveNoLimits: a quota without limits is always taken and counts
// nothing.
func testReserveNoLimits(t *testing.T, e *limitEnv) {
	ctx := t.Context()
	q := Quota{User: e.prefix + "u", Guild: e.prefix + "g"}
	for range 3 {
		h, err := e.a.Reserve(ctx, q)
		if err != nil || !h.OK() {
			t.Fatalf("Reserve without limits = %+v, %v", h, err)
		}
		if err := e.a.Settle(ctx, h, 0); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := e.b.Counts(ctx, q); err != nil || c != (Counts{}) {
		t.Errorf("Counts = %+v, %v; want zero", c, err)
	}
}

// testReserveBadInput: negative limits and a budget without a guild are
// errors, not refusals.
func testReserveBadInput(t *testing.T, e *limitEnv) {
	for _, q := range []Quota{
		{User: "u", UserPerMinute: -1},
		{Guild: "g", Tokens: -5},
		{DailyTokens: 100, Tokens: 5},
	} {
		if h, err := e.a.Reserve(t.Context(), q); err == nil || h.OK() {
			t.Errorf("Reserve(%+v) = %+v, %v; want an error", q, h, err)
		}
	}
}

// TestRateSweep: each reservation removes up to a hundred expired events.
func TestRateSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clk := &fakeClock{t: coordEpoch}
	s := openSQLite(t, filepath.Join(t.TempDir(), "sweep.db"), Options{Now: clk.Now})
	for i := range 150 {
		if h, err := s.Reserve(ctx, Quota{User: fmt.Sprint(i), UserPerMinute: 5}); !h.OK() || err != nil {
			t.Fatalf("Reserve(user %d) = %+v, %v", i, h, err)
		}
	}
	clk.Advance(time.Minute)
	count := func() int {
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, want := range []int{50, 0} { // at most sweepBatch per Reserve; no limit records nothing
		if _, err := s.Reserve(ctx, Quota{User: "other"}); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != want {
			t.Errorf("events after Reserve #%d = %d, want %d", i+1, got, want)
		}
	}
}

// TestMemoryLimiterSweep: the in-process limiter forgets expired events
// and past days.
func TestMemoryLimiterSweep(t *testing.T) {
	clk := &fakeClock{t: coordEpoch}
	m := NewMemoryLimiter(clk.Now)
	ctx := context.Background()
	for i := range 50 {
		if _, err := m.Reserve(ctx, Quota{User: fmt.Sprint(i), UserPerMinute: 1, Guild: "g", DailyTokens: 1 << 20, Tokens: 1}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(25 * time.Hour)
	if _, err := m.Reserve(ctx, Quota{User: "x"}); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.events) != 0 || len(m.used) != 0 {
		t.Errorf("after a day: %d keys and %d budgets kept, want none", len(m.events), len(m.used))
	}
}
