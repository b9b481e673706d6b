package extract

import (
	"bytes"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
)

// Article is the readable content of a page.
type Article struct {
	Title, Site, Byline string
	Published           time.Time // zero when unknown
	Lang                string    // BCP 47-ish code like "en", "" when unknown
	Text                string    // paragraphs separated by "\n\n"
	// Kind is the kind of source the text was read from: one of the
	// Kind constants; "" reads as KindArticle.
	Kind string
}

// Kinds of source, as they appear in a brief's "kind" (DESIGN.md §4).
const (
	KindArticle    = "article"
	KindPaper      = "paper"
	KindVideo      = "video"
	KindDiscussion = "discussion"
	KindRepository = "repository"
	KindPost       = "post"
)

// KindOrDefault returns a's Kind, or KindArticle when it is unset.
func (a *Article) KindOrDefault() string {
	if a.Kind == "" {
		return KindArticle
	}
	return a.Kind
}

// Options tunes extraction; the zero value means the defaults.
type Options struct {
	// MinWords is the fewest words an article may have; fewer give a
	// *NotArticleError of kind TooShort (or a more specific kind).
	// Zero means DefaultMinWords.
	MinWords int
}

// DefaultMinWords is the MinWords used when Options.MinWords is zero.
const DefaultMinWords = 60

// maxInput caps the bytes parsed; the fetcher caps bodies below this.
const maxInput = 8 << 20

func (o Options) minWords() int {
	if o.MinWords <= 0 {
		return DefaultMinWords
	}
	return o.MinWords
}

// FromHTML extracts the article from an HTML document (UTF-8). pageURL
// resolves relative links and feeds site-name heuristics; it may be "".
// A page without an article gives an error matching ErrNotArticle.
func FromHTML(body []byte, pageURL string, opts Options) (*Article, error) {
	if len(body) > maxInput {
		body = body[:maxInput]
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	doc, err := parse(slim(body))
	if err != nil {
		return nil, err
	}
	u := parsePageURL(pageURL)
	sig, core := prepare(doc)
	narrow(doc, core, sig.stray)
	art := extractDoc(doc, u, opts.minWords())
	if art.Published.IsZero() {
		art.Published = sig.published
	}
	if art.Published.IsZero() {
		art.Published = dateFromURL(u)
	}
	art.Byline = cleanByline(art.Byline)
	if art.Site == "" {
		art.Site = siteFromURL(u)
	}
	art.Title = trimSiteName(art.Title, art.Site)
	if kind, bad := classify(sig, art.Text, opts.minWords()); bad {
		return nil, &NotArticleError{Kind: kind}
	}
	return art, nil
}

// trimSiteName removes the site's name from a title that carries it after
// or before a separator, as <title> usually does ("Bridge approved |
// Riverton Gazette"): the site is reported apart.
func trimSiteName(title, site string) string {
	if site == "" || len(title) <= len(site) {
		return title
	}
	lt, ls := strings.ToLower(title), strings.ToLower(site)
	if len(lt) != len(title) || len(ls) != len(site) {
		return title // lower-casing changed byte offsets: leave it be
	}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " :: ", " · ", " • ", ": "} {
		if strings.HasSuffix(lt, sep+ls) {
			if t := strings.TrimSpace(title[:len(title)-len(sep)-len(site)]); len(t) >= 3 {
				return t
			}
		}
		if sep != ": " && strings.HasPrefix(lt, ls+sep) {
			if t := strings.TrimSpace(title[len(site)+len(sep):]); len(t) >= 3 {
				return t
			}
		}
	}
	return title
}

// parsePageURL returns pageURL when it is an absolute http(s) URL, else nil.
func parsePageURL(pageURL string) *url.URL {
	if pageURL == "" {
		return nil
	}
	u, err := url.Parse(pageURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}

// extractDoc runs the extraction proper on a cleaned tree: readeck with
// our own pruning. When readeck finds fewer than minWords words, the
// page's own text (the prose core that narrow left, or the whole body),
// pruned the same way, is the article when it is longer. (go-trafilatura
// was this fallback once; its texts never won on the dev sets, and its
// date parser's initialization cost every start-up 0.3 s and 78 MB.)
func extractDoc(doc *html.Node, u *url.URL, minWords int) *Article {
	art, ok := fastExtract(doc, u)
	if !ok {
		art = &Article{}
	}
	words := countWords(art.Text)
	if words >= minWords {
		return art
	}
	// readeck only tidied doc (scripts gone, <br> runs made paragraphs);
	// its passes work on copies, so doc is still the page.
	body := findElement(doc, "body", 3)
	if body == nil {
		return art
	}
	whole := cloneTree(body)
	pruneArticle(whole)
	if text := dropTitle(renderText(whole), art.Title); countWords(text) > words {
		art.Text = text
		art.Lang = detectLang(text, art.Lang)
	}
	return art
}

// cloneTree deep-copies n.
func cloneTree(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace, Attr: n.Attr}
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		c.AppendChild(cloneTree(k))
	}
	return c
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// clip collapses whitespace in a metadata value and caps its length.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// fastExtract is readeck with our own pruning of its article tree.
func fastExtract(doc *html.Node, u *url.URL) (*Article, bool) {
	ps := readabilityParser()
	rd, err := ps.ParseAndMutate(doc, u)
	if err != nil || rd.Node == nil {
		return nil, false
	}
	pruneArticle(rd.Node)
	art := &Article{
		Title:  clip(rd.Title()),
		Byline: clip(rd.Byline()),
		Site:   clip(rd.SiteName()),
	}
	art.Text = dropTitle(renderText(rd.Node), art.Title)
	art.Lang = detectLang(art.Text, rd.Language())
	if t, err := rd.PublishedTime(); err == nil {
		art.Published = t
	}
	return art, true
}

// dropTitle removes a first paragraph that repeats the title: the text is
// the article's body, and the title is reported apart.
func dropTitle(text, title string) string {
	if title == "" {
		return text
	}
	first, rest, ok := strings.Cut(text, "\n\n")
	if !ok {
		return text
	}
	f := strings.Join(strings.Fields(first), " ")
	if len(f) >= 8 && strings.HasPrefix(strings.ToLower(title), strings.ToLower(f)) {
		return rest
	}
	return text
}

// readabilityParser returns readeck's parser as the fast path uses it,
// with classes kept for pruneArticle. (Its CharThresholds stays at the
// default: readeck retries with looser rules when a pass yields less, and
// a single pass can settle on a page's footer.)
func readabilityParser() readability.Parser {
	ps := readability.NewParser()
	ps.KeepClasses = true
	return ps
}
