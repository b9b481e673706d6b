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
// that names the site (its declared name, or its host's) is dropped. A
// section label ("Politics") is no title when the page's h1 is a
// headline; with no title at all, the h1 is one.
func pickTitle(found string, head headTitles, site string, u *url.URL) string {
	title := found
	for _, whole := range []string{head.og, head.title} {
		if whole != "" && len(whole) > len(title) && strings.HasPrefix(whole, strings.TrimSpace(strings.TrimRight(title, ".…"))) {
			title = trimSiteName(whole, site)
			if title == whole && u != nil {
				title = trimSiteName(whole, hostName(whole, u))
			}
			if title == whole && head.h1 != "" && len(head.h1) < len(whole) && atSeparator(whole, head.h1) {
				title = head.h1 // the page's headline is the title without what follows it
			}
			break
		}
	}
	if title == "" || (countWords(title) <= 2 && countWords(head.h1) >= 3 && !strings.Contains(strings.ToLower(head.h1), strings.ToLower(title))) {
		if head.h1 != "" {
			title = head.h1
		}
	}
	return title
}

// hostName returns the part of title, before its first separator or after
// its last, that spells the page's host name (letters and digits
// compared, case ignored: "Riverton Gazette" for rivertongazette.com), or
// starts with it in at most four words, or "".
func hostName(title string, u *url.URL) string {
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if i := strings.LastIndexByte(host, '.'); i > 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		host = host[i+1:]
	}
	if host == "" {
		return ""
	}
	for _, sep := range titleSeparators {
		parts := strings.Split(title, sep)
		if len(parts) < 2 {
			continue
		}
		for _, p := range []string{parts[0], parts[len(parts)-1]} {
			if a, h := alnum(p), alnum(host); a == h || (len(h) >= 5 && strings.HasPrefix(a, h) && countWords(p) <= 4) {
				return strings.TrimSpace(p) // "Giordano's Catering" for giordanos.com
			}
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

// atSeparator reports whether whole is headline followed by a title
// separator, or a separator followed by headline.
func atSeparator(whole, headline string) bool {
	for _, sep := range titleSeparators {
		if strings.HasPrefix(whole, headline+sep) || strings.HasSuffix(whole, sep+headline) {
			return true
		}
	}
	return false
}
