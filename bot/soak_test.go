package bot_test

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/bot/discordtest"
)

// soakFull runs TestSoak with 10,000 messages instead of 300:
//
//	go test -race -run TestSoak -v ./bot/ -args -soak
var soakFull = flag.Bool("soak", false, "run TestSoak with 10,000 messages")

// soakLoad is the message mix of a soak: of every ten messages, four
// carry a new link, three repeat a link posted earlier (the "already
// summarized" notice, or the cached brief while the first thread is being
// recorded) and three are plain chat the bot must ignore.
func soakLoad(n int, url func(string) string) (contents []string, links int) {
	posted := 0
	for i := range n {
		switch i % 10 {
		case 0, 2, 5, 7:
			contents = append(contents, fmt.Sprintf("new read %d: %s", i, url(fmt.Sprintf("/soak/%d", i))))
			posted++
			links++
		case 3, 6, 9:
			if posted == 0 {
				contents = append(contents, "nothing to repeat yet")
				continue
			}
			j := (i * 7919) % posted // an earlier new link, spread out
			contents = append(contents, "again "+url(fmt.Sprintf("/soak/%d", soakLinkIndex(j))))
			links++
		default:
			contents = append(contents, fmt.Sprintf("just chatting, message %d, no link here", i))
		}
	}
	return contents, links
}

// soakLinkIndex is the message index of the j-th new link of soakLoad.
func soakLinkIndex(j int) int {
	return j/4*10 + []int{0, 2, 5, 7}[j%4]
}

// soakResult is what one soak measured.
type soakResult struct {
	messages, replies int
	elapsed           time.Duration
	peakGoroutines    int
	peakHeap          uint64
}

// soak posts n messages of soakLoad into an auto channel as fast as the
// fake takes them, waits until every link has its one reply, and checks
// there is exactly one per link message.
func soak(tb testing.TB, n int) soakResult {
	h := start(tb, config{autoChannels: []string{discordtest.DefaultChannelID}})
	ch := discordtest.DefaultChannelID
	contents, links := soakLoad(n, h.url)

	res := soakResult{messages: n}
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		res.peakHeap = max(res.peakHeap, ms.HeapAlloc)
		res.peakGoroutines = max(res.peakGoroutines, runtime.NumGoroutine())
	}
	began := time.Now()
	ids := make([]string, 0, len(contents))
	hasLink := map[string]bool{}
	for i, c := range contents {
		m, err := h.dc.PostMessage(discordtest.MessageSpec{ChannelID: ch, Content: c})
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, m.ID)
		hasLink[m.ID] = strings.Contains(c, "http")
		if i%200 == 0 {
			sample()
		}
	}
	// The deadline only catches a stall: throughput is reported, not
	// asserted, since a loaded machine (CI beside other test binaries)
	// may run several times slower than a quiet one.
	deadline := time.Now().Add(max(3*wait, time.Duration(n)*100*time.Millisecond))
	for {
		sample()
		if res.replies = len(h.botMessages(ch)); res.replies >= links {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d replies after %v, want %d", res.replies, time.Since(began), links)
		}
		time.Sleep(200 * time.Millisecond)
	}
	res.elapsed = time.Since(began)

	per := map[string]int{}
	for _, m := range h.botMessages(ch) {
		if m.MessageReference != nil {
			per[m.MessageReference.MessageID]++
		}
	}
	for _, id := range ids {
		want := 0
		if hasLink[id] {
			want = 1
		}
		if per[id] != want {
			tb.Errorf("message %s got %d replies, want %d", id, per[id], want)
		}
	}
	return res
}

// usage is a process's goroutines, open files and live heap.
type usage struct {
	goroutines, fds int
	heap            uint64
}

func measure() usage {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds := -1
	if entries, err := os.ReadDir("/proc/self/fd"); err == nil {
		fds = len(entries)
	}
	return usage{goroutines: runtime.NumGoroutine(), fds: fds, heap: ms.HeapAlloc}
}

// TestSoak runs a bounded soak through the fake Discord (300 messages, or
// 10,000 with -soak) and checks the bot gives back what it took once it
// has stopped: goroutines and open files back to their baseline, the live
// heap within a few megabytes of it. Not parallel: other tests' goroutines
// and files would blur the counts.
func TestSoak(t *testing.T) {
	n := 300
	if *soakFull {
		n = 10000
	}
	// A short run first pays for what the pipeline initialises once per
	// process (the tokenizer's vocabulary, compiled expressions), which
	// is not a leak.
	t.Run("warm-up", func(t *testing.T) { soak(t, 10) })
	before := measure()
	var res soakResult
	t.Run(fmt.Sprintf("%d messages", n), func(t *testing.T) { res = soak(t, n) })
	if t.Failed() {
		return
	}
	// Connections to the closed servers wind down asynchronously: give
	// them a moment before calling anything left a leak.
	var after usage
	for range 100 {
		if after = measure(); after.goroutines <= before.goroutines && (before.fds < 0 || after.fds <= before.fds) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d messages, %d replies in %v: %.0f messages/s; goroutines %d before, %d peak, %d after; "+
		"open files %d before, %d after; live heap %.1f MiB before, %.1f MiB peak, %.1f MiB after",
		res.messages, res.replies, res.elapsed.Round(time.Millisecond), float64(res.messages)/res.elapsed.Seconds(),
		before.goroutines, res.peakGoroutines, after.goroutines, before.fds, after.fds,
		mib(before.heap), mib(res.peakHeap), mib(after.heap))
	if after.goroutines > before.goroutines {
		var b strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Errorf("%d goroutines after the soak, want at most %d as before:\n%s", after.goroutines, before.goroutines, b.String())
	}
	if after.fds > before.fds {
		t.Errorf("%d open files after the soak, want at most %d as before", after.fds, before.fds)
	}
	if limit := before.heap + 8<<20; after.heap > limit {
		t.Errorf("live heap %.1f MiB after the soak, want at most %.1f MiB (baseline + 8 MiB)", mib(after.heap), mib(limit))
	}
}

// BenchmarkSoak measures the bot's throughput end to end through the fake
// Discord, the fake LLM and local pages, with the message mix of soakLoad;
// b.N is the number of messages:
//
//	go test -run '^$' -bench BenchmarkSoak -benchtime 10000x ./bot/
func BenchmarkSoak(b *testing.B) {
	b.ReportAllocs()
	res := soak(b, b.N)
	b.ReportMetric(float64(res.messages)/res.elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(res.peakGoroutines), "peak-goroutines")
	b.ReportMetric(mib(res.peakHeap), "peak-heap-MiB")
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
