// Package sites reads links whose web page is not the text worth a brief:
// a YouTube video (its captions), a Reddit or Hacker News thread (the post
// and its comments), a GitHub repository, issue or pull request, an X
// post. Each site has an [Adapter] in a file of its own that turns the
// site's public API answer into the same extract.Article the HTML path
// makes, with its Kind, through the safe fetcher.
//
// The summarize.Service asks the adapters before the HTML path: the first
// whose Match accepts a URL gives the item's canonical URL (so that every
// form of a link is one cache entry) and reads it. An adapter may name a
// linked page for the Service to read through its normal pipeline (the
// article a Hacker News story points to), read other pages itself through
// a [Reader] (an arXiv paper's PDF), say something about what it read in
// Item.Note, and link places of its text (a video's moments).
package sites

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// Fetcher makes one request through the safe fetcher; *fetch.Client is
// the real one.
type Fetcher interface {
	Do(ctx context.Context, req fetch.Request) (*fetch.Page, error)
}

// Reader reads a web page or a PDF through the Service's normal pipeline
// (never through a site adapter) and returns its article.
type Reader interface {
	ReadURL(ctx context.Context, rawURL string) (*extract.Article, error)
}

// Adapter reads the items of one site.
type Adapter interface {
	// Name is the adapter's name in the config: "youtube", "reddit",
	// "hackernews", "github", "x".
	Name() string
	// Match reports whether u is an item of the site and returns the
	// item's canonical URL: the public address every form of the link
	// maps to ("https://youtu.be/ID" and
	// "https://m.youtube.com/watch?v=ID&t=5" give
	// "https://www.youtube.com/watch?v=ID").
	Match(u *url.URL) (string, bool)
	// Read reads the item at canon, a URL Match returned. A failure is
	// an *Error whose Reason a user can read.
	Read(ctx context.Context, canon string, req Request) (*Item, error)
}

// Request is what the Service gives an adapter's Read besides the URL.
type Request struct {
	// Reader reads other pages (HTML or PDF) through the normal
	// pipeline, for an adapter whose text lives on another page.
	Reader Reader
	// Language is the language the brief is wanted in, "" for the
	// item's own: a video's captions in it are preferred.
	Language string
}

// Item is what an adapter read.
type Item struct {
	// Article is the item's text and metadata, with its Kind set.
	Article *extract.Article
	// Note says what a reader of the brief should know about the text,
	// such as "The video has no captions, so this brief is made from its
	// description." Empty when there is nothing to say.
	Note string
	// Linked is the address of a page the item points to (a link post,
	// a story's article) that belongs in the brief: the Service reads it
	// through its pipeline and puts its text before the item's own.
	Linked string
	// Moments link places of Article.Text to the item (a caption's
	// moment in the video), sorted by Offset. A claim whose quote starts
	// in a moment's span carries that moment's URL.
	Moments []Moment
}

// Moment is a place in an item's text with its own link: the text from
// Offset (a byte offset in Article.Text) to the next moment's Offset.
type Moment struct {
	Offset int
	URL    string
}

// At returns the URL of the moment whose span holds byte offset off of
// the text, or "".
func At(moments []Moment, off int) string {
	url := ""
	for _, m := range moments {
		if m.Offset > off {
			break
		}
		url = m.URL
	}
	return url
}

// Error is why an adapter could not read an item.
type Error struct {
	// Site names the site for a user: "YouTube", "Reddit".
	Site string
	// Reason is one sentence a user can read, such as "Reddit answered
	// with a verification page instead of the thread".
	Reason string
	// Fallback is true when the item's own web page may be read through
	// the HTML path instead: the API failed (down, changed, rate limited)
	// and that page is known to hold the same text. It is false when the
	// page would be a block page, a script shell or player chrome.
	Fallback bool
	// Err is the cause, for logs.
	Err error
}

// Error returns the reason and its cause.
func (e *Error) Error() string {
	if e.Err == nil {
		return "sites: " + e.Reason
	}
	return "sites: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Set is the adapters the Service consults, in order.
type Set []Adapter

// Match returns the first adapter that accepts rawURL, with the item's
// canonical URL.
func (s Set) Match(rawURL string) (Adapter, string, bool) {
	if len(s) == 0 {
		return nil, "", false
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, "", false
	}
	for _, a := range s {
		if canon, ok := a.Match(u); ok {
			return a, canon, true
		}
	}
	return nil, "", false
}

// Off is an adapter that is turned off but still claims its links, so
// that they get a sentence saying why instead of the HTML path (which for
// X gives a script shell). Reason is that sentence.
type Off struct {
	Adapter
	Reason string
}

// ErrOff is the cause of every refusal by an Off adapter.
var ErrOff = errors.New("the site adapter is off")

// Read refuses with o.Reason.
func (o Off) Read(context.Context, string, Request) (*Item, error) {
	return nil, &Error{Site: o.Name(), Reason: o.Reason, Err: ErrOff}
}

// host returns u's host name, lower case, without a final dot and the
// "www." and "m." prefixes.
func host(u *url.URL) string {
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, p := range []string{"www.", "m.", "mobile."} {
		h = strings.TrimPrefix(h, p)
	}
	return h
}

// pathParts splits u's path into its non-empty segments.
func pathParts(u *url.URL) []string {
	var parts []string
	for p := range strings.SplitSeq(u.Path, "/") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

// endpoint joins an API base URL and a path ("/api/v1/items/1").
func endpoint(base, path string) string {
	return strings.TrimRight(base, "/") + path
}

// failure is an *Error for a request that went wrong: its reason names
// what was being read and what happened, in words a user can read.
func failure(site, what string, err error, fallback bool) *Error {
	return &Error{Site: site, Reason: fmt.Sprintf("%s could not be read from %s: %s", what, site, describe(err)), Fallback: fallback, Err: err}
}

// describe turns a fetch error into a phrase a user can read.
func describe(err error) string {
	var se *fetch.StatusError
	if errors.As(err, &se) {
		if se.RateLimited {
			return "its rate limit is used up for now, try again later"
		}
		return se.Error()
	}
	for _, known := range []error{
		fetch.ErrPrivateAddress, fetch.ErrPort, fetch.ErrScheme, fetch.ErrTooManyRedirects,
		fetch.ErrTooLarge, fetch.ErrContentType, fetch.ErrTimeout, fetch.ErrUnreachable, fetch.ErrBadURL,
	} {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	var se2 *shapeError
	if errors.As(err, &se2) {
		return "its answer was not in the expected shape"
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "the request was cut short"
	}
	return "the request failed"
}

// shapeError is an API answer that does not parse as expected: the site
// changed its API, or the answer is hostile.
type shapeError struct{ msg string }

func (e *shapeError) Error() string { return "unexpected answer: " + e.msg }

func badShape(format string, args ...any) error {
	return &shapeError{msg: fmt.Sprintf(format, args...)}
}

// Options configures an adapter; the zero value means the defaults.
type Options struct {
	// APIURL is the base URL of the site's API: a mirror, a self-hosted
	// front end, or a local fake in tests. "" is the site's own.
	APIURL string
	// Token authenticates to the API where the site accepts one (GitHub:
	// it only raises the rate limit). It is sent in a header and never
	// logged.
	Token string
}

func (o Options) base(def string) string {
	if o.APIURL == "" {
		return def
	}
	return strings.TrimRight(o.APIURL, "/")
}

// jsonTypes are the media types an API answer may declare.
var jsonTypes = []string{"application/json", "text/json", "text/javascript", "application/javascript"}

// getJSON makes req and decodes its JSON answer into v.
func getJSON(ctx context.Context, f Fetcher, req fetch.Request, v any) error {
	req.Types = append(req.Types, jsonTypes...)
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	page, err := f.Do(ctx, req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(page.Body, v); err != nil {
		return badShape("not JSON: %v", err)
	}
	return nil
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// paragraphs joins non-empty blocks with blank lines, each with its
// white space collapsed inside lines.
func paragraphs(blocks ...string) string {
	var out []string
	for _, b := range blocks {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return strings.Join(out, "\n\n")
}

// oneLine collapses all white space of s into single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
