package sites

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// HackerNews reads an item and its whole comment tree in one call to the
// Hacker News search API (hn.algolia.com). A story's linked article is
// named for the Service to read, so the brief covers both.
type HackerNews struct {
	f    Fetcher
	base string
}

var _ Adapter = (*HackerNews)(nil)

// DefaultHackerNewsURL is the Hacker News search API base.
const DefaultHackerNewsURL = "https://hn.algolia.com"

// hnComments is how many top-level comments a brief reads, each with its
// first reply.
const hnComments = 12

// NewHackerNews returns the Hacker News adapter; opts.APIURL replaces
// https://hn.algolia.com.
func NewHackerNews(f Fetcher, opts Options) *HackerNews {
	return &HackerNews{f: f, base: opts.base(DefaultHackerNewsURL)}
}

// Name returns "hackernews".
func (h *HackerNews) Name() string { return "hackernews" }

var hnID = lazyRegexp(`^[1-9][0-9]{0,11}$`)

// Match accepts news.ycombinator.com/item?id=N; the canonical form is
// https://news.ycombinator.com/item?id=N.
func (h *HackerNews) Match(u *url.URL) (string, bool) {
	if host(u) != "news.ycombinator.com" || strings.TrimSuffix(u.Path, "/") != "/item" {
		return "", false
	}
	id := u.Query().Get("id")
	if !hnID().MatchString(id) {
		return "", false
	}
	return "https://news.ycombinator.com/item?id=" + id, true
}

// Read reads the item, its story text and its top comments.
func (h *HackerNews) Read(ctx context.Context, canon string, req Request) (*Item, error) {
	id := strings.TrimPrefix(canon, "https://news.ycombinator.com/item?id=")
	if !hnID().MatchString(id) {
		return nil, &Error{Site: "Hacker News", Reason: "that is not a Hacker News item link"}
	}
	page, err := h.f.Do(ctx, fetch.Request{
		URL:    h.base + "/api/v1/items/" + id,
		Header: http.Header{"Accept": {"application/json"}},
		Types:  jsonTypes,
	})
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) && se.Code == http.StatusNotFound {
			return nil, &Error{Site: "Hacker News", Reason: "Hacker News has no such item", Err: err}
		}
		// news.ycombinator.com serves plain HTML that the HTML path reads.
		return nil, failure("Hacker News", "The item", err, true)
	}
	it, err := parseHN(page.Body)
	if err != nil {
		return nil, failure("Hacker News", "The item", err, true)
	}
	if jsonID(it.ID) != id {
		return nil, failure("Hacker News", "The item", badShape("answer for item %q, asked %q", clip(jsonID(it.ID), 20), id), true)
	}
	return it.item()
}

// hnItem is a node of the item tree.
type hnItem struct {
	ID       json.Number `json:"id"`
	Type     string      `json:"type"`
	Author   string      `json:"author"`
	Title    string      `json:"title"`
	URL      string      `json:"url"`
	Text     string      `json:"text"`
	Created  string      `json:"created_at"`
	Children []*hnItem   `json:"children"`
}

func jsonID(n json.Number) string { return string(n) }

// parseHN decodes an item answer.
func parseHN(data []byte) (*hnItem, error) {
	var it hnItem
	if err := json.Unmarshal(data, &it); err != nil {
		return nil, badShape("not an item: %v", err)
	}
	if it.ID == "" {
		return nil, badShape("no item id")
	}
	return &it, nil
}

// size counts the comments under it, bounded by depth so that a hostile
// tree costs little.
func (it *hnItem) size(depth int) int {
	if depth > 50 {
		return 0
	}
	n := 0
	for _, c := range it.Children {
		if c != nil {
			n += 1 + c.size(depth+1)
		}
	}
	return n
}

// item turns the tree into the Article: the story's own text, then the
// most discussed top-level comments, each "author: text", with their
// first reply.
func (it *hnItem) item() (*Item, error) {
	art := &extract.Article{Title: oneLine(it.Title), Site: "Hacker News", Byline: oneLine(it.Author), Kind: extract.KindDiscussion}
	if t, err := time.Parse(time.RFC3339, it.Created); err == nil {
		art.Published = t
	}
	var parts []string
	if it.Type == "comment" {
		if art.Title == "" && art.Byline != "" {
			art.Title = "Comment by " + art.Byline + " on Hacker News"
		}
		if t := htmlText(it.Text); t != "" {
			parts = append(parts, art.Byline+": "+t)
		}
	} else if t := htmlText(it.Text); t != "" {
		parts = append(parts, t)
	}
	var top []*hnItem
	for _, c := range it.Children {
		if c != nil && c.Author != "" && htmlText(c.Text) != "" {
			top = append(top, c)
		}
	}
	sizes := make(map[*hnItem]int, len(top))
	for _, c := range top {
		sizes[c] = c.size(0)
	}
	sort.SliceStable(top, func(i, j int) bool { return sizes[top[i]] > sizes[top[j]] })
	if len(top) > hnComments {
		top = top[:hnComments]
	}
	if len(top) > 0 {
		parts = append(parts, "Comments")
	}
	for _, c := range top {
		parts = append(parts, oneLine(c.Author)+": "+htmlText(c.Text))
		for _, r := range c.Children {
			if r != nil && r.Author != "" {
				if t := htmlText(r.Text); t != "" {
					parts = append(parts, oneLine(r.Author)+" (reply): "+t)
					break
				}
			}
		}
	}
	art.Text = paragraphs(parts...)
	item := &Item{Article: art}
	if u, err := url.Parse(it.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		item.Linked = u.String()
	}
	if art.Text == "" && item.Linked == "" {
		return nil, &Error{Site: "Hacker News", Reason: "the Hacker News item has no text, link or comments to summarize"}
	}
	if art.Text == "" {
		art.Text = art.Title
	}
	return item, nil
}

// htmlText is the text of an HTML fragment (a comment) on one line:
// tags dropped, entities decoded, code blocks left out.
func htmlText(fragment string) string {
	if strings.TrimSpace(fragment) == "" {
		return ""
	}
	fragment = clip(fragment, 256<<10)
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	inPre := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return oneLine(b.String())
		case html.TextToken:
			if inPre == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "pre":
				inPre++
			case "p", "br", "li", "div":
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "pre" && inPre > 0 {
				inPre--
			}
		}
	}
}
