package commands

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/store"
)

// TestSharedLimitsAcrossProcesses stands two Handlers, as two processes,
// on one SQLite store as their shared limits: a user's third new brief in
// a minute is refused whichever process gets it, and cache hits are free.
func TestSharedLimitsAcrossProcesses(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "limits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := newEnv(t, Options{UserPerMinute: 2, Shared: st})
	b := newEnv(t, Options{UserPerMinute: 2, Shared: st})
	b.sum.cached = map[string]bool{"https://example.com/cached": true}
	procs := []*env{a, b, b, a}
	links := []string{"https://example.com/1", "https://example.com/cached", "https://example.com/2", "https://example.com/3"}
	var replies []Reply
	for i, p := range procs {
		resp := p.h.Message(ctx, Message{ID: fmt.Sprint(i), ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: links[i]})
		if resp == nil || len(resp.Replies) != 1 {
			t.Fatalf("message %d: %+v, want one reply", i, resp)
		}
		replies = append(replies, resp.Replies[0])
	}
	for i := range 3 {
		if len(replies[i].Embeds) != 1 {
			t.Errorf("request %d (%s) = %q, want a brief", i, links[i], replies[i].Content)
		}
	}
	if got := replies[3].Content; !strings.Contains(got, "please try again") {
		t.Errorf("third new brief across processes = %q, want a refusal", got)
	}
	// Another user, on either process, is not limited.
	resp := a.h.Message(ctx, Message{ID: "9", ChannelID: "c", GuildID: "g1", AuthorID: "u2", AutoChannel: true, Content: "https://example.com/4"})
	if len(resp.Replies[0].Embeds) != 1 {
		t.Errorf("other user got %q, want a brief", resp.Replies[0].Content)
	}
}

// brokenLimits fails every call, as an unreachable Redis would.
type brokenLimits struct{}

func (brokenLimits) Take(context.Context, string, int, time.Duration, int) (bool, time.Duration, error) {
	return false, 0, fmt.Errorf("redis: connection refused")
}

func TestSharedLimitsFailingStoreAllows(t *testing.T) {
	e := newEnv(t, Options{UserPerMinute: 2, Shared: brokenLimits{}})
	resp := e.h.Message(ctx, Message{ID: "1", ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: "https://example.com/1"})
	if len(resp.Replies[0].Embeds) != 1 {
		t.Errorf("with the shared limits down got %q, want a brief", resp.Replies[0].Content)
	}
}

// TestCachedBriefsBypassLimits: a user at the limit still gets briefs
// that are already cached, since they cost nothing; new ones are refused.
func TestCachedBriefsBypassLimits(t *testing.T) {
	e := newEnv(t, Options{UserPerMinute: 1})
	e.sum.cached = map[string]bool{"https://example.com/cached": true}
	send := func(id, link string) Reply {
		t.Helper()
		resp := e.h.Message(ctx, Message{ID: id, ChannelID: "c", GuildID: "g1", AuthorID: "u1", AutoChannel: true, Content: link})
		if resp == nil || len(resp.Replies) != 1 {
			t.Fatalf("Message(%s) = %+v, want one reply", link, resp)
		}
		return resp.Replies[0]
	}
	if r := send("1", "https://example.com/new-1"); len(r.Embeds) != 1 {
		t.Fatalf("first brief = %q", r.Content)
	}
	if r := send("2", "https://example.com/cached"); len(r.Embeds) != 1 {
		t.Errorf("cached brief at the limit = %q, want the brief", r.Content)
	}
	if r := send("3", "https://example.com/new-2"); !strings.Contains(r.Content, "please try again") {
		t.Errorf("new brief at the limit = %+v, want a refusal", r)
	}
}
