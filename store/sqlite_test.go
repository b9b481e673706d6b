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
	"testing"
	"time"
)

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
	if err := integrityCheck(ctx, s); err != nil {
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
	if err := integrityCheck(ctx, s); err != nil {
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
		if err := integrityCheck(ctx, s); err != nil {
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

// integrityCheck runs PRAGMA integrity_check on an SQLite store and
// returns an error unless SQLite reports "ok".
func integrityCheck(ctx context.Context, s *DB) error {
	rows, err := s.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: integrity check of %s: %q", s.target, problems)
	}
	return nil
}
