package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/queue"
	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/store/briefcache"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// wait is how long a test waits for the bot to do something; generous,
// because the whole package shares two cores with other suites.
const wait = 20 * time.Second

// articleHTML is a page the extractor takes for an article.
func articleHTML(title string) string {
	paras := []string{
		"Heavy rain returned to the valley on Monday after a dry spell that lasted eleven weeks, the regional weather office said.",
		"Farmers in the lower valley welcomed the change, saying the reservoirs had fallen to their lowest level since 1998.",
		"The weather office measured 42 millimetres of rain in Riverton during the first twelve hours of the storm.",
		"Officials warned that the dry ground could not absorb the water quickly, and that minor flooding was likely near the river.",
		"Schools in three districts stayed open, but the council closed the old bridge on Mill Road as a precaution.",
		"Maria Lopez, who runs an orchard outside Riverton, said the rain came just in time to save this year's apple harvest.",
		"Forecasters expect the unsettled weather to continue until Thursday, with cooler temperatures through the weekend.",
		"The council said it would review its drought measures, including the hosepipe ban, at a meeting next month.",
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
<meta property="og:site_name" content="Valley News"><meta name="author" content="Sam Reed"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header><main><article><h1>%s</h1>`, title, title)
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", p)
	}
	b.WriteString("</article></main><footer>Copyright Valley News</footer></body></html>")
	return b.String()
}

// harness runs a Bot against the fake Discord, the fake LLM and local
// pages, with a real store.
type harness struct {
	t     testing.TB
	dc    *discordtest.Server
	llm   *llmtest.Server
	pages *httptest.Server
	st    *store.DB
	b     *bot.Bot
	logs  *syncBuffer
	stop  context.CancelFunc
	done  chan error
}

type config struct {
	discord      discordtest.Options
	autoChannels []string
	limits       commands.Options
	grace        time.Duration
	reaction     string
}

func start(t testing.TB, cfg config) *harness {
	t.Helper()
	h := &harness{t: t, logs: &syncBuffer{}}
	h.dc = discordtest.New(t, cfg.discord)
	h.llm = llmtest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".pdf") {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write(paperPDF())
			return
		}
		title := "Rain returns to the valley " + strings.Trim(r.URL.Path, "/")
		if r.URL.Path == "/mentions" {
			title = "@everyone and @here and <@" + discordtest.DefaultUserID + "> read this"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, articleHTML(title))
	})
	h.pages = httptest.NewServer(mux)
	t.Cleanup(h.pages.Close)

	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "linkbrief.db"))
	if err != nil {
		t.Fatal(err)
	}
	h.st = st
	c, err := llm.New(llm.Options{BaseURL: h.llm.URL(), Model: "test-model", Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	svc := summarize.New(fetch.New(fetch.Options{AllowPrivateNetworks: true}), briefcache.New(st),
		summarize.Options{LLM: c, Model: "test-model"})
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	lim := cfg.limits
	lim.Logger = log
	handler := commands.New(svc, st, lim)
	h.b, err = bot.New(bot.Options{
		Token: h.dc.Token(), APIURL: h.dc.APIURL(), AutoChannels: cfg.autoChannels,
		Logger: log, ShutdownGrace: cfg.grace, Reaction: cfg.reaction, Queue: pool(st),
	}, handler)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.b.Run(ctx) }()
	t.Cleanup(func() {
		if err := h.shutdown(); err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
		st.Close()
		checkMentions(t, h.dc)
		if t.Failed() {
			t.Logf("bot logs:\n%s", h.logs.String())
		}
	})
	h.dc.WaitFor(t, wait, func() bool {
		return h.dc.Connected() && len(h.dc.Commands("")) > 0
	}, "the bot to connect and register its commands")
	return h
}

// shutdown stops the bot once and returns what Run returned.
func (h *harness) shutdown() error {
	h.stop()
	select {
	case err, ok := <-h.done:
		if ok {
			close(h.done)
		}
		return err
	case <-time.After(15 * time.Second):
		return errors.New("Run did not return within 15 s of cancellation")
	}
}

func (h *harness) url(path string) string { return h.pages.URL + path }

// botMessages returns the bot's messages in a channel.
func (h *harness) botMessages(channelID string) []discordtest.Message {
	var out []discordtest.Message
	for _, m := range h.dc.ChannelMessages(channelID) {
		if m.Author.ID == h.dc.BotUser().ID {
			out = append(out, m)
		}
	}
	return out
}

// waitBotMessages waits until the bot has at least n messages in a channel.
func (h *harness) waitBotMessages(channelID string, n int) []discordtest.Message {
	h.t.Helper()
	var got []discordtest.Message
	h.dc.WaitFor(h.t, wait, func() bool {
		got = h.botMessages(channelID)
		return len(got) >= n
	}, fmt.Sprintf("%d bot message(s) in channel %s", n, channelID))
	return got
}

func (h *harness) post(channelID, content string) discordtest.Message {
	h.t.Helper()
	m, err := h.dc.PostMessage(discordtest.MessageSpec{ChannelID: channelID, Content: content})
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// checkMentions fails the test when any REST call that can carry text
// omitted allowed_mentions {"parse": []}.
func checkMentions(t testing.TB, dc *discordtest.Server) {
	t.Helper()
	routes := []string{
		discordtest.RouteSendMessage, discordtest.RouteEditMessage, discordtest.RouteInteractionCallback,
		discordtest.RouteEditOriginal, discordtest.RouteFollowup, "PATCH /webhooks/*/*/messages/*",
	}
	for _, r := range routes {
		method, route, _ := strings.Cut(r, " ")
		for _, c := range dc.CallsTo(method, route) {
			var body struct {
				AllowedMentions *json.RawMessage `json:"allowed_mentions"`
				Data            *struct {
					AllowedMentions *json.RawMessage `json:"allowed_mentions"`
				} `json:"data"`
			}
			if err := c.Decode(&body); err != nil {
				t.Errorf("%s %s: undecodable body %s", c.Method, c.Route, c.RawBody)
				continue
			}
			am := body.AllowedMentions
			if body.Data != nil {
				am = body.Data.AllowedMentions
			}
			if am == nil {
				t.Errorf("%s %s sent no allowed_mentions: %s", c.Method, c.Route, c.RawBody)
				continue
			}
			var got struct {
				Parse       *[]string `json:"parse"`
				RepliedUser bool      `json:"replied_user"`
			}
			if err := json.Unmarshal(*am, &got); err != nil || got.Parse == nil || len(*got.Parse) != 0 || got.RepliedUser {
				t.Errorf("%s %s sent allowed_mentions %s, want {\"parse\":[]}", c.Method, c.Route, *am)
			}
		}
	}
}

func TestSlashCommand(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/slash")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "a thread on the brief")
	if typ, ok := h.dc.Responded(in.ID); !ok || typ != 5 {
		t.Errorf("initial response = %d (%v), want 5 (deferred)", typ, ok)
	}
	orig, ok := h.dc.Original(in.ID)
	if !ok || len(orig.Embeds) != 1 {
		t.Fatalf("original response = %+v, want one embed", orig)
	}
	e := orig.Embeds[0]
	if e.Title != "Rain returns to the valley slash" || e.URL != h.url("/slash") || len(e.Fields) == 0 {
		t.Errorf("embed = %+v, want the article's title, URL and claims", e)
	}
	if orig.Flags&discordtest.MessageFlagEphemeral != 0 {
		t.Errorf("public brief is ephemeral")
	}
	th := h.dc.Threads()[0]
	if th.StarterMessageID != orig.ID || th.Name != "Rain returns to the valley slash" {
		t.Errorf("thread = %+v, want one named after the title on message %s", th, orig.ID)
	}
	calls := h.dc.InteractionResponses(in.ID)
	if len(calls) < 2 || calls[0].Route != "/interactions/"+in.ID+"/"+in.Token+"/callback" {
		t.Errorf("first interaction call = %+v, want the callback", calls)
	}
}

func TestSlashCommandPrivate(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/private")},
		{Name: "private", Type: discordtest.OptionBoolean, Value: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitForCalls(t, wait, "PATCH", "/webhooks/*/*/messages/@original", 1)
	orig, _ := h.dc.Original(in.ID)
	if orig.Flags&discordtest.MessageFlagEphemeral == 0 || len(orig.Embeds) != 1 {
		t.Errorf("private brief = %+v, want an ephemeral embed", orig)
	}
	if n := len(h.dc.Threads()); n != 0 {
		t.Errorf("%d threads for a private brief, want 0", n)
	}
}

func TestContextMenu(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	target := h.post("", "two reads: "+h.url("/one")+" and "+h.url("/two")+" and <"+h.url("/hidden")+">")
	in, err := h.dc.MessageCommand(discordtest.MessageCommandSpec{Name: commands.CmdSummarizeIn, TargetID: target.ID})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 2 }, "two threads")
	orig, _ := h.dc.Original(in.ID)
	fups := h.dc.Followups(in.ID)
	if len(orig.Embeds) != 1 || len(fups) != 1 || len(fups[0].Embeds) != 1 {
		t.Fatalf("original %+v and follow-ups %+v, want one brief each", orig, fups)
	}
	titles := orig.Embeds[0].Title + "|" + fups[0].Embeds[0].Title
	if titles != "Rain returns to the valley one|Rain returns to the valley two" {
		t.Errorf("briefs = %q, want one then two", titles)
	}
}

func TestAutoModeAndFollowUp(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	src := h.post(discordtest.DefaultChannelID, "look at this "+h.url("/auto"))
	msgs := h.waitBotMessages(discordtest.DefaultChannelID, 1)
	reply := msgs[0]
	if reply.MessageReference == nil || reply.MessageReference.MessageID != src.ID || len(reply.Embeds) != 1 {
		t.Fatalf("reply = %+v, want a brief replying to %s", reply, src.ID)
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "a thread on the reply")
	th := h.dc.Threads()[0]
	if th.StarterMessageID != reply.ID || th.Name != "Rain returns to the valley auto" {
		t.Errorf("thread = %+v, want one named after the title on %s", th, reply.ID)
	}

	// The bot records the thread right after Discord created it.
	h.dc.WaitFor(t, wait, func() bool {
		_, err := h.st.Thread(context.Background(), th.ID)
		return err == nil
	}, "the thread to be recorded")
	// A follow-up question in the thread is answered from the article.
	h.post(th.ID, "How much rain fell in Riverton during the first twelve hours?")
	ans := h.waitBotMessages(th.ID, 1)[0]
	if !strings.Contains(ans.Content, "42 millimetres") {
		t.Errorf("answer = %q, want the quoted sentence with 42 millimetres", ans.Content)
	}
	h.post(th.ID, "Which football team won the cup final?")
	ans = h.waitBotMessages(th.ID, 2)[1]
	if ans.Content != summarize.NotSaid {
		t.Errorf("answer = %q, want %q", ans.Content, summarize.NotSaid)
	}

	// So is /ask in the thread.
	ask, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "ask", ChannelID: th.ID, Options: []discordtest.Option{
		{Name: "question", Type: discordtest.OptionString, Value: "Who runs an orchestra outside Riverton?"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitFor(t, wait, func() bool { m, ok := h.dc.Original(ask.ID); return ok && m.Content != "" }, "the /ask answer")
	if m, _ := h.dc.Original(ask.ID); !strings.Contains(m.Content, "Maria Lopez") || m.Flags&discordtest.MessageFlagEphemeral != 0 {
		t.Errorf("/ask answer = %+v, want a public quote naming Maria Lopez", m)
	}

	// The same link again in this server gets the short notice.
	h.post(discordtest.DefaultChannelID, "again: "+h.url("/auto?utm_source=x"))
	notice := h.waitBotMessages(discordtest.DefaultChannelID, 2)[1]
	if want := "https://discord.com/channels/" + discordtest.DefaultGuildID + "/" + th.ID; !strings.Contains(notice.Content, "Already summarized") ||
		!strings.Contains(notice.Content, want) || len(notice.Embeds) != 0 {
		t.Errorf("repeat = %+v, want a notice linking %s", notice, want)
	}
}

func TestIgnoredMessages(t *testing.T) {
	t.Parallel()
	other := discordtest.Channel{ID: "1100000000000000099", Name: "other"}
	h := start(t, config{
		discord: discordtest.Options{Guilds: []discordtest.Guild{{
			ID:       discordtest.DefaultGuildID,
			Channels: []discordtest.Channel{{ID: discordtest.DefaultChannelID, Name: "general"}, other},
		}}},
		autoChannels: []string{discordtest.DefaultChannelID},
	})
	botUser := discordtest.User{ID: "1100000000000000077", Username: "otherbot", Discriminator: "0", Bot: true}
	for _, spec := range []discordtest.MessageSpec{
		{ChannelID: discordtest.DefaultChannelID, Content: h.url("/bot"), Author: &botUser},
		{ChannelID: discordtest.DefaultChannelID, Content: h.url("/webhook"), WebhookID: "1100000000000000088"},
		{ChannelID: other.ID, Content: h.url("/other")},
		{ChannelID: discordtest.DefaultChannelID, Content: "||" + h.url("/spoiler") + "|| <" + h.url("/suppressed") + ">"},
	} {
		if _, err := h.dc.PostMessage(spec); err != nil {
			t.Fatal(err)
		}
	}
	// A message that must be answered, posted last, tells when the bot
	// has seen the others.
	h.post(discordtest.DefaultChannelID, h.url("/answered"))
	msgs := h.waitBotMessages(discordtest.DefaultChannelID, 1)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread of the answered link")
	if len(msgs) != 1 || msgs[0].Embeds[0].Title != "Rain returns to the valley answered" {
		t.Errorf("bot messages = %+v, want only the brief of /answered", msgs)
	}
	if n := len(h.botMessages(other.ID)); n != 0 {
		t.Errorf("%d bot messages in a channel not opted in, want 0", n)
	}
	if n := h.llm.Count(); n != 1 {
		t.Errorf("%d LLM calls, want 1", n)
	}
}

func TestAutoModeSetByAdmin(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	admin := discordtest.DefaultMember()
	admin.Permissions = discordtest.AdminPermissions
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "linkbrief", Member: &admin, Options: []discordtest.Option{
		{Name: "auto", Type: discordtest.OptionSubCommand, Options: []discordtest.Option{{Name: "enabled", Type: discordtest.OptionBoolean, Value: true}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitForCalls(t, wait, "PATCH", "/webhooks/*/*/messages/@original", 1)
	if orig, _ := h.dc.Original(in.ID); !strings.Contains(orig.Content, "Auto mode is on") {
		t.Errorf("reply = %q, want auto mode on", orig.Content)
	}
	h.post(discordtest.DefaultChannelID, h.url("/now-auto"))
	if msgs := h.waitBotMessages(discordtest.DefaultChannelID, 1); len(msgs[0].Embeds) != 1 {
		t.Errorf("reply = %+v, want a brief", msgs[0])
	}
}

func TestPermissionRefusal(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "linkbrief", Options: []discordtest.Option{
		{Name: "auto", Type: discordtest.OptionSubCommand, Options: []discordtest.Option{{Name: "enabled", Type: discordtest.OptionBoolean, Value: true}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	calls := h.dc.WaitForCalls(t, wait, "PATCH", "/webhooks/*/*/messages/@original", 1)
	cb := h.dc.CallsTo("POST", "/interactions/*/*/callback")
	var body struct {
		Type int `json:"type"`
		Data struct {
			Flags int `json:"flags"`
		} `json:"data"`
	}
	if len(cb) != 1 || cb[0].Decode(&body) != nil || body.Type != 5 || body.Data.Flags&64 == 0 {
		t.Errorf("callback = %+v, want type 5 with flags 64", body)
	}
	orig, _ := h.dc.Original(in.ID)
	if !strings.Contains(orig.Content, "Manage Server") || orig.Flags&discordtest.MessageFlagEphemeral == 0 {
		t.Errorf("refusal = %+v (%d edits), want an ephemeral Manage Server notice", orig, len(calls))
	}
	set, err := h.st.GuildSettings(context.Background(), discordtest.DefaultGuildID)
	if err == nil && len(set.AutoChannels) != 0 {
		t.Errorf("auto channels = %v after a refusal, want none", set.AutoChannels)
	}
}

func TestReplayAfterResume(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	src := h.post(discordtest.DefaultChannelID, h.url("/replayed"))
	h.waitBotMessages(discordtest.DefaultChannelID, 1)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread")

	h.dc.Reconnect()
	h.dc.WaitFor(t, wait, func() bool { return h.dc.Resumes() == 1 && h.dc.Connected() }, "a RESUME")
	// The gateway delivers the message again, twice, as after a RESUME
	// replay and a duplicate delivery.
	for range 2 {
		if err := h.dc.Dispatch("MESSAGE_CREATE", src); err != nil {
			t.Fatal(err)
		}
	}
	h.post(discordtest.DefaultChannelID, h.url("/marker"))
	msgs := h.waitBotMessages(discordtest.DefaultChannelID, 2)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 2 }, "the marker's thread")
	replies := 0
	for _, m := range h.botMessages(discordtest.DefaultChannelID) {
		if m.MessageReference != nil && m.MessageReference.MessageID == src.ID {
			replies++
		}
	}
	if replies != 1 || len(msgs) != 2 {
		t.Errorf("%d replies to the replayed message (%d bot messages), want 1 (2)", replies, len(msgs))
	}
}

func TestRateLimited429(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	h.dc.RateLimit(discordtest.RouteSendMessage, 300*time.Millisecond, false, 1)
	h.post(discordtest.DefaultChannelID, h.url("/limited"))
	h.waitBotMessages(discordtest.DefaultChannelID, 1)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread")
	sends := h.dc.CallsTo("POST", "/channels/*/messages")
	if len(sends) != 2 || sends[0].Status != 429 || sends[1].Status != 200 {
		var st []int
		for _, c := range sends {
			st = append(st, c.Status)
		}
		t.Errorf("send statuses = %v, want [429 200]", st)
	}
	if n := len(h.botMessages(discordtest.DefaultChannelID)); n != 1 {
		t.Errorf("%d bot messages, want 1", n)
	}
}

func TestMentionSafety(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	h.post(discordtest.DefaultChannelID, h.url("/mentions"))
	msg := h.waitBotMessages(discordtest.DefaultChannelID, 1)[0]
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread")
	title := msg.Embeds[0].Title
	for _, bad := range []string{"@everyone", "@here", "<@" + discordtest.DefaultUserID + ">"} {
		if strings.Contains(title, bad) || strings.Contains(h.dc.Threads()[0].Name, bad) {
			t.Errorf("title %q or thread name contains a live %q", title, bad)
		}
	}
	if msg.MentionEveryone || len(msg.Mentions) != 0 {
		t.Errorf("message pinged: everyone %v, mentions %v", msg.MentionEveryone, msg.Mentions)
	}
	// checkMentions, run at cleanup, asserts allowed_mentions on every
	// send path of every test.
}

func TestSlowLLM(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	h.llm.Enqueue(llmtest.Slow(4*time.Second, llmtest.Echo()))
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/slow")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The fake refuses an acknowledgement later than 3 s with 10062, so
	// a successful callback proves it came in time.
	cb := h.dc.WaitForCalls(t, wait, "POST", "/interactions/*/*/callback", 1)
	if cb[0].Status != http.StatusNoContent {
		t.Errorf("callback status = %d, want 204", cb[0].Status)
	}
	h.dc.WaitForCalls(t, wait, "PATCH", "/webhooks/*/*/messages/@original", 1)
	if orig, _ := h.dc.Original(in.ID); len(orig.Embeds) != 1 {
		t.Errorf("original = %+v, want the brief", orig)
	}
}

func TestShutdownFinishesInFlightWork(t *testing.T) {
	t.Parallel()
	h := start(t, config{grace: 8 * time.Second})
	h.llm.Enqueue(llmtest.Slow(2*time.Second, llmtest.Echo()))
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/inflight")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitForCalls(t, wait, "POST", "/interactions/*/*/callback", 1)
	h.dc.WaitFor(t, wait, func() bool { return h.llm.Count() == 1 }, "the LLM call")
	if err := h.shutdown(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if orig, _ := h.dc.Original(in.ID); len(orig.Embeds) != 1 {
		t.Errorf("in-flight brief after shutdown = %+v, want it delivered", orig)
	}
	// Intake is closed: a message after shutdown gets no reply.
	if h.dc.Connected() {
		t.Errorf("gateway still connected after Run returned")
	}
}

func TestShutdownCancelsAfterGrace(t *testing.T) {
	t.Parallel()
	h := start(t, config{grace: 300 * time.Millisecond})
	h.llm.Enqueue(llmtest.Slow(30*time.Second, llmtest.Echo()))
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/stuck")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitFor(t, wait, func() bool { return h.llm.Count() == 1 }, "the LLM call")
	began := time.Now()
	if err := h.shutdown(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("shutdown took %v, want under 10 s", d)
	}
	if orig, _ := h.dc.Original(in.ID); !strings.Contains(orig.Content, "interrupted") || !errorID.MatchString(orig.Content) {
		t.Errorf("cancelled request's response = %q, want an interrupted notice with an error ID", orig.Content)
	}
}

func TestMessageContentRefused(t *testing.T) {
	t.Parallel()
	h := start(t, config{discord: discordtest.Options{RefuseIntents: discordtest.IntentMessageContent}})
	ids := h.dc.IdentifyPayloads()
	if len(ids) != 2 {
		t.Fatalf("%d IDENTIFYs, want 2 (refused, then without Message Content)", len(ids))
	}
	if !strings.Contains(h.logs.String(), "4014") {
		t.Errorf("no log line about close 4014:\n%s", h.logs.String())
	}
	// Commands still work.
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/nocontent")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitForCalls(t, wait, "PATCH", "/webhooks/*/*/messages/@original", 1)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread")
	if orig, _ := h.dc.Original(in.ID); len(orig.Embeds) != 1 {
		t.Errorf("original = %+v, want the brief", orig)
	}
}

func TestRegisterCommands(t *testing.T) {
	t.Parallel()
	dc := discordtest.New(t, discordtest.Options{})
	for _, guild := range []string{"", discordtest.DefaultGuildID} {
		if err := bot.RegisterCommands(t.Context(), bot.Options{Token: dc.Token(), APIURL: dc.APIURL(), GuildID: guild}); err != nil {
			t.Fatalf("RegisterCommands(guild %q) = %v", guild, err)
		}
		got := dc.Commands(guild)
		if len(got) != len(commands.Definitions()) {
			t.Errorf("guild %q: %d commands registered, want %d", guild, len(got), len(commands.Definitions()))
		}
	}
	var names []string
	for _, raw := range dc.Commands("") {
		var c struct {
			Name string `json:"name"`
			Type int    `json:"type"`
		}
		json.Unmarshal(raw, &c)
		names = append(names, fmt.Sprintf("%s/%d", c.Name, c.Type))
	}
	if got, want := strings.Join(names, ","), "summarize/1,Summarize links/3,ask/1,linkbrief/1"; got != want {
		t.Errorf("commands = %s, want %s", got, want)
	}
}

// TestRegisterCommandsBadToken checks that a refused token is said in
// words, without Discord's raw answer.
func TestRegisterCommandsBadToken(t *testing.T) {
	t.Parallel()
	dc := discordtest.New(t, discordtest.Options{})
	err := bot.RegisterCommands(t.Context(), bot.Options{Token: "not-the-token", APIURL: dc.APIURL()})
	if err == nil || !strings.Contains(err.Error(), "the bot token was refused") || strings.Contains(err.Error(), "{") {
		t.Errorf("RegisterCommands(wrong token) = %v, want \"the bot token was refused\" without the raw answer", err)
	}
	if len(dc.Commands("")) != 0 {
		t.Error("commands were registered with a wrong token")
	}
}

func TestNewValidates(t *testing.T) {
	h := commands.New(nil, nil, commands.Options{})
	tests := []struct {
		name string
		opts bot.Options
	}{
		{"no token", bot.Options{Queue: pool(nil)}},
		{"no queue", bot.Options{Token: "x"}},
		{"bad api url", bot.Options{Token: "x", APIURL: "ftp://example.com/api/v9/", Queue: pool(nil)}},
		{"bad shard", bot.Options{Token: "x", ShardID: 2, ShardCount: 2, Queue: pool(nil)}},
	}
	for _, tt := range tests {
		if _, err := bot.New(tt.opts, h); err == nil || !strings.HasPrefix(err.Error(), "bot: ") {
			t.Errorf("New(%s) = %v, want a bot: error", tt.name, err)
		}
	}
	if _, err := bot.New(bot.Options{Token: "x", Queue: pool(nil)}, nil); err == nil {
		t.Errorf("New with no handler succeeded")
	}
}

// pool is the in-process queue of a test's Bot, claiming events in
// ledger (the test's store): each event's job runs once, as in a single
// process.
func pool(ledger queue.Ledger) *queue.Pool {
	return queue.NewPool(queue.Options{MaxAttempts: 1, Ledger: ledger})
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestErrorsHaveAnID(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/missing")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitForCalls(t, wait, "PATCH", "/webhooks/*/*/messages/@original", 1)
	orig, _ := h.dc.Original(in.ID)
	if !errorID.MatchString(orig.Content) || strings.Count(orig.Content, ". ") != 0 {
		t.Errorf("error reply = %q, want one sentence ending with an error ID", orig.Content)
	}
	id := errorID.FindStringSubmatch(orig.Content)
	if id == nil || !strings.Contains(h.logs.String(), "error_id="+id[1]) {
		t.Errorf("error ID not found in the logs")
	}
	if n := len(h.dc.Threads()); n != 0 {
		t.Errorf("%d threads for an error, want 0", n)
	}
}

var errorID = regexp.MustCompile(`\(error ID ([0-9a-f]{8})\)\.$`)

func TestDuplicateInteraction(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/dup")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread")
	// Deliver the same interaction again, as a replay would.
	raw := map[string]any{
		"id": in.ID, "application_id": in.ApplicationID, "type": 2, "token": in.Token, "version": 1,
		"guild_id": in.GuildID, "channel_id": in.ChannelID,
		"member": map[string]any{"user": in.User, "roles": []string{}, "joined_at": "2026-01-01T00:00:00Z",
			"permissions": discordtest.MemberPermissions, "deaf": false, "mute": false, "flags": 0},
		"data": map[string]any{"id": "1", "name": "summarize", "type": 1,
			"options": []map[string]any{{"name": "url", "type": 3, "value": h.url("/dup")}}},
	}
	if err := h.dc.Dispatch("INTERACTION_CREATE", raw); err != nil {
		t.Fatal(err)
	}
	// A marker interaction tells when the bot has seen the replay.
	_, err = h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/marker")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 2 }, "the marker's thread")
	if n := len(h.dc.CallsTo("PATCH", "/webhooks/*/"+in.Token+"/messages/@original")); n != 1 {
		t.Errorf("%d edits of the replayed interaction's response, want 1", n)
	}
	if n := h.llm.Count(); n != 2 {
		t.Errorf("%d LLM calls, want 2", n)
	}
}

func TestUserRateLimit(t *testing.T) {
	t.Parallel()
	h := start(t, config{limits: commands.Options{UserPerMinute: 1}})
	slash := func(path string) discordtest.Interaction {
		t.Helper()
		in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
			{Name: "url", Type: discordtest.OptionString, Value: h.url(path)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		h.dc.WaitFor(t, wait, func() bool { m, ok := h.dc.Original(in.ID); return ok && (m.Content != "" || len(m.Embeds) > 0) },
			"the response to "+path)
		return in
	}
	first := slash("/first")
	if m, _ := h.dc.Original(first.ID); len(m.Embeds) != 1 {
		t.Fatalf("first = %+v, want a brief", m)
	}
	second := slash("/second")
	m, _ := h.dc.Original(second.ID)
	if !strings.Contains(m.Content, "please try again in") || m.Flags&discordtest.MessageFlagEphemeral == 0 {
		t.Errorf("second = %+v, want an ephemeral refusal saying when to retry", m)
	}
	// Usage shows the limits.
	usage, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "linkbrief", Options: []discordtest.Option{
		{Name: "usage", Type: discordtest.OptionSubCommand},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitFor(t, wait, func() bool { m, ok := h.dc.Original(usage.ID); return ok && m.Content != "" }, "the usage reply")
	if m, _ := h.dc.Original(usage.ID); !strings.Contains(m.Content, "Today (UTC): 1 brief,") || !strings.Contains(m.Content, "1 new brief a minute") {
		t.Errorf("usage = %q, want today's count and the per-member limit", m.Content)
	}
}

// TestQuestionInNewThreadAnswered: a member asks in a new thread the moment
// it appears, before Discord's answer to starting it reaches the bot; the
// question is answered, since the thread was recorded before it was
// started.
func TestQuestionInNewThreadAnswered(t *testing.T) {
	t.Parallel()
	h := start(t, config{
		autoChannels: []string{discordtest.DefaultChannelID},
		discord:      discordtest.Options{ThreadQuestion: "How much rain fell in Riverton during the first twelve hours?"},
	})
	h.post(discordtest.DefaultChannelID, "look at this "+h.url("/quick"))
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "a thread on the reply")
	th := h.dc.Threads()[0]
	ans := h.waitBotMessages(th.ID, 1)[0]
	if !strings.Contains(ans.Content, "42 millimetres") {
		t.Errorf("answer = %q, want the quoted sentence with 42 millimetres", ans.Content)
	}
}

// TestSameLinkByFourPeopleAtOnce: four members post one link at once in
// one server: one model call, one brief, one thread, and the three others
// get the notice pointing at that thread.
func TestSameLinkByFourPeopleAtOnce(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	h.llm.Always(llmtest.Slow(300*time.Millisecond, llmtest.Echo()))
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			u := discordtest.DefaultUser()
			u.ID, u.Username = fmt.Sprint(700000+i), fmt.Sprintf("reader%d", i)
			if _, err := h.dc.PostMessage(discordtest.MessageSpec{ChannelID: discordtest.DefaultChannelID, Content: "read " + h.url("/together"), Author: &u}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs := h.waitBotMessages(discordtest.DefaultChannelID, 4)
	time.Sleep(300 * time.Millisecond) // a fifth reply would arrive now
	msgs = h.botMessages(discordtest.DefaultChannelID)
	var briefs, notices []discordtest.Message
	for _, m := range msgs {
		if len(m.Embeds) > 0 {
			briefs = append(briefs, m)
		} else {
			notices = append(notices, m)
		}
	}
	if len(briefs) != 1 || len(notices) != 3 || len(msgs) != 4 {
		t.Fatalf("replies = %d briefs and %d notices of %d, want 1 brief and 3 notices", len(briefs), len(notices), len(msgs))
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) >= 1 }, "the thread")
	if n := len(h.dc.Threads()); n != 1 {
		t.Errorf("threads = %d, want 1", n)
	}
	link := "https://discord.com/channels/" + discordtest.DefaultGuildID + "/" + briefs[0].ID
	for _, m := range notices {
		if !strings.Contains(m.Content, "Already summarized here: "+link) {
			t.Errorf("notice = %q, want it to point at the thread %s", m.Content, link)
		}
	}
	if n := h.llm.Count(); n != 1 {
		t.Errorf("model calls = %d, want 1", n)
	}
}

// TestReactionTrigger: reacting with the summary emoji to a message in a
// channel without auto mode summarizes its links for the person who
// reacted, with a thread; more reactions, by others, give no second
// reply; another emoji does nothing.
func TestReactionTrigger(t *testing.T) {
	t.Parallel()
	h := start(t, config{reaction: "🔍"})
	if got := h.dc.IdentifyPayloads()[0].Intents; got&discordtest.IntentGuildReactions == 0 {
		t.Errorf("intents %b lack GUILD_MESSAGE_REACTIONS", got)
	}
	src := h.post(discordtest.DefaultChannelID, "worth a read "+h.url("/reacted"))
	time.Sleep(200 * time.Millisecond)
	if n := len(h.botMessages(discordtest.DefaultChannelID)); n != 0 {
		t.Fatalf("%d replies before any reaction, want none (no auto mode here)", n)
	}
	other := discordtest.DefaultUser()
	other.ID, other.Username = "700001", "reader1"
	if err := h.dc.React(discordtest.DefaultChannelID, src.ID, other, "👍"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		u := discordtest.DefaultUser()
		u.ID, u.Username = fmt.Sprint(700100+i), fmt.Sprintf("reactor%d", i)
		if err := h.dc.React(discordtest.DefaultChannelID, src.ID, u, "🔍"); err != nil {
			t.Fatal(err)
		}
	}
	reply := h.waitBotMessages(discordtest.DefaultChannelID, 1)[0]
	if reply.MessageReference == nil || reply.MessageReference.MessageID != src.ID || len(reply.Embeds) != 1 {
		t.Fatalf("reply = %+v, want a brief replying to %s", reply, src.ID)
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "a thread on the reply")
	time.Sleep(300 * time.Millisecond) // a second reply would arrive now
	if n := len(h.botMessages(discordtest.DefaultChannelID)); n != 1 {
		t.Errorf("%d replies for three reactions, want 1", n)
	}
	if n := h.llm.Count(); n != 1 {
		t.Errorf("model calls = %d, want 1", n)
	}
	// Once the message is answered, more reactions cost Discord nothing:
	// the message is not read again.
	reads := len(h.dc.CallsTo("GET", "/channels/*/messages/*"))
	for i := range 5 {
		u := discordtest.DefaultUser()
		u.ID, u.Username = fmt.Sprint(700200+i), fmt.Sprintf("late%d", i)
		if err := h.dc.React(discordtest.DefaultChannelID, src.ID, u, "🔍"); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(h.dc.CallsTo("GET", "/channels/*/messages/*")) - reads; n != 0 {
		t.Errorf("%d message reads for 5 reactions to an answered message, want 0", n)
	}
}

// TestReactionOffByDefaultInBot: without Options.Reaction the bot asks
// for no reaction events and ignores them.
func TestReactionOff(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	if got := h.dc.IdentifyPayloads()[0].Intents; got&discordtest.IntentGuildReactions != 0 {
		t.Errorf("intents %b ask for reactions with the trigger off", got)
	}
	src := h.post(discordtest.DefaultChannelID, "worth a read "+h.url("/ignored"))
	if err := h.dc.React(discordtest.DefaultChannelID, src.ID, discordtest.DefaultUser(), "🔍"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(h.botMessages(discordtest.DefaultChannelID)); n != 0 {
		t.Errorf("%d replies with the trigger off, want none", n)
	}
}

// TestAttachmentsAreLinks: a message's HTML, text and PDF attachments are
// summarized like links, through the same fetcher; images are not.
func TestAttachmentsAreLinks(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	if _, err := h.dc.PostMessage(discordtest.MessageSpec{ChannelID: discordtest.DefaultChannelID, Attachments: []discordtest.Attachment{
		{Filename: "photo.png", ContentType: "image/png", URL: h.url("/photo.png")},
		{Filename: "report.html", ContentType: "text/html; charset=utf-8", URL: h.url("/report.html")},
	}}); err != nil {
		t.Fatal(err)
	}
	msgs := h.waitBotMessages(discordtest.DefaultChannelID, 1)
	time.Sleep(300 * time.Millisecond)
	msgs = h.botMessages(discordtest.DefaultChannelID)
	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 || !strings.Contains(msgs[0].Embeds[0].Title, "report.html") {
		t.Errorf("replies = %+v, want one brief of the HTML attachment", msgs)
	}
}
