package queue_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/queue"
	"github.com/linkbrief/linkbrief/store/pgtest"
)

// wait bounds every wait for a queue to do something: generous, since the
// machine is shared.
const wait = 20 * time.Second

// testSchema returns a DSN selecting an empty schema of t's own in the
// test database (see pgtest), or skips t when none is configured.
func testSchema(t testing.TB) string {
	t.Helper()
	return pgtest.Schema(t, "linkbrief_queue")
}

// backend opens one kind of queue on a database shared by every queue the
// same backend value opens.
type backend struct {
	name string
	open func(t *testing.T, opts queue.Options) queue.Queue
}

// backends returns the implementations under test, each bound to a fresh
// database: the pool (no database), River on an SQLite file, River on a
// PostgreSQL schema (skipped without one).
func backends(t *testing.T) []backend {
	return []backend{
		{"pool", func(t *testing.T, opts queue.Options) queue.Queue {
			return queue.NewPool(opts)
		}},
		{"river-sqlite", riverSQLite(t)},
		{"river-postgres", riverPostgres(t)},
	}
}

func riverSQLite(t *testing.T) func(t *testing.T, opts queue.Options) queue.Queue {
	var once sync.Once
	var path string
	return func(t *testing.T, opts queue.Options) queue.Queue {
		once.Do(func() { path = filepath.Join(t.TempDir(), "linkbrief.db") })
		return openRiverT(t, "sqlite", path, fast(opts))
	}
}

func riverPostgres(t *testing.T) func(t *testing.T, opts queue.Options) queue.Queue {
	var once sync.Once
	var dsn string
	return func(t *testing.T, opts queue.Options) queue.Queue {
		once.Do(func() { dsn = testSchema(t) })
		return openRiverT(t, "postgres", dsn, fast(opts))
	}
}

// openRiverT is openRiver for t: it fails t on an error and closes the
// queue and its store when t ends.
func openRiverT(t *testing.T, driver, target string, opts queue.Options) *queue.River {
	t.Helper()
	q, closeAll, err := openRiver(t.Context(), driver, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeAll)
	return q
}

// fast shortens River's polling for tests.
func fast(opts queue.Options) queue.Options {
	if opts.PollInterval == 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	return opts
}

// forBackends runs f as a parallel subtest per backend, each with a queue
// opened with opts.
func forBackends(t *testing.T, opts queue.Options, f func(t *testing.T, b backend, q queue.Queue)) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, b, b.open(t, opts))
		})
	}
}

// started starts q with work and stops it when t ends.
func started(t *testing.T, q queue.Queue, work queue.Work) {
	t.Helper()
	if err := q.Start(context.Background(), work); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

// waitFor polls cond until it holds or wait passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", wait, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recorder is a Work that records each run.
type recorder struct {
	mu   sync.Mutex
	runs []string // "kind/payload"
}

func (r *recorder) work(ctx context.Context, kind string, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, kind+"/"+string(payload))
	return nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.runs...)
}

func TestQueueRunsJobs(t *testing.T) {
	forBackends(t, queue.Options{}, func(t *testing.T, b backend, q queue.Queue) {
		var r recorder
		started(t, q, r.work)
		for i := range 3 {
			if err := q.Enqueue(t.Context(), "message", fmt.Sprintf("m%d", i), []byte(fmt.Sprint(i))); err != nil {
				t.Fatalf("Enqueue(m%d): %v", i, err)
			}
		}
		waitFor(t, "three jobs to run", func() bool { return len(r.got()) >= 3 })
		got := strings.Join(sorted(r.got()), " ")
		if want := "message/0 message/1 message/2"; got != want {
			t.Errorf("runs = %q, want %q", got, want)
		}
	})
}

func TestQueueUniquePerEvent(t *testing.T) {
	forBackends(t, queue.Options{}, func(t *testing.T, b backend, q queue.Queue) {
		// Before Start: the duplicate meets a waiting job.
		if err := q.Enqueue(t.Context(), "message", "m1", []byte("first")); err != nil {
			t.Fatal(err)
		}
		err := q.Enqueue(t.Context(), "message", "m1", []byte("second"))
		if !errors.Is(err, queue.ErrDuplicate) {
			t.Errorf("second Enqueue(m1) while waiting = %v, want ErrDuplicate", err)
		}
		var r recorder
		started(t, q, r.work)
		waitFor(t, "the job to run", func() bool { return len(r.got()) >= 1 })
		// After it ran: the duplicate meets a completed job.
		waitFor(t, "a duplicate of a done job to be refused", func() bool {
			return errors.Is(q.Enqueue(t.Context(), "message", "m1", []byte("third")), queue.ErrDuplicate)
		})
		if err := q.Enqueue(t.Context(), "message", "m2", []byte("other")); err != nil {
			t.Errorf("Enqueue(m2) = %v, want nil", err)
		}
		waitFor(t, "the other job to run", func() bool { return len(r.got()) >= 2 })
		time.Sleep(300 * time.Millisecond) // room for a wrong extra run
		if got, want := strings.Join(sorted(r.got()), " "), "message/first message/other"; got != want {
			t.Errorf("runs = %q, want %q", got, want)
		}
	})
}

func TestQueueRetriesThenSucceeds(t *testing.T) {
	forBackends(t, queue.Options{MaxAttempts: 3, RetryBackoff: 10 * time.Millisecond}, func(t *testing.T, b backend, q queue.Queue) {
		var runs atomic.Int32
		done := make(chan struct{})
		started(t, q, func(ctx context.Context, kind string, payload []byte) error {
			if runs.Add(1) == 1 {
				return errors.New("discord: 502 Bad Gateway")
			}
			close(done)
			return nil
		})
		if err := q.Enqueue(t.Context(), "message", "m1", nil); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(wait):
			t.Fatalf("no successful retry within %v (runs %d)", wait, runs.Load())
		}
		time.Sleep(300 * time.Millisecond)
		if got := runs.Load(); got != 2 {
			t.Errorf("runs = %d, want 2 (one failure, one success)", got)
		}
	})
}

// TestQueueSnooze: a job whose work is still going on elsewhere is run
// again after its snooze, and snoozes do not use up its attempts.
func TestQueueSnooze(t *testing.T) {
	forBackends(t, queue.Options{MaxAttempts: 1}, func(t *testing.T, b backend, q queue.Queue) {
		var runs atomic.Int32
		done := make(chan struct{})
		var first time.Time
		started(t, q, func(ctx context.Context, kind string, payload []byte) error {
			switch runs.Add(1) {
			case 1:
				first = time.Now()
				return queue.Snooze(time.Second)
			case 2:
				if since := time.Since(first); since < 900*time.Millisecond {
					t.Errorf("second run %v after the snooze of 1s", since)
				}
				return queue.Snooze(time.Second)
			}
			close(done)
			return nil
		})
		if err := q.Enqueue(t.Context(), "message", "m1", nil); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(wait):
			t.Fatalf("no run after two snoozes within %v (runs %d)", wait, runs.Load())
		}
	})
}

func TestQueuePermanentAndExhaustedFailures(t *testing.T) {
	forBackends(t, queue.Options{MaxAttempts: 2, RetryBackoff: 10 * time.Millisecond}, func(t *testing.T, b backend, q queue.Queue) {
		var mu sync.Mutex
		runs := map[string]int{}
		started(t, q, func(ctx context.Context, kind string, payload []byte) error {
			mu.Lock()
			runs[string(payload)]++
			mu.Unlock()
			if string(payload) == "bad" {
				return queue.Permanent(errors.New("payload does not decode"))
			}
			return errors.New("still failing")
		})
		for _, p := range []string{"bad", "flaky"} {
			if err := q.Enqueue(t.Context(), "message", p, []byte(p)); err != nil {
				t.Fatal(err)
			}
		}
		count := func(p string) int {
			mu.Lock()
			defer mu.Unlock()
			return runs[p]
		}
		waitFor(t, "the flaky job to be tried twice", func() bool { return count("flaky") >= 2 })
		time.Sleep(1500 * time.Millisecond) // River's next retry would come after ~1 s
		if got := count("bad"); got != 1 {
			t.Errorf("permanent failure ran %d times, want 1", got)
		}
		if got := count("flaky"); got != 2 {
			t.Errorf("failing job ran %d times, want MaxAttempts = 2", got)
		}
	})
}

func TestQueueStopLetsRunningJobsFinish(t *testing.T) {
	forBackends(t, queue.Options{}, func(t *testing.T, b backend, q queue.Queue) {
		running := make(chan struct{})
		release := make(chan struct{})
		var finished atomic.Bool
		if err := q.Start(context.Background(), func(ctx context.Context, kind string, payload []byte) error {
			close(running)
			<-release
			finished.Store(ctx.Err() == nil)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := q.Enqueue(t.Context(), "message", "m1", nil); err != nil {
			t.Fatal(err)
		}
		<-running
		stopped := make(chan error, 1)
		go func() { stopped <- q.Stop(context.Background()) }()
		time.Sleep(200 * time.Millisecond)
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned %v while a job was running", err)
		default:
		}
		close(release)
		select {
		case err := <-stopped:
			if err != nil {
				t.Errorf("Stop = %v, want nil", err)
			}
		case <-time.After(wait):
			t.Fatal("Stop did not return after the job finished")
		}
		if !finished.Load() {
			t.Error("the running job's context was cancelled; want it left to finish")
		}
		if err := q.Enqueue(t.Context(), "message", "m2", nil); b.name == "pool" && !errors.Is(err, queue.ErrStopped) {
			t.Errorf("Enqueue after Stop = %v, want ErrStopped", err)
		}
	})
}

func TestQueueStopCancelsAfterGrace(t *testing.T) {
	forBackends(t, queue.Options{}, func(t *testing.T, b backend, q queue.Queue) {
		running := make(chan struct{})
		var cancelled atomic.Bool
		if err := q.Start(context.Background(), func(ctx context.Context, kind string, payload []byte) error {
			close(running)
			<-ctx.Done()
			cancelled.Store(true)
			return ctx.Err()
		}); err != nil {
			t.Fatal(err)
		}
		if err := q.Enqueue(t.Context(), "message", "m1", nil); err != nil {
			t.Fatal(err)
		}
		<-running
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop = %v, want nil (the job returns once cancelled)", err)
		}
		if !cancelled.Load() {
			t.Error("Stop returned before the running job saw its context cancelled")
		}
	})
}

func TestQueueDepth(t *testing.T) {
	forBackends(t, queue.Options{}, func(t *testing.T, b backend, q queue.Queue) {
		for i := range 3 {
			if err := q.Enqueue(t.Context(), "message", fmt.Sprintf("m%d", i), nil); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := q.Depth(t.Context()); err != nil || n != 3 {
			t.Errorf("Depth before Start = %d, %v; want 3, nil", n, err)
		}
		var r recorder
		started(t, q, r.work)
		waitFor(t, "the jobs to run", func() bool { return len(r.got()) == 3 })
		waitFor(t, "the depth to drop to 0", func() bool {
			n, err := q.Depth(t.Context())
			return err == nil && n == 0
		})
	})
}

func TestQueueRecoversFromPanickingWork(t *testing.T) {
	forBackends(t, queue.Options{MaxAttempts: 1}, func(t *testing.T, b backend, q queue.Queue) {
		var r recorder
		started(t, q, func(ctx context.Context, kind string, payload []byte) error {
			if string(payload) == "boom" {
				panic("nil map")
			}
			return r.work(ctx, kind, payload)
		})
		for _, p := range []string{"boom", "fine"} {
			if err := q.Enqueue(t.Context(), "message", p, []byte(p)); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "the job after the panic to run", func() bool { return len(r.got()) == 1 })
	})
}

func TestEnqueueRejectsEmptyNames(t *testing.T) {
	t.Parallel()
	q := queue.NewPool(queue.Options{})
	tests := []struct{ kind, event string }{{"", "m1"}, {"message", ""}}
	for _, tt := range tests {
		if err := q.Enqueue(t.Context(), tt.kind, tt.event, nil); err == nil {
			t.Errorf("Enqueue(%q, %q) = nil, want an error", tt.kind, tt.event)
		}
	}
}

func TestRescueTimings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fetch, llm        time.Duration
		wantJob, wantResc time.Duration
	}{
		{15 * time.Second, 60 * time.Second, 68 * time.Second, 69 * time.Second},
		{5 * time.Second, 10 * time.Second, 10 * time.Second, 11 * time.Second},
		{0, 0, 10 * time.Second, 11 * time.Second},
	}
	for _, tt := range tests {
		job, resc := queue.RescueTimings(tt.fetch, tt.llm)
		if job != tt.wantJob || resc != tt.wantResc {
			t.Errorf("RescueTimings(%v, %v) = %v, %v; want %v, %v", tt.fetch, tt.llm, job, resc, tt.wantJob, tt.wantResc)
		}
		if resc <= job {
			t.Errorf("RescueTimings(%v, %v): rescue %v not after job timeout %v", tt.fetch, tt.llm, resc, job)
		}
		// Worst case: rescue horizon + the rescuer's 30 s round + the
		// scheduler's 5 s round + 1 s of retry delay and polling.
		// DESIGN's bound holds down to MinRescueBound, the floor the
		// README states.
		if worst, bound := resc+36*time.Second, max(tt.fetch+tt.llm+30*time.Second, queue.MinRescueBound); worst > bound {
			t.Errorf("RescueTimings(%v, %v): worst pickup %v, over the bound %v", tt.fetch, tt.llm, worst, bound)
		}
	}
}

// sorted returns a sorted copy of s: jobs run in any order.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
