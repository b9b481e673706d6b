package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Flags of class and id words, from classFlags.
const (
	flagConsent  uint8 = 1 << iota // a consent manager
	flagPaywall                    // a paywall
	flagChrome                     // page chrome (navigation, share bars, ads...)
	flagComments                   // readers' comments on the page
	flagLegal                      // disclaimers, disclosures and footnotes to them
)

// pageWords maps class and id words to their flags.
var pageWords = func() map[string]uint8 {
	m := make(map[string]uint8)
	add := func(flag uint8, words string) {
		for _, w := range strings.Fields(words) {
			m[w] |= flag
		}
	}
	add(flagConsent, `consent cmp gdpr onetrust didomi truste trustarc cookiebot
		cybotcookiebotdialog cookielaw cookieconsent usercentrics osano iubenda qc`)
	add(flagPaywall, `paywall piano regwall metered premium paywalled locked subscriber`)
	// Words starting with "comment" (commentlist, commentBox...) are
	// comments too: see classFlags.
	add(flagComments, `disqus respond replies usercomments`)
	// Legal small print is prose, yet never the article: a fund's
	// disclosures beside it (see prepare's dropLegal).
	add(flagLegal, `disclaimer disclaimers disclosure disclosures`)
	// Chrome never holds the article: navigation, menus, sidebars, share
	// bars, related links, comments, cookie banners and ads.
	add(flagChrome, `nav navbar navigation menu megamenu breadcrumb breadcrumbs sidebar
		share sharing sharebar sharedaddy addthis
		related recommended recirc outbrain taboola
		newsletter subscribe signup promo
		ad ads advert advertisement adsbygoogle dfp
		cookie cookies consent gdpr modal popup overlay
		footer masthead`)
	return m
}()

// classFlags ORs the flags of n's class, id, role and itemprop words.
func classFlags(n *html.Node) uint8 {
	var flags uint8
	classWords(n, func(w []byte) bool {
		flags |= pageWords[string(w)]
		if bytes.HasPrefix(w, []byte("comment")) && !bytes.HasPrefix(w, []byte("commentar")) && !bytes.HasPrefix(w, []byte("commentat")) {
			flags |= flagComments // not commentary, commentator
		}
		return false
	})
	if flags&flagComments == 0 && strings.HasSuffix(attr(n, "itemtype"), "/Comment") {
		flags |= flagComments
	}
	return flags
}

// dropChrome are tags of page chrome removed before the article search.
var dropChrome = map[string]bool{
	"nav": true, "aside": true, "footer": true, "select": true, "button": true,
	"textarea": true, "input": true, "menu": true,
}

// prepare makes the one pass over the raw tree that readies it for the
// article search:
//
//   - it records the signals of every element and text, hidden ones too
//     (consent banners start hidden);
//   - it removes comments, scripts (JSON-LD excepted), styles, templates,
//     hidden elements and unused head metadata;
//   - it removes page chrome (by tag, class or id), sparing an element
//     holding a fifth of the page's text or a paragraph of prose: a
//     "with-sidebar" wrapper is not a sidebar;
//   - it finds the prose core, the smallest element holding nearly all of
//     the paragraph text, for narrow.
//
// Chrome is judged once the page's text is counted, so its removal waits
// for the end of the walk; the core is found as if it were gone.
//
// forum says the page is a forum thread or a Q&A page (by its URL): its
// comments are its posts, and stay.
//
// reveal is the ordinal (in document order, from 0) of a hidden element to
// show instead of removing, or -1. The first pass gives -1; when its
// signals name an element to reveal (signals.reveal), the caller parses
// the page again and passes it.
//
// Legal small print outside an <article> (disclaimers, disclosures) is
// recorded in signals.legal; with dropLegal it goes like chrome even
// when it is prose, unless it is half the page. The caller asks for that
// second pass only when the first read the small print as the article:
// elsewhere it weighs in the prose core as it always did.
func prepare(doc *html.Node, reveal int, forum, dropLegal bool) (signals, *html.Node) {
	s := signals{reveal: -1}
	hidden := 0 // hidden elements met outside removed subtrees
	type hiddenCand struct{ ordinal, chars int }
	var biggest hiddenCand
	var text strings.Builder
	type cand struct {
		n             *html.Node
		proseP, prose int
	}
	var cores []cand
	type chromeCand struct {
		n     *html.Node
		chars int
		legal bool // small print goes unless it is most of the page
	}
	var chrome []chromeCand
	type commentsCand struct {
		n  *html.Node
		st nodeStats
	}
	var comments []commentsCand

	// walk returns the stats of n's kept content, chrome left out, and
	// the length of all its kept text, chrome included. dead marks a
	// subtree that will be removed: it is scanned for signals only.
	var walk func(n *html.Node, inComments, inLink, inArticle, dead bool) (nodeStats, int)
	walk = func(n *html.Node, inComments, inLink, inArticle, dead bool) (st nodeStats, kept int) {
		var next *html.Node
		for c := n.FirstChild; c != nil; c = next {
			next = c.NextSibling
			switch c.Type {
			case html.CommentNode:
				n.RemoveChild(c)
			case html.TextNode:
				t := strings.TrimSpace(c.Data)
				kept += len(t)
				st.addText(len(t), inLink)
				if t != "" && text.Len() < maxSignalText {
					text.WriteString(t)
					text.WriteByte(' ')
				}
			case html.ElementNode:
				if s.element(c, n) {
					n.RemoveChild(c)
					continue
				}
				flags := classFlags(c)
				s.consentMark = s.consentMark || flags&flagConsent != 0
				s.paywallMark = s.paywallMark || flags&flagPaywall != 0
				drop := dropTags[c.Data]
				if !drop && !dead && isHidden(c) {
					if hidden == reveal {
						unhide(c)
					} else {
						drop = true
					}
					hidden++
				} else if !drop && isHidden(c) {
					drop = true
				}
				isChrome := !drop && !dead && (dropChrome[c.Data] || flags&flagChrome != 0)
				legal := !drop && !dead && flags&flagLegal != 0 && !inArticle
				if legal && !dropLegal {
					s.addLegal(c)
					legal = false
				}
				isComments := !drop && !dead && !inComments && flags&flagComments != 0 && commentBlock[c.Data]
				cs, k := walk(c, inComments || isComments, inLink || c.Data == "a", inArticle || c.Data == "article", dead || drop)
				switch {
				case drop:
					if !dead && !dropTags[c.Data] && k > biggest.chars {
						biggest = hiddenCand{hidden - 1, k}
					}
					n.RemoveChild(c)
				case legal || isChrome && cs.chars < 3000 && !cs.looksLikeProse(150):
					chrome = append(chrome, chromeCand{c, k, legal})
					kept += k
				case isComments:
					comments = append(comments, commentsCand{c, cs})
					kept += k
					st.add(cs)
				default:
					kept += k
					st.add(cs)
				}
			}
		}
		st.closeElement(n)
		if !dead && st.proseP > 0 && n.Type == html.ElementNode && n.Data != "p" {
			cores = append(cores, cand{n, st.proseP, st.prose})
		}
		return st, kept
	}
	all, total := walk(doc, false, false, false, false)
	s.chars = total
	s.rawText = text.String()
	if reveal < 0 && total < revealMaxShown && biggest.chars >= revealMinHidden && biggest.chars >= 4*total {
		s.reveal = biggest.ordinal
	}

	for _, c := range chrome {
		if (c.chars*5 < total || c.legal && c.chars*2 < total) && c.n.Parent != nil {
			c.n.Parent.RemoveChild(c.n)
		}
	}
	if body := findElement(doc, "body", 3); body != nil {
		s.teasers = teaserShare(body)
	}
	// Readers' comments are never the article, however long they run
	// beside a short post; but when they are all the page holds (a
	// forum thread), or they wrap the headline, the markup misleads.
	commentsP := 0
	for _, c := range comments {
		commentsP += c.st.proseP
	}
	if commentsP > 0 && all.proseP-commentsP >= minPostProse && !forum && !s.forumMark {
		removed := false
		for _, c := range comments {
			if c.n.Parent != nil && findElement(c.n, "h1", 64) == nil {
				c.n.Parent.RemoveChild(c.n)
				removed = true
			}
		}
		if removed {
			return s, findCore(doc)
		}
	}
	if all.proseP < 500 {
		return s, nil
	}
	// Elements holding over half the prose form one chain of ancestors; in
	// post-order the first that qualifies is the deepest.
	for _, c := range cores {
		if c.proseP*100 >= all.proseP*narrowShare && c.prose*100 >= all.prose*narrowRunShare && isAncestor(doc, c.n) {
			return s, c.n
		}
	}
	return s, nil
}

// maxLegalLines caps signals.legal.
const maxLegalLines = 2000

// addLegal records the lines of legal small print n (whitespace
// collapsed), for smallPrint.
func (s *signals) addLegal(n *html.Node) {
	if s.legal == nil {
		s.legal = make(map[string]bool)
	}
	for line := range strings.SplitSeq(renderText(n), "\n") {
		if len(s.legal) >= maxLegalLines {
			return
		}
		if l := strings.Join(strings.Fields(line), " "); len(l) >= proseRun {
			s.legal[l] = true
		}
	}
}

// smallPrint reports whether most of text (in bytes) is lines of the
// page's legal small print: the article search settled on a fund's
// disclosures because the page's own text is cut in short cards.
func smallPrint(text string, legal map[string]bool) bool {
	if len(legal) == 0 {
		return false
	}
	in, all := 0, 0
	for line := range strings.SplitSeq(text, "\n") {
		l := strings.Join(strings.Fields(line), " ")
		all += len(l)
		if legal[l] {
			in += len(l)
		}
	}
	return in*2 > all
}

// A page whose shown text is under revealMaxShown bytes while one hidden
// element holds at least revealMinHidden bytes, and four times the shown
// text, keeps its content in that element until a script shows it (a
// fade-in from opacity:0, a "hide" class taken off once the page loads).
// That element is the page, not text hidden from its readers: it is shown.
// Text hidden beside a visible article stays out.
const (
	revealMaxShown  = 2000
	revealMinHidden = 2000
)

// unhide takes off n's own means of hiding: the hidden and aria-hidden
// attributes, its inline style, and the class words frameworks hide.
func unhide(n *html.Node) {
	attrs := n.Attr[:0]
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden", "aria-hidden", "style":
			continue
		case "class":
			var keep []string
			for _, w := range strings.Fields(a.Val) {
				if !hiddenClasses[strings.ToLower(w)] {
					keep = append(keep, w)
				}
			}
			a.Val = strings.Join(keep, " ")
		case "type":
			if n.Data == "input" {
				continue
			}
		}
		attrs = append(attrs, a)
	}
	n.Attr = attrs
}

// commentBlock are the elements that hold readers' comments; an inline
// element marked "comment" is something else (a code highlighter's span).
var commentBlock = map[string]bool{
	"div": true, "section": true, "aside": true, "ol": true, "ul": true, "li": true,
	"article": true, "footer": true, "dl": true, "table": true,
}

// minPostProse is the paragraph text (bytes) a page must hold outside its
// comments for them to be told apart from a post: a short post has a few
// sentences.
const minPostProse = 200

// findCore finds the prose core of doc as prepare does, measuring the
// tree afresh (after prepare removed comments from it).
func findCore(doc *html.Node) *html.Node {
	stats := make(map[*html.Node]nodeStats)
	all := measure(doc, stats, false)
	if all.proseP < 500 {
		return nil
	}
	var found *html.Node
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && walk(c) {
				return true
			}
		}
		if st := stats[n]; n.Type == html.ElementNode && n.Data != "p" && st.proseP*100 >= all.proseP*narrowShare && st.prose*100 >= all.prose*narrowRunShare {
			found = n
			return true
		}
		return false
	}
	walk(doc)
	return found
}

// teaserShare is the share of the text under root held by lists of
// teasers: runs of at least minTeasers sibling elements alike in tag and
// class, each short and a quarter or more of it link text (headlines of
// other pages, a menu; not forum posts, whose links are a name and a
// "Reply"), or each a product's tile: a link and a price in a few lines
// (its name, specs and ratings are not linked). It tells a page that is
// a list of links (a section front, a home page, a category grid) from
// an article.
func teaserShare(root *html.Node) float64 {
	stats := make(map[*html.Node]nodeStats)
	total := measure(root, stats, false).chars
	if total == 0 {
		return 0
	}
	teasers := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		groups := make(map[string][]*html.Node)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				key := c.Data + "." + attr(c, "class")
				groups[key] = append(groups[key], c)
			}
		}
		in := make(map[*html.Node]bool)
		for _, g := range groups {
			if len(g) < minTeasers {
				continue
			}
			linked, chars := 0, 0
			for _, c := range g {
				st := stats[c]
				if st.linkChars > 0 && (st.linkChars*4 >= st.chars && st.chars < maxTeaser || st.chars < maxTile && hasPrice(c)) {
					linked++
				}
				chars += st.chars
			}
			if linked*5 >= len(g)*4 {
				teasers += chars
				for _, c := range g {
					in[c] = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && !in[c] {
				walk(c)
			}
		}
	}
	walk(root)
	return float64(teasers) / float64(total)
}

// minTeasers and maxTeaser bound a list of teasers: how many items at
// least, and the most text (bytes) one item holds; maxTile is the most a
// product's tile holds.
const (
	minTeasers = 5
	maxTeaser  = 300
	maxTile    = 800
)

// hasPrice reports whether the text under n holds a price: a currency
// sign next to a digit ("$129.99", "€ 45", "199€").
func hasPrice(n *html.Node) bool {
	t := renderText(n)
	for i, r := range t {
		if !strings.ContainsRune("$£€¥₹", r) {
			continue
		}
		before, after := t[:i], strings.TrimLeft(t[i+utf8.RuneLen(r):], " \u00a0")
		before = strings.TrimRight(before, " \u00a0")
		if (after != "" && after[0] >= '0' && after[0] <= '9') || (before != "" && before[len(before)-1] >= '0' && before[len(before)-1] <= '9') {
			return true
		}
	}
	return false
}
