package extract

import (
	"strings"

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
			for _, c := range strings.Fields(a.Val) {
				if hiddenClasses[strings.ToLower(c)] {
					return true
				}
			}
		case "type":
			if n.Data == "input" && strings.EqualFold(a.Val, "hidden") {
				return true
			}
		}
	}
	return false
}

// hiddenStyle reports whether an inline style hides its element.
func hiddenStyle(style string) bool {
	if len(style) > 4096 {
		style = style[:4096]
	}
	for _, decl := range strings.Split(style, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), "!important")))
		switch {
		case prop == "display" && val == "none":
			return true
		case prop == "visibility" && (val == "hidden" || val == "collapse"):
			return true
		case (prop == "font-size" || prop == "max-height" || prop == "height") && zeroLength(val):
			return true
		case prop == "opacity" && zeroLength(val):
			return true
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
