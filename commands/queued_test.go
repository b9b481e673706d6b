package commands

import (
	"errors"
	"testing"

	"github.com/linkbrief/linkbrief/store"
)

func TestAcceptMessageClaimsOnlyWhatNeedsAReply(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.st.SetAutoChannel(ctx, "g1", "c-auto", true); err != nil {
		t.Fatal(err)
	}
	if err := e.st.PutThread(ctx, store.Thread{ThreadID: "th1", GuildID: "g1", URL: "https://example.com/a"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		m    Message
		want bool
	}{
		{"link in auto channel", msg("1", "c-auto", "see https://example.com/a"), true},
		{"question in a Linkbrief thread", msg("2", "th1", "what about the bridge?"), true},
		{"link elsewhere", msg("3", "c-other", "https://example.com/c"), false},
		{"no links", msg("4", "c-auto", "just words"), false},
		{"bot author", Message{ID: "5", ChannelID: "c-auto", GuildID: "g1", Bot: true, Content: "https://example.com/d"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := e.h.AcceptMessage(ctx, tt.m)
			if ok != tt.want {
				t.Fatalf("AcceptMessage(%q) ok = %v, want %v", tt.m.Content, ok, tt.want)
			}
			if !ok {
				if id != "" {
					t.Errorf("AcceptMessage(%q) = %q, false; want no event ID", tt.m.Content, id)
				}
				if _, claimed := e.st.events["m"+tt.m.ID]; claimed {
					t.Errorf("AcceptMessage(%q) claimed an event needing no reply", tt.m.Content)
				}
				return
			}
			if want := "m" + tt.m.ID; id != want {
				t.Errorf("event ID = %q, want %q", id, want)
			}
			if _, ok := e.h.AcceptMessage(ctx, tt.m); ok {
				t.Errorf("second AcceptMessage(%q) = true, want false (already claimed)", tt.m.Content)
			}
		})
	}
	if got := e.sum.summarized(); len(got) != 0 {
		t.Errorf("AcceptMessage summarized %v; want nothing at receipt", got)
	}
	if len(e.sum.asks) != 0 {
		t.Errorf("AcceptMessage asked %v; want nothing at receipt", e.sum.asks)
	}
}

func TestMessageClaimedAnswersOnceDespiteTheClaim(t *testing.T) {
	e := newEnv(t, Options{})
	m := Message{ID: "1", ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: "https://example.com/a"}
	id, ok := e.h.AcceptMessage(ctx, m)
	if !ok {
		t.Fatal("AcceptMessage = false, want true")
	}
	resp := e.h.MessageClaimed(ctx, m)
	if resp == nil || len(resp.Replies) != 1 || resp.EventID != id {
		t.Fatalf("MessageClaimed after the claim = %+v, want one reply for %s", resp, id)
	}
	// Run again before the reply was recorded (a retry): still answered.
	if again := e.h.MessageClaimed(ctx, m); again == nil {
		t.Error("MessageClaimed before Finish = nil, want the replies again")
	}
	if err := e.h.Finish(ctx, id, "reply-1"); err != nil {
		t.Fatal(err)
	}
	if again := e.h.MessageClaimed(ctx, m); again != nil {
		t.Errorf("MessageClaimed after Finish = %+v, want nil (already answered)", again)
	}
}

func TestInteractionClaimed(t *testing.T) {
	e := newEnv(t, Options{})
	in := Interaction{ID: "42", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarize,
		Options: map[string]any{"url": "https://example.com/a"}}
	if _, ok := e.h.AcceptInteraction(ctx, Interaction{}); ok {
		t.Error("AcceptInteraction(no ID) = true, want false")
	}
	id, ok := e.h.AcceptInteraction(ctx, in)
	if !ok || id != "i42" {
		t.Fatalf("AcceptInteraction = %q, %v; want i42, true", id, ok)
	}
	if _, ok := e.h.AcceptInteraction(ctx, in); ok {
		t.Error("second AcceptInteraction = true, want false")
	}
	ack := e.h.Ack(ctx, in)
	resp := e.h.InteractionClaimed(ctx, in, ack)
	if resp == nil || len(resp.Replies) != 1 || len(resp.Replies[0].Embeds) != 1 {
		t.Fatalf("InteractionClaimed = %+v, want one brief", resp)
	}
	if err := e.h.Finish(ctx, id, "reply-1"); err != nil {
		t.Fatal(err)
	}
	if again := e.h.InteractionClaimed(ctx, in, ack); again != nil {
		t.Errorf("InteractionClaimed after Finish = %+v, want nil", again)
	}
}

func TestClaimedWithBrokenLedgerStillAnswers(t *testing.T) {
	e := newEnv(t, Options{})
	e.st.mu.Lock()
	e.st.broken = errors.New("database is locked")
	e.st.mu.Unlock()
	in := Interaction{ID: "7", GuildID: "g1", ChannelID: "c", UserID: "u1", Command: CmdSummarize,
		Options: map[string]any{"url": "https://example.com/a"}}
	if resp := e.h.InteractionClaimed(ctx, in, Ack{}); resp == nil {
		t.Error("InteractionClaimed with the ledger down = nil, want the reply (a rare duplicate beats a lost reply)")
	}
}
