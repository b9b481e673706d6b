package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// boilerWords are words of class and id values (split at spaces, "-" and
// "_") naming page furniture that readability-style extractors keep
// inside the article container: captions and credits, share bars, bylines
// and datelines, related links, newsletter boxes, ads, tags, breadcrumbs,
// comments, hover cards and tooltips.
var boilerWords = wordSet(`caption captions credit credits wp-caption-text photocredit
	gallery resgallery slideshow carousel lightbox
	share sharing sociallinks sharebar sharedaddy addthis
	byline bylines author authors contributor
	dateline timestamp published pubdate postdate entrydate postmeta metadata
	datepublished datemodified datecreated
	related recommended recirc outbrain taboola readmore
	newsletter subscribe subscription signup promo promotion cta
	ad ads advert advertisement adsbygoogle advertising sponsor sponsored dfp
	tags taglist categories breadcrumb breadcrumbs
	comment comments disqus respond
	cookie cookies consent gdpr
	toolbar tools utility print skip
	nav navbar navigation menu pagination pager
	footer header masthead modal popup overlay sidebar
	tooltip popover hovercard`)

// dropInArticle are elements removed from the extracted article tree:
// they hold navigation, forms and picture furniture, not prose.
var dropInArticle = map[string]bool{
	"nav": true, "aside": true, "footer": true, "figure": true, "figcaption": true,
	"form": true, "button": true, "select": true, "input": true, "textarea": true,
	"label": true, "menu": true, "picture": true, "header": true, "address": true,
}

// boilerText matches whole short blocks that are furniture, not prose.
var boilerText = lazyRegexp(`(?i)^(` +
	`advert(isement)?s?|anzeige|publicité|sponsored( content)?|` +
	`continue reading( below)?|read more|` +
	`image \d+ (of|/) ?\d*|\d+ of \d+|photo ?\d* ?(of|/) ?\d+|` +
	`share|tweet|email|print|comments?|\d+ comments?|caption|close|next|previous|prev|back to top` +
	`)[.!…:]*$`)

// boilerPrefix matches the start of short furniture blocks: credits,
// related links, calls to follow, subscribe or comment. Blocks ending like
// a sentence are spared: "Subscribers grew by a third." is prose.
var boilerPrefix = lazyRegexp(`(?i)^(` +
	`read more\b|click here\b|` +
	`(related|see also|recommended|read also|also read|more)\s*:|` +
	`(photo|image|picture|foto|bild|credit|source|illustration|video)s?( credit)?\s*:|` +
	`(photo|photograph|image|picture|illustration)s? (by|courtesy( of)?)\b|` +
	`\(?(photo|image|picture) credit|©|\(c\) |copyright\s*(©|\(c\)|\d)|all rights reserved|` +
	`(tags?|topics?|filed under|categories|category)\s*:|` +
	`share (this|on|via)\b|follow (us|him|her|them)\b|follow @|sign (in|up)\b|log ?in\b|subscribe\b|` +
	`(leave|add|post|write) a (comment|reply)|tell us what you think|` +
	`you (may|might) (also )?like|more (from|on|in) |related (stories|articles|posts|content)|` +
	`this slideshow requires javascript` +
	`)`)

// creditText matches a short block that is a picture's credit: it ends
// with a photo agency or a "(Name/Agency)" credit and holds no sentence
// before it.
var creditText = lazyRegexp(`(?i)^[^.!?]{0,120}(getty images|shutterstock|istock(photo)?|alamy|afp|reuters|ap photo|associated press|epa|pa images|bloomberg)(/[^.!?]{0,60})?\)?\.?$`)

// photoAgencies are the names creditText looks for, in lower case.
var photoAgencies = []string{"getty images", "shutterstock", "istock", "alamy", "afp", "reuters", "ap photo", "associated press", "epa", "pa images", "bloomberg"}

// isCredit reports whether text matches creditText. Most pages name no
// photo agency, and the pattern is costly to compile (its {0,120} nests
// 120 deep, growing the goroutine's stack to 256 KB), so a text naming
// none is answered without it.
func isCredit(text string) bool {
	folded := strings.Map(foldLetter, text)
	for _, a := range photoAgencies {
		if strings.Contains(folded, a) {
			return creditText().MatchString(text)
		}
	}
	return false
}

// foldLetter maps every rune that (?i) matches with an ASCII letter to
// that letter in lower case: its capital, the Kelvin sign (K) and the long
// s (ſ). Other runes may map anywhere: a name found by mistake only costs
// the pattern's answer.
func foldLetter(r rune) rune {
	if r == 'ſ' {
		return 's'
	}
	return unicode.ToLower(r)
}

// mostlyURL reports a short block that is a label and a web address
// ("Ticket details: https://..."): half or more of it is the address.
func mostlyURL(text string) bool {
	if len(text) > 300 {
		return false
	}
	n := 0
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "www.") || strings.HasPrefix(w, "pic.twitter.com/") {
			n += len(w)
		}
	}
	return n > 0 && n*2 >= len(text)
}

// bylineText matches a byline: "By" and a capitalised name, no sentence.
var bylineText = lazyRegexp(`^(?:[Bb]y|BY|[Vv]on|[Pp]or|[Pp]ar|[Dd]i|[Dd]oor)\s+\p{Lu}\.?(?:\s*\p{Lu}\.|[^.!?])*$`)

// datelineText matches the start of a dateline; it counts only with a
// digit in the block and no sentence end.
var datelineText = lazyRegexp(`(?i)^(published|updated|posted|last updated|modified|publicado|publicada|atualizado|actualizado|publié|mis à jour|veröffentlicht|aktualisiert|pubblicato|aggiornato)\b`)

// isBoilerText reports whether the whole text of a short block is
// furniture.
func isBoilerText(text string) bool {
	if boilerText().MatchString(text) || isCredit(text) || mostlyURL(text) {
		return true
	}
	sentence := strings.HasSuffix(strings.TrimRight(text, `"'”’)`), ".") || strings.HasSuffix(text, "!") || strings.HasSuffix(text, "?")
	if sentence {
		return false
	}
	return boilerPrefix().MatchString(text) || bylineText().MatchString(text) ||
		(datelineText().MatchString(text) && strings.ContainsAny(text, "0123456789"))
}

// tagLine matches the start of a list of tags or categories.
var tagLine = lazyRegexp(`(?i)^\s*(tags?|tagged( with)?|topics?|filed under|categories|category|mais sobre|schlagwörter|étiquettes|etiquetas)\b`)

// pruneArticle removes furniture from an extracted article tree in place.
// An element matched by its tag or class is kept when it holds a large
// share of the article's text or a long paragraph of prose: then the match
// is a wrapper, not furniture.
func pruneArticle(root *html.Node) {
	stats := make(map[*html.Node]nodeStats)
	total := measure(root, stats, false).chars
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		var next *html.Node
		for c := n.FirstChild; c != nil; c = next {
			next = c.NextSibling
			if c.Type != html.ElementNode {
				continue
			}
			if st := stats[c]; (dropInArticle[c.Data] && !contentFigure(c) || isBoilerElement(c)) && st.chars*4 < total && st.chars < 2000 && !st.looksLikeProse(400) {
				n.RemoveChild(c)
				continue
			}
			if c.Data == "blockquote" && hasWord(c, embedWords) {
				trimEmbed(c)
			}
			if c.Data == "pre" || c.Data == "code" {
				continue // code is verbatim: its highlighter's classes ("hljs-comment") are no furniture
			}
			walk(c)
		}
	}
	walk(root)
	pruneBlocks(root)
}

// nodeStats are the text facts of a subtree.
type nodeStats struct {
	chars     int // trimmed text length
	linkChars int // of which inside links
	longestP  int // the longest <p>'s text length, links excepted
	proseP    int // text length of all <p>, links excepted
	prose     int // length of the text runs long enough to be prose, links excepted
}

// looksLikeProse reports a subtree holding a paragraph of at least minP
// characters outside links: an article, or part of one.
func (s nodeStats) looksLikeProse(minP int) bool {
	return s.longestP >= minP
}

// proseRun is the length from which a run of text counts as prose: menu
// items, labels and buttons are shorter.
const proseRun = 40

// measure records the stats of every element under n, in one post-order
// pass, and returns n's.
func measure(n *html.Node, stats map[*html.Node]nodeStats, inLink bool) nodeStats {
	var st nodeStats
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			st.addText(len(strings.TrimSpace(c.Data)), inLink)
		case html.ElementNode:
			st.add(measure(c, stats, inLink || c.Data == "a"))
		}
	}
	st.closeElement(n)
	stats[n] = st
	return st
}

// addText counts a text run of k bytes.
func (s *nodeStats) addText(k int, inLink bool) {
	s.chars += k
	if inLink {
		s.linkChars += k
	} else if k >= proseRun {
		s.prose += k
	}
}

// add counts a child's stats.
func (s *nodeStats) add(c nodeStats) {
	s.chars += c.chars
	s.linkChars += c.linkChars
	s.longestP = max(s.longestP, c.longestP)
	s.prose += c.prose
	s.proseP += c.proseP
}

// closeElement finishes the stats of n once its children are counted.
func (s *nodeStats) closeElement(n *html.Node) {
	if n.Type == html.ElementNode && n.Data == "p" {
		s.longestP = max(s.longestP, s.chars-s.linkChars)
		s.proseP = s.chars - s.linkChars
	}
}

// isBoilerElement matches furniture by its class, id or role.
func isBoilerElement(n *html.Node) bool {
	return hasWord(n, boilerWords) || (hasWord(n, hoverWords) && hasWord(n, cardWords))
}

// A hover card ("hover-card", "person-hover preview") shows a name's
// profile, headlines and a "MORE" link when the pointer rests on it; in
// the text it pours them into the sentence around the name.
var (
	hoverWords = wordSet(`hover`)
	cardWords  = wordSet(`card preview profile popup`)
)

// blockStats are the text facts of a subtree.
type blockStats struct {
	chars, linkChars int
	hasBlock         bool
}

// pruneBlocks drops leaf blocks (blocks holding no other block) that are
// mostly links and short, or whose whole text is boilerplate. One
// post-order pass: each node is visited once.
func pruneBlocks(root *html.Node) {
	var walk func(n *html.Node, inLink bool) blockStats
	walk = func(n *html.Node, inLink bool) blockStats {
		var st blockStats
		var next *html.Node
		for c := n.FirstChild; c != nil; c = next {
			next = c.NextSibling
			switch c.Type {
			case html.TextNode:
				k := len(strings.TrimSpace(c.Data))
				st.chars += k
				if inLink {
					st.linkChars += k
				}
			case html.ElementNode:
				cs := walk(c, inLink || c.Data == "a")
				block := blockTags[c.Data] || c.Data == "li"
				if block && !cs.hasBlock && dropLeafBlock(c, cs) {
					n.RemoveChild(c)
					st.hasBlock = true
					continue
				}
				st.chars += cs.chars
				st.linkChars += cs.linkChars
				st.hasBlock = st.hasBlock || cs.hasBlock || block
			}
		}
		return st
	}
	walk(root, false)
}

func dropLeafBlock(n *html.Node, st blockStats) bool {
	if st.chars == 0 {
		return false
	}
	if st.linkChars*2 >= st.chars && tagLine().MatchString(renderText(n)) {
		return true
	}
	if st.chars < 200 && st.linkChars*10 >= st.chars*8 {
		return true
	}
	if st.chars > 300 {
		return false
	}
	text := strings.Join(strings.Fields(renderText(n)), " ")
	if mostlyURL(text) {
		return true
	}
	return st.chars <= 160 && isBoilerText(text)
}

// wordSet builds a set from space-separated words.
func wordSet(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// hasWord reports whether a word of n's class, id or role is in set.
func hasWord(n *html.Node, set map[string]bool) bool {
	found := false
	classWords(n, func(w []byte) bool {
		found = set[string(w)]
		return found
	})
	return found
}

// classWords calls f with each word of n's class, id, role and itemprop, split at
// anything but ASCII letters and digits and lower-cased, without
// allocating, until f returns true.
func classWords(n *html.Node, f func([]byte) bool) {
	var buf [32]byte
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" && a.Key != "role" && a.Key != "itemprop" {
			continue
		}
		v := a.Val
		if len(v) > 512 {
			v = v[:512]
		}
		k, long := 0, false
		for i := 0; i <= len(v); i++ {
			var c byte
			if i < len(v) {
				c = v[i]
			}
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			default:
				if k > 0 && !long && f(buf[:k]) {
					return
				}
				k, long = 0, false
				continue
			}
			if k == len(buf) {
				long = true
				continue
			}
			buf[k] = c
			k++
		}
	}
}

// narrow makes core, the prose core found by prepare, the only content
// of doc's body, so the article search scores a fraction of the page and
// cannot stray into its chrome. Metadata elements the parser left in the
// body (stray) move to the head first. Elements are moved, not copied.
func narrow(doc, core *html.Node, stray []*html.Node) {
	body := findElement(doc, "body", 3)
	head := findElement(doc, "head", 3)
	if body == nil || head == nil || core == nil || core == body || !isAncestor(body, core) {
		return
	}
	for _, n := range stray {
		if n.Parent != nil && n.Parent != head {
			n.Parent.RemoveChild(n)
			head.AppendChild(n)
		}
	}
	core.Parent.RemoveChild(core)
	for c := body.FirstChild; c != nil; c = body.FirstChild {
		body.RemoveChild(c)
	}
	body.AppendChild(core)
}

func isAncestor(a, n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// narrowShare and narrowRunShare are the percentages of the page's
// paragraph text and of its long text runs (prose outside <p> included)
// the narrowed element must hold.
const (
	narrowShare    = 95
	narrowRunShare = 50
)

// findElement finds the first element named tag at most depth levels
// below n.
func findElement(n *html.Node, tag string, depth int) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.Data == tag {
			return c
		}
		if depth > 1 {
			if f := findElement(c, tag, depth-1); f != nil {
				return f
			}
		}
	}
	return nil
}

// embedWords mark a post of another site embedded in an article (a tweet,
// an Instagram or TikTok post), as the sites' embed codes write it.
var embedWords = wordSet(`tweet instagram tiktok`)

// trimEmbed keeps an embedded post's words, which the article quotes, and
// drops what is furniture of the embed: its picture links
// (pic.twitter.com/…, t.co links shown as text) and the credit line after
// its text ("— Name (@handle) November 18, 2019").
func trimEmbed(n *html.Node) {
	var lastP *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "p" {
			lastP = c
		}
	}
	if lastP != nil {
		for c := lastP.NextSibling; c != nil; {
			next := c.NextSibling
			n.RemoveChild(c)
			c = next
		}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == html.ElementNode && c.Data == "a" {
				t := strings.TrimSpace(renderText(c))
				if strings.HasPrefix(t, "pic.twitter.com/") || strings.HasPrefix(t, "https://t.co/") || strings.HasPrefix(t, "http://t.co/") {
					n.RemoveChild(c)
				}
			} else if c.Type == html.ElementNode {
				walk(c)
			}
			c = next
		}
	}
	walk(n)
}

// contentFigure reports a figure that holds content rather than a picture:
// a table, code, a quotation or a list (WordPress wraps every table in
// <figure class="wp-block-table">).
func contentFigure(n *html.Node) bool {
	if n.Data != "figure" {
		return false
	}
	var has func(n *html.Node) bool
	has = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				switch c.Data {
				case "table", "pre", "blockquote", "ul", "ol", "dl":
					return true
				}
				if has(c) {
					return true
				}
			}
		}
		return false
	}
	return has(n)
}
