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

// Attachment is a file attached to a message, as Discord describes it.
type Attachment struct {
	// URL is the file's address on Discord's CDN.
	URL string `json:"url"`
	// Filename and ContentType ("application/pdf; charset=...", may be
	// empty) say what it is.
	Filename    string `json:"filename"`
	ContentType string `json:"content_type,omitempty"`
}

// readable reports whether an attachment is a document Linkbrief reads: a
// PDF, plain text or HTML file, by its content type or, without one, its
// file name.
func (a Attachment) readable() bool {
	ct := strings.ToLower(strings.TrimSpace(a.ContentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	switch ct {
	case "application/pdf", "text/plain", "text/html":
		return true
	case "":
		name := strings.ToLower(a.Filename)
		for _, ext := range []string{".pdf", ".txt", ".html", ".htm"} {
			if strings.HasSuffix(name, ext) {
				return true
			}
		}
	}
	return false
}

// MessageLinks returns the links of a message to summarize, at most max
// (default 3): those FindLinks finds in its content, then the addresses
// of its PDF, text and HTML attachments, which go through the same safe
// fetcher and pipeline as any link.
func MessageLinks(content string, attachments []Attachment, max int) []string {
	if max <= 0 {
		max = 3
	}
	return withAttachments(FindLinks(content, max), attachments, max)
}

// AutoMessageLinks is MessageLinks for auto mode: the content's links that
// AutoLinks keeps, then the readable attachments.
func AutoMessageLinks(content string, attachments []Attachment, max int) []string {
	if max <= 0 {
		max = 3
	}
	return withAttachments(AutoLinks(content, max), attachments, max)
}

// withAttachments appends to links the addresses of the readable
// attachments, up to max links in all.
func withAttachments(links []string, attachments []Attachment, max int) []string {
	seen := map[string]bool{}
	for _, l := range links {
		seen[l] = true
	}
	for _, a := range attachments {
		if len(links) >= max {
			break
		}
		if !a.readable() || !isWebLink(a.URL) || seen[a.URL] {
			continue
		}
		if _, err := summarize.CanonicalURL(a.URL); err != nil {
			continue
		}
		seen[a.URL] = true
		links = append(links, a.URL)
	}
	return links
}
