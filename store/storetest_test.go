package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testStore is the conformance suite every Store implementation passes.
// open returns a fresh, empty store for one subtest and arranges for it to
// be closed when the subtest ends. The suite uses the real clock; expiry is
// checked with microsecond TTLs and a short sleep, never with timing
// assertions.
func testStore(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s Store)
	}{
		{"BriefRoundTrip", testBriefRoundTrip},
		{"BriefExpiry", testBriefExpiry},
		{"BriefBadInput", testBriefBadInput},
		{"ArticleRoundTrip", testArticleRoundTrip},
		{"ArticleExpiry", testArticleExpiry},
		{"DeleteExpired", testDeleteExpired},
		{"GuildSettings", testGuildSettings},
		{"Threads", testThreads},
		{"RecentThread", testRecentThread},
		{"Ledger", testLedger},
		{"ConcurrentClaim", testConcurrentClaim},
		{"Usage", testUsage},
		{"CancelledContext", testCancelledContext},
		{"HostileTimes", testHostileTimes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, open(t))
		})
	}
}

// waitPast sleeps until the wall clock is surely past a TTL of a few
// microseconds set just before.
func waitPast() { time.Sleep(5 * time.Millisecond) }

func testBriefRoundTrip(t *testing.T, s Store) {
	ctx := t.Context()
	if got, err := s.GetBrief(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetBrief(missing) = %q, %v; want ErrNotFound", got, err)
	}
	long := strings.Repeat("https://example.com/a-very-long-path/", 3000) // ~110 KB: beyond any b-tree entry limit
	cases := []struct {
		key  string
		data []byte
	}{
		{"https://example.com/a|llm|gpt|v1|en", []byte(`{"summary":"one"}`)},
		{"unicode: 日本語 \u0000 nul and 'quotes' \"; DROP TABLE briefs; --", []byte("\x00\xff\xfe binary")},
		{long, bytes.Repeat([]byte("x"), 1<<20)},
		{"empty data", []byte{}},
		{"nil data", nil},
	}
	for _, c := range cases {
		if err := s.PutBrief(ctx, c.key, c.data, time.Hour); err != nil {
			t.Fatalf("PutBrief(%.40q): %v", c.key, err)
		}
	}
	for _, c := range cases {
		got, err := s.GetBrief(ctx, c.key)
		if err != nil {
			t.Fatalf("GetBrief(%.40q): %v", c.key, err)
		}
		if !bytes.Equal(got, c.data) || got == nil {
			t.Errorf("GetBrief(%.40q) = %.40q (nil %v), want %.40q", c.key, got, got == nil, c.data)
		}
	}
	// A second put replaces the first, including its expiry.
	key := cases[0].key
	if err := s.PutBrief(ctx, key, []byte("two"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetBrief(ctx, key); err != nil || string(got) != "two" {
		t.Errorf("GetBrief after overwrite = %q, %v; want \"two\"", got, err)
	}
	// Keys differing only in case or a suffix are distinct.
	for _, other := range []string{strings.ToUpper(key), key + " ", key[:len(key)-1]} {
		if got, err := s.GetBrief(ctx, other); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetBrief(%q) = %q, %v; want ErrNotFound", other, got, err)
		}
	}
}

func testBriefExpiry(t *testing.T, s Store) {
	ctx := t.Context()
	if err := s.PutBrief(ctx, "short", []byte("a"), time.Microsecond); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBrief(ctx, "long", []byte("b"), time.Hour); err != nil {
		t.Fatal(err)
	}
	waitPast()
	if got, err := s.GetBrief(ctx, "short"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetBrief(expired) = %q, %v; want ErrNotFound", got, err)
	}
	if got, err := s.GetBrief(ctx, "long"); err != nil || string(got) != "b" {
		t.Errorf("GetBrief(long) = %q, %v; want \"b\"", got, err)
	}
	// Refreshing an expired entry brings it back.
	if err := s.PutBrief(ctx, "short", []byte("c"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetBrief(ctx, "short"); err != nil || string(got) != "c" {
		t.Errorf("GetBrief(refreshed) = %q, %v; want \"c\"", got, err)
	}
}

func testBriefBadInput(t *testing.T, s Store) {
	ctx := t.Context()
	for _, c := range []struct {
		key string
		ttl time.Duration
	}{
		{"", time.Hour},
		{"k", 0},
		{"k", -time.Hour},
	} {
		if err := s.PutBrief(ctx, c.key, []byte("x"), c.ttl); err == nil || !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("PutBrief(%q, ttl %v) = %v; want an error starting with \"store: \"", c.key, c.ttl, err)
		}
	}
	if got, err := s.GetBrief(ctx, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetBrief(\"\") = %q, %v; want ErrNotFound", got, err)
	}
}

func testArticleRoundTrip(t *testing.T, s Store) {
	ctx := t.Context()
	if got, err := s.GetArticle(ctx, "https://example.com/missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetArticle(missing) = %+v, %v; want ErrNotFound", got, err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	cases := []Article{
		{
			URL: "https://example.com/news/1", Title: "A title", Site: "Example", Byline: "Ann Author",
			Lang: "en", Text: "First paragraph.\n\nSecond paragraph with “quotes” — and dashes.",
			Published: time.Date(2025, 3, 14, 15, 9, 26, 535897000, paris),
		},
		{URL: "https://example.com/news/2", Text: "No date, no title."},
		{URL: "https://arxiv.org/abs/2501.00001", Title: "A paper", Text: "Abstract.", Kind: "paper"},
		{URL: "https://example.com/old", Text: "old", Published: time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)},
		{URL: "https://example.com/" + strings.Repeat("p", 50000), Text: strings.Repeat("long text ", 100000)},
	}
	for _, a := range cases {
		if err := s.PutArticle(ctx, a, time.Hour); err != nil {
			t.Fatalf("PutArticle(%.40q): %v", a.URL, err)
		}
	}
	for _, want := range cases {
		got, err := s.GetArticle(ctx, want.URL)
		if err != nil {
			t.Fatalf("GetArticle(%.40q): %v", want.URL, err)
		}
		if !got.Published.Equal(want.Published) || got.Published.IsZero() != want.Published.IsZero() {
			t.Errorf("GetArticle(%.40q).Published = %v, want %v", want.URL, got.Published, want.Published)
		}
		got.Published, want.Published = time.Time{}, time.Time{}
		if got != want {
			t.Errorf("GetArticle(%.40q) = %.200v, want %.200v", want.URL, got, want)
		}
	}
	upd := cases[0]
	upd.Title, upd.Published = "New title", time.Time{}
	if err := s.PutArticle(ctx, upd, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetArticle(ctx, upd.URL); err != nil || got.Title != "New title" || !got.Published.IsZero() {
		t.Errorf("GetArticle after overwrite = %+v, %v; want title %q and no date", got, err, "New title")
	}
	if err := s.PutArticle(ctx, Article{Text: "no URL"}, time.Hour); err == nil {
		t.Error("PutArticle without URL: got nil error")
	}
	if err := s.PutArticle(ctx, Article{URL: "https://example.com/x"}, 0); err == nil {
		t.Error("PutArticle with ttl 0: got nil error")
	}
}

func testArticleExpiry(t *testing.T, s Store) {
	ctx := t.Context()
	a := Article{URL: "https://example.com/gone", Text: "soon gone"}
	if err := s.PutArticle(ctx, a, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	waitPast()
	if got, err := s.GetArticle(ctx, a.URL); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetArticle(expired) = %+v, %v; want ErrNotFound", got, err)
	}
}

func testDeleteExpired(t *testing.T, s Store) {
	ctx := t.Context()
	if n, err := s.DeleteExpired(ctx); err != nil || n != 0 {
		t.Fatalf("DeleteExpired on an empty store = %d, %v; want 0, nil", n, err)
	}
	for _, k := range []string{"a", "b"} {
		if err := s.PutBrief(ctx, k, []byte(k), time.Microsecond); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutBrief(ctx, "keep", []byte("keep"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.PutArticle(ctx, Article{URL: "https://example.com/a"}, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	if err := s.PutArticle(ctx, Article{URL: "https://example.com/keep"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimEvent(ctx, "recent-event"); err != nil {
		t.Fatal(err)
	}
	waitPast()
	if n, err := s.DeleteExpired(ctx); err != nil || n != 3 {
		t.Errorf("DeleteExpired = %d, %v; want 3, nil", n, err)
	}
	if n, err := s.DeleteExpired(ctx); err != nil || n != 0 {
		t.Errorf("second DeleteExpired = %d, %v; want 0, nil", n, err)
	}
	if _, err := s.GetBrief(ctx, "keep"); err != nil {
		t.Errorf("GetBrief(keep) after DeleteExpired: %v", err)
	}
	if _, err := s.GetArticle(ctx, "https://example.com/keep"); err != nil {
		t.Errorf("GetArticle(keep) after DeleteExpired: %v", err)
	}
	if ok, err := s.ClaimEvent(ctx, "recent-event"); err != nil || ok {
		t.Errorf("ClaimEvent(recent-event) after DeleteExpired = %v, %v; want false (still claimed)", ok, err)
	}
}

func testGuildSettings(t *testing.T, s Store) {
	ctx := t.Context()
	got, err := s.GuildSettings(ctx, "100")
	if err != nil {
		t.Fatalf("GuildSettings(unknown): %v", err)
	}
	if got.GuildID != "100" || len(got.AutoChannels) != 0 || got.Language != "" {
		t.Errorf("GuildSettings(unknown) = %+v, want zero settings for guild 100", got)
	}
	steps := []struct {
		channel string
		enabled bool
	}{
		{"900000000000000002", true},
		{"80000000000000001", true},  // shorter snowflake: numerically smaller
		{"900000000000000002", true}, // twice is fine
		{"900000000000000003", true},
		{"900000000000000003", false},
		{"555", false}, // never enabled
	}
	for _, st := range steps {
		if err := s.SetAutoChannel(ctx, "100", st.channel, st.enabled); err != nil {
			t.Fatalf("SetAutoChannel(100, %s, %v): %v", st.channel, st.enabled, err)
		}
	}
	if err := s.SetAutoChannel(ctx, "200", "7", true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLanguage(ctx, "100", "fr"); err != nil {
		t.Fatal(err)
	}
	got, err = s.GuildSettings(ctx, "100")
	if err != nil {
		t.Fatal(err)
	}
	want := GuildSettings{GuildID: "100", AutoChannels: []string{"80000000000000001", "900000000000000002"}, Language: "fr"}
	if got.GuildID != want.GuildID || !slices.Equal(got.AutoChannels, want.AutoChannels) || got.Language != want.Language {
		t.Errorf("GuildSettings(100) = %+v, want %+v", got, want)
	}
	if err := s.SetLanguage(ctx, "100", ""); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GuildSettings(ctx, "100"); err != nil || got.Language != "" || len(got.AutoChannels) != 2 {
		t.Errorf("GuildSettings(100) after clearing the language = %+v, %v; want language \"\" and 2 channels", got, err)
	}
	if got, err := s.GuildSettings(ctx, "200"); err != nil || !slices.Equal(got.AutoChannels, []string{"7"}) || got.Language != "" {
		t.Errorf("GuildSettings(200) = %+v, %v; want channel 7 only", got, err)
	}
	if _, err := s.GuildSettings(ctx, ""); err == nil {
		t.Error("GuildSettings(\"\"): got nil error")
	}
	if err := s.SetAutoChannel(ctx, "100", "", true); err == nil {
		t.Error("SetAutoChannel with empty channel: got nil error")
	}
	if err := s.SetLanguage(ctx, "", "en"); err == nil {
		t.Error("SetLanguage with empty guild: got nil error")
	}
}

func testThreads(t *testing.T, s Store) {
	ctx := t.Context()
	if got, err := s.Thread(ctx, "1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Thread(missing) = %+v, %v; want ErrNotFound", got, err)
	}
	want := Thread{
		ThreadID: "1", GuildID: "100", ChannelID: "10", MessageID: "1000",
		URL: "https://example.com/a", Title: "A “title”",
		CreatedAt: time.Date(2025, 6, 1, 12, 0, 0, 123456000, time.UTC),
	}
	if err := s.PutThread(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Thread(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("Thread(1).CreatedAt = %v, want %v", got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt = want.CreatedAt
	if got != want {
		t.Errorf("Thread(1) = %+v, want %+v", got, want)
	}
	// A zero CreatedAt means now.
	before := time.Now().Add(-time.Second)
	if err := s.PutThread(ctx, Thread{ThreadID: "2", GuildID: "100", URL: "https://example.com/b"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Thread(ctx, "2"); err != nil || got.CreatedAt.Before(before) {
		t.Errorf("Thread(2) = %+v, %v; want CreatedAt set to about now", got, err)
	}
	// Putting again replaces.
	want.Title = "Renamed"
	if err := s.PutThread(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Thread(ctx, "1"); err != nil || got.Title != "Renamed" {
		t.Errorf("Thread(1) after replace = %+v, %v; want title Renamed", got, err)
	}
	if err := s.PutThread(ctx, Thread{GuildID: "100"}); err == nil {
		t.Error("PutThread without ThreadID: got nil error")
	}
	// A thread that could not be started is forgotten.
	for range 2 {
		if err := s.DeleteThread(ctx, "2"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Thread(ctx, "2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Thread(2) after DeleteThread = %v, want ErrNotFound", err)
	}
}

func testRecentThread(t *testing.T, s Store) {
	ctx := t.Context()
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	url := "https://example.com/story?id=1"
	for _, th := range []Thread{
		{ThreadID: "1", GuildID: "g1", URL: url, CreatedAt: base},
		{ThreadID: "2", GuildID: "g1", URL: url, CreatedAt: base.Add(2 * time.Hour)},
		{ThreadID: "3", GuildID: "g1", URL: url, CreatedAt: base.Add(time.Hour)},
		{ThreadID: "4", GuildID: "g2", URL: url, CreatedAt: base.Add(3 * time.Hour)},
		{ThreadID: "5", GuildID: "g1", URL: url + "2", CreatedAt: base.Add(4 * time.Hour)},
	} {
		if err := s.PutThread(ctx, th); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		guild, url string
		since      time.Time
		want       string // thread ID, "" for ErrNotFound
	}{
		{"g1", url, base.Add(-24 * time.Hour), "2"},
		{"g1", url, base.Add(2 * time.Hour), "2"}, // at `since` exactly counts
		{"g1", url, base.Add(2*time.Hour + time.Microsecond), ""},
		{"g2", url, base, "4"},
		{"g3", url, base, ""},
		{"g1", "https://example.com/other", base, ""},
		{"g1", url + "2", base, "5"},
	}
	for _, c := range cases {
		got, err := s.RecentThread(ctx, c.guild, c.url, c.since)
		switch {
		case c.want == "" && !errors.Is(err, ErrNotFound):
			t.Errorf("RecentThread(%s, %s, %v) = %+v, %v; want ErrNotFound", c.guild, c.url, c.since, got, err)
		case c.want != "" && (err != nil || got.ThreadID != c.want):
			t.Errorf("RecentThread(%s, %s, %v) = thread %q, %v; want thread %q", c.guild, c.url, c.since, got.ThreadID, err, c.want)
		}
	}
}

func testLedger(t *testing.T, s Store) {
	ctx := t.Context()
	claim := func(id string, want bool) {
		t.Helper()
		if got, err := s.ClaimEvent(ctx, id); err != nil || got != want {
			t.Fatalf("ClaimEvent(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
	claim("m1", true)
	claim("m1", false)
	claim("m2", true)
	if err := s.FinishEvent(ctx, "m1", "r1"); err != nil {
		t.Fatalf("FinishEvent(m1): %v", err)
	}
	if err := s.ReleaseEvent(ctx, "m1"); err == nil {
		t.Error("ReleaseEvent(finished m1): got nil error")
	}
	claim("m1", false) // a finished event stays claimed

	if err := s.ReleaseEvent(ctx, "m2"); err != nil {
		t.Fatalf("ReleaseEvent(m2): %v", err)
	}
	claim("m2", true) // released: a redelivery may retry
	claim("m2", false)
	if err := s.ReleaseEvent(ctx, "never-claimed"); err != nil {
		t.Errorf("ReleaseEvent(never-claimed) = %v, want nil", err)
	}
	if err := s.FinishEvent(ctx, "never-claimed", "r"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishEvent(never-claimed) = %v, want ErrNotFound", err)
	}
	if _, err := s.ClaimEvent(ctx, ""); err == nil {
		t.Error("ClaimEvent(\"\"): got nil error")
	}
}

func testConcurrentClaim(t *testing.T, s Store) {
	for e := range 5 {
		id := fmt.Sprintf("event-%d", e)
		if wins, errs := raceClaims(t, id, 16, s); len(errs) > 0 || wins != 1 {
			t.Errorf("16 concurrent ClaimEvent(%s): %d won, errors %v; want exactly 1 and no errors", id, wins, errs)
		}
	}
}

// raceClaims has n goroutines, spread over handles, claim id at once, and
// returns how many won and the errors.
func raceClaims(t *testing.T, id string, n int, handles ...Store) (wins int, errs []error) {
	t.Helper()
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	start := make(chan struct{})
	for i := range n {
		s := handles[i%len(handles)]
		wg.Go(func() {
			<-start
			ok, err := s.ClaimEvent(t.Context(), id)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				wins++
			}
		})
	}
	close(start)
	wg.Wait()
	return wins, errs
}

func testUsage(t *testing.T, s Store) {
	ctx := t.Context()
	day := time.Date(2025, 6, 1, 23, 30, 0, 0, time.UTC)
	got, err := s.Usage(ctx, "g1", day)
	if err != nil || got != (Usage{GuildID: "g1", Day: "2025-06-01"}) {
		t.Fatalf("Usage(empty) = %+v, %v; want zero counts for g1 on 2025-06-01", got, err)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	adds := []struct {
		guild          string
		at             time.Time
		briefs, tokens int64
	}{
		{"g1", day, 1, 100},
		{"g1", day.Add(-23 * time.Hour), 2, 50},
		{"g1", day.In(tokyo), 0, 7},                               // 2025-06-02 08:30 in Tokyo, still June 1st UTC
		{"g1", day.Add(time.Hour), 1, 1},                          // June 2nd UTC
		{"g2", day, 5, 5},                                         // another guild
		{"g1", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), 0, 0}, // adding nothing is fine
	}
	for _, a := range adds {
		if err := s.AddUsage(ctx, a.guild, a.at, a.briefs, a.tokens); err != nil {
			t.Fatalf("AddUsage(%s, %v, %d, %d): %v", a.guild, a.at, a.briefs, a.tokens, err)
		}
	}
	cases := []struct {
		guild string
		at    time.Time
		want  Usage
	}{
		{"g1", day, Usage{"g1", "2025-06-01", 3, 157}},
		{"g1", day.In(tokyo), Usage{"g1", "2025-06-01", 3, 157}},
		{"g1", day.Add(time.Hour), Usage{"g1", "2025-06-02", 1, 1}},
		{"g2", day, Usage{"g2", "2025-06-01", 5, 5}},
		{"g3", day, Usage{"g3", "2025-06-01", 0, 0}},
	}
	for _, c := range cases {
		if got, err := s.Usage(ctx, c.guild, c.at); err != nil || got != c.want {
			t.Errorf("Usage(%s, %v) = %+v, %v; want %+v", c.guild, c.at, got, err, c.want)
		}
	}
	if err := s.AddUsage(ctx, "g1", day, -1, 0); err == nil {
		t.Error("AddUsage with negative briefs: got nil error")
	}
	if err := s.AddUsage(ctx, "", day, 1, 0); err == nil {
		t.Error("AddUsage with empty guild: got nil error")
	}
}

func testCancelledContext(t *testing.T, s Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.PutBrief(ctx, "k", []byte("v"), time.Hour); err == nil {
		t.Error("PutBrief with a cancelled context: got nil error")
	}
	if _, err := s.GetBrief(ctx, "k"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("GetBrief with a cancelled context = %v, want a non-ErrNotFound error", err)
	}
	if _, err := s.ClaimEvent(ctx, "e"); err == nil {
		t.Error("ClaimEvent with a cancelled context: got nil error")
	}
	// The store still works afterwards.
	if err := s.PutBrief(t.Context(), "k", []byte("v"), time.Hour); err != nil {
		t.Errorf("PutBrief after a cancelled call: %v", err)
	}
}

func testHostileTimes(t *testing.T, s Store) {
	ctx := t.Context()
	far := time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)
	past := time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []time.Time{far, past} {
		a := Article{URL: "https://example.com/" + p.String(), Text: "t", Published: p}
		if err := s.PutArticle(ctx, a, time.Hour); err != nil {
			t.Fatalf("PutArticle(published %v): %v", p, err)
		}
		if got, err := s.GetArticle(ctx, a.URL); err != nil || !got.Published.IsZero() {
			t.Errorf("GetArticle(published %v) = %v, %v; want an unknown (zero) date", p, got.Published, err)
		}
	}
	if err := s.PutThread(ctx, Thread{ThreadID: "future", GuildID: "g", URL: "u", CreatedAt: far}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutThread(ctx, Thread{ThreadID: "ancient", GuildID: "g", URL: "v", CreatedAt: past}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Thread(ctx, "future"); err != nil || got.CreatedAt.Year() != 9999 {
		t.Errorf("Thread(future).CreatedAt = %v, %v; want clamped to year 9999", got.CreatedAt, err)
	}
	cases := []struct {
		url   string
		since time.Time
		found bool
	}{
		{"u", past, true},
		{"u", time.Now(), true},
		{"u", far.Add(time.Hour), true}, // both clamp to the end of year 9999
		{"v", past, true},
		{"v", time.Time{}, true},
		{"v", time.Now(), false},
	}
	for _, c := range cases {
		_, err := s.RecentThread(ctx, "g", c.url, c.since)
		if c.found && err != nil || !c.found && !errors.Is(err, ErrNotFound) {
			t.Errorf("RecentThread(g, %s, %v) = %v; want found %v", c.url, c.since, err, c.found)
		}
	}
}

// testTwoHandlesClaim has two handles on one database, standing in for two
// processes, claim the same events at once: each is won exactly once, and
// a write through one handle is read through the other.
func testTwoHandlesClaim(t *testing.T, a, b Store) {
	t.Helper()
	for e := range 20 {
		id := fmt.Sprintf("%d", 1300000000000000000+e)
		if wins, errs := raceClaims(t, id, 8, a, b); wins != 1 || len(errs) > 0 {
			t.Errorf("ClaimEvent(%s) from two handles: %d won, errors %v; want exactly 1, no errors", id, wins, errs)
		}
	}
	if err := a.PutBrief(t.Context(), "k", []byte("from a"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := b.GetBrief(t.Context(), "k"); err != nil || string(got) != "from a" {
		t.Errorf("b.GetBrief(k) = %q, %v; want \"from a\"", got, err)
	}
}

// testTwoHandlesRelease races claims and releases of one event that is
// never finished, on two handles: a release never mistakes a claim made
// in between by the other handle for a finished event.
func testTwoHandlesRelease(t *testing.T, a, b Store) {
	t.Helper()
	ctx := t.Context()
	const id, rounds = "1400000000000000001", 400
	var wg sync.WaitGroup
	for _, pair := range [][2]Store{{a, b}, {b, a}} {
		claimer, releaser := pair[0], pair[1]
		wg.Go(func() {
			for range rounds {
				if _, err := claimer.ClaimEvent(ctx, id); err != nil {
					t.Errorf("ClaimEvent: %v", err)
					return
				}
			}
		})
		wg.Go(func() {
			for range rounds {
				if err := releaser.ReleaseEvent(ctx, id); err != nil {
					t.Errorf("ReleaseEvent of an event never finished: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}
