package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/store/pgtest"
)

// engine is one of the SQL engines the store runs on, for the tests that
// hold on both.
type engine struct {
	name string
	// fresh returns where a new, empty database is: a file path or a
	// DSN. Without a PostgreSQL test server it skips t.
	fresh func(t testing.TB) string
	// open opens the database at target.
	open func(ctx context.Context, target string, opts Options) (*DB, error)
	// check, when set, verifies the database when a test ends.
	check func(ctx context.Context, s *DB) error
}

// engines lists SQLite, always, and PostgreSQL, which skips itself unless
// scripts/test-services.sh started a test server.
func engines() []engine {
	return []engine{
		{
			name:  "SQLite",
			fresh: func(t testing.TB) string { return filepath.Join(t.TempDir(), "linkbrief.db") },
			open:  OpenWith,
			check: integrityCheck,
		},
		{
			name:  "Postgres",
			fresh: testSchema,
			open:  OpenPostgresWith,
		},
	}
}

// openAt opens target with e, closing (and checking) it when t ends.
func (e engine) openAt(t testing.TB, target string, opts Options) *DB {
	t.Helper()
	s, err := e.open(t.Context(), target, opts)
	if err != nil {
		t.Fatalf("open %s %s: %v", e.name, target, err)
	}
	t.Cleanup(func() {
		if e.check != nil {
			if err := e.check(context.Background(), s); err != nil {
				t.Error(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// forEngine runs f as a parallel subtest per engine.
func forEngine(t *testing.T, f func(t *testing.T, e engine)) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			f(t, e)
		})
	}
}

// testSchema returns a DSN selecting an empty schema of t's own in the
// test database (see pgtest), or skips t when none is configured.
func testSchema(t testing.TB) string {
	t.Helper()
	return pgtest.Schema(t, "linkbrief_test")
}

func openSQLite(t testing.TB, path string, opts Options) *DB {
	t.Helper()
	return engines()[0].openAt(t, path, opts)
}

func openPostgres(t testing.TB, dsn string, opts Options) *DB {
	t.Helper()
	return engines()[1].openAt(t, dsn, opts)
}

// TestStore runs the conformance suite on both engines.
func TestStore(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		if e.name == "Postgres" {
			testSchema(t) // skip the whole suite at once when there is no server
		}
		testStore(t, func(t *testing.T) Store { return e.openAt(t, e.fresh(t), Options{}) })
	})
}

// TestPostgresExecModes runs the conformance suite with the query modes a
// DSN may ask pgx for: exec (behind PgBouncer in transaction mode: no
// prepared statement outlives its query) and simple_protocol (arguments
// sent as text in the query).
func TestPostgresExecModes(t *testing.T) {
	testSchema(t)
	for _, mode := range []string{"exec", "simple_protocol"} {
		open := func(t *testing.T) *DB {
			dsn := testSchema(t)
			if strings.Contains(dsn, "://") {
				dsn += "&default_query_exec_mode=" + mode
			} else {
				dsn += " default_query_exec_mode=" + mode
			}
			return openPostgres(t, dsn, Options{})
		}
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			testStore(t, func(t *testing.T) Store { return open(t) })
		})
		t.Run(mode+"/Coordination", func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := open(t)
			if ok, err := s.AcquireLease(ctx, "k", "o", time.Minute); err != nil || !ok {
				t.Errorf("AcquireLease = %v, %v; want true", ok, err)
			}
			if err := s.ReleaseLease(ctx, "k", "o"); err != nil {
				t.Errorf("ReleaseLease: %v", err)
			}
			q := Quota{User: "u", UserPerMinute: 1, Guild: "g", GuildPerHour: 5, DailyTokens: 1000, Tokens: 300}
			h, err := s.Reserve(ctx, q)
			if err != nil || !h.OK() {
				t.Fatalf("Reserve = %+v, %v; want a hold", h, err)
			}
			if h2, err := s.Reserve(ctx, q); err != nil || h2.Refused != LimitUser {
				t.Errorf("second Reserve = %+v, %v; want refused by the user limit", h2, err)
			}
			if err := s.Settle(ctx, h, 120); err != nil {
				t.Errorf("Settle: %v", err)
			}
			if c, err := s.Counts(ctx, q); err != nil || c.User != 1 || c.Guild != 1 || c.Tokens != 120 {
				t.Errorf("Counts = %+v, %v; want 1 brief for the user and the guild, 120 tokens", c, err)
			}
		})
	}
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestExpiryBoundaries(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		ctx := t.Context()
		clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		s := e.openAt(t, e.fresh(t), Options{Now: clock.Now, EventRetention: 48 * time.Hour})

		if err := s.PutBrief(ctx, "b", []byte("brief"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := s.PutArticle(ctx, Article{URL: "u", Text: "t"}, 2*time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimEvent(ctx, "old-event"); err != nil {
			t.Fatal(err)
		}

		clock.Advance(time.Hour - time.Microsecond)
		if _, err := s.GetBrief(ctx, "b"); err != nil {
			t.Errorf("GetBrief 1µs before expiry: %v", err)
		}
		if n, err := s.DeleteExpired(ctx); err != nil || n != 0 {
			t.Errorf("DeleteExpired 1µs before expiry = %d, %v; want 0", n, err)
		}
		clock.Advance(time.Microsecond)
		if _, err := s.GetBrief(ctx, "b"); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetBrief at expiry = %v, want ErrNotFound", err)
		}
		if _, err := s.GetArticle(ctx, "u"); err != nil {
			t.Errorf("GetArticle before its expiry: %v", err)
		}
		if n, err := s.DeleteExpired(ctx); err != nil || n != 1 {
			t.Errorf("DeleteExpired after 1h = %d, %v; want 1 (the brief)", n, err)
		}
		clock.Advance(time.Hour)
		if _, err := s.GetArticle(ctx, "u"); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetArticle at expiry = %v, want ErrNotFound", err)
		}
		if _, err := s.ClaimEvent(ctx, "new-event"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(46*time.Hour + time.Microsecond) // old-event is now past the 48h retention, new-event is not
		if n, err := s.DeleteExpired(ctx); err != nil || n != 2 {
			t.Errorf("DeleteExpired after 48h = %d, %v; want 2 (the article and old-event)", n, err)
		}
		if ok, err := s.ClaimEvent(ctx, "old-event"); err != nil || !ok {
			t.Errorf("ClaimEvent(old-event) after retention = %v, %v; want true", ok, err)
		}
		if ok, err := s.ClaimEvent(ctx, "new-event"); err != nil || ok {
			t.Errorf("ClaimEvent(new-event) within retention = %v, %v; want false", ok, err)
		}
	})
}

// TestTwoHandlesClaim stands in for two processes: two independent *DB on
// one database, each with its own connections (and, on SQLite, locks).
func TestTwoHandlesClaim(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		target := e.fresh(t)
		a, b := e.openAt(t, target, Options{}), e.openAt(t, target, Options{})
		testTwoHandlesClaim(t, a, b)
		testTwoHandlesRelease(t, a, b)
	})
}

// TestMixedLoad runs writers and readers on two handles at once: none may
// fail (on SQLite, with SQLITE_BUSY), and the usage upsert loses no
// increment.
func TestMixedLoad(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		ctx := t.Context()
		target := e.fresh(t)
		handles := []*DB{e.openAt(t, target, Options{}), e.openAt(t, target, Options{})}
		const workers, ops = 8, 25
		var wg sync.WaitGroup
		errc := make(chan error, 4*workers*ops)
		for w := range workers {
			s := handles[w%2]
			wg.Go(func() {
				for i := range ops {
					key := fmt.Sprintf("w%d-%d", w, i)
					if err := s.PutBrief(ctx, key, []byte(key), time.Hour); err != nil {
						errc <- err
					}
					if err := s.AddUsage(ctx, "g", time.Now(), 1, 10); err != nil {
						errc <- err
					}
				}
			})
			wg.Go(func() {
				for i := range ops {
					if _, err := s.GetBrief(ctx, fmt.Sprintf("w%d-%d", w, i)); err != nil && !errors.Is(err, ErrNotFound) {
						errc <- err
					}
					if _, err := s.Usage(ctx, "g", time.Now()); err != nil {
						errc <- err
					}
				}
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		u, err := handles[0].Usage(ctx, "g", time.Now())
		if err != nil || u.Briefs != workers*ops || u.Tokens != 10*workers*ops {
			t.Errorf("Usage after load = %+v, %v; want %d briefs and %d tokens (no lost updates)", u, err, workers*ops, 10*workers*ops)
		}
	})
}

func schemaVersions(t *testing.T, s *DB) []int {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func wantVersions() []int {
	var vs []int
	for _, m := range schema {
		vs = append(vs, m.version)
	}
	return vs
}

func TestMigrationsNumbered(t *testing.T) {
	for i, m := range schema {
		if m.version != i+1 || len(m.stmts) == 0 {
			t.Errorf("migration %d has version %d and %d statements; want version %d and at least one", i, m.version, len(m.stmts), i+1)
		}
		for _, d := range []dialect{sqliteDialect, postgresDialect} {
			for _, stmt := range m.stmts {
				if s := d.types.Replace(stmt); strings.ContainsAny(s, "{}") {
					t.Errorf("migration %d on %s keeps a placeholder: %s", m.version, d.name, s)
				}
			}
		}
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		target := e.fresh(t)
		for i := range 3 {
			s, err := e.open(t.Context(), target, Options{})
			if err != nil {
				t.Fatalf("open #%d: %v", i+1, err)
			}
			got := schemaVersions(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, wantVersions()) {
				t.Errorf("schema versions after open #%d = %v, want %v", i+1, got, wantVersions())
			}
		}
	})
}

// TestMigrationsRace opens one empty database from several handles at
// once, as several processes starting together would.
func TestMigrationsRace(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		for round := range 3 {
			target := e.fresh(t)
			const n = 4
			var wg sync.WaitGroup
			stores := make([]*DB, n)
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					stores[i], errs[i] = e.open(t.Context(), target, Options{})
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("round %d: racing open #%d: %v", round, i, err)
					continue
				}
				if got := schemaVersions(t, stores[i]); !slices.Equal(got, wantVersions()) {
					t.Errorf("round %d: schema versions seen by open #%d = %v, want %v", round, i, got, wantVersions())
				}
			}
			// Every handle works on the one database: the first to
			// claim an event wins it, the others see it taken.
			claimed := false
			for i, s := range stores {
				if s == nil {
					continue
				}
				if ok, err := s.ClaimEvent(t.Context(), "after-race"); err != nil || ok == claimed {
					t.Errorf("round %d: handle %d ClaimEvent(after-race) = %v, %v; want %v", round, i, ok, err, !claimed)
				}
				claimed = true
				if err := s.Close(); err != nil {
					t.Error(err)
				}
			}
		}
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		target := e.fresh(t)
		s, err := e.open(t.Context(), target, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.write.ExecContext(t.Context(), `INSERT INTO schema_version (version, applied_at) VALUES (999, $1)`,
			s.d.time(time.Now())); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		_, err = e.open(t.Context(), target, Options{})
		if err == nil || !strings.Contains(err.Error(), "999") || !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("open of a database from a newer build = %v; want a store error naming version 999", err)
		}
		if e.name == "SQLite" && (err == nil || !strings.Contains(err.Error(), target)) {
			t.Errorf("open of a database from a newer build = %v; want it to name %s", err, target)
		}
	})
}

func TestCloseTwice(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		s, err := e.open(t.Context(), e.fresh(t), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("first Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v, want nil", err)
		}
		if _, err := s.GetBrief(t.Context(), "k"); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("GetBrief after Close = %v, want a \"closed\" error", err)
		}
	})
}

func TestPing(t *testing.T) {
	forEngine(t, func(t *testing.T, e engine) {
		s, err := e.open(t.Context(), e.fresh(t), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping on an open store = %v, want nil", err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := s.Ping(ctx); err == nil {
			t.Errorf("Ping with a cancelled context = nil, want an error")
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(t.Context()); err == nil {
			t.Errorf("Ping on a closed store = nil, want an error")
		}
	})
}

// TestOpenDSN is not parallel: a subtest sets XDG_CACHE_HOME.
func TestOpenDSN(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	cases := []struct {
		name, driver, dsn string
		wantDialect       string // "" = an error
	}{
		{"sqlite", "sqlite", filepath.Join(dir, "a.db"), "SQLite"},
		{"default driver", "", filepath.Join(dir, "b.db"), "SQLite"},
		{"postgres without DSN", "postgres", "", ""},
		{"postgres unreachable", "postgresql", "postgres://u@127.0.0.1:1/db?sslmode=disable&connect_timeout=5", ""},
		{"unknown driver", "mysql", "x", ""},
	}
	for _, c := range cases {
		s, err := OpenDSN(ctx, c.driver, c.dsn)
		if c.wantDialect == "" {
			if err == nil || !strings.HasPrefix(err.Error(), "store: ") {
				t.Errorf("OpenDSN(%q, %q) = %v; want a store error", c.driver, c.dsn, err)
			}
			if s != nil {
				t.Errorf("OpenDSN(%q, %q) returned a store with its error", c.driver, c.dsn)
			}
			continue
		}
		if err != nil {
			t.Errorf("OpenDSN(%q, %q): %v", c.driver, c.dsn, err)
			continue
		}
		if s.d.name != c.wantDialect {
			t.Errorf("OpenDSN(%q, %q) runs on %s, want %s", c.driver, c.dsn, s.d.name, c.wantDialect)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
	t.Run("default path", func(t *testing.T) {
		t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
		s, err := OpenDSN(ctx, "sqlite", "")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := os.Stat(filepath.Join(dir, "cache", "linkbrief", "linkbrief.db")); err != nil {
			t.Errorf("OpenDSN(sqlite, \"\") did not create the default file: %v", err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := OpenDSN(ctx, "postgres", testSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.d.name != "PostgreSQL" {
			t.Errorf("OpenDSN(postgres) runs on %s, want PostgreSQL", s.d.name)
		}
	})
}

// openSpec opens the database a child process is told about: "sqlite "
// or "postgres " followed by the path or DSN.
func openSpec(ctx context.Context, spec string) (*DB, error) {
	driver, target, _ := strings.Cut(spec, " ")
	return OpenDSN(ctx, driver, target)
}

// specOf is the spec (see openSpec) of e's database at target.
func specOf(e engine, target string) string {
	if e.name == "Postgres" {
		return "postgres " + target
	}
	return "sqlite " + target
}

// claimChildEnv carries the spec of the database (see openSpec) from
// TestTwoProcessesClaim to its children.
const claimChildEnv = "LINKBRIEF_STORE_CLAIM_CHILD"

// TestClaimChild is not a test of its own: it is one of the processes of
// TestTwoProcessesClaim. It opens the store (racing the other child's
// migration), waits for a line on stdin, claims events 0 to 299 (in
// reverse when the line is "reverse") and prints the ones it won.
func TestClaimChild(t *testing.T) {
	spec := os.Getenv(claimChildEnv)
	if spec == "" {
		t.Skip("helper process for TestTwoProcessesClaim")
	}
	ctx := context.Background()
	s, err := openSpec(ctx, spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	fmt.Println("ready")
	order, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		os.Exit(3)
	}
	for i := range 300 {
		if order == "reverse\n" {
			i = 299 - i
		}
		ok, err := s.ClaimEvent(ctx, fmt.Sprint(i))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if ok {
			fmt.Printf("won %d\n", i)
		}
	}
	s.Close()
	os.Exit(0)
}

// TestTwoProcessesClaim starts two processes on one empty database at once
// (both migrate) and has them claim the same events: every event is won
// exactly once.
func TestTwoProcessesClaim(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	forEngine(t, func(t *testing.T, e engine) {
		checkClaimWins(t, startRacers(t, "TestClaimChild", claimChildEnv+"="+specOf(e, e.fresh(t))), 300)
	})
}
