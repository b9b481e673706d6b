package sites

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// Reddit reads a thread (the post and its top comments) from the JSON
// form of its page.
type Reddit struct {
	f    Fetcher
	base string
}

var _ Adapter = (*Reddit)(nil)

// DefaultRedditURL is the Reddit API base.
const DefaultRedditURL = "https://www.reddit.com"

// redditComments is how many top-level comments a brief reads, each
// with its best reply.
const redditComments = 12

// NewReddit returns the Reddit adapter; opts.APIURL replaces
// https://www.reddit.com.
func NewReddit(f Fetcher, opts Options) *Reddit {
	return &Reddit{f: f, base: opts.base(DefaultRedditURL)}
}

// Name returns "reddit".
func (r *Reddit) Name() string { return "reddit" }

var redditID = lazyRegexp(`^[a-z0-9]{1,13}$`)

// Match accepts reddit.com/r/SUB/comments/ID/… (www., old., new., np.,
// m.), reddit.com/comments/ID and redd.it/ID; the canonical form is
// https://www.reddit.com/comments/ID.
func (r *Reddit) Match(u *url.URL) (string, bool) {
	parts := pathParts(u)
	id := ""
	switch host(u) {
	case "redd.it":
		if len(parts) == 1 {
			id = parts[0]
		}
	case "reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com":
		for i := 0; i+1 < len(parts); i++ {
			if parts[i] == "comments" && (i == 0 || (i == 2 && (parts[0] == "r" || parts[0] == "u" || parts[0] == "user"))) {
				id = parts[i+1]
				break
			}
		}
	}
	id = strings.ToLower(id)
	if !redditID().MatchString(id) {
		return "", false
	}
	return "https://www.reddit.com/comments/" + id, true
}

// Read reads the post and its top comments. A link post names its link,
// which the Service reads too.
func (r *Reddit) Read(ctx context.Context, canon string, req Request) (*Item, error) {
	id := strings.TrimPrefix(canon, "https://www.reddit.com/comments/")
	if !redditID().MatchString(id) {
		return nil, &Error{Site: "Reddit", Reason: "that is not a Reddit thread link"}
	}
	page, err := r.f.Do(ctx, fetch.Request{
		URL:    r.base + "/comments/" + id + ".json?raw_json=1&sort=top&limit=" + strconv.Itoa(redditComments*2) + "&depth=2",
		Header: http.Header{"Accept": {"application/json"}},
		Types:  jsonTypes,
	})
	if err != nil {
		return nil, redditFailure(err)
	}
	if page.ContentType == "text/html" || looksHTML(page.Body) {
		return nil, &Error{Site: "Reddit", Reason: "Reddit answered with " + blockPageKind(page.Body) + " instead of the thread, so it is not summarized"}
	}
	th, err := parseReddit(page.Body)
	if err != nil {
		return nil, failure("Reddit", "The thread", err, false)
	}
	if th.post.ID != id {
		return nil, failure("Reddit", "The thread", badShape("answer for post %q, asked %q", clip(th.post.ID, 20), id), false)
	}
	return th.item()
}

// redditFailure words a failed request; Reddit refuses many servers
// outright with 403.
func redditFailure(err error) error {
	var se *fetch.StatusError
	if errors.As(err, &se) {
		switch {
		case se.RateLimited:
		case se.Code == http.StatusForbidden:
			return &Error{Site: "Reddit", Reason: "Reddit refused to show the thread to Linkbrief (it blocks many servers), so it is not summarized", Err: err}
		case se.Code == http.StatusNotFound:
			return &Error{Site: "Reddit", Reason: "Reddit has no such thread", Err: err}
		}
	}
	if errors.Is(err, fetch.ErrContentType) {
		return &Error{Site: "Reddit", Reason: "Reddit answered with something other than the thread, so it is not summarized", Err: err}
	}
	return failure("Reddit", "The thread", err, false)
}

func looksHTML(b []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(b[:min(len(b), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) || bytes.Contains(head, []byte("<head"))
}

// blockPageKind names the page Reddit sent instead of its JSON.
func blockPageKind(b []byte) string {
	low := strings.ToLower(string(b[:min(len(b), 64<<10)]))
	switch {
	case strings.Contains(low, "verification") || strings.Contains(low, "prove your humanity") || strings.Contains(low, "are you a robot"):
		return "a verification page"
	case strings.Contains(low, "blocked") || strings.Contains(low, "whoa there"):
		return "a block page"
	case strings.Contains(low, "log in") || strings.Contains(low, "login") || strings.Contains(low, "sign in"):
		return "a login page"
	}
	return "a web page"
}

// redditThread is a parsed thread.
type redditThread struct {
	post     redditPost
	comments []redditComment
}

type redditPost struct {
	ID        string  `json:"id"`
	Title     string  `json:"title"`
	Selftext  string  `json:"selftext"`
	Author    string  `json:"author"`
	Subreddit string  `json:"subreddit_name_prefixed"`
	Created   float64 `json:"created_utc"`
	URL       string  `json:"url"`
	IsSelf    bool    `json:"is_self"`
	PostHint  string  `json:"post_hint"`
	IsVideo   bool    `json:"is_video"`
	Removed   string  `json:"removed_by_category"`
}

type redditComment struct {
	author, body string
	score        int
	reply        *redditComment
}

// redditThing is one node of a listing.
type redditThing struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

type redditListing struct {
	Data struct {
		Children []redditThing `json:"children"`
	} `json:"data"`
}

type redditCommentData struct {
	Author   string          `json:"author"`
	Body     string          `json:"body"`
	Score    float64         `json:"score"`
	Stickied bool            `json:"stickied"`
	Replies  json.RawMessage `json:"replies"`
}

// parseReddit reads the [post listing, comment listing] pair.
func parseReddit(data []byte) (*redditThread, error) {
	var pair []redditListing
	if err := json.Unmarshal(data, &pair); err != nil {
		return nil, badShape("not a listing pair: %v", err)
	}
	if len(pair) != 2 || len(pair[0].Data.Children) == 0 || pair[0].Data.Children[0].Kind != "t3" {
		return nil, badShape("no post in the answer")
	}
	th := &redditThread{}
	if err := json.Unmarshal(pair[0].Data.Children[0].Data, &th.post); err != nil {
		return nil, badShape("post: %v", err)
	}
	for _, c := range pair[1].Data.Children {
		if len(th.comments) == redditComments {
			break
		}
		cm, ok := redditCommentOf(c, true)
		if ok {
			th.comments = append(th.comments, cm)
		}
	}
	return th, nil
}

// redditCommentOf reads a t1 node, and with withReply its best reply.
func redditCommentOf(t redditThing, withReply bool) (redditComment, bool) {
	if t.Kind != "t1" {
		return redditComment{}, false
	}
	var d redditCommentData
	if err := json.Unmarshal(t.Data, &d); err != nil || d.Stickied {
		return redditComment{}, false
	}
	body := strings.TrimSpace(d.Body)
	if body == "" || body == "[deleted]" || body == "[removed]" || d.Author == "AutoModerator" {
		return redditComment{}, false
	}
	c := redditComment{author: d.Author, body: body, score: clampInt(d.Score)}
	if withReply && len(d.Replies) > 0 && d.Replies[0] == '{' {
		var l redditListing
		if json.Unmarshal(d.Replies, &l) == nil {
			for _, r := range l.Data.Children {
				if rc, ok := redditCommentOf(r, false); ok {
					c.reply = &rc
					break
				}
			}
		}
	}
	return c, true
}

func clampInt(f float64) int {
	if f != f || math.IsInf(f, 0) {
		return 0
	}
	return int(max(-1e9, min(1e9, f)))
}

// item turns a thread into the Article: the post's text, then its
// comments, each "u/name: text".
func (th *redditThread) item() (*Item, error) {
	p := th.post
	if p.Removed != "" && len(th.comments) == 0 {
		return nil, &Error{Site: "Reddit", Reason: "the Reddit post was removed and has no comments to summarize"}
	}
	art := &extract.Article{
		Title: oneLine(p.Title),
		Site:  "Reddit",
		Kind:  extract.KindDiscussion,
	}
	if p.Author != "" {
		art.Byline = "u/" + oneLine(p.Author)
	}
	if sub := oneLine(p.Subreddit); sub != "" {
		art.Site = "Reddit · " + sub
	}
	if p.Created > 0 && p.Created < 1e11 {
		art.Published = time.Unix(int64(p.Created), 0).UTC()
	}
	var parts []string
	if self := strings.TrimSpace(p.Selftext); self != "" && self != "[removed]" && self != "[deleted]" {
		parts = append(parts, markdownText(self))
	}
	if len(th.comments) > 0 {
		parts = append(parts, "Comments")
		for _, c := range th.comments {
			parts = append(parts, "u/"+oneLine(c.author)+": "+oneLine(markdownText(c.body)))
			if c.reply != nil {
				parts = append(parts, "u/"+oneLine(c.reply.author)+" (reply): "+oneLine(markdownText(c.reply.body)))
			}
		}
	}
	art.Text = paragraphs(parts...)
	item := &Item{Article: art}
	if link := redditLink(p); link != "" {
		item.Linked = link
	} else if !p.IsSelf && (p.IsVideo || strings.HasPrefix(p.PostHint, "image") || strings.Contains(p.PostHint, "video")) {
		item.Note = "The post is an image or a video; this brief covers its title and comments."
	}
	if art.Text == "" {
		art.Text = art.Title
	}
	return item, nil
}

// redditLink is the article a link post points to, or "" for a text
// post and for images and videos, which have no text to read.
func redditLink(p redditPost) string {
	if p.IsSelf || p.IsVideo || strings.HasPrefix(p.PostHint, "image") || strings.Contains(p.PostHint, "video") {
		return ""
	}
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	switch host(u) {
	case "reddit.com", "old.reddit.com", "i.redd.it", "v.redd.it", "preview.redd.it", "i.imgur.com", "imgur.com", "redd.it":
		return ""
	}
	return u.String()
}
