package store

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// racer is a copy of the test binary running one test as a stand-in for
// another Linkbrief process: it reads its order on stdin and reports on
// stdout, a line per event.
type racer struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	stderr *strings.Builder
}

// startRacers starts two racers running the test named test with env
// added to the environment, both at once (so they also race on opening
// the database), waits until each prints "ready", then orders the first
// "forward" and the second "reverse" so that they meet mid-way.
func startRacers(t *testing.T, test string, env ...string) []*racer {
	t.Helper()
	racers := make([]*racer, 2)
	for i := range racers {
		cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
		cmd.Env = append(os.Environ(), env...)
		r := &racer{cmd: cmd, stderr: &strings.Builder{}}
		cmd.Stderr = r.stderr
		var err error
		if r.stdin, err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		r.lines = bufio.NewScanner(out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		racers[i] = r
	}
	for i, r := range racers {
		if !r.lines.Scan() || r.lines.Text() != "ready" {
			t.Fatalf("racer %d did not get ready: %q\n%s", i, r.lines.Text(), r.stderr)
		}
	}
	for i, r := range racers {
		if _, err := io.WriteString(r.stdin, []string{"forward\n", "reverse\n"}[i]); err != nil {
			t.Fatal(err)
		}
	}
	return racers
}

// each calls line with every line r reports, then waits for r to exit
// and fails t if it failed.
func (r *racer) each(t *testing.T, line func(string)) {
	t.Helper()
	for r.lines.Scan() {
		line(r.lines.Text())
	}
	if err := r.cmd.Wait(); err != nil {
		t.Fatalf("racer: %v\n%s", err, r.stderr)
	}
}

// checkClaimWins reads the "won ID" lines of claiming racers and checks
// that each of the events 0..n-1 was won exactly once across them.
func checkClaimWins(t *testing.T, racers []*racer, n int) {
	t.Helper()
	wins := make(map[string]int)
	perRacer := make([]int, len(racers))
	for i, r := range racers {
		r.each(t, func(line string) {
			if id, ok := strings.CutPrefix(line, "won "); ok {
				wins[id]++
				perRacer[i]++
			}
		})
	}
	for i := range n {
		if got := wins[fmt.Sprint(i)]; got != 1 {
			t.Errorf("event %d won %d times across two processes, want 1", i, got)
		}
	}
	t.Logf("wins per process: %v", perRacer)
}
