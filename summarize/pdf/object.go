package pdf

import (
	"bytes"
	"strconv"
)

// The PDF object model, as the parser builds it from untrusted bytes.
type (
	object any // nil, bool, int64, float64, pdfString, name, array, dict, ref, *stream, keyword
	name   string
	// pdfString is a string object's raw bytes (already unescaped).
	pdfString string
	keyword   string
	array     []object
	dict      map[name]object
	ref       struct{ num, gen int }
	stream    struct {
		dict dict
		raw  []byte // the encoded data, as in the file (decrypted later)
		ref  ref    // the object that holds it, for decryption
	}
)

// maxDepth bounds nesting of arrays and dictionaries.
const maxDepth = 64

// lexer reads PDF tokens from b.
type lexer struct {
	b   []byte
	pos int
}

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', 0:
		return true
	}
	return false
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// skipSpace skips whitespace and comments.
func (l *lexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if isSpace(c) {
			l.pos++
			continue
		}
		if c == '%' {
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		return
	}
}

// token is one lexical item; tokEOF ends input.
type tokKind int

const (
	tokEOF tokKind = iota
	tokValue
	tokArrayOpen
	tokArrayClose
	tokDictOpen
	tokDictClose
	tokKeyword
)

// next returns the next token. Values (numbers, strings, names) come as
// tokValue with v set; keywords as tokKeyword with v a keyword.
func (l *lexer) next() (tokKind, object) {
	l.skipSpace()
	if l.pos >= len(l.b) {
		return tokEOF, nil
	}
	c := l.b[l.pos]
	switch {
	case c == '[':
		l.pos++
		return tokArrayOpen, nil
	case c == ']':
		l.pos++
		return tokArrayClose, nil
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		l.pos += 2
		return tokDictOpen, nil
	case c == '>' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '>':
		l.pos += 2
		return tokDictClose, nil
	case c == '<':
		return tokValue, l.hexString()
	case c == '(':
		return tokValue, l.litString()
	case c == '/':
		return tokValue, l.name()
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return tokValue, l.number()
	case c == ')' || c == '>' || c == '{' || c == '}':
		l.pos++
		return tokKeyword, keyword(string(c))
	}
	start := l.pos
	for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		l.pos++
	}
	kw := string(l.b[start:l.pos])
	switch kw {
	case "true":
		return tokValue, true
	case "false":
		return tokValue, false
	case "null":
		return tokValue, nil
	}
	return tokKeyword, keyword(kw)
}

func (l *lexer) number() object {
	start := l.pos
	l.pos++
	real := l.b[start] == '.'
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if c == '.' {
			real = true
		} else if (c < '0' || c > '9') && c != '-' && c != '+' {
			break
		}
		l.pos++
	}
	s := string(l.b[start:l.pos])
	if !real {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	// Tolerate producers' odd reals ("--5", "4.-2"): read what parses.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		s = string(bytes.TrimLeft([]byte(s), "+-"))
		if i := bytes.IndexAny([]byte(s), "+-"); i > 0 {
			s = s[:i]
		}
		f, _ = strconv.ParseFloat(s, 64)
		if l.b[start] == '-' {
			f = -f
		}
	}
	return f
}

func (l *lexer) name() object {
	l.pos++ // '/'
	var out []byte
	for l.pos < len(l.b) && !isSpace(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		c := l.b[l.pos]
		if c == '#' && l.pos+2 < len(l.b) {
			if v, ok := unhex2(l.b[l.pos+1], l.b[l.pos+2]); ok {
				out = append(out, v)
				l.pos += 3
				continue
			}
		}
		out = append(out, c)
		l.pos++
	}
	return name(out)
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unhex2(a, b byte) (byte, bool) {
	x, ok1 := unhex(a)
	y, ok2 := unhex(b)
	return x<<4 | y, ok1 && ok2
}

func (l *lexer) hexString() object {
	l.pos++ // '<'
	start := l.pos
	end := bytes.IndexByte(l.b[start:], '>')
	if end < 0 {
		l.pos = len(l.b)
		return pdfString(asciiHex(l.b[start:]))
	}
	l.pos = start + end + 1
	return pdfString(asciiHex(l.b[start : start+end]))
}

func (l *lexer) litString() object {
	l.pos++ // '('
	var out []byte
	depth := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return pdfString(out)
			}
		case '\r':
			if l.pos < len(l.b) && l.b[l.pos] == '\n' {
				l.pos++
			}
			c = '\n'
		case '\\':
			if l.pos >= len(l.b) {
				return pdfString(out)
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return pdfString(out)
}

// parser builds objects from tokens; it turns "n g R" into refs.
type parser struct {
	lexer
	pending []pendingTok
}

type pendingTok struct {
	k tokKind
	v object
}

func (p *parser) tok() (tokKind, object) {
	if n := len(p.pending); n > 0 {
		t := p.pending[n-1]
		p.pending = p.pending[:n-1]
		return t.k, t.v
	}
	return p.next()
}

func (p *parser) unread(k tokKind, v object) { p.pending = append(p.pending, pendingTok{k, v}) }

// errBadObject marks input the parser could not read as an object.
type parseError string

func (e parseError) Error() string { return string(e) }

// object reads one object. Keywords other than R come back as keyword
// values so content streams can use the same parser.
func (p *parser) object(depth int) (object, error) {
	if depth > maxDepth {
		return nil, parseError("objects nested too deeply")
	}
	k, v := p.tok()
	switch k {
	case tokEOF:
		return nil, parseError("unexpected end of data")
	case tokArrayOpen:
		var a array
		for {
			k2, v2 := p.tok()
			if k2 == tokArrayClose {
				return a, nil
			}
			if k2 == tokEOF {
				return a, nil
			}
			p.unread(k2, v2)
			o, err := p.object(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, o)
		}
	case tokDictOpen:
		d := dict{}
		for {
			k2, v2 := p.tok()
			if k2 == tokDictClose || k2 == tokEOF {
				return d, nil
			}
			key, ok := v2.(name)
			if k2 != tokValue || !ok {
				// Skip junk where a key should be.
				continue
			}
			o, err := p.object(depth + 1)
			if err != nil {
				return nil, err
			}
			if kw, ok := o.(keyword); ok && (kw == ">>" || kw == "endobj") {
				return d, nil
			}
			d[key] = o
		}
	case tokArrayClose, tokDictClose:
		return keyword("]"), nil
	case tokKeyword:
		return v, nil
	}
	// A number may start "n g R".
	if n, ok := v.(int64); ok {
		k2, v2 := p.tok()
		if g, ok := v2.(int64); ok && k2 == tokValue {
			k3, v3 := p.tok()
			if kw, ok := v3.(keyword); ok && k3 == tokKeyword && kw == "R" {
				if n >= 0 && n < 1<<31 && g >= 0 && g < 1<<20 {
					return ref{int(n), int(g)}, nil
				}
				return nil, nil
			}
			p.unread(k3, v3)
		}
		p.unread(k2, v2)
	}
	return v, nil
}
