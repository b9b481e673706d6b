package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// Flags of class and id words, from classFlags.
const (
	flagConsent uint8 = 1 << iota // a consent manager
	flagPaywall                   // a paywall
	flagChrome                    // page chrome (navigation, share bars, ads...)
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
	// Chrome never holds the article: navigation, menus, sidebars, share
	// bars, related links, comments, cookie banners and ads.
	add(flagChrome, `nav navbar navigation menu megamenu breadcrumb breadcrumbs sidebar widget widgets
		share sharing sharebar sharedaddy addthis
		related recommended recirc outbrain taboola
		newsletter subscribe signup promo
		ad ads advert advertisement adsbygoogle dfp
		comments commentlist disqus respond
		cookie cookies consent gdpr modal popup overlay
		footer masthead`)
	return m
}()

// classFlags ORs the flags of n's class, id, role and itemprop words.
func classFlags(n *html.Node) uint8 {
	var flags uint8
	classWords(n, func(w []byte) bool {
		flags |= pageWords[string(w)]
		return false
	})
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
func prepare(doc *html.Node) (signals, *html.Node) {
	var s signals
	var text strings.Builder
	type cand struct {
		n             *html.Node
		proseP, prose int
	}
	var cores []cand
	type chromeCand struct {
		n     *html.Node
		chars int
	}
	var chrome []chromeCand

	// walk returns the stats of n's kept content, chrome left out, and
	// the length of all its kept text, chrome included. dead marks a
	// subtree that will be removed: it is scanned for signals only.
	var walk func(n *html.Node, raw, inLink, dead bool) (nodeStats, int)
	walk = func(n *html.Node, raw, inLink, dead bool) (st nodeStats, kept int) {
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
				if !raw && t != "" && text.Len() < maxSignalText {
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
				drop := dropTags[c.Data] || isHidden(c)
				isChrome := !drop && !dead && (dropChrome[c.Data] || flags&flagChrome != 0)
				cs, k := walk(c, raw, inLink || c.Data == "a", dead || drop)
				switch {
				case drop:
					n.RemoveChild(c)
				case isChrome && cs.chars < 3000 && !cs.looksLikeProse(150):
					chrome = append(chrome, chromeCand{c, k})
					kept += k
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
	all, total := walk(doc, false, false, false)
	s.chars = total
	s.rawText = text.String()

	for _, c := range chrome {
		if c.chars*5 < total && c.n.Parent != nil {
			c.n.Parent.RemoveChild(c.n)
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
