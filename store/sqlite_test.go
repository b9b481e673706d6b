package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openSQLite(t testing.TB, path string, opts Options) *SQLite {
	t.Helper()
	s, err := OpenWith(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("OpenWith(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestSQLite(t *testing.T) {
	testStore(t, func(t *testing.T) Store {
		s := openSQLite(t, filepath.Join(t.TempDir(), "linkbrief.db"), Options{})
		t.Cleanup(func() {
			if err := s.integrityCheck(context.Background()); err != nil {
				t.Error(err)
			}
		})
		return s
	})
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
	t.Parallel()
	ctx := t.Context()
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openSQLite(t, filepath.Join(t.TempDir(), "x.db"), Options{Now: clock.Now, EventRetention: 48 * time.Hour})

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
}

// TestTwoHandlesClaim stands in for two processes: two independent *SQLite
// on one file, each with its own connections and locks.
func TestTwoHandlesClaim(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, b := openSQLite(t, path, Options{}), openSQLite(t, path, Options{})
	testTwoHandlesClaim(t, a, b)
	testTwoHandlesRelease(t, a, b)
}

// TestMixedLoad runs writers and readers on two handles at once: with the
// busy timeout and BEGIN IMMEDIATE none may fail with SQLITE_BUSY.
func TestMixedLoad(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "load.db")
	handles := []*SQLite{openSQLite(t, path, Options{}), openSQLite(t, path, Options{})}
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
	if err := handles[1].integrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

func schemaVersions(t *testing.T, s *SQLite) []int {
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
	for _, m := range sqliteMigrations() {
		vs = append(vs, m.version)
	}
	return vs
}

func TestDefaultPath(t *testing.T) {
	tmp := t.TempDir()
	cases := []struct {
		name, xdg, home, want string
	}{
		{"XDG cache dir", filepath.Join(tmp, "xdg"), filepath.Join(tmp, "home"), filepath.Join(tmp, "xdg", "linkbrief", "linkbrief.db")},
		{"home only", "", filepath.Join(tmp, "home"), filepath.Join(tmp, "home", ".cache", "linkbrief", "linkbrief.db")},
		{"no home", "", "", filepath.Join(os.TempDir(), "linkbrief", "linkbrief.db")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("XDG_CACHE_HOME", c.xdg)
			t.Setenv("HOME", c.home)
			got, err := DefaultPath()
			if err != nil || got != c.want {
				t.Errorf("DefaultPath() with XDG_CACHE_HOME=%q HOME=%q = %q, %v; want %q", c.xdg, c.home, got, err, c.want)
			}
		})
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "c.db"))
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

func TestMigrationsNumbered(t *testing.T) {
	for i, m := range sqliteMigrations() {
		if m.version != i+1 || len(m.stmts) == 0 {
			t.Errorf("migration %d has version %d and %d statements; want version %d and at least one", i, m.version, len(m.stmts), i+1)
		}
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "m.db")
	for i := range 3 {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		got := schemaVersions(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(wantVersions()) {
			t.Errorf("schema versions after Open #%d = %v, want %v", i+1, got, wantVersions())
		}
	}
}

// TestMigrationsRace opens one empty file from several handles at once, as
// several processes starting together would.
func TestMigrationsRace(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("race%d.db", round))
		const n = 4
		var wg sync.WaitGroup
		stores := make([]*SQLite, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = Open(t.Context(), path)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d: racing Open #%d: %v", round, i, err)
				continue
			}
			if got := schemaVersions(t, stores[i]); fmt.Sprint(got) != fmt.Sprint(wantVersions()) {
				t.Errorf("round %d: schema versions seen by Open #%d = %v, want %v", round, i, got, wantVersions())
			}
		}
		for _, s := range stores {
			if s != nil {
				if err := s.Close(); err != nil {
					t.Error(err)
				}
			}
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "future.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(t.Context(), `INSERT INTO schema_version (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(t.Context(), path)
	if err == nil || !strings.Contains(err.Error(), "999") || !strings.Contains(err.Error(), path) {
		t.Errorf("Open of a database from a newer build = %v; want an error naming version 999 and %s", err, path)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("this is not an SQLite database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, mention string
	}{
		{"parent is a file", filepath.Join(file, "sub", "x.db"), file},
		{"path is a directory", dir, dir},
		{"not a database", junk, junk},
		{"empty path", "", "empty"},
	}
	for _, c := range cases {
		s, err := Open(t.Context(), c.path)
		if err == nil {
			s.Close()
			t.Errorf("%s: Open(%q) succeeded, want an error", c.name, c.path)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "store: ") || !strings.Contains(msg, c.mention) {
			t.Errorf("%s: Open(%q) error = %q; want it to start with \"store: \" and mention %q", c.name, c.path, msg, c.mention)
		}
	}
}

func TestOpenReadOnlyDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ro")
	existing := filepath.Join(dir, "existing.db")
	s, err := Open(t.Context(), existing)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Skip("the directory stays writable (running as root?)")
	}
	cases := []struct{ path, mention string }{
		{filepath.Join(dir, "new.db"), "permission denied"},
		{filepath.Join(dir, "sub", "new.db"), "permission denied"},
		{existing, "not writable"},
	}
	for _, c := range cases {
		s, err := Open(t.Context(), c.path)
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) in a read-only directory succeeded", c.path)
			continue
		}
		t.Logf("Open(%s): %v", c.path, err)
		if msg := err.Error(); !strings.HasPrefix(msg, "store: ") || !strings.Contains(msg, dir) || !strings.Contains(msg, c.mention) {
			t.Errorf("Open(%s) error = %q; want it to name the directory and say %q", c.path, msg, c.mention)
		}
	}
}

// TestDiskFull caps the database size to get SQLITE_FULL, as a full disk
// would: the write fails with a clear error and the file stays sound.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openSQLite(t, filepath.Join(t.TempDir(), "full.db"), Options{})
	if err := s.PutBrief(ctx, "small", []byte("fits"), time.Hour); err != nil {
		t.Fatal(err)
	}
	// The write pool has exactly one connection, so the cap applies to
	// every later write.
	if _, err := s.write.ExecContext(ctx, `PRAGMA max_page_count = 40`); err != nil {
		t.Fatal(err)
	}
	err := s.PutBrief(ctx, "big", make([]byte, 1<<20), time.Hour)
	if err == nil || !strings.HasPrefix(err.Error(), "store: put brief: ") || !strings.Contains(err.Error(), "full") {
		t.Errorf("PutBrief beyond the size cap = %v; want a \"store: put brief: ...full\" error", err)
	}
	if got, err := s.GetBrief(ctx, "small"); err != nil || string(got) != "fits" {
		t.Errorf("GetBrief(small) after a failed write = %q, %v", got, err)
	}
	if _, err := s.GetBrief(ctx, "big"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetBrief(big) after a failed write = %v, want ErrNotFound", err)
	}
	if err := s.integrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

func TestOpenUnusualPaths(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"with space.db", "query?x=1.db", "frag#1.db", "pct%20.db", "dé jà.db", "nested/dirs/made.db"} {
		path := filepath.Join(t.TempDir(), name)
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Errorf("Open(%q): %v", name, err)
			continue
		}
		if err := s.PutBrief(t.Context(), "k", []byte("v"), time.Hour); err != nil {
			t.Errorf("PutBrief in %q: %v", name, err)
		}
		s.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database for %q not at its path: %v", name, err)
		}
	}
}

func TestFilePermissions(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "private", "x.db")
	openSQLite(t, path, Options{})
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got&^want != 0 {
			t.Errorf("mode of %s = %v, want at most %v", p, got, want)
		}
	}
}

func TestSurvivesReopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "persist.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2024, 2, 29, 8, 0, 0, 0, time.UTC)
	steps := []error{
		s.PutBrief(ctx, "k", []byte("brief"), time.Hour),
		s.PutArticle(ctx, Article{URL: "u", Title: "T", Text: "body", Published: pub}, time.Hour),
		s.SetAutoChannel(ctx, "g", "c", true),
		s.SetLanguage(ctx, "g", "de"),
		s.PutThread(ctx, Thread{ThreadID: "t", GuildID: "g", URL: "u"}),
		s.AddUsage(ctx, "g", pub, 2, 30),
	}
	if _, err := s.ClaimEvent(ctx, "e"); err != nil {
		t.Fatal(err)
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openSQLite(t, path, Options{})
	if got, err := s.GetBrief(ctx, "k"); err != nil || string(got) != "brief" {
		t.Errorf("GetBrief after reopen = %q, %v", got, err)
	}
	if got, err := s.GetArticle(ctx, "u"); err != nil || got.Text != "body" || !got.Published.Equal(pub) {
		t.Errorf("GetArticle after reopen = %+v, %v", got, err)
	}
	if got, err := s.GuildSettings(ctx, "g"); err != nil || got.Language != "de" || len(got.AutoChannels) != 1 {
		t.Errorf("GuildSettings after reopen = %+v, %v", got, err)
	}
	if got, err := s.Thread(ctx, "t"); err != nil || got.URL != "u" {
		t.Errorf("Thread after reopen = %+v, %v", got, err)
	}
	if got, err := s.Usage(ctx, "g", pub); err != nil || got.Briefs != 2 || got.Tokens != 30 {
		t.Errorf("Usage after reopen = %+v, %v", got, err)
	}
	if ok, err := s.ClaimEvent(ctx, "e"); err != nil || ok {
		t.Errorf("ClaimEvent after reopen = %v, %v; want false", ok, err)
	}
	if err := s.integrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// crashChildEnv names the database a re-executed test binary writes to in
// TestCrashChild.
const crashChildEnv = "LINKBRIEF_STORE_CRASH_CHILD_DB"

// TestCrashChild is not a test of its own: it is the child process of
// crashWriter, writing until it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("helper process for TestCrashDurability")
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	prefix := fmt.Sprintf("p%d-", os.Getpid())
	deadline := time.Now().Add(time.Minute) // never outlive a parent that failed to kill us
	for i := 0; time.Now().Before(deadline); i++ {
		id := fmt.Sprintf("%s%d", prefix, i)
		if _, err := s.ClaimEvent(ctx, id); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if err := s.PutBrief(ctx, id, []byte(strings.Repeat(id, 50)), time.Hour); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		// Only now is the write committed; a write error (the parent
		// is gone) ends the process.
		if _, err := fmt.Printf("committed %s\n", id); err != nil {
			os.Exit(3)
		}
	}
	os.Exit(0)
}

// crashWriter runs TestCrashChild in a child process writing to path, kills
// it with SIGKILL after it has reported killAfter commits, and returns the
// IDs of every write it reported committed (the claimed event and the brief
// share the ID).
func crashWriter(t *testing.T, path string, killAfter int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var committed []string
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "committed ")
		if !ok {
			continue
		}
		committed = append(committed, id)
		if len(committed) == killAfter && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true // lines already in the pipe are still read
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended after %d commits before being killed: %v\n%s", len(committed), err, stderr.String())
	}
	return committed
}

func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crash.db")
	var all []string
	for _, killAfter := range []int{1, 40, 150} {
		all = append(all, crashWriter(t, path, killAfter)...)

		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open after kill -9: %v", err)
		}
		if err := s.integrityCheck(ctx); err != nil {
			t.Errorf("after kill -9 at %d commits: %v", killAfter, err)
		}
		for _, id := range all {
			if _, err := s.GetBrief(ctx, id); err != nil {
				t.Errorf("brief %s reported committed before kill -9: GetBrief = %v", id, err)
			}
			if ok, err := s.ClaimEvent(ctx, id); err != nil || ok {
				t.Errorf("event %s reported committed before kill -9: ClaimEvent = %v, %v; want false", id, ok, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// claimChildEnv names the database a re-executed test binary claims events
// in for TestClaimChild.
const claimChildEnv = "LINKBRIEF_STORE_CLAIM_CHILD_DB"

// TestClaimChild is not a test of its own: it is one of the processes of
// TestTwoProcessesClaim. It waits for a line on stdin, claims events 0 to
// 299 (in reverse when the line is "reverse") and prints the ones it won.
func TestClaimChild(t *testing.T) {
	path := os.Getenv(claimChildEnv)
	if path == "" {
		t.Skip("helper process for TestTwoProcessesClaim")
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
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
	os.Exit(0)
}

// TestTwoProcessesClaim has two processes claim the same events at once:
// every event is won exactly once.
func TestTwoProcessesClaim(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "claims.db")
	checkClaimWins(t, startRacers(t, "TestClaimChild", claimChildEnv+"="+path), 300)
}
