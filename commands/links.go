package commands

import (
	"net/url"
	"strings"

	"github.com/linkbrief/linkbrief/summarize"
)

// maxLinkLen skips links longer than any real article address.
const maxLinkLen = 2048

// FindLinks returns the http and https links of a Discord message in the
// order they appear, at most max of them (max <= 0 means no cap), without
// duplicates (links that differ only in tracking parameters are one).
// It skips what the author chose not to preview: links in <angle
// brackets>, inside ||spoilers||, and in `code` or ```code blocks```.
func FindLinks(content string, max int) []string {
	text := blank(content, "```", "```")
	text = blank(text, "`", "`")
	text = blank(text, "||", "||")
	var links []string
	seen := map[string]bool{}
	for i := 0; i < len(text); {
		j := indexScheme(text[i:])
		if j < 0 {
			break
		}
		start := i + j
		end := start
		for end < len(text) && !isLinkEnd(text[end]) {
			end++
		}
		i = end
		if start > 0 && isWordByte(text[start-1]) {
			continue // "xhttps://" is not a link
		}
		if start > 0 && text[start-1] == '<' && end < len(text) && text[end] == '>' {
			continue // <suppressed>
		}
		link := trimLinkTail(text[start:end])
		if len(link) > maxLinkLen || !isWebLink(link) {
			continue
		}
		key, err := summarize.CanonicalURL(link)
		if err != nil {
			continue
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		links = append(links, link)
		if max > 0 && len(links) == max {
			break
		}
	}
	return links
}

// blank replaces every span from open to the next close (both included)
// with spaces, keeping byte offsets. An open with no close is left alone,
// as Discord renders it literally.
func blank(s, open, close string) string {
	if !strings.Contains(s, open) {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], open)
		if j < 0 {
			break
		}
		start := i + j
		k := strings.Index(s[start+len(open):], close)
		if k < 0 {
			break
		}
		end := start + len(open) + k + len(close)
		for x := start; x < end; x++ {
			b[x] = ' '
		}
		i = end
	}
	return string(b)
}

// indexScheme finds the next "http://" or "https://", in any case.
func indexScheme(s string) int {
	for i := 0; i+7 <= len(s); i++ {
		if s[i] != 'h' && s[i] != 'H' {
			continue
		}
		rest := s[i:]
		if hasPrefixFold(rest, "http://") || hasPrefixFold(rest, "https://") {
			return i
		}
	}
	return -1
}

// isLinkEnd reports whether c cannot be part of a link as Discord reads
// it.
func isLinkEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', '<', '>', '"', '|', '`':
		return true
	}
	return c < 0x20 || c == 0x7f
}

// trimLinkTail drops the punctuation that ends a sentence rather than a
// link, and closing brackets that have no opening one in the link, so
// "(see https://en.wikipedia.org/wiki/Go_(game))." keeps the inner pair.
func trimLinkTail(s string) string {
	for s != "" {
		last := s[len(s)-1]
		switch last {
		case '.', ',', ':', ';', '!', '?', '\'', '*', '_', '~':
			s = s[:len(s)-1]
			continue
		case ')':
			if strings.Count(s, "(") < strings.Count(s, ")") {
				s = s[:len(s)-1]
				continue
			}
		case ']':
			if strings.Count(s, "[") < strings.Count(s, "]") {
				s = s[:len(s)-1]
				continue
			}
		}
		break
	}
	return s
}

// isWebLink reports whether s is an absolute http(s) URL with a host.
func isWebLink(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

// isWordByte reports whether c is a letter, digit or underscore, or part
// of a multi-byte character.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}
