package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// breakKind is the separator owed before the next word.
type breakKind uint8

const (
	breakNone breakKind = iota
	breakSpace
	breakLine
	breakPara
)

// textBuilder accumulates words and separators. Separators are queued and
// only written before the next word, so the output never starts or ends
// with whitespace and never holds more than one blank line in a row.
type textBuilder struct {
	b       strings.Builder
	pending breakKind
}

func (t *textBuilder) queue(k breakKind) {
	if k > t.pending {
		t.pending = k
	}
}

func (t *textBuilder) word(w string) {
	if w == "" {
		return
	}
	if t.b.Len() > 0 {
		switch t.pending {
		case breakSpace:
			t.b.WriteByte(' ')
		case breakLine:
			t.b.WriteByte('\n')
		case breakPara:
			t.b.WriteString("\n\n")
		}
	}
	t.pending = breakNone
	t.b.WriteString(w)
}

// text writes a run of character data, collapsing whitespace as a browser
// does outside <pre>.
func (t *textBuilder) text(s string) {
	start := -1
	for i, r := range s {
		if isSpace(r) {
			if start >= 0 {
				t.word(cleanWord(s[start:i]))
				start = -1
			}
			t.queue(breakSpace)
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		t.word(cleanWord(s[start:]))
	}
}

// pre writes preformatted text: line breaks are kept, runs of blank lines
// become one paragraph break, other whitespace collapses.
func (t *textBuilder) pre(s string) {
	blank := 0
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			if strings.TrimSpace(line) == "" {
				blank++
				continue
			}
			if blank > 0 {
				t.queue(breakPara)
			} else {
				t.queue(breakLine)
			}
			blank = 0
		}
		t.text(line)
	}
}

func (t *textBuilder) String() string { return t.b.String() }

// isSpace reports white space, including the no-break and zero-width
// spaces pages use between words.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\u2028' || r == '\u2029' || r == '\u3000'
}

// cleanWord drops control and format characters (soft hyphens, bidi
// overrides) and invalid bytes from a word. The zero-width joiner and
// non-joiner stay: in Persian, Bengali and other scripts they are part of
// the spelling, and a quote without them is not the source's words.
func cleanWord(w string) string {
	ok := true
	for _, r := range w {
		if r < utf8.RuneSelf {
			if r < 0x20 || r == 0x7f {
				ok = false
				break
			}
			continue
		}
		if dropRune(r) {
			ok = false
			break
		}
	}
	if ok {
		return w
	}
	return strings.Map(func(r rune) rune {
		if dropRune(r) {
			return -1
		}
		return r
	}, w)
}

// dropRune reports a rune that cleanWord removes.
func dropRune(r rune) bool {
	if r == '\u200c' || r == '\u200d' {
		return false
	}
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// blockTags are the elements that start and end a paragraph of their own.
// It includes the tags of go-trafilatura's internal tree (head, list, item,
// quote).
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "center": true,
	"dd": true, "details": true, "dialog": true, "div": true, "dl": true, "dt": true,
	"fieldset": true, "figcaption": true, "figure": true, "footer": true, "form": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hgroup": true, "hr": true, "legend": true, "li": true, "main": true, "menu": true,
	"nav": true, "ol": true, "p": true, "pre": true, "section": true, "summary": true,
	"table": true, "ul": true, "caption": true, "body": true, "html": true,
	"head": true, "list": true, "item": true, "quote": true, "code_block": true,
}

// lineTags end a line but not a paragraph.
var lineTags = map[string]bool{
	"br": true, "lb": true, "tr": true, "thead": true, "tbody": true, "tfoot": true,
}

// skipTags never hold reader-visible text.
var skipTags = map[string]bool{
	"script": true, "style": true, "template": true, "noscript": true, "svg": true,
	"math": true, "iframe": true, "object": true, "embed": true, "canvas": true,
	"video": true, "audio": true, "select": true, "option": true, "textarea": true,
	"button": true, "input": true, "title": true, "meta": true, "link": true,
}

// renderText renders the text of n: block elements become paragraphs
// separated by "\n\n", <br> a line break, and words of neighbouring blocks
// are never glued together.
func renderText(n *html.Node) string {
	var t textBuilder
	renderNode(&t, n, false)
	return t.String()
}

func renderNode(t *textBuilder, n *html.Node, inPre bool) {
	switch n.Type {
	case html.TextNode:
		if inPre {
			t.pre(n.Data)
		} else {
			t.text(n.Data)
		}
		return
	case html.ElementNode:
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			renderNode(t, c, inPre)
		}
		return
	default:
		return
	}
	tag := n.Data
	if skipTags[tag] || isHidden(n) {
		return
	}
	switch {
	case tag == "br" || tag == "lb":
		if t.pending == breakLine {
			t.queue(breakPara) // <br><br> is a paragraph break
		} else {
			t.queue(breakLine)
		}
		return
	case tag == "hr":
		t.queue(breakPara)
		return
	case tag == "td" || tag == "th":
		t.queue(breakSpace)
	case tag == "img":
		return
	}
	block := blockTags[tag]
	line := lineTags[tag]
	if block {
		t.queue(breakPara)
	} else if line {
		t.queue(breakLine)
	}
	pre := inPre || tag == "pre"
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		renderNode(t, c, pre)
	}
	if block {
		t.queue(breakPara)
	} else if line {
		t.queue(breakLine)
	} else if tag == "td" || tag == "th" {
		t.queue(breakSpace)
	}
}
