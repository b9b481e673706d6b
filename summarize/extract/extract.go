package extract

import (
	"bytes"
	"log/slog"
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
	slimmed := slim(body)
	doc, err := parse(slimmed)
	if err != nil {
		return nil, err
	}
	u := parsePageURL(pageURL)
	head := readHeadTitles(doc)
	forum := forumPath(u)
	reveal := -1
	sig, core := prepare(doc, reveal, forum, false)
	if sig.reveal >= 0 {
		// The page's content waits hidden for a script: read it shown.
		if doc, err = parse(slimmed); err != nil {
			return nil, err
		}
		reveal = sig.reveal
		sig, core = prepare(doc, reveal, forum, false)
	}
	if homePage(u) && !onePost(doc, sig) {
		// A site's home page points to its articles and is none of them,
		// unless the site is one page holding one article.
		return nil, &NotArticleError{Kind: ListOfLinks}
	}
	if (sig.listMark || listingPath(u)) && !sig.forumMark && !forum {
		// Declared a collection or search results, or at the address of
		// a shop's collection or a blog's archive: a list of links,
		// whatever blurb of prose it carries.
		return nil, &NotArticleError{Kind: ListOfLinks}
	}
	narrow(doc, core, sig.stray)
	art := extractDoc(doc, u, opts.minWords(), core != nil)
	if smallPrint(art.Text, sig.legal) {
		// What was read is the page's legal small print: read the page
		// again without it.
		if doc, err = parse(slimmed); err != nil {
			return nil, err
		}
		sig, core = prepare(doc, reveal, forum, true)
		narrow(doc, core, sig.stray)
		art = extractDoc(doc, u, opts.minWords(), core != nil)
	}
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
	art.Title = trimSiteName(pickTitle(art.Title, head, art.Site, u), art.Site)
	art.Text = dropTitle(art.Text, art.Title)
	if art.Title == "" {
		// Minimal HTML: a headline in a paragraph of its own at the top.
		art.Title, art.Text = leadHeading(art.Text)
	}
	sig.forumMark = sig.forumMark || forum
	if kind, bad := classify(sig, art.Text, opts.minWords()); bad {
		return nil, &NotArticleError{Kind: kind}
	}
	if sig.forumMark {
		art.Kind = KindDiscussion
	}
	return art, nil
}

// onePost reports whether a page (its home page) holds one article that
// is most of its text, as a one-post blog's home does; a product's home
// page with one <article> card among its sections does not.
func onePost(doc *html.Node, sig signals) bool {
	if sig.articles != 1 {
		return false
	}
	body := findElement(doc, "body", 3)
	art := findElement(doc, "article", 64)
	if body == nil || art == nil {
		return false
	}
	stats := make(map[*html.Node]nodeStats)
	all := measure(body, stats, false)
	return stats[art].chars*2 >= all.chars
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
	for _, sep := range titleSeparators {
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
// our own pruning, checked against the page's prose. readeck keeps a block
// with its siblings only, so on pages whose sections a page builder nests
// apart (or whose first section is short) it keeps one section. When
// narrow found a prose core (the page is narrowed to it) and the text
// readeck left out of the article element it read from is prose rather
// than links, and holds more than readeck kept, that whole element,
// pruned, is the article. When readeck finds fewer than minWords words,
// the page's own pruned text is, when longer. (go-trafilatura was that
// fallback once; its texts never won on the dev sets, and its date
// parser's initialization cost every start-up 0.3 s and 78 MB.)
func extractDoc(doc *html.Node, u *url.URL, minWords int, narrowed bool) *Article {
	art, ok := fastExtract(doc, u)
	if !ok {
		art = &Article{}
	}
	words := countWords(art.Text)
	if words >= minWords && !narrowed {
		return art
	}
	// readeck only tidied doc (scripts gone, <br> runs made paragraphs);
	// its passes work on copies, so doc is still the page.
	region := findElement(doc, "body", 3)
	if region == nil {
		return art
	}
	if words >= minWords {
		// readeck settled on part of the page's prose. The rest is more
		// of the article when it lies in the same article element and is
		// prose, not links.
		region = articleElement(region, art.Text)
		if region == nil || !proseAdded(region, art.Text) {
			return art
		}
	}
	whole := cloneTree(region)
	pruneArticle(whole)
	text := dropTitle(renderText(whole), art.Title)
	if w := countWords(text); (words < minWords && w > words) || w > 2*words {
		art.Text = text
		art.Lang = detectLang(text, art.Lang)
	}
	return art
}

// articleElement returns the element of the page (under body) that holds
// the article readeck read a part of (text): the nearest article, main or
// articleBody element around its longest paragraph, or body itself when
// there is none; nil when the paragraph is not found.
func articleElement(body *html.Node, text string) *html.Node {
	longest := ""
	for _, p := range strings.Split(text, "\n\n") {
		if len(p) > len(longest) {
			longest = p
		}
	}
	longest = strings.Join(strings.Fields(longest), " ")
	if len(longest) < 80 {
		return nil
	}
	var at *html.Node
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				t := strings.Join(strings.Fields(c.Data), " ")
				if len(t) >= 40 && strings.Contains(longest, t) {
					at = c
					return true
				}
			}
			if c.Type == html.ElementNode && walk(c) {
				return true
			}
		}
		return false
	}
	if !walk(body) {
		return nil
	}
	for n := at.Parent; n != nil && n != body; n = n.Parent {
		if n.Type == html.ElementNode && (n.Data == "article" || n.Data == "main" ||
			attr(n, "role") == "main" || strings.EqualFold(attr(n, "itemprop"), "articleBody")) {
			return n
		}
	}
	return body
}

// proseAdded reports whether the blocks of root that text lacks read as
// more of the article: prose, little of it in links. Teaser lists of other
// articles ("More from...", "Most viewed"), where each item is a linked
// headline, a date and an excerpt, do not.
func proseAdded(root *html.Node, text string) bool {
	have := make(map[string]bool)
	for _, p := range strings.Split(text, "\n\n") {
		have[strings.Join(strings.Fields(p), " ")] = true
	}
	var chars, links, pChars, pLinks int
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if blockTags[c.Data] && !hasBlockChild(c) {
				t := strings.Join(strings.Fields(renderText(c)), " ")
				if t != "" && !have[t] {
					l := linkText(c)
					chars += len(t)
					links += l
					if c.Data == "p" && len(t) >= proseRun && c.Parent != nil && c.Parent.Data != "li" {
						pChars += len(t)
						pLinks += l
					}
				}
				continue
			}
			walk(c)
		}
	}
	walk(root)
	// Paragraphs of the article's own prose outweigh its lists of
	// links (a changelog's patch titles); a teaser list's excerpts are
	// items of a list, not paragraphs between them.
	return links*4 < chars || (pChars >= minAddedProse && pLinks*4 < pChars && pChars*3 >= chars)
}

// minAddedProse is the paragraph text (bytes) that, left out by readeck
// beside links, still reads as more of the article.
const minAddedProse = 1000

// hasBlockChild reports whether n holds a block element.
func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (blockTags[c.Data] || hasBlockChild(c)) {
			return true
		}
	}
	return false
}

// linkText is the length of the text inside links under n.
func linkText(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.ElementNode && c.Data == "a":
			k += len(strings.Join(strings.Fields(renderText(c)), " "))
		case c.Type == html.ElementNode:
			k += linkText(c)
		}
	}
	return k
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
// with classes kept for pruneArticle and its log off. (Its CharThresholds
// stays at the default: readeck retries with looser rules when a pass
// yields less, and a single pass can settle on a page's footer.) Its
// default logger formats Info records for io.Discard, taking a stack
// trace for each.
func readabilityParser() readability.Parser {
	ps := readability.NewParser()
	ps.KeepClasses = true
	ps.Logger = slog.New(slog.DiscardHandler)
	return ps
}
