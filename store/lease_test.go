package store

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// coordStore is what the lease and rate-limit suites exercise.
type coordStore interface {
	Leases
	Limiter
}

// coordEnv is one backend under test: two handles on the same shared
// state, as two processes would have, and the clock both follow.
type coordEnv struct {
	a, b coordStore
	// advance moves the backend's clock forward by at least d.
	advance func(d time.Duration)
	// real is set when the clock is the wall clock (advance sleeps), so
	// "not yet expired" checks depend on the test running fast enough.
	real bool
	// exact is set when the backend's clock stands still between calls,
	// so retryAfter can be checked to the microsecond.
	exact bool
	// short is the TTL or window the suites let expire.
	short time.Duration
	// prefix is a random key prefix, so tests sharing a server never meet.
	prefix string
}

// early skips t when the wall clock moved short or more since start: the
// checks that follow assume what was taken at start has not expired yet,
// which a loaded machine cannot promise with real time. Fake clocks never
// skip.
func (e *coordEnv) early(t *testing.T, start time.Time) {
	t.Helper()
	if e.real && time.Since(start) >= e.short {
		t.Skipf("the calls took %v, longer than the %v expiry under test: machine too loaded to check expiry in real time", time.Since(start), e.short)
	}
}

// coordBackend opens a fresh coordEnv for one test.
type coordBackend struct {
	name string
	open func(t *testing.T) *coordEnv
}

// randomHex returns 2n random hex digits.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// coordEpoch is where fake clocks start.
var coordEpoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// redisEnv names the variable holding the URL of a Redis server the tests
// may write keys to; scripts/test-services.sh prints it.
const redisEnv = "LINKBRIEF_TEST_REDIS"

func openRedis(t testing.TB, url string) *Redis {
	t.Helper()
	r, err := OpenRedis(t.Context(), url)
	if err != nil {
		t.Fatalf("OpenRedis: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

// coordBackends lists every implementation: SQLite and miniredis always,
// PostgreSQL and a real Redis when their test servers are configured.
func coordBackends() []coordBackend {
	var out []coordBackend
	for _, e := range engines() {
		out = append(out, coordBackend{e.name, func(t *testing.T) *coordEnv {
			clk := &fakeClock{t: coordEpoch}
			target := e.fresh(t)
			return &coordEnv{
				a:       e.openAt(t, target, Options{Now: clk.Now}),
				b:       e.openAt(t, target, Options{Now: clk.Now}),
				advance: clk.Advance,
				exact:   true,
				short:   10 * time.Second,
				prefix:  randomHex(t, 4) + ":",
			}
		}})
	}
	return append(out, []coordBackend{
		{"Miniredis", func(t *testing.T) *coordEnv {
			m := miniredis.RunT(t)
			// TIME and TTLs both follow SetTime, so expiry is deterministic.
			var mu sync.Mutex
			now := coordEpoch
			m.SetTime(now)
			m.ClockTTL(true)
			return &coordEnv{
				a: openRedis(t, "redis://"+m.Addr()),
				b: openRedis(t, "redis://"+m.Addr()),
				advance: func(d time.Duration) {
					mu.Lock()
					defer mu.Unlock()
					now = now.Add(d)
					m.SetTime(now)
				},
				exact:  true,
				short:  10 * time.Second,
				prefix: randomHex(t, 4) + ":",
			}
		}},
		{"Redis", func(t *testing.T) *coordEnv {
			url := os.Getenv(redisEnv)
			if url == "" {
				t.Skipf("%s is not set: start a test server with `eval \"$(scripts/test-services.sh)\"` to test against a real Redis", redisEnv)
			}
			return &coordEnv{
				a: openRedis(t, url),
				b: openRedis(t, url),
				// Past d by a margin, for PX's millisecond rounding.
				advance: func(d time.Duration) { time.Sleep(d + 20*time.Millisecond) },
				real:    true,
				short:   600 * time.Millisecond,
				prefix:  "linkbrief-test:" + randomHex(t, 6) + ":",
			}
		}},
	}...)
}

// runCoord runs every case against every backend, in parallel.
func runCoord(t *testing.T, cases []struct {
	name string
	run  func(t *testing.T, e *coordEnv)
}) {
	for _, b := range coordBackends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, b.open(t))
				})
			}
		})
	}
}

func TestLeases(t *testing.T) {
	runCoord(t, []struct {
		name string
		run  func(t *testing.T, e *coordEnv)
	}{
		{"Exclusive", testLeaseExclusive},
		{"Expiry", testLeaseExpiry},
		{"Renew", testLeaseRenew},
		{"Release", testLeaseRelease},
		{"Keys", testLeaseKeys},
		{"BadInput", testLeaseBadInput},
	})
}

// testLeaseExclusive has 16 goroutines, half on each handle, race for each
// of several keys: exactly one wins each key.
func testLeaseExclusive(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	const workers, keys = 16, 5
	wins := make([][]string, keys)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for w := range workers {
		h := []coordStore{e.a, e.b}[w%2]
		owner := fmt.Sprintf("owner-%d", w)
		wg.Go(func() {
			for k := range keys {
				ok, err := h.AcquireLease(ctx, fmt.Sprintf("%surl-%d", e.prefix, k), owner, time.Hour)
				if err != nil {
					t.Errorf("AcquireLease(url-%d, %s): %v", k, owner, err)
					return
				}
				if ok {
					mu.Lock()
					wins[k] = append(wins[k], owner)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for k, w := range wins {
		if len(w) != 1 {
			t.Errorf("url-%d won by %q, want exactly one owner of %d", k, w, workers)
		}
	}
	if len(wins[0]) != 1 {
		return
	}
	// Neither handle lets another owner in while the winner holds it.
	key, winner := e.prefix+"url-0", wins[0][0]
	for i, h := range []coordStore{e.a, e.b} {
		if ok, err := h.AcquireLease(ctx, key, "latecomer", time.Hour); ok || err != nil {
			t.Errorf("handle %d: AcquireLease(held, latecomer) = %v, %v; want false, nil", i, ok, err)
		}
		if ok, err := h.AcquireLease(ctx, key, winner, time.Hour); !ok || err != nil {
			t.Errorf("handle %d: AcquireLease(held, its owner %s) = %v, %v; want true, nil", i, winner, ok, err)
		}
	}
}

// testLeaseExpiry: once the TTL passes, another owner takes the lease on
// either handle, and the first owner can no longer release it.
func testLeaseExpiry(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	key := e.prefix + "expiring"
	start := time.Now()
	if ok, err := e.a.AcquireLease(ctx, key, "first", e.short); !ok || err != nil {
		t.Fatalf("AcquireLease(free) = %v, %v; want true, nil", ok, err)
	}
	ok, err := e.b.AcquireLease(ctx, key, "second", time.Hour)
	e.early(t, start)
	if ok || err != nil {
		t.Fatalf("AcquireLease(held, second) before expiry = %v, %v; want false, nil", ok, err)
	}
	e.advance(e.short)
	if ok, err := e.b.AcquireLease(ctx, key, "second", time.Hour); !ok || err != nil {
		t.Fatalf("AcquireLease(expired, second) = %v, %v; want true, nil", ok, err)
	}
	// The first owner's late release must not free the second's lease.
	if err := e.a.ReleaseLease(ctx, key, "first"); err != nil {
		t.Fatalf("ReleaseLease(by the expired owner) = %v, want nil", err)
	}
	if ok, err := e.a.AcquireLease(ctx, key, "third", time.Hour); ok || err != nil {
		t.Errorf("AcquireLease(third) after the expired owner's release = %v, %v; want false, nil", ok, err)
	}
}

// testLeaseRenew: the holder acquiring again extends its lease from now.
func testLeaseRenew(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	key := e.prefix + "renewed"
	if ok, err := e.a.AcquireLease(ctx, key, "holder", e.short); !ok || err != nil {
		t.Fatalf("AcquireLease(free) = %v, %v; want true, nil", ok, err)
	}
	e.advance(e.short / 2)
	start := time.Now()
	if ok, err := e.b.AcquireLease(ctx, key, "holder", e.short); !ok || err != nil {
		t.Fatalf("AcquireLease(renew) = %v, %v; want true, nil", ok, err)
	}
	e.advance(e.short * 3 / 4) // past the first TTL, inside the renewed one
	ok, err := e.a.AcquireLease(ctx, key, "other", time.Hour)
	e.early(t, start)
	if ok || err != nil {
		t.Errorf("AcquireLease(other) inside the renewed lease = %v, %v; want false, nil", ok, err)
	}
	e.advance(e.short)
	if ok, err := e.a.AcquireLease(ctx, key, "other", time.Hour); !ok || err != nil {
		t.Errorf("AcquireLease(other) after the renewed lease = %v, %v; want true, nil", ok, err)
	}
}

// testLeaseRelease: only the owner's release frees the lease; releasing
// what is not held is not an error.
func testLeaseRelease(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	key := e.prefix + "released"
	if err := e.a.ReleaseLease(ctx, key, "nobody"); err != nil {
		t.Errorf("ReleaseLease(never taken) = %v, want nil", err)
	}
	if ok, err := e.a.AcquireLease(ctx, key, "owner", time.Hour); !ok || err != nil {
		t.Fatalf("AcquireLease = %v, %v; want true, nil", ok, err)
	}
	for _, other := range []string{"intruder", "Owner", "owner ", "owne"} {
		if err := e.b.ReleaseLease(ctx, key, other); err != nil {
			t.Errorf("ReleaseLease(%q) = %v, want nil", other, err)
		}
	}
	if ok, err := e.b.AcquireLease(ctx, key, "next", time.Hour); ok || err != nil {
		t.Fatalf("AcquireLease(next) after others' releases = %v, %v; want false, nil (still held)", ok, err)
	}
	if err := e.b.ReleaseLease(ctx, key, "owner"); err != nil {
		t.Fatalf("ReleaseLease(owner) = %v", err)
	}
	if err := e.a.ReleaseLease(ctx, key, "owner"); err != nil {
		t.Errorf("ReleaseLease(owner) twice = %v, want nil", err)
	}
	if ok, err := e.a.AcquireLease(ctx, key, "next", time.Hour); !ok || err != nil {
		t.Errorf("AcquireLease(next) after the owner's release = %v, %v; want true, nil", ok, err)
	}
}

// testLeaseKeys: keys are independent and compared exactly, whatever
// their bytes or length.
func testLeaseKeys(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	keys := []string{
		"https://example.com/a",
		"https://EXAMPLE.com/a",
		"https://example.com/a ",
		"unicode 日本語 \x00 nul 'quotes' \"; DROP TABLE leases; --",
		"\xff\xfe invalid utf-8",
		strings.Repeat("https://example.com/long/", 4000), // ~100 KB
	}
	for i, k := range keys {
		owner := fmt.Sprintf("owner-%d \x00\xff", i)
		if ok, err := e.a.AcquireLease(ctx, e.prefix+k, owner, time.Hour); !ok || err != nil {
			t.Errorf("AcquireLease(%.40q) = %v, %v; want true, nil", k, ok, err)
		}
	}
	for i, k := range keys {
		if ok, err := e.b.AcquireLease(ctx, e.prefix+k, "someone else", time.Hour); ok || err != nil {
			t.Errorf("AcquireLease(%.40q, someone else) = %v, %v; want false, nil", k, ok, err)
		}
		if err := e.b.ReleaseLease(ctx, e.prefix+k, fmt.Sprintf("owner-%d \x00\xff", i)); err != nil {
			t.Errorf("ReleaseLease(%.40q): %v", k, err)
		}
		if ok, err := e.b.AcquireLease(ctx, e.prefix+k, "someone else", time.Hour); !ok || err != nil {
			t.Errorf("AcquireLease(%.40q, someone else) after release = %v, %v; want true, nil", k, ok, err)
		}
	}
}

func testLeaseBadInput(t *testing.T, e *coordEnv) {
	ctx := t.Context()
	cases := []struct {
		key, owner string
		ttl        time.Duration
	}{
		{"", "owner", time.Hour},
		{e.prefix + "k", "", time.Hour},
		{e.prefix + "k", "owner", 0},
		{e.prefix + "k", "owner", -time.Hour},
		{e.prefix + "k", "owner", time.Nanosecond},
	}
	for _, c := range cases {
		ok, err := e.a.AcquireLease(ctx, c.key, c.owner, c.ttl)
		if ok || err == nil || !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("AcquireLease(%q, %q, %v) = %v, %v; want false and a store: error", c.key, c.owner, c.ttl, ok, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if ok, err := e.a.AcquireLease(cancelled, e.prefix+"k", "owner", time.Hour); ok || err == nil {
		t.Errorf("AcquireLease(cancelled context) = %v, %v; want false and an error", ok, err)
	}
	if err := e.a.ReleaseLease(cancelled, e.prefix+"k", "owner"); err == nil {
		t.Error("ReleaseLease(cancelled context) = nil, want an error")
	}
	// Bad calls took nothing.
	if ok, err := e.b.AcquireLease(ctx, e.prefix+"k", "later", time.Hour); !ok || err != nil {
		t.Errorf("AcquireLease after bad calls = %v, %v; want true, nil", ok, err)
	}
}

// TestLeaseSweep: expired leases of other keys go on release, so a store
// without DeleteExpired support for leases does not grow without bound.
func TestLeaseSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clk := &fakeClock{t: coordEpoch}
	s := openSQLite(t, filepath.Join(t.TempDir(), "sweep.db"), Options{Now: clk.Now})
	for i := range 150 {
		if ok, err := s.AcquireLease(ctx, fmt.Sprint("old-", i), "o", time.Minute); !ok || err != nil {
			t.Fatalf("AcquireLease(old-%d) = %v, %v", i, ok, err)
		}
	}
	if ok, err := s.AcquireLease(ctx, "live", "o", time.Hour); !ok || err != nil {
		t.Fatalf("AcquireLease(live) = %v, %v", ok, err)
	}
	clk.Advance(time.Minute)
	count := func() int {
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM leases`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, want := range []int{51, 1, 1} { // at most sweepBatch per release; the live lease stays
		if err := s.ReleaseLease(ctx, "unrelated", "o"); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != want {
			t.Errorf("leases after release #%d = %d, want %d", i+1, got, want)
		}
	}
}

// coordChildEnv names the variable telling a re-executed test binary, in
// TestCoordChild, which store to open: "sqlite ", "postgres " or "redis "
// followed by the path, DSN or URL.
const coordChildEnv = "LINKBRIEF_STORE_COORD_CHILD"

// coordChildPrefixEnv names the variable holding the child's key prefix.
const coordChildPrefixEnv = "LINKBRIEF_STORE_COORD_CHILD_PREFIX"

// openCoordChild opens the store that spec (see coordChildEnv) names.
func openCoordChild(ctx context.Context, spec string) (coordStore, error) {
	if url, ok := strings.CutPrefix(spec, "redis "); ok {
		return OpenRedis(ctx, url)
	}
	return openSpec(ctx, spec)
}

// TestCoordChild is not a test of its own: it is one of the processes of
// TestTwoProcessesCoord. It waits for a line on stdin, then tries to
// acquire leases 0 to 199 (in reverse when the line is "reverse"), making
// a reservation for one shared user after each, and prints what it won.
func TestCoordChild(t *testing.T) {
	spec := os.Getenv(coordChildEnv)
	if spec == "" {
		t.Skip("helper process for TestTwoProcessesCoord")
	}
	ctx := context.Background()
	s, err := openCoordChild(ctx, spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	prefix := os.Getenv(coordChildPrefixEnv)
	owner := fmt.Sprint("pid-", os.Getpid())
	fmt.Println("ready")
	order, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		os.Exit(3)
	}
	for i := range 200 {
		if order == "reverse\n" {
			i = 199 - i
		}
		ok, err := s.AcquireLease(ctx, fmt.Sprint(prefix, "lease-", i), owner, time.Hour)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if ok {
			fmt.Printf("lease %d\n", i)
		}
		h, err := s.Reserve(ctx, Quota{User: prefix + "shared", UserPerMinute: 150})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if h.OK() {
			fmt.Println("take")
		}
	}
	os.Exit(0)
}

// TestTwoProcessesCoord has two processes race for the same leases and one
// rate limit on each backend: every lease is won exactly once, and the
// limit admits exactly its 150 of the 400 reservations.
func TestTwoProcessesCoord(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	t.Parallel()
	backends := []struct {
		name string
		spec func(t *testing.T) string
	}{
		{"Redis", func(t *testing.T) string {
			url := os.Getenv(redisEnv)
			if url == "" {
				t.Skipf("%s is not set: start a test server with `eval \"$(scripts/test-services.sh)\"` to test against a real Redis", redisEnv)
			}
			return "redis " + url
		}},
	}
	for _, e := range engines() {
		backends = append(backends, struct {
			name string
			spec func(t *testing.T) string
		}{e.name, func(t *testing.T) string {
			target := e.fresh(t)
			// Migrate before the race: migrations racing is another test.
			e.openAt(t, target, Options{})
			return specOf(e, target)
		}})
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			testTwoProcessesCoord(t, b.spec(t), "linkbrief-test:"+randomHex(t, 6)+":")
		})
	}
}

func testTwoProcessesCoord(t *testing.T, spec, prefix string) {
	racers := startRacers(t, "TestCoordChild", coordChildEnv+"="+spec, coordChildPrefixEnv+"="+prefix)
	leases := make(map[string]int)
	takes := make([]int, len(racers))
	for i, r := range racers {
		r.each(t, func(line string) {
			if id, ok := strings.CutPrefix(line, "lease "); ok {
				leases[id]++
			} else if line == "take" {
				takes[i]++
			}
		})
	}
	for i := range 200 {
		if n := leases[fmt.Sprint(i)]; n != 1 {
			t.Errorf("lease-%d won %d times across two processes, want 1", i, n)
		}
	}
	if got := takes[0] + takes[1]; got != 150 {
		t.Errorf("reservations allowed across two processes = %d (per process %v), want the limit 150", got, takes)
	}
	t.Logf("takes per process: %v", takes)
}
