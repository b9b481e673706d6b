package queue_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/queue"
	"github.com/linkbrief/linkbrief/store"
)

// Environment of the child process TestRescueChild runs as.
const (
	childDriverEnv = "LINKBRIEF_QUEUE_CHILD_DRIVER" // "sqlite" or "postgres"
	childTargetEnv = "LINKBRIEF_QUEUE_CHILD_TARGET" // file path or DSN
)

// rescueOpts are the timings of the rescue tests: a job runs at most 3 s,
// and River takes it for stuck 4 s after it began.
var rescueOpts = queue.Options{JobTimeout: 3 * time.Second, RescueAfter: 4 * time.Second, PollInterval: 100 * time.Millisecond}

// openRiver opens the store at target (driver "sqlite": a file path;
// "postgres": a DSN) and a River queue in its database, as linkbrief run
// does. closeAll closes the queue, then the store.
func openRiver(ctx context.Context, driver, target string, opts queue.Options) (q *queue.River, closeAll func(), err error) {
	q, _, closeAll, err = openRiverStore(ctx, driver, target, opts)
	return q, closeAll, err
}

// openRiverStore is openRiver, also returning the store.
func openRiverStore(ctx context.Context, driver, target string, opts queue.Options) (q *queue.River, st *store.DB, closeAll func(), err error) {
	st, err = store.OpenDSN(ctx, driver, target)
	if err != nil {
		return nil, nil, nil, err
	}
	if driver == "postgres" {
		q, err = queue.OpenRiverPostgres(ctx, target, st, opts)
	} else {
		q, err = queue.OpenRiverSQLite(ctx, st, opts)
	}
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return q, st, func() { q.Close(); st.Close() }, nil
}

// TestRescueChild is not a test: it is the process TestRiverRescuesJobs
// starts and kills. It runs jobs by printing "running PAYLOAD" and then
// hanging until the job times out, which the parent never lets happen.
func TestRescueChild(t *testing.T) {
	driver := os.Getenv(childDriverEnv)
	if driver == "" {
		t.Skip("run by TestRiverRescuesJobs only")
	}
	q, _, err := openRiver(context.Background(), driver, os.Getenv(childTargetEnv), rescueOpts)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	err = q.Start(context.Background(), func(ctx context.Context, kind string, payload []byte) error {
		fmt.Printf("running %s\n", payload)
		<-ctx.Done()
		return ctx.Err()
	})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("started")
	time.Sleep(time.Minute)
	os.Exit(0)
}

// startChild runs the test named test in a child process with env added
// to its environment, killing it when t ends. expect waits for a line of
// its output starting with prefix and returns it; a line starting with
// "error", the child's exit or a long wait fails t.
func startChild(t *testing.T, test string, env ...string) (child *exec.Cmd, expect func(prefix string) string) {
	t.Helper()
	child = exec.Command(os.Args[0], "-test.run=^"+test+"$")
	child.Env = append(os.Environ(), env...)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		child.Process.Kill()
		child.Wait()
	})
	lines := make(chan string, 8)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return child, func(prefix string) string {
		t.Helper()
		timeout := time.After(wait)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("child exited before printing %q", prefix)
				}
				if strings.HasPrefix(l, "error") {
					t.Fatalf("child: %s", l)
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-timeout:
				t.Fatalf("child did not print %q within %v", prefix, wait)
			}
		}
	}
}

// TestRiverRescuesJobs kills (SIGKILL) a process in the middle of a job and
// checks that another process sharing the database runs the job exactly
// once, after River's rescuer takes it for stuck. The dead process was
// River's leader, so the survivor first waits for that leadership to lapse,
// as it would in production (rescueBound counts the steps).
func TestRiverRescuesJobs(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("takes 20 to 35 s")
	}
	targets := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "linkbrief.db") },
		"postgres": func(t *testing.T) string { return testSchema(t) },
	}
	for driver, target := range targets {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			target := target(t)
			survivor, closeAll, err := openRiver(t.Context(), driver, target, rescueOpts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(closeAll)

			child, expect := startChild(t, "TestRescueChild", childDriverEnv+"="+driver, childTargetEnv+"="+target)
			expect("started")
			if err := survivor.Enqueue(t.Context(), "message", "m1", []byte("m1")); err != nil {
				t.Fatal(err)
			}
			expect("running m1")
			if err := child.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			child.Wait()
			killed := time.Now()

			var runs atomic.Int32
			ran := make(chan time.Duration, 4)
			started(t, survivor, func(ctx context.Context, kind string, payload []byte) error {
				runs.Add(1)
				ran <- time.Since(killed)
				return nil
			})
			bound := rescueBound(driver)
			select {
			case d := <-ran:
				t.Logf("%s: job of the killed process ran again %v after the kill", driver, d.Round(100*time.Millisecond))
			case <-time.After(bound):
				t.Fatalf("the killed process's job was not rescued within %v", bound)
			}
			time.Sleep(time.Second)
			if n := runs.Load(); n != 1 {
				t.Errorf("rescued job ran %d times in the survivor, want 1", n)
			}
			if n, err := survivor.Depth(t.Context()); err != nil || n != 0 {
				t.Errorf("Depth after the rescue = %d, %v; want 0, nil", n, err)
			}
		})
	}
}

// River's fixed cadences (v0.51.2) that a rescue after the leader's death
// waits through. None is configurable; the test keeps them all real.
const (
	// riverLeaderTTL is how long a leader's term outlives its last
	// re-election (River's elect interval, 5 s, plus its 10 s padding).
	riverLeaderTTL = 15 * time.Second
	// riverElectEvery is the longest wait between a survivor's attempts to
	// take the leadership (5 s and up to 1 s of jitter).
	riverElectEvery = 6 * time.Second
	// riverStagger is the longest sleep of one maintenance service before
	// it starts. The new leader starts its services one after another,
	// each sleeping first, in map order: the rescuer and the scheduler may
	// come last.
	riverStagger = time.Second
	// riverSchedulerEvery is the scheduler's round: a rescued job waits in
	// "retryable" for it when its first pass ran before the rescue.
	riverSchedulerEvery = 5 * time.Second
	// riverFirstRetry is the retry delay of a job's first attempt (1 s and
	// up to 10 % of jitter).
	riverFirstRetry = 1100 * time.Millisecond
)

// rescueBound is how long after the kill the rescued job may take to run
// again on driver: the lapse of the dead leader's term and the next
// election attempt; the new leader's maintenance services starting one by
// one (six on PostgreSQL, seven on SQLite, which also cleans its
// notifications); the rescue itself (RescueAfter has passed by then, and
// the rescuer runs at once); the first retry's delay and a scheduler round;
// the poll. The slack is for a loaded machine under the race detector, where
// each of River's database round trips is slow: a bound without it failed
// at 35 s on PostgreSQL.
func rescueBound(driver string) time.Duration {
	services := 6
	if driver == "sqlite" {
		services = 7
	}
	return riverLeaderTTL + riverElectEvery + time.Duration(services)*riverStagger +
		riverFirstRetry + riverSchedulerEvery + rescueOpts.PollInterval + 10*time.Second
}
