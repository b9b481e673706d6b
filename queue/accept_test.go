package queue_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/queue"
	"github.com/linkbrief/linkbrief/store"
)

// riverDatabases are the engines River runs on, in the store's database,
// each with the statements that make every insert into River's job table
// fail.
var riverDatabases = []struct {
	driver string
	target func(t *testing.T) string
	refuse []string // make inserts into river_job fail
	allow  []string // undo refuse
}{
	{
		driver: "sqlite",
		target: func(t *testing.T) string { return filepath.Join(t.TempDir(), "linkbrief.db") },
		refuse: []string{`CREATE TRIGGER refuse_jobs BEFORE INSERT ON river_job BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`},
		allow:  []string{`DROP TRIGGER refuse_jobs`},
	},
	{
		driver: "postgres",
		target: func(t *testing.T) string { return testSchema(t) },
		refuse: []string{
			`CREATE FUNCTION refuse_jobs() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
			`CREATE TRIGGER refuse_jobs BEFORE INSERT ON river_job FOR EACH ROW EXECUTE FUNCTION refuse_jobs()`,
		},
		allow: []string{`DROP TRIGGER refuse_jobs ON river_job`},
	},
}

// TestRiverAcceptRace has 12 goroutines, over 3 separately opened stores
// and queues on one database (three processes), accept the same events at
// once: each event is claimed exactly once and has exactly one job.
func TestRiverAcceptRace(t *testing.T) {
	t.Parallel()
	for _, e := range riverDatabases {
		t.Run(e.driver, func(t *testing.T) {
			t.Parallel()
			target := e.target(t)
			type handle struct {
				q  *queue.River
				st *store.DB
			}
			var hs []handle
			for range 3 {
				q, st, closeAll, err := openRiverStore(t.Context(), e.driver, target, queue.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(closeAll)
				hs = append(hs, handle{q, st})
			}
			const events, perHandle = 5, 4
			for ev := range events {
				id := fmt.Sprint(1300000000000000000 + ev)
				var (
					wg   sync.WaitGroup
					mu   sync.Mutex
					wins int
					errs []error
				)
				start := make(chan struct{})
				for i := range len(hs) * perHandle {
					h := hs[i%len(hs)]
					wg.Go(func() {
						<-start
						ok, err := h.q.Accept(t.Context(), "message", id, []byte(id))
						mu.Lock()
						defer mu.Unlock()
						if err != nil {
							errs = append(errs, err)
						}
						if ok {
							wins++
						}
					})
				}
				close(start)
				wg.Wait()
				if wins != 1 || len(errs) > 0 {
					t.Errorf("Accept(%s) from %d goroutines over 3 handles: %d claimed, errors %v; want exactly 1, no errors", id, len(hs)*perHandle, wins, errs)
				}
				for i, h := range hs {
					if ok, err := h.st.ClaimEvent(t.Context(), id); err != nil || ok {
						t.Errorf("handle %d: ClaimEvent(%s) after Accept = %v, %v; want false (claimed)", i, id, ok, err)
					}
				}
			}
			// Not started: every job waits, one per event.
			if n, err := hs[0].q.Depth(t.Context()); err != nil || n != events {
				t.Errorf("Depth after accepting %d events = %d, %v; want %d (one job each)", events, n, err, events)
			}
		})
	}
}

// TestRiverAcceptRollsBack makes the job's insert fail: the claim goes
// with it, so the event can be accepted again once inserts work.
func TestRiverAcceptRollsBack(t *testing.T) {
	t.Parallel()
	for _, e := range riverDatabases {
		t.Run(e.driver, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			q, st, closeAll, err := openRiverStore(ctx, e.driver, e.target(t), queue.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(closeAll)
			exec := func(stmts []string) {
				t.Helper()
				for _, s := range stmts {
					if _, err := st.SQL().ExecContext(ctx, s); err != nil {
						t.Fatalf("%s: %v", s, err)
					}
				}
			}
			exec(e.refuse)
			if ok, err := q.Accept(ctx, "message", "m1", []byte("m1")); err == nil || ok {
				t.Fatalf("Accept with the job's insert refused = %v, %v; want false and an error", ok, err)
			}
			exec(e.allow)
			if ok, err := q.Accept(ctx, "message", "m1", []byte("m1")); err != nil || !ok {
				t.Errorf("Accept after a failed insert = %v, %v; want true (the failed claim rolled back)", ok, err)
			}
			if ok, err := q.Accept(ctx, "message", "m1", []byte("m1")); err != nil || ok {
				t.Errorf("second Accept = %v, %v; want false", ok, err)
			}
			if n, err := q.Depth(ctx); err != nil || n != 1 {
				t.Errorf("Depth = %d, %v; want 1", n, err)
			}
		})
	}
}

// TestRiverAcceptedJobRuns: a job accepted by one process is run by a
// worker, which gets its kind and payload.
func TestRiverAcceptedJobRuns(t *testing.T) {
	t.Parallel()
	for _, e := range riverDatabases {
		t.Run(e.driver, func(t *testing.T) {
			t.Parallel()
			q := openRiverT(t, e.driver, e.target(t), fast(queue.Options{}))
			rec := &recorder{}
			started(t, q, rec.work)
			if ok, err := q.Accept(t.Context(), "interaction", "i1", []byte("i1")); err != nil || !ok {
				t.Fatalf("Accept = %v, %v; want true", ok, err)
			}
			waitFor(t, "the accepted job to run", func() bool { return len(rec.got()) == 1 })
			if got := rec.got(); got[0] != "interaction/i1" {
				t.Errorf("job ran as %q, want interaction/i1", got[0])
			}
		})
	}
}

// memLedger is a reply ledger in memory, for the pool; claimErr, when
// set, fails every claim.
type memLedger struct {
	mu       sync.Mutex
	claimed  map[string]bool
	released []string
	claimErr error
}

func (l *memLedger) ClaimEvent(_ context.Context, id string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.claimErr != nil {
		return false, l.claimErr
	}
	if l.claimed[id] {
		return false, nil
	}
	l.claimed[id] = true
	return true, nil
}

func (l *memLedger) ReleaseEvent(_ context.Context, id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.claimed, id)
	l.released = append(l.released, id)
	return nil
}

// TestPoolAccept: the pool claims through its ledger, then enqueues; a
// failed enqueue releases the claim, and a failed claim enqueues nothing.
func TestPoolAccept(t *testing.T) {
	ctx := t.Context()
	l := &memLedger{claimed: map[string]bool{}}
	p := queue.NewPool(queue.Options{Ledger: l})
	if ok, err := p.Accept(ctx, "message", "m1", nil); err != nil || !ok {
		t.Fatalf("Accept(m1) = %v, %v; want true", ok, err)
	}
	if ok, err := p.Accept(ctx, "message", "m1", nil); err != nil || ok {
		t.Errorf("Accept(m1) again = %v, %v; want false", ok, err)
	}
	// A job enqueued without a claim: Accept claims, finds the job, and
	// gives the claim back.
	if err := p.Enqueue(ctx, "message", "m2", nil); err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Accept(ctx, "message", "m2", nil); err != nil || ok {
		t.Errorf("Accept(m2) with a job queued = %v, %v; want false", ok, err)
	}
	if n, err := p.Depth(ctx); err != nil || n != 2 {
		t.Errorf("Depth = %d, %v; want 2", n, err)
	}
	l.claimErr = errors.New("ledger down")
	if ok, err := p.Accept(ctx, "message", "m3", nil); err == nil || ok {
		t.Errorf("Accept with the ledger down = %v, %v; want false and an error", ok, err)
	}
	l.claimErr = nil
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Accept(ctx, "message", "m4", nil); !errors.Is(err, queue.ErrStopped) || ok {
		t.Errorf("Accept on a stopped pool = %v, %v; want false and ErrStopped", ok, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.claimed["m2"] || l.claimed["m4"] || !l.claimed["m1"] {
		t.Errorf("claims left = %v; want m1 only (m2 and m4 released)", l.claimed)
	}
	if n, err := p.Depth(ctx); err != nil || n != 2 {
		t.Errorf("Depth = %d, %v; want still 2 (m1, m2)", n, err)
	}
}

// Environment of the child process TestAcceptChild runs as.
const (
	acceptChildDriverEnv = "LINKBRIEF_QUEUE_ACCEPT_CHILD_DRIVER" // "sqlite" or "postgres"
	acceptChildTargetEnv = "LINKBRIEF_QUEUE_ACCEPT_CHILD_TARGET" // file path or DSN
)

// stallingLedger claims events in the store, then says so on stdout and
// never returns: the process is killed between the claim and the job's
// insert.
type stallingLedger struct{ st *store.DB }

func (l stallingLedger) SQL() *sql.DB { return l.st.SQL() }

func (l stallingLedger) ClaimEventTx(ctx context.Context, tx queue.Execer, eventID string) (bool, error) {
	ok, err := l.st.ClaimEventTx(ctx, tx, eventID)
	fmt.Println("claimed", ok, err)
	select {}
}

// TestAcceptChild is not a test: it is the process TestAcceptKilledAtClaim
// starts and kills once it has claimed event m1 and not yet inserted its
// job.
func TestAcceptChild(t *testing.T) {
	driver := os.Getenv(acceptChildDriverEnv)
	if driver == "" {
		t.Skip("run by TestAcceptKilledAtClaim only")
	}
	ctx := context.Background()
	target := os.Getenv(acceptChildTargetEnv)
	st, err := store.OpenDSN(ctx, driver, target)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	var q *queue.River
	if driver == "postgres" {
		q, err = queue.OpenRiverPostgres(ctx, target, stallingLedger{st}, queue.Options{})
	} else {
		q, err = queue.OpenRiverSQLite(ctx, stallingLedger{st}, queue.Options{})
	}
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	_, err = q.Accept(ctx, "message", "m1", []byte("m1"))
	fmt.Println("error: Accept returned", err)
	os.Exit(1)
}

// TestAcceptKilledAtClaim kills (SIGKILL) a process after it claimed an
// event and before it inserted the event's job: the claim dies with the
// transaction, so the event is not lost (claimed with no job to answer
// it): a redelivery is accepted, once.
func TestAcceptKilledAtClaim(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	for _, e := range riverDatabases {
		t.Run(e.driver, func(t *testing.T) {
			t.Parallel()
			target := e.target(t)
			// Opened (and migrated) first: the child holds SQLite's
			// write lock from its claim until it dies.
			q, st, closeAll, err := openRiverStore(t.Context(), e.driver, target, queue.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(closeAll)

			child, expect := startChild(t, "TestAcceptChild", acceptChildDriverEnv+"="+e.driver, acceptChildTargetEnv+"="+target)
			if l := expect("claimed"); l != "claimed true <nil>" {
				t.Fatalf("child: %q, want it to claim m1", l)
			}
			if err := child.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			child.Wait()

			if ok, err := q.Accept(t.Context(), "message", "m1", []byte("m1")); err != nil || !ok {
				t.Errorf("Accept(m1) after the claiming process was killed = %v, %v; want true (its claim died with it)", ok, err)
			}
			if ok, err := st.ClaimEvent(t.Context(), "m1"); err != nil || ok {
				t.Errorf("ClaimEvent(m1) after Accept = %v, %v; want false", ok, err)
			}
			if n, err := q.Depth(t.Context()); err != nil || n != 1 {
				t.Errorf("Depth = %d, %v; want 1 (m1's job)", n, err)
			}
		})
	}
}

// TestRiverPostgresAcceptNotifies: a job accepted through the insert-only
// client (the store's database/sql pool) wakes the workers with NOTIFY
// when its transaction commits. They poll only every minute here, and the
// job must run well before that.
func TestRiverPostgresAcceptNotifies(t *testing.T) {
	t.Parallel()
	q := openRiverT(t, "postgres", testSchema(t), queue.Options{PollInterval: time.Minute})
	rec := &recorder{}
	started(t, q, rec.work)
	// The first fetch, at start, has found nothing.
	time.Sleep(time.Second)
	if ok, err := q.Accept(t.Context(), "message", "m1", []byte("m1")); err != nil || !ok {
		t.Fatalf("Accept = %v, %v; want true", ok, err)
	}
	waitFor(t, "the accepted job to run without a poll", func() bool { return len(rec.got()) == 1 })
}

// hangingLedger claims every event and never answers a release: a
// database that stopped answering.
type hangingLedger struct{}

func (hangingLedger) ClaimEvent(context.Context, string) (bool, error) { return true, nil }

func (hangingLedger) ReleaseEvent(ctx context.Context, _ string) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestPoolAcceptReleaseIsBounded: when the enqueue after a claim fails
// (here the pool is stopping), Accept gives the claim back even if the
// caller's context has ended, but within a deadline of its own: a ledger
// that does not answer must not hang the event's receipt for ever.
func TestPoolAcceptReleaseIsBounded(t *testing.T) {
	p := queue.NewPool(queue.Options{Ledger: hangingLedger{}})
	if err := p.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := p.Accept(context.Background(), "message", "m1", nil)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, queue.ErrStopped) {
			t.Errorf("Accept on a stopped pool = %v; want ErrStopped", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Accept was still releasing its claim 30 s later, on a ledger that does not answer")
	}
}
