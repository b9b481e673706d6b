package extract

import (
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// headTitles are the page's own titles, read from its head before the
// article search: its og:title (or twitter:title) and its <title>.
type headTitles struct {
	og, title string
	h1        string // the page's first h1 with text
}

// readHeadTitles reads the titles of doc.
func readHeadTitles(doc *html.Node) headTitles {
	var t headTitles
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.Data {
			case "title":
				if t.title == "" {
					t.title = clip(renderTitle(c))
				}
				continue
			case "meta":
				if k := strings.ToLower(attr(c, "property") + attr(c, "name")); (k == "og:title" || k == "twitter:title") && t.og == "" {
					t.og = clip(attr(c, "content"))
				}
				continue
			case "h1":
				if t.h1 == "" {
					t.h1 = clip(renderText(c))
				}
				continue
			}
			if depth < 64 {
				walk(c, depth+1)
			}
		}
	}
	walk(doc, 0)
	return t
}

// renderTitle is the text of a <title> element (raw text to the parser).
func renderTitle(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// pickTitle chooses the article's title. readeck's title cuts the page's
// title at its last separator to drop the site's name; that also cuts
// headlines that hold a dash ("Spider-Man – Far From Home review – a
// swinging success"). So the page's whole title is kept, and only a part
// that names the site is dropped (stripSite). A sharing title written as
// a lead paragraph gives way to the page's <title>. A section label
// ("Politics") is no title when the page's h1 is a headline; with no
// title at all, the h1 is one.
func pickTitle(found string, head headTitles, site string, u *url.URL) string {
	found, site = unescapeTitle(found), unescapeTitle(site)
	head.og, head.title, head.h1 = unescapeTitle(head.og), unescapeTitle(head.title), unescapeTitle(head.h1)
	title := found
	for _, whole := range []string{head.og, head.title} {
		if whole != "" && len(whole) > len(title) && strings.HasPrefix(whole, strings.TrimSpace(strings.TrimRight(title, ".…"))) {
			title = whole
			break
		}
	}
	if readsAsLede(title) {
		for _, alt := range []string{stripSite(head.title, head, site, u), head.h1} {
			if countWords(alt) >= 2 && !readsAsLede(alt) {
				title = alt
				break
			}
		}
	}
	title = stripSite(title, head, site, u)
	if h := stripSite(head.h1, head, site, u); countWords(title) >= 3 && len(h) > len(title) && strings.EqualFold(h[:len(title)], title) {
		// The title is the page's headline cut short ("How to set up
		// your monitor, laptop, and k"), or without its second half.
		title = h
	}
	if title == "" || (countWords(title) <= 2 && countWords(head.h1) >= 3 && !strings.Contains(strings.ToLower(head.h1), strings.ToLower(title))) {
		if head.h1 != "" {
			title = head.h1
		}
	}
	return title
}

// stripSite drops from title the parts that name the site rather than
// the article, by what the page itself says: the page's h1 followed (or
// preceded) by a separator and a shorter tail is the headline and the
// tail a brand ("Introducing Bolmo | Ai2" under the h1 "Introducing
// Bolmo"), unless the h1 is the site's name (a blog's masthead); the
// sharing title (og:title) that <title> extends by a separator and a tail
// is the headline ("Advice | by Jan Kowalski | Medium"); a part equal to
// the declared site name (og:site_name) or spelling the host's name goes;
// and a tail that <title> and og:title share after two different
// headlines is the site's.
func stripSite(title string, head headTitles, site string, u *url.URL) string {
	for range 4 {
		t := title
		if h := head.h1; h != "" && h != t && !namesSite(h, site, u) {
			if rest, first, ok := cutAtSeparator(t, h); ok && (namesSite(rest, site, u) ||
				(first && (countWords(h) >= 3 || countWords(h) >= countWords(rest))) ||
				(!first && countWords(rest) <= 2 && countWords(rest) < countWords(h))) {
				return headlineCase(t, h)
			}
		}
		if og := head.og; og != "" && og != t && countWords(og) >= 2 {
			if _, first, ok := cutAtSeparator(t, og); ok && first && strings.HasPrefix(strings.ToLower(t), strings.ToLower(og)) {
				t = og
			}
		}
		t = trimSiteName(t, site)
		t = trimSiteName(t, namedPart(t, site, u))
		t = trimSiteName(t, sharedTail(head.title, head.og))
		if t == title {
			break
		}
		title = t
	}
	return title
}

// cutAtSeparator reports whether whole is part followed by a title
// separator and more (first is true), or more and a separator followed
// by part, and returns that more. Case is ignored.
func cutAtSeparator(whole, part string) (more string, first, ok bool) {
	if len(whole) <= len(part) || part == "" {
		return "", false, false
	}
	if strings.EqualFold(whole[:len(part)], part) {
		r := strings.TrimLeft(whole[len(part):], " ")
		for _, sep := range titleSeparators {
			if s := strings.TrimLeft(sep, " "); strings.HasPrefix(r, s) && len(r) > len(s) {
				return strings.TrimSpace(r[len(s):]), true, true
			}
		}
	}
	if strings.EqualFold(whole[len(whole)-len(part):], part) {
		r := strings.TrimRight(whole[:len(whole)-len(part)], " ")
		for _, sep := range titleSeparators {
			if s := strings.TrimRight(sep, " "); strings.HasSuffix(r, s) && len(r) > len(s) {
				return strings.TrimSpace(r[:len(r)-len(s)]), false, true
			}
		}
	}
	return "", false, false
}

// headlineCase returns headline as whole spells it, when whole starts or
// ends with it with other capitals ("history of coffee" as an h1 under
// the <title> "History of coffee | Britannica"): a title keeps the case
// the page gives it in its title.
func headlineCase(whole, headline string) string {
	switch {
	case len(whole) < len(headline):
	case strings.EqualFold(whole[:len(headline)], headline):
		return whole[:len(headline)]
	case strings.EqualFold(whole[len(whole)-len(headline):], headline):
		return whole[len(whole)-len(headline):]
	}
	return headline
}

// sharedTail returns the part after the last separator that two
// different titles of the page (<title> and og:title) both end with, or
// "": the same tail after two headlines is the site's signature.
func sharedTail(a, b string) string {
	if a == "" || b == "" || a == b {
		return ""
	}
	for _, sep := range titleSeparators {
		i, j := strings.LastIndex(a, sep), strings.LastIndex(b, sep)
		if i <= 0 || j <= 0 {
			continue
		}
		if ta, tb := a[i+len(sep):], b[j+len(sep):]; ta == tb && a[:i] != b[:j] && countWords(ta) <= 6 {
			return ta
		}
	}
	return ""
}

// namesSite reports whether part of a title is the site's name: its
// declared name, or its host's name (see hostMatch).
func namesSite(part, site string, u *url.URL) bool {
	a := alnum(part)
	if a == "" {
		return false
	}
	return a == alnum(site) || (len(a) >= 2 && a == initials(site)) || (u != nil && hostMatch(part, hostLabel(u)))
}

// initials are the first letters of a name of three words or more, lower
// case: "wfa" for "World Future Awards"; "" for a shorter name.
func initials(name string) string {
	words := strings.Fields(name)
	if len(words) < 3 {
		return ""
	}
	var b strings.Builder
	for _, w := range words {
		if a := alnum(w); a != "" {
			b.WriteString(a[:1])
		}
	}
	return b.String()
}

// readsAsLede reports whether a title candidate reads as the article's
// first paragraph rather than a headline: long, and holding the end of
// one sentence and the start of another, or ending as a sentence does.
func readsAsLede(s string) bool {
	if countWords(s) < 12 {
		return false
	}
	if strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "...") {
		return true
	}
	for i := 0; i+2 < len(s); i++ {
		if (s[i] == '?' || s[i] == '!' || (s[i] == '.' && wordBefore(s, i) >= 4)) && s[i+1] == ' ' && s[i+2] >= 'A' && s[i+2] <= 'Z' {
			return true
		}
	}
	return false
}

// wordBefore is the number of ASCII letters right before s[i]: a period
// after "vs" or "Dr" abbreviates, it does not end a sentence.
func wordBefore(s string, i int) int {
	n := 0
	for j := i - 1; j >= 0 && (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z'); j-- {
		n++
	}
	return n
}

// unescapeTitle decodes character references left in a title by a page
// that escaped its title twice ("And finally&#8230; trouble").
func unescapeTitle(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return clip(html.UnescapeString(s))
}

// hostLabel is the name part of u's host: "rivertongazette" for
// www.rivertongazette.com, "vanguard" for investor.vanguard.com.
func hostLabel(u *url.URL) string {
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if i := strings.LastIndexByte(host, '.'); i > 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		host = host[i+1:]
	}
	return host
}

// hostMatch reports whether part spells host (letters and digits
// compared, case ignored: "Riverton Gazette" for rivertongazette), starts
// with it in at most four words ("Giordano's Catering" for giordanos),
// ends it after a short prefix ("Moxie" for withmoxie, "LoadUp" for
// goloadup), or is a name of at most six words some of which, in order,
// spell it ("The Partnership for Student Success" for
// partnershipstudentsuccess, "VCA Animal Hospitals" for vcahospitals).
func hostMatch(part, host string) bool {
	h := alnum(host)
	if h == "" {
		return false
	}
	a := alnum(part)
	switch {
	case a == h:
		return true
	case len(h) < 5 || len(a) < 4:
		return false
	case strings.HasPrefix(a, h) && countWords(part) <= 4:
		return true
	case strings.HasSuffix(h, a) && len(h)-len(a) <= 4 && countWords(part) <= 2:
		return true
	}
	words := strings.Fields(part)
	if len(words) > 6 {
		return false
	}
	used := 0
	rest := h
	for _, w := range words {
		if aw := alnum(w); aw != "" && strings.HasPrefix(rest, aw) {
			rest = rest[len(aw):]
			used++
		}
	}
	return rest == "" && used >= 2 && 2*used >= len(words)
}

// namedPart returns the part of title, before its first separator or
// after its last, that names the site (namesSite), or "" when none does,
// or both do ("Xfinity TV and Streaming - Xfinity Entertainment").
func namedPart(title, site string, u *url.URL) string {
	for _, sep := range titleSeparators {
		parts := strings.Split(title, sep)
		if len(parts) < 2 {
			continue
		}
		first, last := parts[0], parts[len(parts)-1]
		switch a, b := namesSite(first, site, u), namesSite(last, site, u); {
		case a && b:
			return ""
		case a:
			return strings.TrimSpace(first)
		case b:
			return strings.TrimSpace(last)
		}
	}
	return ""
}

// alnum lower-cases s and keeps its letters and digits.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// titleSeparators part a headline from a site's name in <title>.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", ": "}

// leadHeading returns the first paragraph of text when it reads as a
// headline (short, no sentence end) and more text follows, and the text
// without it; else "" and text.
func leadHeading(text string) (string, string) {
	first, rest, ok := strings.Cut(text, "\n\n")
	if !ok || strings.Contains(first, "\n") || !looksLikeHeading(first) || countWords(first) < 3 || countWords(rest) < 20 {
		return "", text
	}
	return first, rest
}
