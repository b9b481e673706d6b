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
// River's leader, so the survivor first waits for that leadership to lapse
// (about 15 s), as it would in production.
func TestRiverRescuesJobs(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("takes about 20 s")
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
			// Bound: the lapse of the dead leader's term (15 s) plus an
			// election round (5 s and jitter), the rescue horizon, the
			// scheduler's round (5 s) and polling.
			bound := 20*time.Second + rescueOpts.RescueAfter + 6*time.Second + 5*time.Second
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
