package commands

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize"
)

// fakeSummarizer returns canned briefs and answers and counts calls.
type fakeSummarizer struct {
	mu       sync.Mutex
	calls    []string // URLs summarized
	asks     []string // questions
	cached   map[string]bool
	joined   map[string]bool // not cached when asked, then made by another request
	busy     map[string]bool // still being made elsewhere when the deadline comes
	fail     map[string]error
	tokens   int
	estimate int64         // what Estimate says a new brief costs
	delay    time.Duration // how long a new brief takes
	answer   *summarize.Answer
	language []string
}

var _ Summarizer = (*fakeSummarizer)(nil)

func (f *fakeSummarizer) Summarize(ctx context.Context, rawURL string, req summarize.Request) (*summarize.Brief, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if req.CacheOnly && !f.cached[rawURL] {
		return nil, summarize.ErrNotCached
	}
	if !req.CacheOnly {
		f.calls = append(f.calls, rawURL)
		if f.busy[rawURL] {
			return nil, summarize.ErrInProgress
		}
	}
	if !f.cached[rawURL] && f.delay > 0 {
		f.mu.Unlock()
		time.Sleep(f.delay)
		f.mu.Lock()
	}
	f.language = append(f.language, req.Language)
	if err := f.fail[rawURL]; err != nil {
		return nil, err
	}
	canon, err := summarize.CanonicalURL(rawURL)
	if err != nil {
		return nil, err
	}
	b := &summarize.Brief{
		Source: rawURL, URL: canon, Title: "Title of " + canon, Site: "Example",
		Summary: "A summary.", Claims: []summarize.Claim{{Text: "A claim.", Quote: "A quote from the article."}},
		Backend: "llm", Model: "m", Cached: f.cached[rawURL] || f.joined[rawURL],
	}
	if !b.Cached {
		b.Usage = summarize.Usage{PromptTokens: f.tokens, CompletionTokens: 0}
	}
	return b, nil
}

func (f *fakeSummarizer) Estimate(ctx context.Context, rawURL string, req summarize.Request) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[rawURL]; err != nil {
		return 0, err
	}
	if f.cached[rawURL] {
		return 0, nil
	}
	return f.estimate, nil
}

func (f *fakeSummarizer) EstimateAnswer(ctx context.Context, rawURL string) (int64, error) {
	return 7, nil
}

func (f *fakeSummarizer) Ask(ctx context.Context, rawURL, question string) (*summarize.Answer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asks = append(f.asks, question)
	if f.answer != nil {
		a := *f.answer
		return &a, nil
	}
	return &summarize.Answer{Text: "> The quoted answer.", Found: true, URL: rawURL, Usage: summarize.Usage{PromptTokens: 7}}, nil
}

func (f *fakeSummarizer) summarized() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// fakeStore keeps everything in maps, with the store's semantics.
type fakeStore struct {
	mu       sync.Mutex
	settings map[string]store.GuildSettings
	threads  map[string]store.Thread
	events   map[string]string // event -> reply ID ("" while claimed)
	usage    map[string]store.Usage
	broken   error // returned by every call when set
}

var _ Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{
		settings: map[string]store.GuildSettings{}, threads: map[string]store.Thread{},
		events: map[string]string{}, usage: map[string]store.Usage{},
	}
}

func (s *fakeStore) GuildSettings(ctx context.Context, guildID string) (store.GuildSettings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return store.GuildSettings{}, s.broken
	}
	g, ok := s.settings[guildID]
	if !ok {
		return store.GuildSettings{}, store.ErrNotFound
	}
	return g, nil
}

func (s *fakeStore) SetAutoChannel(ctx context.Context, guildID, channelID string, enabled bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return s.broken
	}
	g := s.settings[guildID]
	g.GuildID = guildID
	g.AutoChannels = slices.DeleteFunc(g.AutoChannels, func(c string) bool { return c == channelID })
	if enabled {
		g.AutoChannels = append(g.AutoChannels, channelID)
		slices.Sort(g.AutoChannels)
	}
	s.settings[guildID] = g
	return nil
}

func (s *fakeStore) SetLanguage(ctx context.Context, guildID, lang string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.settings[guildID]
	g.GuildID, g.Language = guildID, lang
	s.settings[guildID] = g
	return nil
}

func (s *fakeStore) DeleteThread(ctx context.Context, threadID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.threads, threadID)
	return nil
}

func (s *fakeStore) PutThread(ctx context.Context, t store.Thread) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.threads[t.ThreadID] = t
	return nil
}

func (s *fakeStore) Thread(ctx context.Context, threadID string) (store.Thread, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return store.Thread{}, s.broken
	}
	t, ok := s.threads[threadID]
	if !ok {
		return store.Thread{}, store.ErrNotFound
	}
	return t, nil
}

func (s *fakeStore) RecentThread(ctx context.Context, guildID, url string, since time.Time) (store.Thread, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.threads {
		if t.GuildID == guildID && t.URL == url && !t.CreatedAt.Before(since) {
			return t, nil
		}
	}
	return store.Thread{}, store.ErrNotFound
}

func (s *fakeStore) ClaimEvent(ctx context.Context, eventID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.events[eventID]; ok {
		return false, nil
	}
	s.events[eventID] = ""
	return true, nil
}

func (s *fakeStore) FinishEvent(ctx context.Context, eventID, replyID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.events[eventID]; !ok {
		return errors.New("fake store: finishing an unclaimed event")
	}
	s.events[eventID] = replyID
	return nil
}

func (s *fakeStore) ReleaseEvent(ctx context.Context, eventID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.events, eventID)
	return nil
}

func (s *fakeStore) EventReply(ctx context.Context, eventID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return "", s.broken
	}
	if r, ok := s.events[eventID]; ok && r != "" {
		return r, nil
	}
	return "", store.ErrNotFound
}

func (s *fakeStore) EventFinished(ctx context.Context, eventID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return false, s.broken
	}
	return s.events[eventID] != "", nil
}

func (s *fakeStore) AddUsage(ctx context.Context, guildID string, day time.Time, briefs, tokens int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := guildID + "/" + day.UTC().Format("2006-01-02")
	u := s.usage[k]
	u.GuildID, u.Day = guildID, day.UTC().Format("2006-01-02")
	u.Briefs += briefs
	u.Tokens += tokens
	s.usage[k] = u
	return nil
}

func (s *fakeStore) Usage(ctx context.Context, guildID string, day time.Time) (store.Usage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.usage[guildID+"/"+day.UTC().Format("2006-01-02")]
	if !ok {
		return store.Usage{GuildID: guildID, Day: day.UTC().Format("2006-01-02")}, nil
	}
	return u, nil
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// The tests drive the Handler as the bot does: Plan at receipt, the
// ledger claim (the bot's queue makes it in the store), Run in the job.

// planOf returns the Plan of an interaction, failing the test when there
// is none.
func planOf(t testing.TB, h *Handler, in Interaction) Plan {
	t.Helper()
	p, ok := h.Plan(context.Background(), Event{Interaction: &in})
	if !ok {
		t.Fatalf("Plan(%+v) = false, want a plan", in)
	}
	return p
}

// run claims a planned event in the store's ledger and runs it; nil when
// it was claimed before. A ledger that fails does not stop the event, as
// the bot then runs it at once.
func run(ctx context.Context, h *Handler, p Plan) *Response {
	if ok, err := h.st.ClaimEvent(ctx, p.EventID); err == nil && !ok {
		return nil
	}
	r := h.Run(ctx, p)
	return &r
}

// interact plans, claims and runs an interaction.
func interact(t testing.TB, h *Handler, in Interaction) *Response {
	t.Helper()
	return run(context.Background(), h, planOf(t, h, in))
}

// onMessage plans, claims and runs a message; nil when it needs no reply
// or was claimed before.
func onMessage(ctx context.Context, h *Handler, m Message) *Response {
	p, ok := h.Plan(ctx, Event{Message: &m})
	if !ok {
		return nil
	}
	return run(ctx, h, p)
}
