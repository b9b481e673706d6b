package briefcache

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/extract"
)

func TestCacheRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := New(st)
	if _, err := c.Brief(ctx, "k"); !errors.Is(err, summarize.ErrMiss) {
		t.Errorf("Brief of an empty store: %v, want ErrMiss", err)
	}
	if _, err := c.Article(ctx, "https://x.example/"); !errors.Is(err, summarize.ErrMiss) {
		t.Errorf("Article of an empty store: %v, want ErrMiss", err)
	}
	if err := c.PutBrief(ctx, "k", []byte(`{"summary":"s"}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if b, err := c.Brief(ctx, "k"); err != nil || string(b) != `{"summary":"s"}` {
		t.Errorf("Brief = %q, %v", b, err)
	}
	pub := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	in := &extract.Article{Title: "T", Site: "S", Byline: "B", Published: pub, Lang: "en", Text: "one\n\ntwo"}
	if err := c.PutArticle(ctx, "https://x.example/", in, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := c.Article(ctx, "https://x.example/")
	if err != nil || *got != *in {
		t.Errorf("Article = %+v, %v; want %+v", got, err, in)
	}
}
