package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLimits(t *testing.T) {
	runCoord(t, []struct {
		name string
		run  func(t *testing.T, e *coordEnv)
	}{
		{"Concurrent", testTakeConcurrent},
		{"CheckNeverRecords", testTakeCheck},
		{"Slides", testTakeSlides},
		{"RetryAfter", testTakeRetryAfter},
		{"Batch", testTakeBatch},
		{"Keys", testTakeKeys},
		{"BadInput", testTakeBadInput},
	})
}

// testTakeConcurrent: 20 Takes at once, half on each handle, against a
// limit of 5: exactly 5 are allowed, and every refusal says when to retry.
func testTakeConcurrent(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	const takes, limit, window = 20, 5, time.Hour
	key := e.prefix + "user:1"
	var (
		mu      sync.Mutex
		allowed int
		wg      sync.WaitGroup
	)
	for i := range takes {
		h := []coordStore{e.a, e.b}[i%2]
		wg.Go(func() {
			ok, retry, err := h.Take(ctx, key, limit, window, 1)
			if err != nil {
				t.Errorf("Take #%d: %v", i, err)
				return
			}
			switch {
			case ok && retry != 0:
				t.Errorf("Take #%d = allowed with retryAfter %v, want 0", i, retry)
			case !ok && (retry <= 0 || retry > window):
				t.Errorf("Take #%d = refused with retryAfter %v, want in (0, %v]", i, retry, window)
			}
			if ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != limit {
		t.Errorf("%d concurrent Takes with limit %d: %d allowed, want %d", takes, limit, allowed, limit)
	}
	if ok, _, err := e.b.Take(ctx, key, limit, window, 0); ok || err != nil {
		t.Errorf("check after the limit was reached = %v, %v; want false, nil", ok, err)
	}
}

// testTakeCheck: n = 0 asks whether one more event would fit and never
// records one.
func testTakeCheck(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	key := e.prefix + "checked"
	for i := range 10 {
		if ok, retry, err := e.a.Take(ctx, key, 2, time.Hour, 0); !ok || retry != 0 || err != nil {
			t.Fatalf("check #%d on an empty key = %v, %v, %v; want true, 0, nil", i, ok, retry, err)
		}
	}
	for i := range 2 {
		if ok, _, err := e.b.Take(ctx, key, 2, time.Hour, 1); !ok || err != nil {
			t.Fatalf("Take #%d after 10 checks = %v, %v; want true, nil (checks recorded nothing)", i, ok, err)
		}
	}
	ok, retry, err := e.a.Take(ctx, key, 2, time.Hour, 0)
	if ok || err != nil || retry <= 0 || retry > time.Hour {
		t.Errorf("check on a full key = %v, %v, %v; want false with retryAfter in (0, 1h]", ok, retry, err)
	}
}

// testTakeSlides: events leave the window once it has passed, so a full
// key admits again.
func testTakeSlides(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	key := e.prefix + "sliding"
	w := e.short
	start := time.Now()
	for i := range 3 {
		if ok, _, err := e.a.Take(ctx, key, 3, w, 1); !ok || err != nil {
			t.Fatalf("Take #%d = %v, %v; want true, nil", i, ok, err)
		}
	}
	ok, retry, err := e.b.Take(ctx, key, 3, w, 1)
	e.early(t, start)
	if ok || err != nil || retry <= 0 || retry > w {
		t.Fatalf("Take over the limit = %v, %v, %v; want false with retryAfter in (0, %v]", ok, retry, err, w)
	}
	e.advance(w)
	for i := range 3 {
		if ok, retry, err := e.b.Take(ctx, key, 3, w, 1); !ok || err != nil {
			t.Fatalf("Take #%d after the window = %v, %v, %v; want true, nil", i, ok, retry, err)
		}
	}
	if ok, _, err := e.a.Take(ctx, key, 3, w, 1); ok || err != nil {
		t.Errorf("Take over the limit in the new window = %v, %v; want false, nil", ok, err)
	}
}

// testTakeRetryAfter checks retryAfter to the microsecond where the clock
// stands still: it is the time until enough of the oldest events leave.
func testTakeRetryAfter(t *testing.T, e *coordEnv) {
	if !e.exact {
		t.Skip("the clock moves between calls: retryAfter is checked for range only")
	}
	ctx := t.Context()
	key := e.prefix + "retry"
	const w = 10 * time.Second
	take := func(n int) (bool, time.Duration) {
		t.Helper()
		ok, retry, err := e.a.Take(ctx, key, 3, w, n)
		if err != nil {
			t.Fatalf("Take(n=%d): %v", n, err)
		}
		return ok, retry
	}
	if ok, _ := take(1); !ok { // one event at t0
		t.Fatal("first Take refused")
	}
	e.advance(4 * time.Second)
	if ok, _ := take(2); !ok { // two at t0+4s
		t.Fatal("second Take refused")
	}
	e.advance(1 * time.Second) // now t0+5s, the key is full
	cases := []struct {
		n    int
		want time.Duration
	}{
		{0, 5 * time.Second}, // one slot frees when the t0 event leaves
		{1, 5 * time.Second},
		{2, 9 * time.Second}, // two slots need the t0+4s events gone too
		{3, 9 * time.Second},
	}
	for _, c := range cases {
		if ok, retry := take(c.n); ok || retry != c.want {
			t.Errorf("Take(n=%d) on a full key = %v, %v; want false, %v", c.n, ok, retry, c.want)
		}
	}
	// The window is half-open: at exactly t0+w the t0 event is out.
	e.advance(5 * time.Second)
	if ok, retry := take(1); !ok {
		t.Errorf("Take at exactly one window after the oldest event = false, %v; want true", retry)
	}
	if ok, retry := take(1); ok || retry != 4*time.Second {
		t.Errorf("Take on the full key = %v, %v; want false, 4s", ok, retry)
	}
}

// testTakeBatch: n events count as n, and a batch is all or nothing.
func testTakeBatch(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	key := e.prefix + "batch"
	if ok, _, err := e.a.Take(ctx, key, 5, time.Hour, 3); !ok || err != nil {
		t.Fatalf("Take(3 of 5) = %v, %v; want true, nil", ok, err)
	}
	if ok, _, err := e.b.Take(ctx, key, 5, time.Hour, 3); ok || err != nil {
		t.Fatalf("Take(3 more of 5) = %v, %v; want false, nil", ok, err)
	}
	// The refused batch recorded nothing: two still fit.
	if ok, _, err := e.b.Take(ctx, key, 5, time.Hour, 2); !ok || err != nil {
		t.Fatalf("Take(2 more of 5) = %v, %v; want true, nil", ok, err)
	}
	if ok, _, err := e.a.Take(ctx, key, 5, time.Hour, 1); ok || err != nil {
		t.Errorf("Take(1 more of 5) = %v, %v; want false, nil", ok, err)
	}
	// A whole limit at once fits an empty key.
	if ok, _, err := e.a.Take(ctx, key+"-whole", 5, time.Hour, 5); !ok || err != nil {
		t.Errorf("Take(5 of 5) on an empty key = %v, %v; want true, nil", ok, err)
	}
	// A huge batch is one record, not a billion.
	const huge = 1 << 30
	if ok, _, err := e.a.Take(ctx, key+"-huge", huge, time.Hour, huge); !ok || err != nil {
		t.Errorf("Take(2^30 of 2^30) = %v, %v; want true, nil", ok, err)
	}
	if ok, retry, err := e.b.Take(ctx, key+"-huge", huge, time.Hour, 0); ok || err != nil || retry <= 0 {
		t.Errorf("check after Take(2^30 of 2^30) = %v, %v, %v; want false with a retryAfter", ok, retry, err)
	}
}

// testTakeKeys: keys count separately and are compared exactly.
func testTakeKeys(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	keys := []string{
		"guild:1", "guild:10", "GUILD:1", "guild:1 ",
		"unicode 日本語 \x00 nul 'quotes' \"; DROP TABLE rate_events; --",
		strings.Repeat("k", 100_000),
	}
	for _, k := range keys {
		if ok, _, err := e.a.Take(ctx, e.prefix+k, 1, time.Hour, 1); !ok || err != nil {
			t.Errorf("Take(%.40q) = %v, %v; want true, nil", k, ok, err)
		}
	}
	for _, k := range keys {
		if ok, _, err := e.b.Take(ctx, e.prefix+k, 1, time.Hour, 1); ok || err != nil {
			t.Errorf("second Take(%.40q) = %v, %v; want false, nil", k, ok, err)
		}
	}
}

func testTakeBadInput(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	key := e.prefix + "bad"
	cases := []struct {
		key    string
		limit  int
		window time.Duration
		n      int
	}{
		{"", 5, time.Minute, 1},
		{key, 0, time.Minute, 0},
		{key, -1, time.Minute, 1},
		{key, 5, 0, 1},
		{key, 5, -time.Minute, 1},
		{key, 5, time.Nanosecond, 1},
		{key, 5, time.Minute, -1},
		{key, 5, time.Minute, 6},
	}
	for _, c := range cases {
		ok, retry, err := e.a.Take(ctx, c.key, c.limit, c.window, c.n)
		if ok || retry != 0 || err == nil || !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("Take(%q, limit %d, window %v, n %d) = %v, %v, %v; want false, 0 and a store: error",
				c.key, c.limit, c.window, c.n, ok, retry, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if ok, _, err := e.a.Take(cancelled, key, 5, time.Minute, 1); ok || err == nil {
		t.Errorf("Take(cancelled context) = %v, %v; want false and an error", ok, err)
	}
	// Bad calls recorded nothing: the whole limit still fits.
	if ok, _, err := e.b.Take(ctx, key, 5, time.Minute, 5); !ok || err != nil {
		t.Errorf("Take(5 of 5) after bad calls = %v, %v; want true, nil", ok, err)
	}
}

// TestRateSweep: events whose window has passed are removed by later
// Takes of any key, at most a hundred per Take.
func TestRateSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clk := &fakeClock{t: coordEpoch}
	s := openSQLite(t, filepath.Join(t.TempDir(), "sweep.db"), Options{Now: clk.Now})
	for i := range 150 {
		if ok, _, err := s.Take(ctx, fmt.Sprint("user:", i), 5, time.Minute, 1); !ok || err != nil {
			t.Fatalf("Take(user:%d) = %v, %v", i, ok, err)
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
	for i, want := range []int{50, 0} { // at most sweepBatch per Take; a check records nothing
		if _, _, err := s.Take(ctx, "other", 5, time.Hour, 0); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != want {
			t.Errorf("events after Take #%d = %d, want %d", i+1, got, want)
		}
	}
	if _, _, err := s.Take(ctx, "live", 5, time.Hour, 1); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != 1 {
		t.Errorf("events after a recorded Take = %d, want 1", got)
	}
}
