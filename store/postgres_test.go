package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkbrief/linkbrief/store/pgtest"
)

// postgresEnv names the variable holding the DSN of a PostgreSQL database
// the tests may create schemas in; scripts/test-services.sh prints it.
const postgresEnv = "LINKBRIEF_TEST_POSTGRES"

// postgresDSN returns the DSN of the test database, or skips t when none
// is configured.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skipf("%s is not set: start a test server with `eval \"$(scripts/test-services.sh)\"` to test the PostgreSQL store", postgresEnv)
	}
	return dsn
}

// testSchema returns a DSN selecting an empty schema of t's own in the
// test database (see pgtest), or skips t when none is configured.
func testSchema(t testing.TB) string {
	t.Helper()
	return pgtest.Schema(t, "linkbrief_test")
}

func openPostgres(t testing.TB, dsn string, opts Options) *Postgres {
	t.Helper()
	s, err := OpenPostgresWith(t.Context(), dsn, opts)
	if err != nil {
		t.Fatalf("OpenPostgresWith: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestPostgres(t *testing.T) {
	postgresDSN(t) // skip the whole suite at once when there is no server
	testStore(t, func(t *testing.T) Store {
		return openPostgres(t, testSchema(t), Options{})
	})
}

func TestPostgresExpiryBoundaries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openPostgres(t, testSchema(t), Options{Now: clock.Now, EventRetention: 48 * time.Hour})

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
		t.Errorf("GetArticle before its own expiry: %v", err)
	}
	if n, err := s.DeleteExpired(ctx); err != nil || n != 1 {
		t.Errorf("DeleteExpired at the brief's expiry = %d, %v; want 1", n, err)
	}

	clock.Advance(47 * time.Hour)
	if _, err := s.ClaimEvent(ctx, "new-event"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if n, err := s.DeleteExpired(ctx); err != nil || n != 2 {
		t.Errorf("DeleteExpired after 48h = %d, %v; want 2 (the article and old-event)", n, err)
	}
	if ok, err := s.ClaimEvent(ctx, "old-event"); err != nil || !ok {
		t.Errorf("ClaimEvent(old-event) after retention = %v, %v; want true", ok, err)
	}
	if ok, err := s.ClaimEvent(ctx, "new-event"); err != nil || ok {
		t.Errorf("ClaimEvent(new-event) within retention = %v, %v; want false", ok, err)
	}
}

// TestPostgresTwoHandlesClaim stands in for two processes: two independent
// *Postgres on one schema, each with its own pool of connections.
func TestPostgresTwoHandlesClaim(t *testing.T) {
	t.Parallel()
	dsn := testSchema(t)
	a, b := openPostgres(t, dsn, Options{}), openPostgres(t, dsn, Options{})
	testTwoHandlesClaim(t, a, b)
	testTwoHandlesRelease(t, a, b)
}

// TestPostgresConcurrentUsage adds usage from two handles at once: the
// upsert must lose no increment.
func TestPostgresConcurrentUsage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := testSchema(t)
	handles := []*Postgres{openPostgres(t, dsn, Options{}), openPostgres(t, dsn, Options{})}
	const workers, ops = 8, 25
	day := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errc := make(chan error, workers*ops)
	for w := range workers {
		s := handles[w%2]
		wg.Go(func() {
			for range ops {
				if err := s.AddUsage(ctx, "g", day, 1, 10); err != nil {
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
	want := Usage{GuildID: "g", Day: "2025-06-01", Briefs: workers * ops, Tokens: 10 * workers * ops}
	if got, err := handles[0].Usage(ctx, "g", day); err != nil || got != want {
		t.Errorf("Usage after concurrent adds = %+v, %v; want %+v (no lost updates)", got, err, want)
	}
}

func postgresVersions(t *testing.T, s *Postgres) []int {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func wantPostgresVersions() []int {
	var vs []int
	for _, m := range postgresMigrations() {
		vs = append(vs, m.version)
	}
	return vs
}

func TestPostgresMigrationsNumbered(t *testing.T) {
	pg, lite := postgresMigrations(), sqliteMigrations()
	for i, m := range pg {
		if m.version != i+1 || len(m.stmts) == 0 {
			t.Errorf("migration %d has version %d and %d statements; want version %d and at least one", i, m.version, len(m.stmts), i+1)
		}
	}
	// Both stores evolve together: the same versions, the same statement
	// count per step (the same tables and indexes, in their own dialect).
	if len(pg) != len(lite) {
		t.Fatalf("%d PostgreSQL migrations, %d SQLite ones; want the same", len(pg), len(lite))
	}
	for i := range pg {
		if len(pg[i].stmts) != len(lite[i].stmts) {
			t.Errorf("migration %d: %d PostgreSQL statements, %d SQLite ones; want the same", pg[i].version, len(pg[i].stmts), len(lite[i].stmts))
		}
	}
}

func TestPostgresMigrationsIdempotent(t *testing.T) {
	t.Parallel()
	dsn := testSchema(t)
	for i := range 3 {
		s, err := OpenPostgres(t.Context(), dsn)
		if err != nil {
			t.Fatalf("OpenPostgres #%d: %v", i+1, err)
		}
		got := postgresVersions(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, wantPostgresVersions()) {
			t.Errorf("schema versions after OpenPostgres #%d = %v, want %v", i+1, got, wantPostgresVersions())
		}
	}
}

// TestPostgresMigrationsRace opens one empty schema from several handles at
// once, as several processes starting together would.
func TestPostgresMigrationsRace(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		dsn := testSchema(t)
		const n = 6
		var wg sync.WaitGroup
		stores := make([]*Postgres, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = OpenPostgres(t.Context(), dsn)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d: racing OpenPostgres #%d: %v", round, i, err)
				continue
			}
			if got := postgresVersions(t, stores[i]); !slices.Equal(got, wantPostgresVersions()) {
				t.Errorf("round %d: schema versions seen by OpenPostgres #%d = %v, want %v", round, i, got, wantPostgresVersions())
			}
		}
		// Every handle works on the one schema: the first to claim an
		// event wins it, the others see it taken.
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
}

func TestPostgresNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	dsn := testSchema(t)
	s, err := OpenPostgres(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_version (version, applied_at) VALUES (999, now())`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = OpenPostgres(t.Context(), dsn)
	if err == nil || !strings.Contains(err.Error(), "999") || !strings.HasPrefix(err.Error(), "store: ") {
		t.Errorf("OpenPostgres of a database from a newer build = %v; want a store error naming version 999", err)
	}
}

// TestPostgresHostileText stores what PostgreSQL text cannot hold: NUL
// bytes and invalid UTF-8 come back as U+FFFD, and lookups by key or URL
// still use the exact bytes.
func TestPostgresHostileText(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openPostgres(t, testSchema(t), Options{})
	url := "https://example.com/a\x00b\xff"
	a := Article{URL: url, Title: "nul\x00title", Site: "bad \xc3\x28 utf8", Byline: "ok", Lang: "en\x00", Text: "para\x00one\n\n\xffpara two"}
	if err := s.PutArticle(ctx, a, time.Hour); err != nil {
		t.Fatalf("PutArticle(hostile text): %v", err)
	}
	got, err := s.GetArticle(ctx, url)
	if err != nil {
		t.Fatalf("GetArticle(hostile URL): %v", err)
	}
	want := Article{URL: "https://example.com/a\uFFFDb\uFFFD", Title: "nul\uFFFDtitle", Site: "bad \uFFFD( utf8", Byline: "ok", Lang: "en\uFFFD", Text: "para\uFFFDone\n\n\uFFFDpara two"}
	if got != want {
		t.Errorf("GetArticle(hostile) = %+q, want %+q", got, want)
	}
	// The sanitized URL is another key: lookups are exact.
	if _, err := s.GetArticle(ctx, want.URL); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetArticle(sanitized URL) = %v, want ErrNotFound", err)
	}
	if err := s.PutThread(ctx, Thread{ThreadID: "1", GuildID: "g", URL: url, Title: "t\x00"}); err != nil {
		t.Fatalf("PutThread(hostile title): %v", err)
	}
	if th, err := s.RecentThread(ctx, "g", url, time.Time{}); err != nil || th.Title != "t\uFFFD" || th.URL != want.URL {
		t.Errorf("RecentThread(hostile URL) = %+q, %v; want title %q and URL %q", th, err, "t\uFFFD", want.URL)
	}
	if err := s.SetLanguage(ctx, "g", "fr\x00"); err != nil {
		t.Fatalf("SetLanguage(hostile): %v", err)
	}
	if g, err := s.GuildSettings(ctx, "g"); err != nil || g.Language != "fr\uFFFD" {
		t.Errorf("GuildSettings(g) = %+q, %v; want language %q", g, err, "fr\uFFFD")
	}
	// IDs are snowflakes: one PostgreSQL cannot store is an error, never
	// another ID.
	if _, err := s.ClaimEvent(ctx, "1\x002"); err == nil || !strings.HasPrefix(err.Error(), "store: ") {
		t.Errorf("ClaimEvent(ID with NUL) = %v; want a store error", err)
	}
}

func TestPostgresCloseTwice(t *testing.T) {
	t.Parallel()
	s, err := OpenPostgres(t.Context(), testSchema(t))
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
}

// TestPostgresOpenErrors needs no server: each DSN fails before or at
// connecting, quickly, with a store error that never shows the password.
func TestPostgresOpenErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, dsn, want string
	}{
		{"empty", "", "empty PostgreSQL DSN"},
		{"bad URL", "postgres://user:s3cret@127.0.0.1:notaport/db", "DSN"},
		{"bad option", "postgres://user:s3cret@127.0.0.1/db?sslmode=sometimes", "DSN"},
		{"refused", "postgres://user:s3cret@127.0.0.1:1/db?sslmode=disable&connect_timeout=5", "127.0.0.1:1/db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := OpenPostgres(t.Context(), c.dsn)
			if err == nil {
				s.Close()
				t.Fatalf("OpenPostgres(%q) = nil error, want one mentioning %q", c.dsn, c.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "store: ") || !strings.Contains(msg, c.want) || strings.Contains(msg, "s3cret") {
				t.Errorf("OpenPostgres(%q) = %q; want a \"store: \" error mentioning %q, without the password", c.dsn, msg, c.want)
			}
		})
	}
}

func TestPostgresMissingSchema(t *testing.T) {
	t.Parallel()
	dsn := withSearchPath(t, testSchema(t), "linkbrief_no_such_schema")
	_, err := OpenPostgres(t.Context(), dsn)
	if err == nil || !strings.Contains(err.Error(), "search_path") {
		t.Errorf("OpenPostgres with a search_path naming no schema = %v; want an error about the search_path", err)
	}
}

// TestOpenDSN is not parallel: a subtest sets XDG_CACHE_HOME.
func TestOpenDSN(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	cases := []struct {
		name, driver, dsn string
		wantType          string // "" = an error
	}{
		{"sqlite", "sqlite", filepath.Join(dir, "a.db"), "*store.SQLite"},
		{"default driver", "", filepath.Join(dir, "b.db"), "*store.SQLite"},
		{"postgres without DSN", "postgres", "", ""},
		{"postgres unreachable", "postgresql", "postgres://u@127.0.0.1:1/db?sslmode=disable&connect_timeout=5", ""},
		{"unknown driver", "mysql", "x", ""},
	}
	for _, c := range cases {
		s, err := OpenDSN(ctx, c.driver, c.dsn)
		if c.wantType == "" {
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
		if got := fmt.Sprintf("%T", s); got != c.wantType {
			t.Errorf("OpenDSN(%q, %q) = %s, want %s", c.driver, c.dsn, got, c.wantType)
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
		dsn := testSchema(t)
		s, err := OpenDSN(ctx, "postgres", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, ok := s.(*Postgres); !ok {
			t.Errorf("OpenDSN(postgres) = %T, want *Postgres", s)
		}
	})
}

// postgresClaimChildEnv carries the DSN from TestPostgresTwoProcessesClaim
// to its children.
const postgresClaimChildEnv = "LINKBRIEF_STORE_PG_CLAIM_CHILD_DSN"

// TestPostgresClaimChild is not a test of its own: it is one of the
// processes of TestPostgresTwoProcessesClaim. It opens the store (racing
// the other child's migration), waits for a line on stdin, claims events 0
// to 299 (in reverse when the line is "reverse") and prints the ones it
// won.
func TestPostgresClaimChild(t *testing.T) {
	dsn := os.Getenv(postgresClaimChildEnv)
	if dsn == "" {
		t.Skip("helper process for TestPostgresTwoProcessesClaim")
	}
	ctx := context.Background()
	s, err := OpenPostgres(ctx, dsn)
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

// TestPostgresTwoProcessesClaim starts two processes on one empty schema at
// once (both migrate) and has them claim the same events: every event is
// won exactly once.
func TestPostgresTwoProcessesClaim(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	t.Parallel()
	dsn := testSchema(t)
	checkClaimWins(t, startRacers(t, "TestPostgresClaimChild", postgresClaimChildEnv+"="+dsn), 300)
}

// withSearchPath sets search_path=schema on a URL or key=value DSN.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
