package observe

import (
	"bufio"
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// exposition returns what m writes for a scrape.
func exposition(m *Metrics) string {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	m.write(context.Background(), w)
	w.Flush()
	return b.String()
}

func TestHistogramLines(t *testing.T) {
	t.Parallel()
	f := newFamily("x_seconds", "Time.", kindHistogram, []string{"op"}, 0.5, 1, 2)
	h := f.With("a")
	for _, v := range []float64{0.1, 0.5, 0.7, 3, 100} {
		h.Observe(v)
	}
	var b strings.Builder
	w := bufio.NewWriter(&b)
	f.write(w)
	w.Flush()
	want := `# HELP x_seconds Time.
# TYPE x_seconds histogram
x_seconds_bucket{op="a",le="0.5"} 2
x_seconds_bucket{op="a",le="1"} 3
x_seconds_bucket{op="a",le="2"} 3
x_seconds_bucket{op="a",le="+Inf"} 5
x_seconds_sum{op="a"} 104.3
x_seconds_count{op="a"} 5
`
	if got := b.String(); got != want {
		t.Errorf("histogram after 0.1, 0.5, 0.7, 3, 100 wrote\n%s\nwant\n%s", got, want)
	}
}

func TestCounterLines(t *testing.T) {
	t.Parallel()
	f := newFamily("y_total", "Lines\nwith \\ in help.", kindCounter, []string{"a", "b"})
	f.With("z", "1").Inc()
	f.With("m", "quote\" back\\ nl\n").Add(2.5)
	f.With("m", "quote\" back\\ nl\n").Add(-1) // ignored: counters only go up
	f.With("m", "quote\" back\\ nl\n").Add(math.NaN())
	var b strings.Builder
	w := bufio.NewWriter(&b)
	f.write(w)
	w.Flush()
	want := `# HELP y_total Lines\nwith \\ in help.
# TYPE y_total counter
y_total{a="m",b="quote\" back\\ nl\n"} 2.5
y_total{a="z",b="1"} 1
`
	if got := b.String(); got != want {
		t.Errorf("counter wrote\n%s\nwant\n%s", got, want)
	}
}

func TestWithWrongLabelCount(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("With with two values on a family of one label did not panic")
		}
	}()
	newFamily("z_total", "Z.", kindCounter, []string{"a"}).With("1", "2")
}

// TestExposition checks the whole scrape against the text format: every
// family has one # HELP and one # TYPE line before its samples, names
// are unique and sorted, every sample belongs to the family above it and
// has a number as value.
func TestExposition(t *testing.T) {
	t.Parallel()
	m := New()
	m.fetchErrors.With("timeout").Inc()
	m.llmSeconds.With("summarize", "ok").Observe(1.5)
	m.SetQueueDepth(func(ctx context.Context) (int, error) { return 5, nil })
	out := exposition(m)
	var family, kind, prev string
	seen := map[string]bool{}
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, _, _ := strings.Cut(rest, " ")
			if seen[name] {
				t.Errorf("family %s written twice", name)
			}
			if name <= prev {
				t.Errorf("family %s after %s: not sorted", name, prev)
			}
			seen[name], family, prev, kind = true, name, name, ""
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, k, _ := strings.Cut(rest, " ")
			if name != family || kind != "" {
				t.Errorf("line %q: # TYPE not right after the family's # HELP", line)
			}
			kind = k
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 || kind == "" {
			t.Fatalf("line %q: a sample without a family", line)
		}
		if _, err := strconv.ParseFloat(line[i+1:], 64); err != nil {
			t.Errorf("line %q: value: %v", line, err)
		}
		name, _, _ := strings.Cut(line[:i], "{")
		ok := name == family
		if kind == kindHistogram || kind == kindSummary {
			ok = ok || name == family+"_sum" || name == family+"_count"
		}
		if kind == kindHistogram {
			ok = ok && name != family || name == family+"_bucket"
		}
		if !ok {
			t.Errorf("line %q: sample %s under family %s (%s)", line, name, family, kind)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "go_gc_duration_seconds",
		"linkbrief_fetch_errors_total", "linkbrief_llm_request_seconds", "linkbrief_queue_depth", "linkbrief_cache_lookups_total"} {
		if !seen[name] {
			t.Errorf("no family %s in the scrape", name)
		}
	}
	if seen["linkbrief_briefs_total"] {
		t.Error("linkbrief_briefs_total is written before any brief: a family without series is left out")
	}
	if !strings.Contains(out, "go_info{version=\""+runtime.Version()+"\"} 1\n") {
		t.Errorf("no go_info naming %s in\n%s", runtime.Version(), out)
	}
	if runtime.GOOS == "linux" {
		for _, name := range []string{"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_start_time_seconds"} {
			if !seen[name] {
				t.Errorf("no family %s in the scrape on Linux", name)
			}
		}
	}
}

// TestScrapeLimit checks that a fifth scrape at once is refused while
// four are in progress, instead of piling up behind a slow queue-depth
// function.
func TestScrapeLimit(t *testing.T) {
	t.Parallel()
	m := New()
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(maxScrapes)
	m.SetQueueDepth(func(ctx context.Context) (int, error) {
		started.Done()
		<-release
		return 1, nil
	})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	var wg sync.WaitGroup
	for range maxScrapes {
		wg.Go(func() {
			resp, err := srv.Client().Get(srv.URL + "/metrics")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("a scrape within the limit: status %d, want 200", resp.StatusCode)
			}
		})
	}
	started.Wait()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("scrape %d at once: status %d, want 503", maxScrapes+1, resp.StatusCode)
	}
	close(release)
	wg.Wait()
}

func TestParseStat(t *testing.T) {
	t.Parallel()
	// The command name holds a space and a parenthesis.
	line := "4242 (we(ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	st, err := parseStat([]byte(line))
	if err != nil {
		t.Fatalf("parseStat: %v", err)
	}
	want := procStat{utime: 250, stime: 75, start: 123456, vsize: 987654321, rss: 2048}
	if st != want {
		t.Errorf("parseStat = %+v, want %+v", st, want)
	}
	for _, bad := range []string{"", "1 (x) S 1 2 3", "1 (x) S 1 2 3 4 5 6 7 8 9 10 x 12 13 14 15 16 17 18 19 20 21 22"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) = nil error, want one", bad)
		}
	}
}

func TestParseNetDev(t *testing.T) {
	t.Parallel()
	data := `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
  eth0: 123456789  4000    0    0    0     0          0         0  9876543    3000    0    0    0     0       0          0
`
	rx, tx, err := parseNetDev([]byte(data))
	if err != nil || rx != 123457789 || tx != 9877543 {
		t.Errorf("parseNetDev = %d, %d, %v; want 123457789, 9877543, nil", rx, tx, err)
	}
	if _, _, err := parseNetDev([]byte("a\nb\n  eth0: 1 2 3\n")); err == nil {
		t.Error("parseNetDev of a short line = nil error, want one")
	}
}

func TestGCPercent(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]int{"": 100, "50": 50, "off": -1, "junk": 100} {
		if got := gcPercent(env); got != want {
			t.Errorf("gcPercent(%q) = %d, want %d", env, got, want)
		}
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("1 (a b) R 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5 6"))
	f.Add([]byte(")"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parseStat(data)
	})
}

func FuzzParseNetDev(f *testing.F) {
	f.Add([]byte("h\nh\n lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"))
	f.Add([]byte("::::"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parseNetDev(data)
	})
}
