// Package briefcache lets a store.Store serve as the pipeline's cache of
// briefs and article texts (summarize.Cache). It is the one place that
// knows both the store's plain values and the pipeline's types, so that
// neither package has to import the other.
package briefcache

import (
	"context"
	"errors"
	"time"

	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/extract"
)

// Storage is the part of the store a Cache uses; store.Store has it.
type Storage interface {
	GetBrief(ctx context.Context, key string) ([]byte, error)
	PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error
	GetArticle(ctx context.Context, url string) (store.Article, error)
	PutArticle(ctx context.Context, a store.Article, ttl time.Duration) error
}

// Cache is a summarize.Cache kept in a store.
type Cache struct{ st Storage }

var _ summarize.Cache = (*Cache)(nil)

// New returns a Cache kept in st.
func New(st Storage) *Cache { return &Cache{st: st} }

// Brief returns the brief stored under key, or summarize.ErrMiss.
func (c *Cache) Brief(ctx context.Context, key string) ([]byte, error) {
	b, err := c.st.GetBrief(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, summarize.ErrMiss
	}
	return b, err
}

// PutBrief stores a brief under key for ttl.
func (c *Cache) PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	return c.st.PutBrief(ctx, key, data, ttl)
}

// Article returns the article stored for url, or summarize.ErrMiss.
func (c *Cache) Article(ctx context.Context, url string) (*extract.Article, error) {
	a, err := c.st.GetArticle(ctx, url)
	if errors.Is(err, store.ErrNotFound) {
		return nil, summarize.ErrMiss
	}
	if err != nil {
		return nil, err
	}
	return &extract.Article{Title: a.Title, Site: a.Site, Byline: a.Byline, Published: a.Published, Lang: a.Lang, Text: a.Text, Kind: a.Kind}, nil
}

// PutArticle stores the article of url for ttl.
func (c *Cache) PutArticle(ctx context.Context, url string, a *extract.Article, ttl time.Duration) error {
	return c.st.PutArticle(ctx, store.Article{
		URL: url, Title: a.Title, Site: a.Site, Byline: a.Byline, Lang: a.Lang, Text: a.Text, Published: a.Published, Kind: a.Kind,
	}, ttl)
}
