package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/queue"
	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/store/briefcache"
	"github.com/linkbrief/linkbrief/store/pgtest"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// Environment of the child bot process TestQueueChildBot runs as.
const (
	childEnv       = "LINKBRIEF_BOT_CHILD"
	childAPIEnv    = "LINKBRIEF_BOT_CHILD_API"
	childTokenEnv  = "LINKBRIEF_BOT_CHILD_TOKEN"
	childLLMEnv    = "LINKBRIEF_BOT_CHILD_LLM"
	childDSNEnv    = "LINKBRIEF_BOT_CHILD_DSN"
	childChanEnv   = "LINKBRIEF_BOT_CHILD_CHANNEL"
	childLLMTimout = 30 * time.Second
)

// queueOpts are the queue timings of the scaled-mode tests: a job runs at
// most 3 s and River takes it for stuck 4 s after it began (production
// derives both from fetch.timeout and llm.timeout with
// queue.RescueTimings).
var queueOpts = queue.Options{JobTimeout: 3 * time.Second, RescueAfter: 4 * time.Second, PollInterval: 100 * time.Millisecond}

// pgSchema returns a DSN selecting an empty schema of t's own in the test
// database (see pgtest), or skips t when none is configured.
func pgSchema(t *testing.T) string {
	t.Helper()
	return pgtest.Schema(t, "linkbrief_bot")
}

// scaledBot is one Linkbrief process of a scaled deployment: its own
// store handle, pipeline, handler and River client on a shared PostgreSQL.
type scaledBot struct {
	b    *bot.Bot
	st   *store.DB
	q    *queue.River
	done chan error
}

// newScaledBot wires a bot as main does for store.driver = "postgres".
func newScaledBot(ctx context.Context, dsn, apiURL, token, llmURL string, autoChannels []string, log *slog.Logger) (*scaledBot, error) {
	st, err := store.OpenPostgres(ctx, dsn)
	if err != nil {
		return nil, err
	}
	q, err := queue.OpenRiverPostgres(ctx, dsn, st, queueOpts)
	if err != nil {
		st.Close()
		return nil, err
	}
	c, err := llm.New(llm.Options{BaseURL: llmURL, Model: "test-model", Timeout: childLLMTimout})
	if err != nil {
		st.Close()
		q.Close()
		return nil, err
	}
	svc := summarize.New(fetch.New(fetch.Options{AllowPrivateNetworks: true}), briefcache.New(st),
		summarize.Options{LLM: c, Model: "test-model"})
	h := commands.New(svc, st, commands.Options{Logger: log})
	b, err := bot.New(bot.Options{Token: token, APIURL: apiURL, AutoChannels: autoChannels, Logger: log, Queue: q, Durable: true}, h)
	if err != nil {
		st.Close()
		q.Close()
		return nil, err
	}
	return &scaledBot{b: b, st: st, q: q, done: make(chan error, 1)}, nil
}

// startScaled starts a scaledBot for t and stops it when t ends.
func startScaled(t *testing.T, dsn string, dc *discordtest.Server, llmURL string, logs *syncBuffer, name string) *scaledBot {
	t.Helper()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("bot", name)
	sb, err := newScaledBot(t.Context(), dsn, dc.APIURL(), dc.Token(), llmURL, []string{discordtest.DefaultChannelID}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { sb.done <- sb.b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-sb.done:
			if err != nil {
				t.Errorf("%s: Run = %v, want nil", name, err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%s: Run did not return within 15 s", name)
		}
		sb.q.Close()
		sb.st.Close()
	})
	return sb
}

// pagesServer serves an article at every path.
func pagesServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, articleHTML("Rain returns to the valley "+strings.Trim(r.URL.Path, "/")))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// botReplies returns the bot's messages in the default channel.
func botReplies(dc *discordtest.Server) []discordtest.Message {
	var out []discordtest.Message
	for _, m := range dc.ChannelMessages(discordtest.DefaultChannelID) {
		if m.Author.ID == dc.BotUser().ID {
			out = append(out, m)
		}
	}
	return out
}

// failureLogs returns a buffer for the bots' logs, printed when the test
// fails.
func failureLogs(t *testing.T) *syncBuffer {
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot logs:\n%s", logs.String())
		}
	})
	return logs
}

// TestScaledEventToTwoProcessesAnsweredOnce runs two bots on one shard
// (a shard hand-off) sharing a PostgreSQL store and River queue: each
// event reaches both, and each is answered once.
func TestScaledEventToTwoProcessesAnsweredOnce(t *testing.T) {
	t.Parallel()
	dsn := pgSchema(t)
	dc := discordtest.New(t, discordtest.Options{})
	lm := llmtest.New(t)
	pages := pagesServer(t)
	logs := failureLogs(t)
	startScaled(t, dsn, dc, lm.URL(), logs, "a")
	startScaled(t, dsn, dc, lm.URL(), logs, "b")
	dc.WaitFor(t, wait, func() bool { return dc.Identifies() >= 2 && dc.Connected() }, "both bots to connect")
	time.Sleep(500 * time.Millisecond) // both sessions READY

	if _, err := dc.PostMessage(discordtest.MessageSpec{Content: "read " + pages.URL + "/twice"}); err != nil {
		t.Fatal(err)
	}
	ic, err := dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: pages.URL + "/slash"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	dc.WaitFor(t, wait, func() bool {
		o, ok := dc.Original(ic.ID)
		return len(botReplies(dc)) >= 1 && ok && len(o.Embeds) > 0
	}, "the message reply and the edited /summarize response")
	time.Sleep(2 * time.Second) // room for a wrong second answer
	if got := botReplies(dc); len(got) != 2 {
		// One reply to the message, one original response of /summarize.
		var s []string
		for _, m := range got {
			s = append(s, m.Content+"|"+fmt.Sprint(len(m.Embeds)))
		}
		t.Errorf("bot messages in the channel = %d %q, want 2 (one per event)", len(got), s)
	}
	if n := len(dc.Followups(ic.ID)); n != 0 {
		t.Errorf("/summarize got %d follow-ups, want 0", n)
	}
	if n := lm.Count(); n != 2 {
		t.Errorf("model calls = %d, want 2 (one per link)", n)
	}
}

// TestQueueChildBot is not a test: it is the bot process
// TestScaledCrashedJobRescued starts and kills with SIGKILL.
func TestQueueChildBot(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("run by TestScaledCrashedJobRescued only")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("bot", "child")
	sb, err := newScaledBot(context.Background(), os.Getenv(childDSNEnv), os.Getenv(childAPIEnv), os.Getenv(childTokenEnv),
		os.Getenv(childLLMEnv), []string{os.Getenv(childChanEnv)}, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	sb.b.Run(context.Background()) // until killed
	os.Exit(0)
}

// TestScaledCrashedJobRescued kills (SIGKILL) a bot process while it waits
// for the model, after it claimed and acknowledged nothing but the
// message: another process, sharing the PostgreSQL store and queue,
// rescues the job once River takes it for stuck and answers exactly once,
// despite the ledger claim of the dead process.
func TestScaledCrashedJobRescued(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("takes about 15 s")
	}
	dsn := pgSchema(t)
	dc := discordtest.New(t, discordtest.Options{})
	lm := llmtest.New(t)
	lm.Enqueue(llmtest.Slow(time.Minute, llmtest.Echo())) // the child's call hangs
	pages := pagesServer(t)
	logs := failureLogs(t)

	child := exec.Command(os.Args[0], "-test.run=^TestQueueChildBot$")
	child.Env = append(os.Environ(), childEnv+"=1", childAPIEnv+"="+dc.APIURL(), childTokenEnv+"="+dc.Token(),
		childLLMEnv+"="+lm.URL(), childDSNEnv+"="+dsn, childChanEnv+"="+discordtest.DefaultChannelID)
	child.Stdout, child.Stderr = logs, logs
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		child.Process.Kill()
		child.Wait()
	})
	dc.WaitFor(t, wait, func() bool { return dc.Connected() && len(dc.Commands("")) > 0 }, "the child bot to connect")

	if _, err := dc.PostMessage(discordtest.MessageSpec{Content: "read " + pages.URL + "/crash"}); err != nil {
		t.Fatal(err)
	}
	dc.WaitFor(t, wait, func() bool { return lm.Count() >= 1 }, "the child's job to call the model")
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	killed := time.Now()
	if n := len(botReplies(dc)); n != 0 {
		t.Fatalf("the child replied %d times before it was killed, want 0", n)
	}

	// The dead process led River. Its term would lapse in 15 s and the
	// survivor win the next election round (queue's TestRiverRescuesJobs
	// waits that out); here the term ends at once, as on a clean resign,
	// to keep the suite short. The survivor starts once the job is stuck,
	// so its first rescuer round takes it.
	endLeadership(t, dsn)
	time.Sleep(time.Until(killed.Add(queueOpts.RescueAfter)))
	startScaled(t, dsn, dc, lm.URL(), logs, "survivor")
	// Bound: the rescue horizon, the scheduler's round (5 s), the first
	// retry's delay and polling, and start-up.
	bound := queueOpts.RescueAfter + 6*time.Second + 10*time.Second
	dc.WaitFor(t, bound, func() bool { return len(botReplies(dc)) >= 1 }, "the survivor to answer the dead process's event")
	t.Logf("answered %v after the kill", time.Since(killed).Round(100*time.Millisecond))
	time.Sleep(2 * time.Second) // room for a wrong second answer
	if got := botReplies(dc); len(got) != 1 || len(got[0].Embeds) != 1 {
		t.Errorf("bot replies = %d, want exactly 1 with the brief", len(got))
	}
	if n := lm.Count(); n != 2 {
		t.Errorf("model calls = %d, want 2 (the killed one, the rescued one)", n)
	}
}

// endLeadership removes River's leader record, as a leader's resignation
// does, so the next client to start leads at once.
func endLeadership(t *testing.T, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `DELETE FROM river_leader`); err != nil {
		t.Fatal(err)
	}
}

// TestScaledMissingReplySentOnRetry: a message with two links whose first
// reply cannot be sent (Discord failing for a while) while the second is:
// the job is retried and sends only the missing reply, so the message
// ends with one reply per link.
func TestScaledMissingReplySentOnRetry(t *testing.T) {
	t.Parallel()
	dsn := pgSchema(t)
	dc := discordtest.New(t, discordtest.Options{})
	lm := llmtest.New(t)
	pages := pagesServer(t)
	logs := failureLogs(t)
	startScaled(t, dsn, dc, lm.URL(), logs, "a")
	dc.WaitFor(t, wait, func() bool { return dc.Identifies() >= 1 && dc.Connected() }, "the bot to connect")
	time.Sleep(300 * time.Millisecond)                              // READY
	dc.Fail(discordtest.RouteSendMessage, http.StatusBadGateway, 4) // every try of the first reply
	if _, err := dc.PostMessage(discordtest.MessageSpec{Content: "two: " + pages.URL + "/first " + pages.URL + "/second"}); err != nil {
		t.Fatal(err)
	}
	dc.WaitFor(t, wait, func() bool { return len(botReplies(dc)) >= 2 }, "both replies")
	time.Sleep(2 * time.Second) // room for a repeated reply
	got := botReplies(dc)
	titles := map[string]int{}
	for _, m := range got {
		if len(m.Embeds) == 1 {
			titles[m.Embeds[0].Title]++
		}
	}
	if len(got) != 2 || len(titles) != 2 {
		t.Errorf("replies = %d with titles %v, want one brief per link", len(got), titles)
	}
}
