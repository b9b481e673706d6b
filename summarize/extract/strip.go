package extract

import (
	"bytes"
)

// slim returns body without the bytes the extraction never reads, cut
// before parsing because tokenizing them is most of the parse: the
// contents of <script> (JSON-LD excepted) and <style> elements, the
// attributes no reader of the tree looks at (data-*, event handlers,
// srcset, SVG path data...; keptAttr lists the others), most of each link
// address, and the head's comments and unused <meta> and <link> elements
// (those prepare would remove). Attributes are two thirds of a typical
// page's markup.
//
// It scans the page with the HTML tokenizer's own rules (tags with their
// quoted attribute values, comments, raw-text and RCDATA elements, the
// escapes of script data), so what it takes for a tag is a tag to the
// parser too, and a cut can only remove an attribute, raw text or a token
// with white space of its own before it. Inside
// SVG and MathML the parser treats <style>, <script> and <title> as markup
// and allows CDATA, which the tokenizer alone cannot tell: there, such
// elements are only skipped when both readings agree, and slimming stops
// when they might not. body is not modified; when nothing is cut it is
// returned as is.
func slim(body []byte) []byte {
	s := slimmer{body: body, inHead: true}
	s.run()
	if s.out == nil {
		return body
	}
	return append(s.out, body[s.last:]...)
}

// slimmer is the state of one slim pass.
type slimmer struct {
	body []byte
	out  []byte // nil until the first cut
	last int    // body[last:] is not yet copied to out

	// svg and math count the start tags of those elements not yet
	// matched by an end tag: while either is positive, the parser may be
	// in foreign content. sticky records an HTML integration point
	// (foreignObject, desc, title, annotation-xml, mi...) inside foreign
	// content, after which the parser's state cannot be followed.
	svg, math int
	sticky    bool

	markEnd int  // the index after the last tag or comment
	inHead  bool // nothing but head elements, comments and white space yet
}

func (s *slimmer) cut(from, to int) {
	if s.out == nil {
		s.out = make([]byte, 0, len(s.body))
	}
	s.out = append(s.out, s.body[s.last:from]...)
	s.last = to
}

// cutToken cuts the whole token body[from:to] (a comment, an unused
// <meta>) with the white space before it, while the page is still in its
// head, when that white space follows a tag or comment and white space
// follows the token: then only white space that was a text of its own
// goes, and nothing new becomes markup. (In the body, white space can
// restore formatting elements or open a <pre>: cuts there could move
// elements.)
func (s *slimmer) cutToken(from, to int) {
	b := s.body
	if to < len(b) && !isSpaceByte(b[to]) {
		return
	}
	w := from
	for w > 0 && isSpaceByte(b[w-1]) {
		w--
	}
	if !s.inHead || w != s.markEnd || s.last > w {
		return
	}
	s.cut(w, to)
}

func (s *slimmer) foreign() bool { return s.sticky || s.svg > 0 || s.math > 0 }

// run scans the page; it returns when the rest is to be kept as is.
func (s *slimmer) run() {
	b := s.body
	i := 0
	for i < len(b) {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 || i+j+1 >= len(b) {
			return
		}
		i += j
		if s.inHead && bytes.ContainsFunc(b[s.markEnd:i], func(r rune) bool { return !isSpaceByte(byte(r)) || r >= 0x80 }) {
			s.inHead = false // text
		}
		c := b[i+1]
		switch {
		case c == '!':
			end := s.markup(i)
			if end < 0 {
				return
			}
			i = end
		case c == '?':
			end := closeAngle(b, i+2)
			if end < 0 {
				return
			}
			i, s.markEnd = end, end
		case c == '/':
			if i+2 >= len(b) {
				return
			}
			d := b[i+2]
			switch {
			case d == '>':
				i += 3
			case isASCIILetter(d):
				var t tagScan
				if !t.scan(b, i+2, nil) {
					return
				}
				var buf [32]byte
				name := lower(&buf, b[i+2:t.nameEnd])
				s.endTag(name)
				if !headTag(name) {
					s.inHead = false
				}
				i = t.end
			default:
				end := closeAngle(b, i+2)
				if end < 0 {
					return
				}
				i = end
			}
			s.markEnd = i
		case isASCIILetter(c):
			end := s.startTag(i)
			if end < 0 {
				return
			}
			i = end
		default:
			i++
		}
	}
}

// markup skips the comment, doctype, CDATA section or bogus comment
// starting with "<!" at i and returns the index after it, or -1 to stop.
func (s *slimmer) markup(i int) int {
	b := s.body
	if bytes.HasPrefix(b[i+2:], []byte("--")) {
		end := commentEnd(b, i+4)
		if end > 0 {
			s.cutToken(i, end)
			s.markEnd = end
		}
		return end
	}
	if s.foreign() && bytes.HasPrefix(b[i+2:], []byte("[CDATA[")) {
		// CDATA in foreign content ends at "]]>", a bogus comment
		// elsewhere at the first ">": go on only when that is the same.
		k := bytes.Index(b[i:], []byte("]]>"))
		if k < 0 || bytes.IndexByte(b[i:], '>') != k+2 {
			return -1
		}
		return i + k + 3 // text, in foreign content
	}
	end := closeAngle(b, i+2)
	s.markEnd = end
	return end
}

// startTag handles the start tag at i: it cuts unused attributes, and the
// contents of scripts and styles, and returns the index after what it
// consumed, or -1 to stop.
func (s *slimmer) startTag(i int) int {
	b := s.body
	var t tagScan
	var drops [16][2]int
	nd := 0
	var head headAttrs
	if !t.scan(b, i+1, func(a attrSpan) {
		if a.keyEnd == a.keyStart {
			return
		}
		if s.inHead {
			if tag := b[i+1 : t.nameEnd]; bytes.EqualFold(tag, []byte("meta")) || bytes.EqualFold(tag, []byte("link")) {
				head.note(b, a)
			}
		}
		if keptAttr(b[a.keyStart:a.keyEnd]) {
			// A link's address matters only when it is an anchor in the
			// page ("#notes") or a script ("javascript:"): others keep
			// their first and last bytes.
			if a.valEnd-a.valStart > 2 && t.nameEnd == i+2 && b[i+1]|0x20 == 'a' &&
				(b[a.valStart] == 'h' || b[a.valStart] == '/') && bytes.EqualFold(b[a.keyStart:a.keyEnd], []byte("href")) && nd < len(drops) {
				drops[nd] = [2]int{a.valStart + 1, a.valEnd - 1}
				nd++
			}
			return
		}
		if nd > 0 && drops[nd-1][1] == a.keyStart {
			drops[nd-1][1] = a.next
		} else if nd < len(drops) {
			drops[nd] = [2]int{a.keyStart, a.next}
			nd++
		}
	}) {
		return -1
	}
	// A cut reaching the tag's end must not make or unmake a self-closing
	// tag ("<x a/>" against "<x a/ data-b>").
	if nd > 0 {
		if d := drops[nd-1]; b[d[1]] == '>' && (b[d[1]-1] == '/' || b[d[0]-1] == '/') {
			nd--
		}
	}
	var buf [32]byte
	name := lower(&buf, b[i+1:t.nameEnd])
	foreign := s.foreign()
	if !headTag(name) {
		s.inHead = false
	}
	if tag := string(name); (tag == "meta" || tag == "link") && s.inHead && !head.useful(tag) {
		s.cutToken(i, t.end)
		s.markEnd = t.end
		return t.end
	}
	s.markEnd = t.end
	for _, d := range drops[:nd] {
		s.cut(d[0], d[1])
	}
	switch string(name) {
	case "svg":
		if !t.selfClosing(b) {
			s.svg++
		}
	case "math":
		if !t.selfClosing(b) {
			s.math++
		}
	case "foreignobject", "desc", "title", "annotation-xml", "mi", "mo", "mn", "ms", "mtext":
		if foreign {
			s.sticky = true
		}
	}
	raw := rawTextTag(name)
	if raw == "" {
		return t.end
	}
	if raw == "plaintext" {
		return -1 // the rest is raw text, or cannot be followed
	}
	var closeAt int
	if raw == "script" && !foreign {
		closeAt = scriptEnd(b[t.end:])
	} else {
		closeAt = indexEndTag(b[t.end:], raw)
	}
	if closeAt < 0 {
		return -1 // unclosed: the rest is raw text anyway
	}
	inner := b[t.end : t.end+closeAt]
	if foreign {
		// Markup to the parser here, raw text to the tokenizer: both read
		// the same only without a "<" inside.
		if bytes.IndexByte(inner, '<') >= 0 {
			return -1
		}
		s.markEnd = t.end + closeAt
		return t.end + closeAt
	}
	if (raw == "script" || raw == "style") && len(inner) > 0 &&
		!(raw == "script" && bytes.Contains(bytes.ToLower(b[i:t.end]), []byte("ld+json"))) {
		s.cut(t.end, t.end+closeAt)
	}
	s.markEnd = t.end + closeAt // raw text is no text of the page's body
	return t.end + closeAt
}

// endTag follows foreign content through the end tag named name.
func (s *slimmer) endTag(name []byte) {
	switch string(name) {
	case "svg":
		s.svg = max(s.svg-1, 0)
	case "math":
		s.math = max(s.math-1, 0)
	}
}

// keptAttr reports whether the attribute named key (any case) is one
// something reads: our cleaning and classification, readeck, or the
// parser itself (font color, face and size end
// foreign content; annotation-xml's encoding makes an integration point).
func keptAttr(key []byte) bool {
	var buf [32]byte
	switch string(lower(&buf, key)) {
	case "class", "id", "role", "itemprop", "itemtype", "itemscope", "style", "hidden", "aria-hidden", "aria-modal",
		"type", "href", "rel", "lang", "xml:lang", "dir", "name", "property", "content", "http-equiv", "charset",
		"datetime", "action", "summary", "datatable", "colspan", "rowspan", "src", "width", "height",
		"color", "face", "size", "encoding", "data-component", "data-testid", "data-lp-replacement-content":
		return true
	}
	return false
}

// lower returns s ASCII-lower-cased in buf, or nil when it is longer.
func lower(buf *[32]byte, s []byte) []byte {
	if len(s) > len(buf) {
		return nil
	}
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(s)]
}

// rawTextTag returns name when the tokenizer reads the element's content
// as raw text or RCDATA (so tags inside it are not tags), else "".
func rawTextTag(name []byte) string {
	switch string(name) {
	case "script":
		return "script"
	case "style":
		return "style"
	case "textarea":
		return "textarea"
	case "title":
		return "title"
	case "xmp":
		return "xmp"
	case "iframe":
		return "iframe"
	case "noembed":
		return "noembed"
	case "noframes":
		return "noframes"
	case "noscript":
		return "noscript"
	case "plaintext":
		return "plaintext"
	}
	return ""
}

// attrSpan locates one attribute of a tag: its key, and next, where the
// following attribute (or the tag's end) starts, so [keyStart, next) is
// the attribute with the white space after it. A "/" the tokenizer takes
// after a valueless key is left out of the span.
type attrSpan struct {
	keyStart, keyEnd, next int
	valStart, valEnd       int // the value, quotes left out; equal when there is none
}

// tagScan is one tag read as the HTML tokenizer reads it.
type tagScan struct {
	nameEnd int // the index after the tag name
	end     int // the index after the closing ">"
	lastVal int // the end of the last attribute's unquoted value, or -1
}

// scan reads the tag whose name starts at b[start], calling f (when not
// nil) for each attribute, and reports whether the tag ends before b
// does.
func (t *tagScan) scan(b []byte, start int, f func(attrSpan)) bool {
	p := start
	for p < len(b) && !isTagNameEnd(b[p]) {
		p++
	}
	t.nameEnd = p
	t.lastVal = -1
	p = skipSpace(b, p)
	for p < len(b) {
		if b[p] == '>' {
			t.end = p + 1
			return true
		}
		a := attrSpan{keyStart: p}
		// The key: a leading "=" belongs to it.
		for p < len(b) {
			c := b[p]
			if c == '=' && p == a.keyStart {
				p++
				continue
			}
			if c == '=' || c == '/' || c == '>' || isSpaceByte(c) {
				break
			}
			p++
		}
		a.keyEnd = p
		t.lastVal = -1
		// The value.
		q := skipSpace(b, p)
		if q >= len(b) {
			return false
		}
		switch b[q] {
		case '/':
			a.next = q
			p = q + 1
		case '=':
			q = skipSpace(b, q+1)
			if q >= len(b) {
				return false
			}
			switch c := b[q]; c {
			case '>':
				p = q
			case '"', '\'':
				k := bytes.IndexByte(b[q+1:], c)
				if k < 0 {
					return false
				}
				a.valStart, a.valEnd = q+1, q+1+k
				p = q + 1 + k + 1
			default:
				a.valStart = q
				for q < len(b) && b[q] != '>' && !isSpaceByte(b[q]) {
					q++
				}
				if q >= len(b) {
					return false
				}
				a.valEnd = q
				t.lastVal = q
				p = q
				if b[q] != '>' {
					p++
				}
			}
			p = skipSpace(b, p)
			a.next = p
		default:
			p = q
			a.next = q
		}
		p = skipSpace(b, p)
		if a.next > p {
			a.next = p
		}
		if f != nil && p < len(b) {
			f(a)
		}
	}
	return false
}

// selfClosing reports, erring towards no, whether the scanned start tag
// closes itself ("<svg/>"): a "/" before ">" that no unquoted value ends
// with.
func (t *tagScan) selfClosing(b []byte) bool {
	return b[t.end-2] == '/' && t.lastVal != t.end-1
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && isSpaceByte(b[p]) {
		p++
	}
	return p
}

// closeAngle returns the index after the first ">" at or after b[i], or
// -1.
func closeAngle(b []byte, i int) int {
	if i > len(b) {
		return -1
	}
	k := bytes.IndexByte(b[i:], '>')
	if k < 0 {
		return -1
	}
	return i + k + 1
}

// commentEnd returns the index after the comment whose text starts at
// b[i] (after "<!--"), following the tokenizer: "-->", "--!>", and "<!-->"
// or "<!--->" at the start end it. -1 means it runs to the end.
func commentEnd(b []byte, i int) int {
	dashes, beginning := 0, true
	for ; i < len(b); i++ {
		switch b[i] {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return i + 1
			}
		case '!':
			if dashes >= 2 {
				i++
				if i >= len(b) {
					return -1
				}
				switch b[i] {
				case '>':
					return i + 1
				case '-':
					dashes, beginning = 1, false
					continue
				}
			}
		}
		dashes, beginning = 0, false
	}
	return -1
}

// scriptEnd returns the index of the "</script" ending the script data
// that starts b, following the tokenizer's escape states ("<!--" and a
// nested "<script" hide an end tag), or -1.
func scriptEnd(b []byte) int {
	const (
		data = iota
		escaped
		escapedDash
		escapedDashDash
		double
		doubleDash
		doubleDashDash
	)
	state := data
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch state {
		case data:
			if c != '<' {
				k := bytes.IndexByte(b[i:], '<')
				if k < 0 {
					return -1
				}
				i += k - 1
				continue
			}
			if rawEndTagAt(b, i, "script") {
				return i
			}
			if bytes.HasPrefix(b[i+1:], []byte("!--")) {
				i += 3
				state = escapedDashDash
			}
		case escaped, escapedDash, escapedDashDash:
			switch {
			case c == '-':
				state = min(state+1, escapedDashDash)
			case c == '>' && state == escapedDashDash:
				state = data
			case c == '<':
				if rawEndTagAt(b, i, "script") {
					return i
				}
				switch {
				case i+1 < len(b) && b[i+1] == '/':
					state = escaped
				case i+1 < len(b) && isASCIILetter(b[i+1]):
					state = escaped
					if n, ok := scriptTagAt(b, i+1); ok {
						i = n
						state = double
					}
				default:
					state = data // as the tokenizer does, not escaped
				}
			default:
				state = escaped
			}
		case double, doubleDash, doubleDashDash:
			switch {
			case c == '-':
				state = min(state+1, doubleDashDash)
			case c == '>' && state == doubleDashDash:
				state = data
			case c == '<':
				state = double
				if i+1 < len(b) && b[i+1] == '/' {
					if n, ok := scriptTagAt(b, i+2); ok {
						i = n
						state = escaped
					}
				}
			default:
				state = double
			}
		}
	}
	return -1
}

// rawEndTagAt reports whether b[i:] starts with "</name" (ASCII case
// folded) and a byte ending a tag name.
func rawEndTagAt(b []byte, i int, name string) bool {
	return i+2+len(name) < len(b) && b[i+1] == '/' &&
		bytes.EqualFold(b[i+2:i+2+len(name)], []byte(name)) && isTagNameEnd(b[i+2+len(name)])
}

// scriptTagAt reports whether b[i:] starts with "script" (ASCII case
// folded) and a byte ending a tag name, and returns the index of that
// byte.
func scriptTagAt(b []byte, i int) (int, bool) {
	const name = "script"
	if i+len(name) < len(b) && bytes.EqualFold(b[i:i+len(name)], []byte(name)) && isTagNameEnd(b[i+len(name)]) {
		return i + len(name), true
	}
	return 0, false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isTagNameEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>'
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
		if rawEndTagAt(b, at, name) {
			return at
		}
		off = at + 2
	}
}

// headAttrs are the attribute values that tell whether a <meta> or <link>
// is worth parsing, as usefulHeadElement tells it of the parsed element.
type headAttrs struct {
	property, name, itemprop, httpEquiv, rel []byte
	seen                                     uint8 // attributes met, to keep the first of each
	entity                                   bool  // a value holds "&": it is not read as it stands
}

// note records the attribute a of a tag in b.
func (h *headAttrs) note(b []byte, a attrSpan) {
	key := b[a.keyStart:a.keyEnd]
	for k, name := range [...]string{"property", "name", "itemprop", "http-equiv", "rel"} {
		if h.seen&(1<<k) != 0 || !bytes.EqualFold(key, []byte(name)) {
			continue
		}
		h.seen |= 1 << k
		v := b[a.valStart:a.valEnd]
		if bytes.IndexByte(v, '&') >= 0 {
			h.entity = true
		}
		switch k {
		case 0:
			h.property = v
		case 1:
			h.name = v
		case 2:
			h.itemprop = v
		case 3:
			h.httpEquiv = v
		case 4:
			h.rel = v
		}
	}
}

// useful reports whether the <meta> or <link> element (by tag name) is
// one usefulHeadElement keeps.
func (h *headAttrs) useful(tag string) bool {
	if h.entity {
		return true
	}
	if tag == "link" {
		return bytes.EqualFold(h.rel, []byte("canonical"))
	}
	key := bytes.Join([][]byte{h.property, h.name, h.itemprop, h.httpEquiv}, []byte(" "))
	if len(bytes.TrimSpace(key)) == 0 {
		return true // charset
	}
	key = bytes.ToLower(key)
	for _, w := range usefulMeta {
		if bytes.Contains(key, []byte(w)) {
			return true
		}
	}
	return false
}

// headTag reports the elements (by lower-case name) that may stand in a
// page's head, with the document's own elements.
func headTag(name []byte) bool {
	switch string(name) {
	case "html", "head", "meta", "link", "title", "script", "style", "noscript", "base", "basefont", "bgsound":
		return true
	}
	return false
}
