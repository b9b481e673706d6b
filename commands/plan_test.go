package commands

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/store"
)

func TestPlanOnlyWhatNeedsAReply(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.st.SetAutoChannel(ctx, "g1", "c-auto", true); err != nil {
		t.Fatal(err)
	}
	if err := e.st.PutThread(ctx, store.Thread{ThreadID: "th1", GuildID: "g1", URL: "https://example.com/a"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		m        Message
		links    []string
		question string
	}{
		{"link in auto channel", msg("1", "c-auto", "see https://example.com/a"), []string{"https://example.com/a"}, ""},
		{"question in a Linkbrief thread", msg("2", "th1", "what about the bridge?"), nil, "what about the bridge?"},
		{"link elsewhere", msg("3", "c-other", "https://example.com/c"), nil, ""},
		{"no links", msg("4", "c-auto", "just words"), nil, ""},
		{"bot author", Message{ID: "5", ChannelID: "c-auto", GuildID: "g1", Bot: true, Content: "https://example.com/d"}, nil, ""},
		{"empty question", msg("6", "th1", "  "), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := e.h.Plan(ctx, Event{Message: &tt.m})
			want := tt.links != nil || tt.question != ""
			if ok != want {
				t.Fatalf("Plan(%q) ok = %v, want %v", tt.m.Content, ok, want)
			}
			if !ok {
				return
			}
			if p.EventID != "m"+tt.m.ID || p.MessageID != tt.m.ID || p.UserID != tt.m.AuthorID || p.Callback != nil {
				t.Errorf("Plan(%q) = %+v, want event m%s answering message %s for its author", tt.m.Content, p, tt.m.ID, tt.m.ID)
			}
			if !reflect.DeepEqual(p.Links, tt.links) {
				t.Errorf("Plan(%q).Links = %q, want %q", tt.m.Content, p.Links, tt.links)
			}
			switch {
			case tt.question == "" && p.Question != nil:
				t.Errorf("Plan(%q).Question = %+v, want none", tt.m.Content, p.Question)
			case tt.question != "" && (p.Question == nil || p.Question.Text != tt.question || p.Question.URL != "https://example.com/a"):
				t.Errorf("Plan(%q).Question = %+v, want %q about the thread's article", tt.m.Content, p.Question, tt.question)
			}
		})
	}
	// Planning is reading: nothing summarized, asked or claimed.
	if got := e.sum.summarized(); len(got) != 0 {
		t.Errorf("Plan summarized %v; want nothing at receipt", got)
	}
	if len(e.sum.asks) != 0 {
		t.Errorf("Plan asked %v; want nothing at receipt", e.sum.asks)
	}
	if len(e.st.events) != 0 {
		t.Errorf("Plan claimed %v; want the ledger left to the bot", e.st.events)
	}
}

// TestPlanSurvivesJSON: a Plan is the payload of a job that may run in
// another process: it decodes to the same value, and Run of the decoded
// Plan does what Run of the original would.
func TestPlanSurvivesJSON(t *testing.T) {
	e := newEnv(t, Options{})
	e.h.ThreadStarted(ctx, "g1", "c", "t1", "t1", &Thread{Name: "n", URL: "https://example.com/a"})
	in := func(id, cmd, sub string, opts map[string]any) *Interaction {
		return &Interaction{ID: id, GuildID: "g1", ChannelID: "t1", InThread: true, UserID: "u1", Permissions: PermManageGuild,
			Command: cmd, Subcommand: sub, Options: opts, AppID: "app", Token: "tok-" + id, ViaHTTP: true}
	}
	m := Message{ID: "m1", ChannelID: "c", GuildID: "g1", AuthorID: "u2", AutoChannel: true, Content: "https://example.com/b"}
	events := map[string]Event{
		"auto mode":  {Message: &m},
		"follow-up":  {Message: &Message{ID: "m2", ChannelID: "t1", GuildID: "g1", AuthorID: "u2", Content: "why?"}},
		"reaction":   {Reaction: &Reaction{Message: Message{ID: "m3", ChannelID: "c", GuildID: "g1", AuthorID: "u2", Content: "https://example.com/c"}, UserID: "u3"}},
		"/summarize": {Interaction: in("1", CmdSummarize, "", map[string]any{"url": "https://example.com/d", "private": true})},
		"/ask":       {Interaction: in("2", CmdAsk, "", map[string]any{"question": "who?"})},
		"/linkbrief": {Interaction: in("3", CmdLinkbrief, SubAuto, map[string]any{"enabled": true, "channel": "c9"})},
		"refusal":    {Interaction: in("4", CmdSummarize, "", nil)},
	}
	for name, ev := range events {
		t.Run(name, func(t *testing.T) {
			p, ok := e.h.Plan(ctx, ev)
			if !ok {
				t.Fatal("Plan = false, want a plan")
			}
			data, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			var got Plan
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			// Time keeps its instant, not its monotonic reading.
			if !got.Received.Equal(p.Received) {
				t.Errorf("Received = %v after JSON, want %v", got.Received, p.Received)
			}
			got.Received = p.Received
			if !reflect.DeepEqual(got, p) {
				t.Errorf("Plan after JSON = %+v\nwant %+v", got, p)
			}
			a, b := e.h.Run(ctx, p), e.h.Run(ctx, got)
			if len(a.Replies) != 1 || !reflect.DeepEqual(a.Replies[0].Embeds, b.Replies[0].Embeds) ||
				stripErrorID(a.Replies[0].Content) != stripErrorID(b.Replies[0].Content) {
				t.Errorf("Run of the decoded Plan = %+v, want %+v", b, a)
			}
		})
	}
}

func stripErrorID(s string) string { return errorIDPattern.ReplaceAllString(s, "") }

func TestReactionPlansTheMessagesLinksForTheReactor(t *testing.T) {
	e := newEnv(t, Options{UserPerMinute: 1})
	// Posted by a bot, in a channel not in auto mode, with a link auto
	// mode would skip: a person asked for it, so every link counts.
	m := Message{ID: "7", ChannelID: "c", GuildID: "g1", AuthorID: "a-bot", Bot: true,
		Content: "https://example.com/a https://tenor.com/view/x-1"}
	if _, ok := e.h.Plan(ctx, Event{Message: &m}); ok {
		t.Fatal("the message itself planned a reply, want none")
	}
	p, ok := e.h.Plan(ctx, Event{Reaction: &Reaction{Message: m, UserID: "u9"}})
	if !ok || p.UserID != "u9" || p.EventID != "m7" || p.MessageID != "7" || len(p.Links) != 2 || !p.Repeats {
		t.Fatalf("Plan of the reaction = %+v, %v; want both links for u9 under the message's event m7", p, ok)
	}
	if r := run(ctx, e.h, p); r == nil || len(r.Replies) != 2 {
		t.Fatalf("the reaction got %+v, want two replies", r)
	}
	// The reactor's limit was used (one new brief a minute; the second
	// link is refused), not the author's.
	if c, _ := e.h.limits.Counts(ctx, store.Quota{User: "u9"}); c.User != 1 {
		t.Errorf("u9's count = %d, want 1", c.User)
	}
	// A second person reacting: the message's event is taken.
	again, _ := e.h.Plan(ctx, Event{Reaction: &Reaction{Message: m, UserID: "u8"}})
	if r := run(ctx, e.h, again); r != nil {
		t.Errorf("a second reaction got %+v, want nothing (one reply per message)", r)
	}
	if _, ok := e.h.Plan(ctx, Event{Reaction: &Reaction{Message: msg("8", "c", "no links here"), UserID: "u9"}}); ok {
		t.Error("a reaction to a message without links planned a reply, want none")
	}
}

func TestAnsweredAfterFinish(t *testing.T) {
	e := newEnv(t, Options{})
	m := Message{ID: "1", ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: "https://example.com/a"}
	p, _ := e.h.Plan(ctx, Event{Message: &m})
	if r := run(ctx, e.h, p); r == nil || len(r.Replies) != 1 {
		t.Fatalf("run = %+v, want one reply", r)
	}
	if e.h.Answered(ctx, p.EventID) {
		t.Error("Answered before Finish = true, want false")
	}
	if err := e.h.Finish(ctx, p.EventID, "reply-1"); err != nil {
		t.Fatal(err)
	}
	if !e.h.Answered(ctx, p.EventID) {
		t.Error("Answered after Finish = false, want true")
	}
}

func TestBrokenLedgerStillAnswers(t *testing.T) {
	e := newEnv(t, Options{})
	in := Interaction{ID: "7", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarize,
		Options: map[string]any{"url": "https://example.com/a"}}
	p := planOf(t, e.h, in)
	e.st.mu.Lock()
	e.st.broken = errors.New("database is locked")
	e.st.mu.Unlock()
	// A rare duplicate beats a lost reply.
	if e.h.Answered(ctx, p.EventID) {
		t.Error("Answered with the ledger down = true, want false")
	}
	if r := e.h.Run(ctx, p); len(r.Replies) != 1 || len(r.Replies[0].Embeds) != 1 {
		t.Errorf("Run with the ledger down = %+v, want the brief", r)
	}
}

func TestCallbackLogHidesToken(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	p := Plan{EventID: "i1", Callback: &Callback{ID: "1", AppID: "2", Token: "secret-token"}}
	log.Info("plan", "callback", p.Callback, "plan", p)
	if strings.Contains(buf.String(), "secret-token") {
		t.Errorf("log line shows the interaction token: %s", buf.String())
	}
}

// TestPlanReceived: a Plan carries when the bot got the event (its token's
// age is checked against it), or the Handler's now when the bot did not
// say.
func TestPlanReceived(t *testing.T) {
	e := newEnv(t, Options{})
	in := Interaction{ID: "1", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdAsk}
	got := time.Date(2026, 2, 27, 8, 0, 0, 0, time.UTC)
	if p, _ := e.h.Plan(ctx, Event{Interaction: &in, Received: got}); !p.Received.Equal(got) {
		t.Errorf("Plan.Received = %v, want the event's %v", p.Received, got)
	}
	if p, _ := e.h.Plan(ctx, Event{Interaction: &in}); !p.Received.Equal(e.clk.Now()) {
		t.Errorf("Plan.Received = %v, want the Handler's now %v", p.Received, e.clk.Now())
	}
}

// TestPlanDecidedOnce: what a message asks for is decided when it
// arrives; the job runs that decision. A link posted while its channel was
// in auto mode is summarized even when auto mode is turned off before the
// job runs, and a question asked in a Linkbrief thread is answered from
// the thread's article as it was then.
func TestPlanDecidedOnce(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.st.SetAutoChannel(ctx, "g1", "c", true); err != nil {
		t.Fatal(err)
	}
	e.h.ThreadStarted(ctx, "g1", "c", "t1", "t1", &Thread{Name: "n", URL: "https://example.com/thread"})
	link, ok1 := e.h.Plan(ctx, Event{Message: &Message{ID: "1", ChannelID: "c", GuildID: "g1", AuthorID: "u1", Content: "https://example.com/a"}})
	question, ok2 := e.h.Plan(ctx, Event{Message: &Message{ID: "2", ChannelID: "t1", GuildID: "g1", AuthorID: "u1", Content: "why?"}})
	if !ok1 || !ok2 {
		t.Fatalf("Plan = %v, %v; want both planned", ok1, ok2)
	}
	if err := e.st.SetAutoChannel(ctx, "g1", "c", false); err != nil {
		t.Fatal(err)
	}
	if err := e.h.ThreadFailed(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if r := run(ctx, e.h, link); r == nil || len(r.Replies) != 1 || len(r.Replies[0].Embeds) != 1 {
		t.Errorf("the link's job = %+v, want its brief", r)
	}
	if r := run(ctx, e.h, question); r == nil || len(r.Replies) != 1 || r.Replies[0].Content != "> The quoted answer." {
		t.Errorf("the question's job = %+v, want the answer", r)
	}
	if got := e.sum.asks; len(got) != 1 || got[0] != "why?" {
		t.Errorf("questions asked = %q, want [why?]", got)
	}
}
