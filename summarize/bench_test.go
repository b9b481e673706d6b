package summarize

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// sqliteCache adapts the store for benchmarks, as main does.
type sqliteCache struct{ st *store.DB }

func (c sqliteCache) Brief(ctx context.Context, key string) ([]byte, error) {
	b, err := c.st.GetBrief(ctx, key)
	if err != nil {
		return nil, ErrMiss
	}
	return b, nil
}

func (c sqliteCache) PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	return c.st.PutBrief(ctx, key, data, ttl)
}

func (c sqliteCache) Article(ctx context.Context, url string) (*extract.Article, error) {
	a, err := c.st.GetArticle(ctx, url)
	if err != nil {
		return nil, ErrMiss
	}
	return &extract.Article{Title: a.Title, Text: a.Text, Lang: a.Lang}, nil
}

func (c sqliteCache) PutArticle(ctx context.Context, url string, a *extract.Article, ttl time.Duration) error {
	return c.st.PutArticle(ctx, store.Article{URL: url, Title: a.Title, Text: a.Text, Lang: a.Lang}, ttl)
}

// benchPipeline serves the story page and a fake model on 127.0.0.1 and
// wires a Service to them through the real fetcher and llm client.
func benchPipeline(b *testing.B, c Cache) (*Service, string) {
	b.Helper()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, storyHTML)
	}))
	b.Cleanup(page.Close)
	model := llmtest.New(b)
	client, err := llm.New(llm.Options{BaseURL: model.URL(), Model: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	f := fetch.New(fetch.Options{AllowPrivateNetworks: true})
	s := New(f, c, Options{LLM: client, Model: "bench", Extract: extract.Options{MinWords: 20}})
	return s, page.URL + "/news/bridge"
}

// BenchmarkSummarizeCacheHit is the latency of a brief served from the
// cache: in memory, and from the SQLite store on disk.
func BenchmarkSummarizeCacheHit(b *testing.B) {
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	for _, bc := range []struct {
		name  string
		cache Cache
	}{{"memory", newMemCache()}, {"sqlite", sqliteCache{st}}} {
		b.Run(bc.name, func(b *testing.B) {
			s, u := benchPipeline(b, bc.cache)
			ctx := context.Background()
			if _, err := s.Summarize(ctx, u, Request{}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				br, err := s.Summarize(ctx, u, Request{})
				if err != nil || !br.Cached {
					b.Fatalf("not a cache hit: %v", err)
				}
			}
		})
	}
}

// BenchmarkSummarizePipeline is a full brief without the cache: fetch
// from a local page, extract, the llm client against the fake model
// (which answers at once), verify. It is the pipeline's own overhead.
func BenchmarkSummarizePipeline(b *testing.B) {
	s, u := benchPipeline(b, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		br, err := s.Summarize(ctx, u, Request{NoCache: true})
		if err != nil || br.Backend != BackendLLM {
			b.Fatalf("brief %v, %v", br, err)
		}
	}
}
