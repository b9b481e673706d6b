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
