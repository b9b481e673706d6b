package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/sites"
)

type env struct {
	h   *Handler
	sum *fakeSummarizer
	st  *fakeStore
	clk *clock
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	e := &env{sum: &fakeSummarizer{}, st: newFakeStore(), clk: &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
	opts.Now = e.clk.Now
	e.h = New(e.sum, e.st, opts)
	return e
}

var ctx = context.Background()

func msg(id, channel, content string) Message {
	return Message{ID: id, ChannelID: channel, GuildID: "g1", AuthorID: "u1", Content: content}
}

var errorIDPattern = regexp.MustCompile(`\(error ID [0-9a-f]{8}\)\.$`)

func TestMessageAutoMode(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.st.SetAutoChannel(ctx, "g1", "c-auto", true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		m     Message
		links int
	}{
		{"opted in by admin", msg("1", "c-auto", "look https://example.com/a"), 1},
		{"opted in by config", Message{ID: "2", ChannelID: "c-cfg", GuildID: "g1", AutoChannel: true, Content: "https://example.com/b"}, 1},
		{"not opted in", msg("3", "c-other", "https://example.com/c"), 0},
		{"bot author", Message{ID: "4", ChannelID: "c-auto", GuildID: "g1", Bot: true, Content: "https://example.com/d"}, 0},
		{"webhook", Message{ID: "5", ChannelID: "c-auto", GuildID: "g1", Webhook: true, Content: "https://example.com/e"}, 0},
		{"direct message", Message{ID: "6", ChannelID: "c-auto", Content: "https://example.com/f"}, 0},
		{"no links", msg("7", "c-auto", "just words"), 0},
		{"suppressed and spoiler", msg("8", "c-auto", "<https://example.com/g> ||https://example.com/h||"), 0},
		{"four links", msg("9", "c-auto", "https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4"), 3},
		{"only a GIF and a message link", msg("10", "c-auto", "https://tenor.com/view/x-123 https://discord.com/channels/1/2/3"), 0},
		{"a GIF before an article", msg("11", "c-auto", "https://giphy.com/gifs/x https://example.com/i"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := onMessage(ctx, e.h, tt.m)
			got := 0
			if resp != nil {
				got = len(resp.Replies)
			}
			if got != tt.links {
				t.Fatalf("Message(%q) gave %d replies, want %d", tt.m.Content, got, tt.links)
			}
			if resp == nil {
				return
			}
			if resp.EventID != "m"+tt.m.ID {
				t.Errorf("EventID = %q, want %q", resp.EventID, "m"+tt.m.ID)
			}
			for _, r := range resp.Replies {
				if len(r.Embeds) != 1 || r.Thread == nil || r.Ephemeral {
					t.Errorf("reply = %+v, want one public embed with a thread", r)
				}
				if r.Thread != nil && (r.Thread.Name == "" || r.Thread.URL == "") {
					t.Errorf("thread = %+v, want a name and a URL", r.Thread)
				}
			}
		})
	}
}

func TestMessageInThreadStartsNoThread(t *testing.T) {
	e := newEnv(t, Options{})
	m := Message{ID: "1", ChannelID: "t-other", GuildID: "g1", AutoChannel: true, InThread: true, Content: "https://example.com/a"}
	resp := onMessage(ctx, e.h, m)
	if resp == nil || len(resp.Replies) != 1 {
		t.Fatalf("Message in thread = %+v, want one reply", resp)
	}
	if resp.Replies[0].Thread != nil {
		t.Errorf("reply in a thread asks for a thread: %+v", resp.Replies[0].Thread)
	}
}

func TestMessageLedger(t *testing.T) {
	e := newEnv(t, Options{})
	m := Message{ID: "42", ChannelID: "c", GuildID: "g1", AutoChannel: true, Content: "https://example.com/a"}
	first := onMessage(ctx, e.h, m)
	if first == nil {
		t.Fatal("first delivery got no reply")
	}
	if again := onMessage(ctx, e.h, m); again != nil {
		t.Fatalf("second delivery while claimed got %+v, want nil", again)
	}
	// Nothing could be sent: the event is released and a redelivery is
	// handled again.
	if err := e.h.Finish(ctx, first.EventID, ""); err != nil {
		t.Fatal(err)
	}
	retry := onMessage(ctx, e.h, m)
	if retry == nil {
		t.Fatal("redelivery after release got no reply")
	}
	if err := e.h.Finish(ctx, retry.EventID, "reply-1"); err != nil {
		t.Fatal(err)
	}
	if again := onMessage(ctx, e.h, m); again != nil {
		t.Fatalf("redelivery after finish got %+v, want nil", again)
	}
	if got := e.st.events["m42"]; got != "reply-1" {
		t.Errorf("ledger entry = %q, want %q", got, "reply-1")
	}
}

func TestRepeatNotice(t *testing.T) {
	e := newEnv(t, Options{})
	m := Message{ID: "1", ChannelID: "c", GuildID: "g1", AutoChannel: true, Content: "https://example.com/a?utm_source=x"}
	resp := onMessage(ctx, e.h, m)
	th := resp.Replies[0].Thread
	if err := e.h.ThreadStarted(ctx, "g1", "c", "r1", "r1", th); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(6 * 24 * time.Hour)
	again := onMessage(ctx, e.h, Message{ID: "2", ChannelID: "c", GuildID: "g1", AutoChannel: true, Content: "see https://EXAMPLE.com/a"})
	if again == nil || len(again.Replies) != 1 {
		t.Fatalf("repeat = %+v, want one reply", again)
	}
	r := again.Replies[0]
	if want := "https://discord.com/channels/g1/r1"; !strings.Contains(r.Content, want) || len(r.Embeds) != 0 || r.Thread != nil {
		t.Errorf("repeat reply = %+v, want a notice linking %s", r, want)
	}
	if n := len(e.sum.summarized()); n != 1 {
		t.Errorf("summarized %d times, want 1", n)
	}
	// Another server gets the full brief.
	other := onMessage(ctx, e.h, Message{ID: "3", ChannelID: "c2", GuildID: "g2", AutoChannel: true, Content: "https://example.com/a"})
	if other == nil || len(other.Replies[0].Embeds) != 1 {
		t.Errorf("other server got %+v, want a brief", other)
	}
	// After the window, a full brief again.
	e.clk.Add(2 * 24 * time.Hour)
	late := onMessage(ctx, e.h, Message{ID: "4", ChannelID: "c", GuildID: "g1", AutoChannel: true, Content: "https://example.com/a"})
	if late == nil || len(late.Replies[0].Embeds) != 1 {
		t.Errorf("after 8 days got %+v, want a brief", late)
	}
}

func TestFollowUp(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.h.ThreadStarted(ctx, "g1", "c", "t1", "t1", &Thread{Name: "n", URL: "https://example.com/a", Title: "A"}); err != nil {
		t.Fatal(err)
	}
	resp := onMessage(ctx, e.h, msg("10", "t1", "What did @everyone say?"))
	if resp == nil || len(resp.Replies) != 1 {
		t.Fatalf("follow-up = %+v, want one reply", resp)
	}
	if got := resp.Replies[0].Content; got != "> The quoted answer." {
		t.Errorf("answer = %q, want the quoted answer", got)
	}
	if got := e.sum.asks; len(got) != 1 || strings.Contains(got[0], "@everyone") {
		t.Errorf("questions asked = %q, want one, neutralized", got)
	}
	if c, err := e.h.limits.Counts(ctx, store.Quota{Guild: "g1"}); err != nil || c.Tokens != 7 {
		t.Errorf("tokens counted = %d, %v; want 7", c.Tokens, err)
	}

	e.sum.answer = &summarize.Answer{Text: summarize.NotSaid, Found: false}
	resp = onMessage(ctx, e.h, msg("11", "t1", "Who won the cup?"))
	if got := resp.Replies[0].Content; got != summarize.NotSaid {
		t.Errorf("answer = %q, want %q", got, summarize.NotSaid)
	}
	if resp := onMessage(ctx, e.h, msg("12", "t1", "   ")); resp != nil {
		t.Errorf("empty follow-up got %+v, want nil", resp)
	}
}

func TestUserRateLimit(t *testing.T) {
	e := newEnv(t, Options{UserPerMinute: 2})
	e.sum.cached = map[string]bool{"https://example.com/cached": true}
	e.sum.fail = map[string]error{"https://example.com/broken": errors.New("boom")}
	send := func(id, link string) Reply {
		t.Helper()
		resp := onMessage(ctx, e.h, Message{ID: id, ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: link})
		if resp == nil || len(resp.Replies) != 1 {
			t.Fatalf("Message(%s) = %+v, want one reply", link, resp)
		}
		return resp.Replies[0]
	}
	for i, link := range []string{"https://example.com/1", "https://example.com/cached", "https://example.com/broken", "https://example.com/2"} {
		if r := send(fmt.Sprint(i), link); strings.Contains(r.Content, "try again") {
			t.Fatalf("request %d (%s) refused: %q", i, link, r.Content)
		}
	}
	r := send("5", "https://example.com/3")
	if want := "try again in 1 minute"; !strings.Contains(r.Content, "please try again in a minute") {
		t.Errorf("third new brief = %q, want a refusal saying %q", r.Content, want)
	}
	// Another user is not limited.
	resp := onMessage(ctx, e.h, Message{ID: "6", ChannelID: "c", GuildID: "g1", AuthorID: "u2", AutoChannel: true, Content: "https://example.com/4"})
	if len(resp.Replies[0].Embeds) != 1 {
		t.Errorf("other user got %+v, want a brief", resp.Replies[0])
	}
	e.clk.Add(61 * time.Second)
	if r := send("7", "https://example.com/5"); len(r.Embeds) != 1 {
		t.Errorf("after a minute got %+v, want a brief", r)
	}
}

func TestGuildRateLimit(t *testing.T) {
	e := newEnv(t, Options{GuildPerHour: 1})
	in := Interaction{ID: "1", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarize, Options: map[string]any{"url": "https://example.com/1"}}
	if r := interact(t, e.h, in); len(r.Replies[0].Embeds) != 1 {
		t.Fatalf("first brief = %+v", r.Replies[0])
	}
	in2 := in
	in2.ID, in2.UserID, in2.Options = "2", "u2", map[string]any{"url": "https://example.com/2"}
	plan := planOf(t, e.h, in2)
	if !plan.Ephemeral {
		t.Errorf("Plan over the guild limit = %+v, want ephemeral", plan)
	}
	r := run(ctx, e.h, plan)
	if got := r.Replies[0].Content; !strings.Contains(got, "This server has asked for a lot of briefs") || !strings.Contains(got, "in an hour") {
		t.Errorf("over the guild limit = %q, want a polite refusal with when to retry", got)
	}
	if !r.Replies[0].Ephemeral {
		t.Errorf("refusal is public")
	}
}

func TestTokenBudget(t *testing.T) {
	e := newEnv(t, Options{GuildDailyTokens: 100})
	e.sum.estimate, e.sum.tokens = 80, 150
	in := Interaction{ID: "1", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarize, Options: map[string]any{"url": "https://example.com/1"}}
	if r := interact(t, e.h, in); len(r.Replies[0].Embeds) != 1 {
		t.Fatalf("first brief = %+v", r.Replies[0])
	}
	in.ID = "2"
	r := interact(t, e.h, in)
	if got := r.Replies[0].Content; !strings.Contains(got, "budget for today") || !strings.Contains(got, "in 12 hours") {
		t.Errorf("over budget = %q, want a refusal saying it resets in 12 hours", got)
	}
	e.clk.Add(12 * time.Hour)
	in.ID = "3"
	if r := interact(t, e.h, in); len(r.Replies[0].Embeds) != 1 {
		t.Errorf("next day = %+v, want a brief", r.Replies[0])
	}
}

func TestSummarizeCommand(t *testing.T) {
	e := newEnv(t, Options{})
	e.st.SetLanguage(ctx, "g1", "fr")
	base := Interaction{GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarize}
	tests := []struct {
		name      string
		opts      map[string]any
		inThread  bool
		ephemeral bool
		thread    bool
	}{
		{"public", map[string]any{"url": "https://example.com/a"}, false, false, true},
		{"private", map[string]any{"url": "https://example.com/a", "private": true}, false, true, false},
		{"in a thread", map[string]any{"url": "https://example.com/a"}, true, false, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			in.ID, in.Options, in.InThread = fmt.Sprint(i), tt.opts, tt.inThread
			plan := planOf(t, e.h, in)
			if plan.Ephemeral != tt.ephemeral {
				t.Errorf("Plan = %+v, want ephemeral %v", plan, tt.ephemeral)
			}
			resp := run(ctx, e.h, plan)
			if resp == nil || len(resp.Replies) != 1 {
				t.Fatalf("Interaction = %+v, want one reply", resp)
			}
			r := resp.Replies[0]
			if r.Ephemeral != tt.ephemeral || (r.Thread != nil) != tt.thread || len(r.Embeds) != 1 {
				t.Errorf("reply = %+v, want ephemeral %v, thread %v, one embed", r, tt.ephemeral, tt.thread)
			}
			if resp := run(ctx, e.h, plan); resp != nil {
				t.Errorf("the same interaction again got %+v, want nil", resp)
			}
		})
	}
	if got := e.sum.language; !slices.Equal(got, []string{"fr", "fr", "fr"}) {
		t.Errorf("languages requested = %q, want the guild's fr", got)
	}
}

func TestSummarizeErrors(t *testing.T) {
	e := newEnv(t, Options{})
	e.sum.fail = map[string]error{
		"https://example.com/private": fmt.Errorf("summarize: %w", fetch.ErrPrivateAddress),
		"https://example.com/secret":  errors.New("llm: 401 invalid api key sk-secret"),
	}
	tests := []struct{ url, wantStart string }{
		{"https://example.com/private", "Refusing to fetch"},
		{"https://example.com/secret", "Sorry, something went wrong on my side"},
		{"notaurl", "Not a valid web address"},
	}
	for i, tt := range tests {
		in := Interaction{ID: fmt.Sprint(i), GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarize, Options: map[string]any{"url": tt.url}}
		r := interact(t, e.h, in).Replies[0]
		if !strings.HasPrefix(r.Content, tt.wantStart) || !errorIDPattern.MatchString(r.Content) {
			t.Errorf("error for %s = %q, want %q... with an error ID", tt.url, r.Content, tt.wantStart)
		}
		if strings.Contains(r.Content, "sk-secret") || strings.Count(r.Content, ". ") > 0 || r.Thread != nil {
			t.Errorf("error for %s = %q, want one sentence without details", tt.url, r.Content)
		}
	}
}

func TestMessageCommand(t *testing.T) {
	e := newEnv(t, Options{})
	in := Interaction{ID: "1", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarizeIn,
		TargetContent: "two links: https://example.com/a and <https://example.com/hidden> and https://example.com/b"}
	plan := planOf(t, e.h, in)
	if plan.Ephemeral {
		t.Errorf("Plan = %+v, want public", plan)
	}
	resp := run(ctx, e.h, plan)
	if len(resp.Replies) != 2 {
		t.Fatalf("got %d replies, want 2", len(resp.Replies))
	}
	for _, r := range resp.Replies {
		if len(r.Embeds) != 1 || r.Thread == nil {
			t.Errorf("reply = %+v, want a brief with a thread", r)
		}
	}
	none := Interaction{ID: "2", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarizeIn, TargetContent: "no links"}
	plan = planOf(t, e.h, none)
	r := run(ctx, e.h, plan).Replies[0]
	if !plan.Ephemeral || !r.Ephemeral || !strings.Contains(r.Content, "no links") {
		t.Errorf("no links: plan %+v, reply %+v, want an ephemeral notice", plan, r)
	}
}

func TestAskCommand(t *testing.T) {
	e := newEnv(t, Options{})
	e.h.ThreadStarted(ctx, "g1", "c", "t1", "t1", &Thread{Name: "n", URL: "https://example.com/a"})
	in := Interaction{ID: "1", GuildID: "g1", ChannelID: "t1", InThread: true, UserID: "u1", Command: CmdAsk, Options: map[string]any{"question": "Why?"}}
	plan := planOf(t, e.h, in)
	r := run(ctx, e.h, plan).Replies[0]
	if plan.Ephemeral || r.Content != "> The quoted answer." {
		t.Errorf("ask in thread: plan %+v, reply %+v, want the public answer", plan, r)
	}
	out := Interaction{ID: "2", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdAsk, Options: map[string]any{"question": "Why?"}}
	plan = planOf(t, e.h, out)
	r = run(ctx, e.h, plan).Replies[0]
	if !plan.Ephemeral || !r.Ephemeral || !strings.Contains(r.Content, "inside a thread") {
		t.Errorf("ask outside: plan %+v, reply %+v, want an ephemeral hint", plan, r)
	}
}

func TestSettingsCommand(t *testing.T) {
	e := newEnv(t, Options{GuildDailyTokens: 1000, GuildPerHour: 60, UserPerMinute: 5})
	admin := PermManageGuild
	tests := []struct {
		name  string
		sub   string
		perms int64
		opts  map[string]any
		want  string
	}{
		{"auto refused", SubAuto, 0, map[string]any{"enabled": true}, "You need the Manage Server permission"},
		{"language refused", SubLanguage, 1 << 11, map[string]any{"code": "fr"}, "You need the Manage Server permission"},
		{"auto on here", SubAuto, admin, map[string]any{"enabled": true}, "Auto mode is on in <#c>"},
		{"auto on other", SubAuto, PermAdministrator, map[string]any{"enabled": true, "channel": "c2"}, "Auto mode is on in <#c2>"},
		{"auto off", SubAuto, admin, map[string]any{"enabled": false, "channel": "c2"}, "Auto mode is off in <#c2>"},
		{"language", SubLanguage, admin, map[string]any{"code": "pt-BR"}, "Briefs are now written in pt-BR."},
		{"language bad", SubLanguage, admin, map[string]any{"code": "<@123> please"}, "Please give a language code"},
		{"usage for anyone", SubUsage, 0, nil, "Today (UTC): 0 briefs, 0 language-model tokens of a daily budget of 1000"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Interaction{ID: fmt.Sprint(i), GuildID: "g1", ChannelID: "c", UserID: "u1", Permissions: tt.perms,
				Command: CmdLinkbrief, Subcommand: tt.sub, Options: tt.opts}
			plan := planOf(t, e.h, in)
			r := run(ctx, e.h, plan).Replies[0]
			if !plan.Ephemeral || !r.Ephemeral {
				t.Errorf("plan %+v, reply ephemeral %v, want both ephemeral", plan, r.Ephemeral)
			}
			if !strings.Contains(r.Content, tt.want) {
				t.Errorf("reply = %q, want it to contain %q", r.Content, tt.want)
			}
		})
	}
	set, _ := e.st.GuildSettings(ctx, "g1")
	if !slices.Equal(set.AutoChannels, []string{"c"}) || set.Language != "pt-BR" {
		t.Errorf("settings = %+v, want auto channels [c] and language pt-BR", set)
	}
}

func TestStoreFailureIsLoggedNotShown(t *testing.T) {
	e := newEnv(t, Options{})
	e.st.broken = errors.New("disk on fire")
	if resp := onMessage(ctx, e.h, msg("1", "c", "https://example.com/a")); resp != nil {
		t.Errorf("Message with a broken store = %+v, want nil", resp)
	}
	in := Interaction{ID: "1", GuildID: "g1", ChannelID: "c", UserID: "u1", Permissions: PermManageGuild,
		Command: CmdLinkbrief, Subcommand: SubAuto, Options: map[string]any{"enabled": true}}
	r := interact(t, e.h, in).Replies[0]
	if strings.Contains(r.Content, "disk") || !errorIDPattern.MatchString(r.Content) {
		t.Errorf("reply = %q, want a generic sentence with an error ID", r.Content)
	}
}

func TestDirectMessageInteraction(t *testing.T) {
	e := newEnv(t, Options{})
	in := Interaction{ID: "1", ChannelID: "dm", UserID: "u1", Command: CmdSummarize, Options: map[string]any{"url": "https://example.com/"}}
	plan := planOf(t, e.h, in)
	r := run(ctx, e.h, plan).Replies[0]
	if !plan.Ephemeral || !strings.Contains(r.Content, "servers only") {
		t.Errorf("DM: plan %+v, reply %q, want an ephemeral servers-only notice", plan, r.Content)
	}
}

func TestDefinitions(t *testing.T) {
	names := map[string]bool{}
	nameRE := regexp.MustCompile(`^[-_a-z0-9]{1,32}$`)
	for _, d := range Definitions() {
		names[d.Name] = true
		switch d.Kind {
		case KindSlash:
			if !nameRE.MatchString(d.Name) || d.Description == "" || len(d.Description) > 100 {
				t.Errorf("slash command %q: bad name or description %q", d.Name, d.Description)
			}
		case KindMessage:
			if d.Description != "" || len(d.Options) != 0 || len(d.Name) > 32 {
				t.Errorf("message command %q must have no description or options", d.Name)
			}
		}
		var check func([]OptionDef)
		check = func(opts []OptionDef) {
			for _, o := range opts {
				if !nameRE.MatchString(o.Name) || o.Description == "" || len(o.Description) > 100 {
					t.Errorf("%s: option %q: bad name or description", d.Name, o.Name)
				}
				check(o.Options)
			}
		}
		check(d.Options)
	}
	for _, want := range []string{CmdSummarize, CmdSummarizeIn, CmdAsk, CmdLinkbrief} {
		if !names[want] {
			t.Errorf("Definitions lacks %q", want)
		}
	}
}

func TestHumanWait(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "in a second"},
		{1500 * time.Millisecond, "in 2 seconds"},
		{59 * time.Second, "in 59 seconds"},
		{60 * time.Second, "in a minute"},
		{61 * time.Second, "in 2 minutes"},
		{59*time.Minute + 30*time.Second, "in an hour"},
		{time.Hour, "in an hour"},
		{time.Hour + time.Second, "in an hour and 1 minute"},
		{12 * time.Hour, "in 12 hours"},
		{2*time.Hour + 5*time.Minute, "in 2 hours and 5 minutes"},
	}
	for _, tt := range tests {
		if got := humanWait(tt.d); got != tt.want {
			t.Errorf("humanWait(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestAutoModePassesOverSitesTurnedOff(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.st.SetAutoChannel(ctx, "g1", "c-auto", true); err != nil {
		t.Fatal(err)
	}
	off := fmt.Errorf("summarize: %w", &sites.Error{Site: "x", Reason: sites.XOffReason, Err: sites.ErrOff})
	e.sum.fail = map[string]error{"https://x.com/a/status/1": off}

	resp := onMessage(ctx, e.h, msg("1", "c-auto", "https://x.com/a/status/1 and https://example.com/a"))
	if resp == nil || len(resp.Replies) != 1 || len(resp.Replies[0].Embeds) != 1 {
		t.Fatalf("auto mode replies %+v, want one brief and nothing for the X link", resp)
	}
	resp = onMessage(ctx, e.h, msg("2", "c-auto", "https://x.com/a/status/1"))
	if resp != nil && len(resp.Replies) != 0 {
		t.Errorf("auto mode on an X link with the adapter off replied %+v, want nothing", resp.Replies)
	}
	// Asked for, the same link gets the sentence.
	in := Interaction{ID: "i1", Command: CmdSummarize, GuildID: "g1", ChannelID: "c1", UserID: "u1",
		Options: map[string]any{"url": "https://x.com/a/status/1"}}
	r := interact(t, e.h, in)
	if r == nil || len(r.Replies) != 1 || !strings.Contains(r.Replies[0].Content, "does not read X posts") {
		t.Errorf("/summarize of an X link with the adapter off = %+v, want the sentence", r)
	}
}

func TestRepeatNoticeKnowsEveryFormOfALink(t *testing.T) {
	// As summarize.Service.Canonical does for Reddit's short links.
	canonical := func(raw string) (string, error) {
		if strings.HasPrefix(raw, "https://redd.it/") {
			return "https://www.reddit.com/comments/" + strings.TrimPrefix(raw, "https://redd.it/"), nil
		}
		return summarize.CanonicalURL(raw)
	}
	e := newEnv(t, Options{Canonical: canonical})
	m := Message{ID: "1", ChannelID: "c", GuildID: "g1", AutoChannel: true, Content: "https://www.reddit.com/comments/abc"}
	resp := onMessage(ctx, e.h, m)
	if err := e.h.ThreadStarted(ctx, "g1", "c", "r1", "r1", resp.Replies[0].Thread); err != nil {
		t.Fatal(err)
	}
	again := onMessage(ctx, e.h, Message{ID: "2", ChannelID: "c", GuildID: "g1", AutoChannel: true, Content: "https://redd.it/abc"})
	if again == nil || len(again.Replies) != 1 || !strings.Contains(again.Replies[0].Content, "discord.com/channels/g1/r1") {
		t.Errorf("the short form of a summarized link got %+v, want the already-summarized notice", again)
	}
}
