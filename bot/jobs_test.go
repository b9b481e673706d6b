package bot

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/queue"
	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize"
)

// busySummarizer says every brief is still being made elsewhere.
type busySummarizer struct{}

func (busySummarizer) Summarize(ctx context.Context, rawURL string, req summarize.Request) (*summarize.Brief, error) {
	if req.CacheOnly {
		return nil, summarize.ErrNotCached
	}
	return nil, summarize.ErrInProgress
}
func (busySummarizer) Ask(ctx context.Context, rawURL, question string) (*summarize.Answer, error) {
	return nil, summarize.ErrInProgress
}
func (busySummarizer) Estimate(ctx context.Context, rawURL string, req summarize.Request) (int64, error) {
	return 0, nil
}
func (busySummarizer) EstimateAnswer(ctx context.Context, rawURL string) (int64, error) {
	return 0, nil
}

// jobBot is a Bot, not connected, whose jobs run against a fake Discord's
// REST API, with a durable-looking queue (Options.Queue set).
func jobBot(t *testing.T) (*Bot, *discordtest.Server, *store.DB) {
	t.Helper()
	dc := discordtest.New(t, discordtest.Options{})
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := commands.New(busySummarizer{}, st, commands.Options{})
	b, err := New(Options{Token: dc.Token(), APIURL: dc.APIURL(), Queue: queue.NewPool(queue.Options{Ledger: st}), Durable: true}, h)
	if err != nil {
		t.Fatal(err)
	}
	return b, dc, st
}

// payload is the job payload of event ev planned by b's handler, received
// at the given time.
func payload(t *testing.T, b *Bot, ev commands.Event, received time.Time) []byte {
	t.Helper()
	ev.Received = received
	plan, ok := b.h.Plan(t.Context(), ev)
	if !ok {
		t.Fatalf("Plan(%+v) = false, want a plan", ev)
	}
	p, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func messagePayload(t *testing.T, b *Bot, received time.Time) []byte {
	return payload(t, b, commands.Event{Message: &commands.Message{
		ID: "1500000000000000001", ChannelID: discordtest.DefaultChannelID, GuildID: discordtest.DefaultGuildID,
		AuthorID: discordtest.DefaultUserID, AutoChannel: true, Content: "read https://example.com/busy",
	}}, received)
}

// TestJobStillWorkingSnoozes: a brief still being made elsewhere snoozes
// the job, with typing shown, and sends nothing; past the event's 15
// minutes it says so once instead.
func TestJobStillWorkingSnoozes(t *testing.T) {
	b, dc, _ := jobBot(t)
	err := b.runJob(t.Context(), jobMessage, messagePayload(t, b, time.Now()))
	var snooze *queue.SnoozeError
	if !errors.As(err, &snooze) {
		t.Fatalf("runJob = %v, want a snooze", err)
	}
	if n := len(dc.CallsTo("POST", "/channels/*/typing")); n != 1 {
		t.Errorf("typing calls = %d, want 1", n)
	}
	if n := len(dc.CallsTo("POST", "/channels/*/messages")); n != 0 {
		t.Errorf("messages sent = %d while the brief is still being made, want 0", n)
	}
	if err := b.runJob(t.Context(), jobMessage, messagePayload(t, b, time.Now().Add(-16*time.Minute))); err != nil {
		t.Fatalf("runJob of a stale event = %v, want nil", err)
	}
	sent := dc.CallsTo("POST", "/channels/*/messages")
	if len(sent) != 1 || !strings.Contains(string(sent[0].RawBody), "taking far too long") {
		t.Errorf("stale event sent %d messages, want one saying it took too long", len(sent))
	}
}

// TestJobStaleInteractionNotWorked: an interaction older than its token's
// 15 minutes is dropped without any work or call.
func TestJobStaleInteractionNotWorked(t *testing.T) {
	b, dc, _ := jobBot(t)
	p := payload(t, b, commands.Event{Interaction: &commands.Interaction{ID: "1", AppID: "2", Token: "tok",
		GuildID: discordtest.DefaultGuildID, Command: commands.CmdSummarize,
		Options: map[string]any{"url": "https://example.com/old"}}}, time.Now().Add(-16*time.Minute))
	if err := b.runJob(t.Context(), jobInteraction, p); !errors.Is(err, queue.ErrPermanent) {
		t.Errorf("runJob of a 16-minute-old interaction = %v, want a permanent failure", err)
	}
	if n := len(dc.Calls()); n != 0 {
		t.Errorf("%d REST calls for a dead interaction, want 0", n)
	}
}

// TestJobInterruptedGoesBack: work cancelled by a shutdown goes back to a
// durable queue instead of answering "interrupted".
func TestJobInterruptedGoesBack(t *testing.T) {
	b, dc, _ := jobBot(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.runJob(ctx, jobMessage, messagePayload(t, b, time.Now())); !errors.Is(err, errInterrupted) {
		t.Errorf("runJob after a shutdown = %v, want errInterrupted", err)
	}
	if n := len(dc.CallsTo("POST", "/channels/*/messages")); n != 0 {
		t.Errorf("messages sent = %d after a shutdown, want 0", n)
	}
}

// TestJobPayloadNotAPlan: a payload that is not a Plan (garbage, or a job
// of a version before Plans) ends its job for good without a call.
func TestJobPayloadNotAPlan(t *testing.T) {
	b, dc, _ := jobBot(t)
	for _, p := range []string{`{"message":{"ID":"1","ChannelID":"2","GuildID":"3","Content":"https://example.com/"}}`, `not json`, `{}`} {
		if err := b.runJob(t.Context(), jobMessage, []byte(p)); !errors.Is(err, queue.ErrPermanent) {
			t.Errorf("runJob(%s) = %v, want a permanent failure", p, err)
		}
	}
	if n := len(dc.Calls()); n != 0 {
		t.Errorf("%d REST calls for payloads that are no plans, want 0", n)
	}
}

// hangingThreads is a store whose thread deletions never answer: a
// database that stopped answering.
type hangingThreads struct{ *store.DB }

func (hangingThreads) DeleteThread(ctx context.Context, threadID string) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestThreadFailedIsBounded: when Discord refuses a thread, the bot
// forgets the thread it recorded beforehand, even if the job's context
// has ended, but within a deadline of its own: a store that does not
// answer must not keep the job for ever.
func TestThreadFailedIsBounded(t *testing.T) {
	dc := discordtest.New(t, discordtest.Options{})
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := commands.New(busySummarizer{}, hangingThreads{st}, commands.Options{})
	b, err := New(Options{Token: dc.Token(), APIURL: dc.APIURL(), Queue: queue.NewPool(queue.Options{Ledger: st})}, h)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// No such message: Discord refuses the thread (404).
		b.startThread(context.Background(), discordtest.DefaultGuildID, discordtest.DefaultChannelID, "1500000000000000404",
			&commands.Thread{Name: "A story", URL: "https://example.com/a", Title: "A story"})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("startThread was still forgetting a refused thread 30 s later, on a store that does not answer")
	}
}

// failingQueue refuses every event: its database is down.
type failingQueue struct{}

func (failingQueue) Accept(context.Context, string, string, []byte) (bool, error) {
	return false, errors.New("queue: database is down")
}
func (failingQueue) Start(context.Context, queue.Work) error { return nil }
func (failingQueue) Stop(context.Context) error              { return nil }

// onceBusySummarizer says the first brief asked for is still being made
// elsewhere; after that, it is in the cache.
type onceBusySummarizer struct {
	busySummarizer
	mu     sync.Mutex
	asked  bool
	cached bool
}

func (s *onceBusySummarizer) Summarize(ctx context.Context, rawURL string, req summarize.Request) (*summarize.Brief, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.CacheOnly && !s.cached {
		return nil, summarize.ErrNotCached
	}
	if !s.cached {
		s.cached = true
		return nil, summarize.ErrInProgress
	}
	return &summarize.Brief{Source: rawURL, URL: rawURL, Title: "Busy once", Summary: "A summary.", Backend: "extractive", Cached: true}, nil
}

// TestAcceptFallbackWaitsForABriefInProgress: when the queue cannot take
// an event, the bot handles it here and now; a brief still being made
// elsewhere is waited for and sent, as the queue's snooze would have, not
// dropped with the snooze logged as a failure.
func TestAcceptFallbackWaitsForABriefInProgress(t *testing.T) {
	dc := discordtest.New(t, discordtest.Options{})
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := commands.New(&onceBusySummarizer{}, st, commands.Options{})
	b, err := New(Options{Token: dc.Token(), APIURL: dc.APIURL(), Queue: failingQueue{}}, h)
	if err != nil {
		t.Fatal(err)
	}
	m, err := dc.PostMessage(discordtest.MessageSpec{Content: "read https://example.com/busy"})
	if err != nil {
		t.Fatal(err)
	}
	plan, ok := b.h.Plan(t.Context(), commands.Event{Received: time.Now(), Message: &commands.Message{
		ID: m.ID, ChannelID: discordtest.DefaultChannelID, GuildID: discordtest.DefaultGuildID,
		AuthorID: discordtest.DefaultUserID, AutoChannel: true, Content: m.Content,
	}})
	if !ok {
		t.Fatal("Plan = false, want a plan")
	}
	b.accept(t.Context(), plan)
	sent := dc.CallsTo("POST", "/channels/*/messages")
	if len(sent) != 1 || !strings.Contains(string(sent[0].RawBody), "Busy once") {
		t.Errorf("the bot sent %d replies after the queue failed, want 1 carrying the brief", len(sent))
	}
}
