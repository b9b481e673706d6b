package extract

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// signals are cheap facts about the raw page, gathered in one walk before
// cleaning, that tell the kinds of non-article pages apart.
type signals struct {
	published   time.Time       // from <time datetime> or itemprop=datePublished
	scripts     int             // <script> elements other than JSON-LD
	images      int             // <img> elements
	passwords   int             // password inputs
	appRoot     bool            // an empty single-page-app mount point (#root, #app, #__next...)
	jsNotice    bool            // a <noscript> asking for JavaScript
	consentMark bool            // a consent-manager element (class, id) on the page
	paywallMark bool            // a paywall element, or JSON-LD isAccessibleForFree false
	loginMark   bool            // a login form
	rawText     string          // raw text of the page, capped
	chars       int             // trimmed length of the text left after cleaning
	reveal      int             // the ordinal of a hidden element holding the page's content, or -1
	forumMark   bool            // structured data declares a forum thread or a Q&A page
	listMark    bool            // structured data declares a collection or search results (collectionType)
	legal       map[string]bool // lines of legal small print outside the article (prepare)
	articles    int             // <article> elements
	teasers     float64         // the share of the page's text in lists of teasers (teaserShare)

	// stray are metadata elements (title, named meta, JSON-LD) that the
	// parser put in the body, as it does after a stray tag in the head.
	stray []*html.Node
}

// maxStray caps signals.stray.
const maxStray = 256

// maxSignalText caps the raw text kept for phrase checks.
const maxSignalText = 32 << 10

var appRootIDs = map[string]bool{
	"root": true, "app": true, "__next": true, "__nuxt": true, "___gatsby": true,
	"app-root": true, "svelte": true, "main-app": true,
}

// addStray records n when it is a metadata element outside the head.
func (s *signals) addStray(n *html.Node) {
	if len(s.stray) < maxStray && n.Parent != nil && n.Parent.Data != "head" {
		s.stray = append(s.stray, n)
	}
}

// usefulHeadElement reports whether a <meta> or <link> in the head holds
// metadata we read (title, author, site name, dates, language, canonical
// URL). Pages carry dozens of others (verification, app links, images),
// and the article search reads every one.
func usefulHeadElement(n *html.Node) bool {
	if n.Data == "link" {
		return strings.EqualFold(attr(n, "rel"), "canonical")
	}
	key := attr(n, "property") + " " + attr(n, "name") + " " + attr(n, "itemprop") + " " + attr(n, "http-equiv")
	if strings.TrimSpace(key) == "" {
		return true // charset
	}
	key = strings.ToLower(key)
	for _, w := range usefulMeta {
		if strings.Contains(key, w) {
			return true
		}
	}
	return false
}

// usefulMeta are the parts of meta names and properties worth keeping.
var usefulMeta = []string{"author", "creator", "title", "site_name", "published", "modified",
	"date", "language", "lang", "type", "url", "byline"}

// element records the facts one element (child of parent) gives, and
// reports whether it goes: scripts (JSON-LD excepted), styles, templates,
// noscript and unused head metadata do.
func (s *signals) element(n, parent *html.Node) (remove bool) {
	switch n.Data {
	case "script":
		if !isJSONLD(n) {
			s.scripts++
			return true
		}
		s.addStray(n)
		if n.FirstChild != nil {
			data := strings.ReplaceAll(n.FirstChild.Data, " ", "")
			if strings.Contains(data, `"isAccessibleForFree":false`) {
				s.paywallMark = true
			}
			if forumType(data) {
				s.forumMark = true
			}
			if collectionType(data) {
				s.listMark = true
			}
		}
		return false
	case "style", "template":
		return true
	case "noscript":
		if n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
			t := strings.ToLower(n.FirstChild.Data)
			if strings.Contains(t, "javascript") && !strings.Contains(t, "<img") && !strings.Contains(t, "<iframe") {
				s.jsNotice = true
			}
		}
		return true
	case "title":
		s.addStray(n)
	case "article":
		s.articles++
	default:
		if it := attr(n, "itemtype"); it != "" {
			s.forumMark = s.forumMark || forumType(it)
			s.listMark = s.listMark || collectionType(it)
		}
	case "img":
		s.images++
	case "input":
		if strings.EqualFold(attr(n, "type"), "password") {
			s.passwords++
		}
	case "form":
		a := strings.ToLower(attr(n, "action") + " " + attr(n, "id") + " " + attr(n, "class"))
		if strings.Contains(a, "login") || strings.Contains(a, "signin") || strings.Contains(a, "sign-in") || strings.Contains(a, "log-in") {
			s.loginMark = true
		}
	case "time":
		if s.published.IsZero() {
			s.published = parseDate(attr(n, "datetime"))
		}
	case "meta", "link":
		if parent.Data == "head" && !usefulHeadElement(n) {
			return true
		}
		if n.Data == "link" {
			break
		}
		if strings.EqualFold(attr(n, "property"), "og:type") && strings.EqualFold(strings.TrimSpace(attr(n, "content")), "product.group") {
			s.listMark = true // Open Graph's type of a category of products
		}
		if s.published.IsZero() && strings.EqualFold(attr(n, "itemprop"), "datePublished") {
			s.published = parseDate(attr(n, "content"))
		}
		if attr(n, "itemprop") == "" && (attr(n, "property") != "" || attr(n, "name") != "") {
			s.addStray(n)
		}
	}
	if !s.appRoot && n.FirstChild == nil && (n.Data == "app-root" || appRootIDs[attr(n, "id")]) {
		s.appRoot = true
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// forumType reports whether structured data (JSON-LD with its spaces
// removed, or an itemtype) names a forum post or a Q&A page. (Question and
// Answer alone are not enough: FAQ sections of articles use them.)
func forumType(data string) bool {
	return strings.Contains(data, "DiscussionForumPosting") || strings.Contains(data, "QAPage")
}

// collectionType reports whether structured data (JSON-LD with its
// spaces removed, or an itemtype) declares the page a collection (a
// category of products, a blog's archive) or search results: schema.org
// CollectionPage and SearchResultsPage.
func collectionType(data string) bool {
	return strings.Contains(data, "CollectionPage") || strings.Contains(data, "SearchResultsPage")
}

// listingPath reports whether a URL's path is shaped, by the conventions
// of the platforms most shops and blogs run on, like a listing: a
// Shopify collection (/collections/NAME, not one of its products), a
// WooCommerce product category, or a WordPress category or tag archive
// (/category/NAME/, /tag/NAME/, and their further pages).
func listingPath(u *url.URL) bool {
	if u == nil {
		return false
	}
	segs := strings.Split(strings.Trim(strings.ToLower(u.Path), "/"), "/")
	for i, seg := range segs {
		rest := segs[i+1:]
		switch seg {
		case "collections":
			return len(rest) >= 1 && !slices.Contains(rest, "products")
		case "category", "product-category", "tag":
			// The archive itself, or its page N; not a post under it.
			return len(rest) == 1 || (len(rest) == 3 && rest[1] == "page")
		}
	}
	return false
}

// forumPath reports whether a URL's path is shaped like a forum thread's
// or a Q&A page's: /threads/..., /forum/..., /questions/123/...,
// showthread.php, viewtopic.php; /topic/..., /t/slug/123 and
// /discussion/... when a number names the thread or the host is a
// forum's (forum., forums., community., discuss.): an encyclopedia's
// /topic/history-of-coffee is an article.
func forumPath(u *url.URL) bool {
	if u == nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	forumHost := false
	for _, p := range []string{"forum.", "forums.", "community.", "discuss.", "discourse."} {
		forumHost = forumHost || strings.HasPrefix(host, p) || strings.Contains(host, "."+p)
	}
	segs := strings.Split(strings.Trim(strings.ToLower(u.Path), "/"), "/")
	for i, seg := range segs {
		switch seg {
		case "threads", "thread", "forum", "forums":
			return i+1 < len(segs)
		case "topic", "topics", "discussion", "discussions":
			return i+1 < len(segs) && (forumHost || strings.ContainsAny(segs[i+1], "0123456789"))
		case "questions":
			return i+1 < len(segs) && segs[i+1] != "" && strings.Trim(segs[i+1], "0123456789") == ""
		case "t":
			return i+2 < len(segs) && (forumHost || strings.ContainsAny(segs[i+2], "0123456789"))
		case "showthread.php", "viewtopic.php":
			return true
		}
	}
	return false
}

// homePage reports whether u is a site's home page (its path is "/").
func homePage(u *url.URL) bool {
	return u != nil && strings.Trim(u.Path, "/") == "" && u.RawQuery == ""
}

// parseDate reads the date formats of datetime attributes.
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// countWords counts words as a reader sees them. In scripts written
// without spaces between words, each Han or kana character counts as a
// word, and in Thai, Lao, Khmer and Burmese every lettersPerWord letters
// of a run count as one (vowel signs and tone marks are not letters);
// Ethiopic's word space "፡" separates words as a space does.
func countWords(s string) int {
	n, in := 0, false
	letters := 0 // letters of the current run in a script without spaces
	for _, r := range s {
		if r < utf8.RuneSelf {
			if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\v' {
				in = false
			} else if !in {
				in = true
				n++
			}
			continue
		}
		switch {
		case isSpace(r) || r == '\u1361':
			in = false
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			in = false
			n++
		case unicode.In(r, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar):
			if !unicode.IsLetter(r) {
				continue
			}
			if !in {
				in = true
				letters = 0
				n++
			}
			if letters++; letters > lettersPerWord {
				letters = 1
				n++
			}
		case !in:
			in = true
			letters = 0
			n++
		}
	}
	return n
}

// lettersPerWord is about how many letters a word of Thai, Lao, Khmer or
// Burmese has, not counting vowel signs and tone marks.
const lettersPerWord = 4

// galleryChars is the most page text (bytes) per picture a gallery has.
const galleryChars = 120

// listShare is the share of a page's text in lists of teasers from which
// the page is a list of links: a section front, a home page, a category
// grid, a directory. Articles with a related-links box, a table of
// contents or a roundup of long items stay well below it.
const listShare = 0.8

// proseWords counts the words of text in sentences: lines of at least
// eight words that end like a sentence. Spec sheets, tables, menus and
// lists of names have few or none.
func proseWords(text string) int {
	n := 0
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimRight(strings.TrimSpace(line), `"'”’»)]`)
		if line == "" {
			continue
		}
		last, _ := utf8.DecodeLastRuneInString(line)
		switch {
		case strings.ContainsRune(sentenceEnds, last), noSentenceMarks(line):
			if w := countWords(line); w >= 8 {
				n += w
			}
		}
	}
	return n
}

// sentenceEnds are the marks that end a sentence (or a clause leading to
// a list) in the scripts that mark one.
const sentenceEnds = ".!?…:;。！？．।॥။។።؟۔։།"

// noSentenceMarks reports a line mostly in Thai, Lao or Khmer letters:
// those scripts mark no sentence end.
func noSentenceMarks(line string) bool {
	in, all := 0, 0
	for _, r := range line {
		if unicode.IsLetter(r) {
			all++
			if unicode.In(r, unicode.Thai, unicode.Lao, unicode.Khmer) {
				in++
			}
		}
	}
	return in*2 > all
}

// Phrases of each kind of wall, lower case.
var (
	consentPhrases = []string{"cookie", "consent", "we value your privacy", "your privacy", "our partners",
		"personalised ads", "personalized ads", "accept all", "reject all", "manage options", "manage preferences",
		"legitimate interest", "store and/or access information", "before you continue"}
	loginPhrases = []string{"sign in", "log in", "login", "password", "create an account", "create account",
		"forgot your password", "forgot password", "remember me", "register", "to continue"}
	paywallPhrases = []string{"subscribe to continue", "subscribe to read", "to continue reading", "subscribers only",
		"for subscribers", "already a subscriber", "already have an account", "start your free trial", "premium article",
		"this article is for subscribers", "unlock this article", "become a subscriber", "subscription required",
		"paywall", "subscribe now"}
	scriptPhrases = []string{"enable javascript", "javascript is disabled", "javascript is required",
		"requires javascript", "turn on javascript", "javascript must be enabled", "javascript enabled",
		"doesn't work properly without javascript", "without javascript enabled"}
)

// phraseHits counts the phrases found in text.
func phraseHits(text string, phrases []string) int {
	n := 0
	for _, p := range phrases {
		if strings.Contains(text, p) {
			n++
		}
	}
	return n
}

// classify decides whether an extracted text is an article, and if not,
// what the page is. Walls are told from their markup and wording; a page
// with enough text is an article unless that text is itself the wall.
func classify(s signals, text string, minWords int) (Kind, bool) {
	if s.teasers >= listShare && !s.forumMark {
		return ListOfLinks, true
	}
	words := countWords(text)
	if words >= 300 {
		return "", false
	}
	lower := strings.ToLower(text)
	if words >= minWords {
		// The extracted "article" may be the wall's own wording: then the
		// wall's phrases are dense in it (an article about cookie banners
		// uses a few of them, a consent wall little else).
		consent, login, paywall := phraseHits(lower, consentPhrases), phraseHits(lower, loginPhrases), phraseHits(lower, paywallPhrases)
		switch {
		case proseWords(text)*4 < minWords:
			return NoProse, true
		case consent >= 4 && consent*25 >= words && (s.consentMark || consent >= 6):
			return ConsentWall, true
		case s.passwords > 0 && login >= 2 && login*40 >= words:
			return LoginWall, true
		case paywall >= 2 && paywall*50 >= words:
			return Paywall, true
		}
		return "", false
	}
	page := strings.ToLower(s.rawText)
	pageWords := countWords(page)
	switch {
	case s.consentMark && phraseHits(page, consentPhrases) >= 2:
		return ConsentWall, true
	case s.passwords > 0 || (s.loginMark && phraseHits(page, loginPhrases) >= 2):
		return LoginWall, true
	case s.paywallMark || phraseHits(page, paywallPhrases) >= 2:
		return Paywall, true
	case s.jsNotice || phraseHits(page, scriptPhrases) > 0 || (s.appRoot && s.scripts > 0) || (s.scripts > 0 && pageWords < 20):
		return ScriptShell, true
	case s.images >= 4 && words < minWords && s.chars < galleryChars*s.images:
		// A gallery's page is its pictures: beside them, a caption's worth
		// of text each. A short post with photos, on a page with its
		// menus and sidebar, is too short, not a gallery.
		return Gallery, true
	case pageWords == 0 && words == 0:
		return Empty, true
	}
	return TooShort, true
}
