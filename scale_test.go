package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/store/pgtest"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// cluster is several linkbrief processes, one per gateway shard, sharing
// a PostgreSQL store and queue, against one fake Discord and one fake
// model.
type cluster struct {
	t        testing.TB
	dc       *discordtest.Server
	model    *llmtest.Server
	models   []*llmtest.Server // one per process, with modelPerProcess
	pages    *httptest.Server
	channels [][]string // channel IDs per shard
	procs    []*exec.Cmd
	logs     []*lockedBuffer
	exited   []chan error
}

// shardGuildID returns a guild ID that Discord routes to shard of n:
// (id >> 22) % n == shard.
func shardGuildID(shard, n int) string {
	return fmt.Sprint(int64(1000*n+shard) << 22)
}

// startCluster starts n processes with perShard auto-mode channels on
// each shard, the model answering after latency.
func startCluster(t testing.TB, n, perShard int, latency time.Duration, extra string) *cluster {
	t.Helper()
	return startClusterWith(t, clusterOptions{n: n, perShard: perShard, latency: latency, extra: extra})
}

// clusterOptions shape a cluster.
type clusterOptions struct {
	n, perShard int
	latency     time.Duration
	// extra is appended to every config; llm and fetch go inside those
	// tables (for example `timeout = "15s"`).
	extra, llm, fetch string
	// modelPerProcess gives each process a model of its own, so a test
	// can tell which process is calling it.
	modelPerProcess bool
}

// startClusterWith starts a cluster shaped by o.
func startClusterWith(t testing.TB, o clusterOptions) *cluster {
	t.Helper()
	n, perShard, latency, extra := o.n, o.perShard, o.latency, o.extra
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t}
	var guilds []discordtest.Guild
	var all []string
	for s := range n {
		g := discordtest.Guild{ID: shardGuildID(s, n), Name: fmt.Sprintf("shard-%d", s)}
		var ids []string
		for k := range perShard {
			id := fmt.Sprint(900000 + 100*s + k)
			g.Channels = append(g.Channels, discordtest.Channel{ID: id, Type: 0, Name: fmt.Sprintf("links-%d", k)})
			ids = append(ids, id)
			all = append(all, `"`+id+`"`)
		}
		guilds = append(guilds, g)
		c.channels = append(c.channels, ids)
	}
	c.dc = discordtest.New(t, discordtest.Options{Guilds: guilds, RecommendedShards: n})
	newModel := func() *llmtest.Server {
		m := llmtest.New(t)
		if latency > 0 {
			m.Always(llmtest.Slow(latency, llmtest.Echo()))
		}
		return m
	}
	c.model = newModel()
	c.pages = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.Replace(pageHTML, "Council approves", "Council approves "+r.URL.Path, 1))
	}))
	t.Cleanup(c.pages.Close)
	dsn := pgtest.Schema(t, "linkbrief_scale")
	for s := range n {
		model := c.model
		if o.modelPerProcess {
			if s > 0 {
				model = newModel()
			}
			c.models = append(c.models, model)
		}
		cfg := writeConfig(t, fmt.Sprintf(`
[discord]
api_url = %q
auto_channels = [%s]
shard_id = %d
shard_count = %d
[llm]
base_url = %q
model = "test-model"
%s
[fetch]
allow_private_networks = true
%s
[store]
driver = "postgres"
dsn = %q
%s
`, c.dc.APIURL(), strings.Join(all, ", "), s, n, model.URL(), o.llm, o.fetch, dsn, extra))
		cmd := exec.Command(bin, "run", "--config", cfg)
		cmd.Env = append(os.Environ(), "LINKBRIEF_DISCORD_TOKEN="+c.dc.Token())
		logs := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		c.procs, c.logs, c.exited = append(c.procs, cmd), append(c.logs, logs), append(c.exited, done)
	}
	t.Cleanup(c.stop)
	c.dc.WaitFor(t, 60*time.Second, func() bool {
		return len(c.dc.IdentifyPayloads()) >= n && len(c.dc.Commands("")) > 0
	}, fmt.Sprintf("%d shards to identify", n))
	return c
}

// kill ends process i with SIGKILL, as a crash would.
func (c *cluster) kill(i int) {
	c.procs[i].Process.Kill()
	<-c.exited[i]
	c.procs[i], c.exited[i] = nil, nil
}

// stop sends SIGTERM to every process and checks each exits with 0.
func (c *cluster) stop() {
	for _, p := range c.procs {
		if p != nil {
			p.Process.Signal(syscall.SIGTERM)
		}
	}
	for i, done := range c.exited {
		if done == nil {
			continue
		}
		select {
		case err := <-done:
			if err != nil {
				c.t.Errorf("process %d: %v after SIGTERM\n%s", i, err, c.logs[i].String())
			}
		case <-time.After(20 * time.Second):
			c.procs[i].Process.Kill()
			c.t.Errorf("process %d still running 20 s after SIGTERM", i)
		}
	}
	c.procs = nil
	c.exited = nil
}

// replies counts the bot's messages in the given channels.
func (c *cluster) replies(channels []string) int {
	n := 0
	for _, ch := range channels {
		n += len(botMessagesIn(c.dc, ch))
	}
	return n
}

// briefs counts the bot's replies carrying a brief (an embed) in the
// given channels.
func (c *cluster) briefs(channels []string) int {
	n := 0
	for _, ch := range channels {
		for _, m := range c.dc.ChannelMessages(ch) {
			if m.Author.ID == c.dc.BotUser().ID && len(m.Embeds) > 0 {
				n++
			}
		}
	}
	return n
}

func (c *cluster) allChannels() []string {
	var all []string
	for _, ids := range c.channels {
		all = append(all, ids...)
	}
	return all
}

// post posts content in every channel at once, each by another user.
func (c *cluster) post(channels []string, content string, sameUser bool) {
	var wg sync.WaitGroup
	for i, ch := range channels {
		wg.Go(func() {
			u := discordtest.DefaultUser()
			if !sameUser {
				u.ID, u.Username = fmt.Sprint(700000+i), fmt.Sprintf("reader%d", i)
			}
			if _, err := c.dc.PostMessage(discordtest.MessageSpec{ChannelID: ch, Content: content, Author: &u}); err != nil {
				c.t.Error(err)
			}
		})
	}
	wg.Wait()
}

// TestScaledThreeProcesses: three processes, one per shard, on one
// PostgreSQL. The same link posted in 20 channels at once costs one model
// call and gets 20 replies; a user's limit holds across the processes.
func TestScaledThreeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three linkbrief processes")
	}
	c := startCluster(t, 3, 7, 300*time.Millisecond, "[limits]\nuser_per_minute = 2\n")
	channels := c.allChannels()[:20]
	c.post(channels, "everyone read "+c.pages.URL+"/bridge", false)
	c.dc.WaitFor(t, 60*time.Second, func() bool { return c.replies(channels) >= 20 }, "20 replies")
	time.Sleep(300 * time.Millisecond) // a 21st reply would arrive now
	if n := c.replies(channels); n != 20 {
		t.Errorf("%d replies, want 20", n)
	}
	if n := c.briefs(channels); n < 3 {
		t.Errorf("%d replies carry the brief, want at least one per server", n)
	}
	if n := c.model.Count(); n != 1 {
		t.Errorf("model calls = %d for one link in 20 channels on 3 processes, want 1", n)
	}

	// One user's new briefs are counted across every process: with
	// user_per_minute = 2, the third new link, on a third shard, is refused.
	for s, path := range []string{"/one", "/two", "/three"} {
		c.post(c.channels[s][:1], "look "+c.pages.URL+path, true)
		want := 1
		c.dc.WaitFor(t, 30*time.Second, func() bool {
			return len(botMessagesIn(c.dc, c.channels[s][0])) >= want+1
		}, "a reply on shard "+fmt.Sprint(s))
	}
	last := botMessagesIn(c.dc, c.channels[2][0])
	if got := last[len(last)-1]; len(got.Embeds) != 0 || !strings.Contains(got.Content, "try again") {
		t.Errorf("third new brief in a minute on another process = %+v, want a refusal", got)
	}
}

func botMessagesIn(dc *discordtest.Server, channel string) []discordtest.Message {
	var out []discordtest.Message
	for _, m := range dc.ChannelMessages(channel) {
		if m.Author.ID == dc.BotUser().ID {
			out = append(out, m)
		}
	}
	return out
}

// BenchmarkScaledThreeProcesses measures briefs per second across three
// processes on one PostgreSQL, with the model answering in a fixed 200 ms:
// each of b.N new links is posted at once in one channel of every shard,
// so the three processes race for every link. It reports the replies per
// second and the model calls per link, which must be 1.
//
//	go test -run '^$' -bench ScaledThreeProcesses -benchtime 30x .
func BenchmarkScaledThreeProcesses(b *testing.B) {
	c := startCluster(b, 3, 1, 200*time.Millisecond, "[limits]\nuser_per_minute = 0\nguild_per_hour = 0\n")
	channels := c.allChannels()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		c.post(channels, fmt.Sprintf("new %s/story-%d", c.pages.URL, i), false)
	}
	want := 3 * b.N
	c.dc.WaitFor(b, 5*time.Minute, func() bool { return c.replies(channels) >= want }, fmt.Sprintf("%d replies", want))
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(want)/elapsed.Seconds(), "replies/s")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "links/s")
	b.ReportMetric(float64(c.model.Count())/float64(b.N), "llm-calls/link")
	if n := c.model.Count(); n != b.N {
		b.Errorf("model calls = %d for %d links, want one each", n, b.N)
	}
}

// TestScaledCrashDuringModelCall: a process is SIGKILLed during the model
// call for a new link, with the production timings (RescueTimings from
// llm.timeout and fetch.timeout, the real page lease and River's real
// rescuer). Another process answers the message exactly once, with the
// brief, within DESIGN's bound of llm.timeout + fetch.timeout + 30s.
func TestScaledCrashDuringModelCall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two linkbrief processes and waits for River's rescuer")
	}
	t.Parallel()
	const llmTimeout, fetchTimeout = 15 * time.Second, 5 * time.Second
	c := startClusterWith(t, clusterOptions{
		n: 2, perShard: 1, latency: 2 * time.Second, modelPerProcess: true,
		llm: fmt.Sprintf("timeout = %q", llmTimeout), fetch: fmt.Sprintf("timeout = %q", fetchTimeout),
	})
	ch := c.channels[0][0]
	posted := time.Now()
	c.post([]string{ch}, "new "+c.pages.URL+"/crash", false)
	victim := -1
	c.dc.WaitFor(t, 30*time.Second, func() bool {
		for i, m := range c.models {
			if m.Count() > 0 {
				victim = i
				return true
			}
		}
		return false
	}, "a model call")
	time.Sleep(500 * time.Millisecond) // into the call
	c.kill(victim)
	bound := llmTimeout + fetchTimeout + 30*time.Second
	c.dc.WaitFor(t, bound+time.Minute, func() bool { return len(botMessagesIn(c.dc, ch)) > 0 }, "the reply")
	elapsed := time.Since(posted)
	time.Sleep(3 * time.Second) // a second reply would arrive now
	got := botMessagesIn(c.dc, ch)
	if len(got) != 1 || len(got[0].Embeds) != 1 {
		t.Fatalf("replies after the crash = %+v, want exactly one carrying the brief", got)
	}
	if elapsed > bound {
		t.Errorf("the brief came %v after the link, want within llm.timeout + fetch.timeout + 30s = %v", elapsed, bound)
	}
	t.Logf("process %d killed during its model call; brief after %v (bound %v)", victim, elapsed.Round(time.Second), bound)
}

// TestSlowModelUnderDefaultTimeouts: a model that answers in 45 s, with
// the default llm.timeout and fetch.timeout, gives the model's brief, not
// an error nor the offline one.
func TestSlowModelUnderDefaultTimeouts(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 45 s for the model")
	}
	t.Parallel()
	c := startClusterWith(t, clusterOptions{n: 1, perShard: 1, latency: 45 * time.Second})
	ch := c.channels[0][0]
	c.post([]string{ch}, "slow "+c.pages.URL+"/slow", false)
	c.dc.WaitFor(t, 2*time.Minute, func() bool { return len(botMessagesIn(c.dc, ch)) > 0 }, "the reply")
	got := botMessagesIn(c.dc, ch)
	if len(got) != 1 || len(got[0].Embeds) != 1 || !strings.Contains(got[0].Embeds[0].Footer.Text, "llm") {
		t.Fatalf("reply to a link whose model answers in 45 s = %+v, want the model's brief", got)
	}
}
