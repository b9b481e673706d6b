package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// hiddenClasses are class names that mean "not shown" in the common CSS
// frameworks (Bootstrap, Tailwind, WordPress, Foundation).
var hiddenClasses = map[string]bool{
	"hidden": true, "d-none": true, "is-hidden": true, "hide": true, "invisible": true,
	"visually-hidden": true, "visuallyhidden": true, "sr-only": true, "screen-reader-text": true,
	"screenreader-only": true, "show-for-sr": true, "element-invisible": true,
}

// isHidden reports whether an element is hidden from sighted readers by
// its attributes: hidden, aria-hidden="true", an inline display:none or
// visibility:hidden, a hidden input, or a class that frameworks hide.
func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			if hiddenStyle(a.Val) {
				return true
			}
		case "class":
			if hasHiddenClass(a.Val) {
				return true
			}
		case "type":
			if n.Data == "input" && strings.EqualFold(a.Val, "hidden") {
				return true
			}
		}
	}
	return false
}

// hasHiddenClass reports whether a word of the class attribute value v
// (split at white space) is in hiddenClasses, ignoring case, without
// allocating. Those words are ASCII, and no other letter lower-cases to
// one of theirs, so a word with other letters never matches.
func hasHiddenClass(v string) bool {
	var buf [24]byte
	n, other := 0, false
	for i := 0; i <= len(v); {
		c, size := byte(' '), 1
		if i < len(v) {
			c = v[i]
		}
		if c >= utf8.RuneSelf {
			r, sz := utf8.DecodeRuneInString(v[i:])
			size = sz
			if unicode.IsSpace(r) {
				c = ' '
			} else {
				other = true
			}
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			if n > 0 && !other && n <= len(buf) && hiddenClasses[string(buf[:n])] {
				return true
			}
			n, other = 0, false
		case c < utf8.RuneSelf:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if n < len(buf) {
				buf[n] = c
			}
			n++
		}
		i += size
	}
	return false
}

// hiddenStyle reports whether an inline style hides its element.
func hiddenStyle(style string) bool {
	if len(style) > 4096 {
		style = style[:4096]
	}
	for style != "" {
		var decl string
		decl, style, _ = strings.Cut(style, ";")
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		prop = strings.TrimSpace(prop)
		val = strings.TrimSpace(val)
		if v, ok := strings.CutSuffix(val, "important"); ok {
			val = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!"))
		}
		switch {
		case strings.EqualFold(prop, "display"):
			if strings.EqualFold(val, "none") {
				return true
			}
		case strings.EqualFold(prop, "visibility"):
			if strings.EqualFold(val, "hidden") || strings.EqualFold(val, "collapse") {
				return true
			}
		case strings.EqualFold(prop, "font-size"), strings.EqualFold(prop, "max-height"),
			strings.EqualFold(prop, "height"), strings.EqualFold(prop, "opacity"):
			if zeroLength(val) {
				return true
			}
		}
	}
	return false
}

func zeroLength(v string) bool {
	v = strings.TrimSpace(v)
	v = strings.TrimRight(v, "pxemrt%")
	return v == "0" || v == "0.0" || v == ".0" || v == "0.00"
}

// dropTags are removed from the tree before extraction: they never hold
// reader-visible text, and some (templates, comments) are favourite
// carriers of hidden instructions.
var dropTags = map[string]bool{
	"style": true, "template": true, "noscript": true, "svg": true, "math": true,
	"iframe": true, "object": true, "embed": true, "canvas": true, "frameset": true,
	"frame": true, "applet": true, "dialog": true,
}

func isJSONLD(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "type" {
			return strings.EqualFold(strings.TrimSpace(a.Val), "application/ld+json")
		}
	}
	return false
}
