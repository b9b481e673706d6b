package summarize

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/sites"
)

// fakeSite is a site adapter for "video.test" links: /v/ID and /short/ID
// are one item, canonical "https://video.test/v/ID".
type fakeSite struct {
	item  *sites.Item
	err   error
	reads atomic.Int32
	// readURL, when set, is read through the pipeline Reader and its
	// text becomes the item's.
	readURL string
}

func (f *fakeSite) Name() string { return "videotest" }

func (f *fakeSite) Match(u *url.URL) (string, bool) {
	if u.Hostname() != "video.test" {
		return "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || (parts[0] != "v" && parts[0] != "short") {
		return "", false
	}
	return "https://video.test/v/" + parts[1], true
}

func (f *fakeSite) Read(ctx context.Context, canon string, req sites.Request) (*sites.Item, error) {
	f.reads.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	if f.readURL != "" {
		art, err := req.Reader.ReadURL(ctx, f.readURL)
		if err != nil {
			return nil, err
		}
		art.Kind = extract.KindPaper
		return &sites.Item{Article: art}, nil
	}
	item := *f.item
	art := *item.Article
	item.Article = &art
	item.Moments = append([]sites.Moment(nil), item.Moments...)
	return &item, nil
}

// transcript is a caption text of three moments.
var transcript = []string{
	"Today we look at how the river bridge was approved by the council after twenty years of debate.",
	"The construction will cost forty one million dollars and is expected to start in March next year.",
	"Critics said the money should have gone to repairing the existing roads, which they call crumbling.",
}

func transcriptItem() *sites.Item {
	var text strings.Builder
	var moments []sites.Moment
	for i, line := range transcript {
		if i > 0 {
			text.WriteString("\n\n")
		}
		moments = append(moments, sites.Moment{Offset: text.Len(), URL: "https://video.test/v/abc?t=" + string(rune('1'+i)) + "0s"})
		text.WriteString(line)
	}
	// Enough words for a brief rather than the verbatim form.
	text.WriteString("\n\nThe mayor thanked residents for their patience and said the bridge would serve the town for a century to come.")
	return &sites.Item{
		Article: &extract.Article{Title: "Bridge video", Site: "VideoTest", Lang: "en", Text: text.String(), Kind: extract.KindVideo},
		Note:    "The video has no manual captions; these are automatic.",
		Moments: moments,
	}
}

func TestSiteCanonicalIsOneCacheEntry(t *testing.T) {
	site := &fakeSite{item: transcriptItem()}
	svc := New(&fakeFetcher{}, newMemCache(), Options{Sites: sites.Set{site}})
	b1, err := svc.Summarize(context.Background(), "https://video.test/short/abc", Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if b1.URL != "https://video.test/v/abc" || b1.Kind != extract.KindVideo {
		t.Errorf("brief url %q kind %q, want the canonical item URL and kind video", b1.URL, b1.Kind)
	}
	b2, err := svc.Summarize(context.Background(), "https://VIDEO.test/v/abc#x", Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if !b2.Cached || site.reads.Load() != 1 {
		t.Errorf("second form of the link: cached %v, adapter reads %d; want a cache hit and 1 read", b2.Cached, site.reads.Load())
	}
}

func TestSiteNoteAndMoments(t *testing.T) {
	site := &fakeSite{item: transcriptItem()}
	svc := New(&fakeFetcher{}, nil, Options{Sites: sites.Set{site}})
	b, err := svc.Summarize(context.Background(), "https://video.test/v/abc", Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if !strings.HasPrefix(b.Note, "The video has no manual captions") {
		t.Errorf("note = %q, want the adapter's note", b.Note)
	}
	if len(b.Claims) == 0 {
		t.Fatalf("no claims in %+v", b)
	}
	linked := 0
	for _, c := range b.Claims {
		for i, line := range transcript {
			if strings.Contains(line, c.Quote) {
				want := "https://video.test/v/abc?t=" + string(rune('1'+i)) + "0s"
				if c.URL != want {
					t.Errorf("claim %q: url %q, want %q", c.Quote, c.URL, want)
				}
				linked++
			}
		}
	}
	if linked == 0 {
		t.Errorf("no claim quoted the transcript: %+v", b.Claims)
	}
}

func TestSiteLinkedPageComesFirst(t *testing.T) {
	item := &sites.Item{
		Article: &extract.Article{Title: "Bridge thread", Site: "Forum", Kind: extract.KindDiscussion,
			Text: "Comments\n\nalice: i think it will be nice to have a safer way across the water soon.\n\nbob: the cost seems high but this is what taxes are for in the first place, honestly."},
		Linked: "https://news.test/story",
	}
	ff := &fakeFetcher{pages: map[string]string{"https://news.test/story": storyHTML}}
	svc := New(ff, newMemCache(), Options{MaxClaims: 2, Sites: sites.Set{&fakeSite{item: item}}})
	b, err := svc.Summarize(context.Background(), "https://video.test/v/t1", Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if b.Kind != extract.KindDiscussion || b.Title != "Bridge thread" {
		t.Errorf("kind %q title %q, want the thread's", b.Kind, b.Title)
	}
	fromThread := 0
	for _, c := range b.Claims {
		if strings.Contains(item.Article.Text, c.Quote) {
			fromThread++
		}
	}
	if fromThread == 0 || len(b.Claims) < 2 {
		t.Errorf("claims %+v, want the article's and at least one quoting the discussion", b.Claims)
	}
	art, err := svc.Ask(context.Background(), "https://video.test/v/t1", "What will it cost?")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(art.Text, "41.5 million") {
		t.Errorf("answer %q does not come from the linked article", art.Text)
	}

	// The linked page is down: the brief covers the thread and says so.
	item.Linked = "https://news.test/gone"
	b, err = svc.Summarize(context.Background(), "https://video.test/v/t2", Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if !strings.Contains(b.Note, "news.test") || !strings.Contains(b.Note, "discussion only") {
		t.Errorf("note = %q, want it to say the linked page was not read", b.Note)
	}
}

func TestSiteShortItemShownVerbatim(t *testing.T) {
	item := &sites.Item{Article: &extract.Article{Title: "Post by @ana", Byline: "Ana", Kind: extract.KindPost,
		Text: "The bridge vote is tonight at seven. Come and speak!"}}
	svc := New(&fakeFetcher{}, nil, Options{Sites: sites.Set{&fakeSite{item: item}}})
	b, err := svc.Summarize(context.Background(), "https://video.test/v/p", Request{})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if b.Summary != "“The bridge vote is tonight at seven. Come and speak!”" || b.Kind != extract.KindPost {
		t.Errorf("summary %q kind %q, want the post quoted and kind post", b.Summary, b.Kind)
	}
	if !strings.Contains(b.Note, "too short to summarize") || len(b.Claims) != 0 {
		t.Errorf("note %q claims %v, want a note and no claims", b.Note, b.Claims)
	}
}

func TestSiteFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("refusal is a sentence, no HTML path", func(t *testing.T) {
		ff := &fakeFetcher{pages: map[string]string{"https://video.test/v/x": storyHTML}}
		site := &fakeSite{err: &sites.Error{Site: "VideoTest", Reason: "VideoTest answered with a verification page instead of the video"}}
		svc := New(ff, nil, Options{Sites: sites.Set{site}})
		_, err := svc.Summarize(ctx, "https://video.test/v/x", Request{})
		if got := Explain(err); got != "VideoTest answered with a verification page instead of the video." {
			t.Errorf("Explain = %q (err %v)", got, err)
		}
		if ff.calls.Load() != 0 {
			t.Errorf("the HTML path was tried %d times after a refusal", ff.calls.Load())
		}
	})
	t.Run("fallback reads the web page and says so", func(t *testing.T) {
		ff := &fakeFetcher{pages: map[string]string{"https://video.test/v/x": storyHTML}}
		site := &fakeSite{err: &sites.Error{Site: "VideoTest", Reason: "the API answered 503", Fallback: true, Err: errors.New("boom")}}
		svc := New(ff, nil, Options{Sites: sites.Set{site}})
		b, err := svc.Summarize(ctx, "https://video.test/v/x", Request{})
		if err != nil {
			t.Fatalf("Summarize: %v", err)
		}
		if !strings.Contains(b.Note, "made from the web page") || !strings.Contains(b.Summary, "bridge") {
			t.Errorf("note %q summary %q, want the web page's brief with a note", b.Note, b.Summary)
		}
	})
	t.Run("fallback that fails too gives the adapter's sentence", func(t *testing.T) {
		site := &fakeSite{err: &sites.Error{Site: "VideoTest", Reason: "the API answered 503", Fallback: true}}
		svc := New(&fakeFetcher{}, nil, Options{Sites: sites.Set{site}})
		_, err := svc.Summarize(ctx, "https://video.test/v/x", Request{})
		if got := Explain(err); got != "The API answered 503." {
			t.Errorf("Explain = %q (err %v)", got, err)
		}
	})
	t.Run("an empty item is refused", func(t *testing.T) {
		site := &fakeSite{item: &sites.Item{Article: &extract.Article{Text: "  "}}}
		svc := New(&fakeFetcher{}, nil, Options{Sites: sites.Set{site}})
		if _, err := svc.Summarize(ctx, "https://video.test/v/x", Request{}); Explain(err) == "" {
			t.Errorf("err = %v, want a sentence", err)
		}
	})
	t.Run("off adapter claims its links", func(t *testing.T) {
		ff := &fakeFetcher{pages: map[string]string{"https://video.test/v/x": storyHTML}}
		svc := New(ff, nil, Options{Sites: sites.Set{sites.Off{Adapter: &fakeSite{}, Reason: "VideoTest links are not read: the adapter is off"}}})
		_, err := svc.Summarize(ctx, "https://video.test/v/x", Request{})
		if got := Explain(err); got != "VideoTest links are not read: the adapter is off." || ff.calls.Load() != 0 {
			t.Errorf("Explain = %q, fetches %d; want the sentence and no fetch", got, ff.calls.Load())
		}
	})
}

func TestSiteAdapterReadsThroughPipeline(t *testing.T) {
	ff := &fakeFetcher{pages: map[string]string{"https://papers.test/1.html": storyHTML}}
	svc := New(ff, nil, Options{Sites: sites.Set{&fakeSite{readURL: "https://papers.test/1.html"}}})
	art, canon, err := svc.Extract(context.Background(), "https://video.test/short/9")
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if canon != "https://video.test/v/9" || art.Kind != extract.KindPaper || !strings.Contains(art.Text, "41.5 million") {
		t.Errorf("canon %q kind %q text %.40q, want the page read through the pipeline", canon, art.Kind, art.Text)
	}
}

func TestSiteEstimateThenBriefReadsOnce(t *testing.T) {
	site := &fakeSite{item: transcriptItem()}
	model := &fakeLLM{summary: func(in llm.Input) (*llm.Summary, error) {
		return &llm.Summary{Summary: "A video about the bridge.", Claims: []llm.Claim{{Claim: "It costs money.", Quote: transcript[1]}}}, nil
	}}
	svc := New(&fakeFetcher{}, newMemCache(), Options{LLM: model, Model: "m", Sites: sites.Set{site}})
	ctx := context.Background()
	est, err := svc.Estimate(ctx, "https://video.test/short/abc", Request{Language: "de"})
	if err != nil || est <= 0 {
		t.Fatalf("Estimate = %d, %v; want a cost", est, err)
	}
	b, err := svc.Summarize(ctx, "https://video.test/short/abc", Request{Language: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if n := site.reads.Load(); n != 1 {
		t.Errorf("estimate and brief read the site %d times, want 1", n)
	}
	if len(b.Claims) != 1 || b.Claims[0].URL != "https://video.test/v/abc?t=20s" || !strings.HasPrefix(b.Note, "The video has no manual captions") {
		t.Errorf("brief claims %+v note %q, want the moment and the adapter's note", b.Claims, b.Note)
	}
	// A fresh brief reads the site again.
	if _, err := svc.Summarize(ctx, "https://video.test/v/abc", Request{Language: "de", NoCache: true}); err != nil {
		t.Fatal(err)
	}
	if n := site.reads.Load(); n != 2 {
		t.Errorf("a --no-cache brief: %d reads in all, want 2", n)
	}
}

func TestSiteShortItemNoteIsNotRepeated(t *testing.T) {
	item := &sites.Item{Note: "From the API.", Article: &extract.Article{Kind: extract.KindPost, Text: "Short post text here."}}
	svc := New(&fakeFetcher{}, nil, Options{Sites: sites.Set{&fakeSite{item: item}}})
	for i := range 2 {
		b, err := svc.Summarize(context.Background(), "https://video.test/v/p", Request{NoCache: i == 1})
		if err != nil {
			t.Fatal(err)
		}
		if b.Note != "From the API. It is too short to summarize, so it is shown as written." {
			t.Errorf("brief %d note = %q", i, b.Note)
		}
	}
}
