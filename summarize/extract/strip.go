package extract

import (
	"bytes"
)

// stripRawText returns body with the contents of its <script> (JSON-LD
// excepted) and <style> elements cut out, before parsing: they are never
// text, and tokenizing them is a fifth of the parse. It follows the
// tokenizer's rules where they matter: comments are skipped whole, other
// raw-text elements (textarea, title, xmp...) are skipped to their end, and
// a script whose content holds "<!--" (where the HTML tokenizer's escape
// states could end it elsewhere) is left for the parser. Cutting can only
// remove text, never expose it. body is not modified; when nothing is cut
// it is returned as is.
func stripRawText(body []byte) []byte {
	var out []byte // nil until the first cut
	last := 0      // body[last:] is not yet copied to out
	i := 0
	for i < len(body) {
		j := bytes.IndexByte(body[i:], '<')
		if j < 0 || i+j+1 >= len(body) {
			break
		}
		i += j
		rest := body[i:]
		c := rest[1]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return finish(out, body, last)
			}
			i += 4 + end + 3
		case c == '!' || c == '?' || c == '/':
			// Doctype, bogus comment or end tag: up to the next ">"
			// (end tags honour quoted attribute values, like start tags).
			end := startTagEnd(rest)
			if c != '/' {
				end = bytes.IndexByte(rest, '>') + 1
			}
			if end <= 0 {
				return finish(out, body, last)
			}
			i += end
		case isASCIILetter(c):
			tagEnd := startTagEnd(rest)
			if tagEnd < 0 {
				return finish(out, body, last)
			}
			name, raw := rawTextElement(rest)
			if name == "" {
				i += tagEnd
				continue
			}
			content := i + tagEnd
			if name == "plaintext" {
				return finish(out, body, last)
			}
			closeAt := indexEndTag(body[content:], name)
			if closeAt < 0 {
				return finish(out, body, last) // unclosed: the rest is raw text anyway
			}
			inner := body[content : content+closeAt]
			if raw && len(inner) > 0 && !(name == "script" && (bytes.Contains(bytes.ToLower(rest[:tagEnd]), []byte("ld+json")) || bytes.Contains(inner, []byte("<!--")))) {
				if out == nil {
					out = make([]byte, 0, len(body))
				}
				out = append(out, body[last:content]...)
				last = content + closeAt
			}
			i = content + closeAt
		default:
			i++
		}
	}
	return finish(out, body, last)
}

func finish(out, body []byte, last int) []byte {
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// rawTextElement names the element whose start tag begins b when its
// content is raw text or RCDATA for the tokenizer (so tags inside it are
// not tags), and reports whether the content is ours to cut (script and
// style).
func rawTextElement(b []byte) (name string, cut bool) {
	for _, n := range []string{"script", "style"} {
		if hasTagPrefix(b, n) {
			return n, true
		}
	}
	for _, n := range []string{"textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"} {
		if hasTagPrefix(b, n) {
			return n, false
		}
	}
	return "", false
}

// hasTagPrefix reports whether b starts with the start tag "<name" followed
// by white space, "/" or ">", ignoring case.
func hasTagPrefix(b []byte, name string) bool {
	if len(b) < len(name)+2 || !bytes.EqualFold(b[1:1+len(name)], []byte(name)) {
		return false
	}
	return isTagNameEnd(b[1+len(name)])
}

func isTagNameEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>'
}

// startTagEnd returns the index just past the ">" closing the start tag at
// the beginning of b, honouring quoted attribute values, or -1.
func startTagEnd(b []byte) int {
	var quote byte
	for k := 1; k < len(b); k++ {
		c := b[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			// Quotes open values only after "="; elsewhere they are
			// part of a name and the tokenizer does not pair them.
			if k > 0 && prevNonSpace(b, k) == '=' {
				quote = c
			}
		case c == '>':
			return k + 1
		}
	}
	return -1
}

func prevNonSpace(b []byte, k int) byte {
	for k--; k >= 0; k-- {
		if c := b[k]; c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			return c
		}
	}
	return 0
}

// indexEndTag returns the index of the first "</name" (any case) in b that
// is followed by white space, "/" or ">", or -1.
func indexEndTag(b []byte, name string) int {
	off := 0
	for {
		j := bytes.Index(b[off:], []byte("</"))
		if j < 0 {
			return -1
		}
		at := off + j
		if at+2+len(name) < len(b) && bytes.EqualFold(b[at+2:at+2+len(name)], []byte(name)) && isTagNameEnd(b[at+2+len(name)]) {
			return at
		}
		off = at + 2
	}
}
