package sites

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// X reads a post on X (Twitter) through the FxTwitter API, a third party
// that then sees the link: it is off unless the config turns it on.
type X struct {
	f    Fetcher
	base string
}

var _ Adapter = (*X)(nil)

// DefaultXURL is the FxTwitter API base.
const DefaultXURL = "https://api.fxtwitter.com"

// XOffReason is the sentence for an X link while the adapter is off.
const XOffReason = "Linkbrief does not read X posts here: that needs a third party (FxTwitter) to see the link, " +
	"so it is off unless the bot's admin turns it on with [sources.x] enabled = true"

// NewX returns the X adapter; opts.APIURL replaces
// https://api.fxtwitter.com.
func NewX(f Fetcher, opts Options) *X {
	return &X{f: f, base: opts.base(DefaultXURL)}
}

// Name returns "x".
func (x *X) Name() string { return "x" }

var xID = lazyRegexp(`^[0-9]{1,20}$`)

// Match accepts status links of x.com, twitter.com (www., mobile.),
// fxtwitter.com, vxtwitter.com, fixupx.com and fixvx.com:
// /USER/status/ID and /i/status/ID, with anything after the ID; the
// canonical form is https://x.com/i/status/ID.
func (x *X) Match(u *url.URL) (string, bool) {
	switch host(u) {
	case "x.com", "twitter.com", "fxtwitter.com", "vxtwitter.com", "fixupx.com", "fixvx.com":
	default:
		return "", false
	}
	parts := pathParts(u)
	for i := 1; i+1 < len(parts) && i <= 2; i++ {
		if parts[i] == "status" || parts[i] == "statuses" {
			if id := parts[i+1]; xID().MatchString(id) {
				return "https://x.com/i/status/" + id, true
			}
		}
	}
	return "", false
}

// Read reads the post, and the post it quotes.
func (x *X) Read(ctx context.Context, canon string, req Request) (*Item, error) {
	id := strings.TrimPrefix(canon, "https://x.com/i/status/")
	if !xID().MatchString(id) {
		return nil, &Error{Site: "X", Reason: "that is not an X post link"}
	}
	page, err := x.f.Do(ctx, fetch.Request{
		URL:    x.base + "/status/" + id,
		Header: http.Header{"Accept": {"application/json"}},
		Types:  jsonTypes,
	})
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) {
			switch se.Code {
			case http.StatusNotFound:
				return nil, &Error{Site: "X", Reason: "the X post does not exist or was deleted", Err: err}
			case http.StatusUnauthorized, http.StatusForbidden:
				return nil, &Error{Site: "X", Reason: "the X post is private", Err: err}
			}
		}
		return nil, failure("FxTwitter", "The X post", err, false)
	}
	ans, err := parseFx(page.Body)
	if err != nil {
		return nil, failure("FxTwitter", "The X post", err, false)
	}
	if ans.Code != 200 || ans.Tweet == nil {
		return nil, &Error{Site: "X", Reason: "FxTwitter could not get the X post (" + clip(oneLine(ans.Message), 60) + ")"}
	}
	if ans.Tweet.ID != id {
		return nil, failure("FxTwitter", "The X post", badShape("answer for post %q, asked %q", clip(ans.Tweet.ID, 24), id), false)
	}
	return ans.Tweet.item()
}

// fxAnswer is FxTwitter's /status/ID answer.
type fxAnswer struct {
	Code    int      `json:"code"`
	Message string   `json:"message"`
	Tweet   *fxTweet `json:"tweet"`
}

type fxTweet struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Lang    string `json:"lang"`
	Created int64  `json:"created_timestamp"`
	Author  struct {
		Name       string `json:"name"`
		ScreenName string `json:"screen_name"`
	} `json:"author"`
	Quote   *fxTweet `json:"quote"`
	Article *struct {
		Title   string `json:"title"`
		Preview string `json:"preview_text"`
		Content struct {
			Blocks []struct {
				Text string `json:"text"`
			} `json:"blocks"`
		} `json:"content"`
	} `json:"article"`
}

// parseFx decodes an FxTwitter answer.
func parseFx(data []byte) (*fxAnswer, error) {
	var a fxAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, badShape("not JSON: %v", err)
	}
	return &a, nil
}

func (t *fxTweet) who() string {
	name, handle := oneLine(t.Author.Name), oneLine(t.Author.ScreenName)
	switch {
	case name != "" && handle != "":
		return name + " (@" + handle + ")"
	case handle != "":
		return "@" + handle
	}
	return name
}

// item is the post's text (an X article's blocks when it is one), then
// the post it quotes.
func (t *fxTweet) item() (*Item, error) {
	art := &extract.Article{Site: "X", Byline: t.who(), Kind: extract.KindPost}
	if art.Byline != "" {
		art.Title = "Post by " + art.Byline
	}
	if t.Created > 0 && t.Created < 1e11 {
		art.Published = time.Unix(t.Created, 0).UTC()
	}
	if l := strings.ToLower(t.Lang); l != "" && l != "und" && l != "zxx" && l != "qme" && l != "qst" {
		art.Lang = baseLang(l)
	}
	parts := []string{strings.TrimSpace(t.Text)}
	if a := t.Article; a != nil {
		if title := oneLine(a.Title); title != "" {
			art.Title = title
		}
		var blocks []string
		for _, b := range a.Content.Blocks {
			blocks = append(blocks, b.Text)
		}
		if body := paragraphs(blocks...); body != "" {
			parts = []string{body}
		} else if p := strings.TrimSpace(a.Preview); p != "" {
			parts = append(parts, p)
		}
	}
	if q := t.Quote; q != nil && strings.TrimSpace(q.Text) != "" {
		parts = append(parts, "Quoting "+q.who()+": "+strings.TrimSpace(q.Text))
	}
	art.Text = clip(paragraphs(parts...), 256<<10)
	if art.Text == "" {
		return nil, &Error{Site: "X", Reason: "the X post has no text to summarize (only images or video)"}
	}
	return &Item{Article: art}, nil
}
