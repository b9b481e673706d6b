package pdf

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// frag is a run of text on one baseline, read in drawing order: a line
// of a column, a heading, a table cell, a page number.
type frag struct {
	page      int
	x0, x1, y float64
	size      float64 // font size of most of its glyphs
	text      string
	bold      bool
	chars     int
	boldChars int
	pageH     float64
	pageW     float64
	sizeHint  float64
}

func (f *frag) top() float64    { return f.y + 0.75*f.size }
func (f *frag) bottom() float64 { return f.y - 0.25*f.size }

// fragBuilder groups a page's glyphs into fragments.
type fragBuilder struct {
	out        []*frag
	cur        *frag
	sb         strings.Builder
	end        float64 // x where the last glyph ended
	sizes      map[float64]int
	pending    []rune // combining marks from accents waiting for a letter
	pendingRaw []rune // the accents as drawn
	accentX    float64
	held       *glyph // an accent waiting for the letter drawn under it
	page       int
	pw, ph     float64
}

// maxFragBytes bounds one fragment's text.
const maxFragBytes = 4096

func isMark(r rune) bool { return unicode.Is(unicode.Mn, r) }

func (b *fragBuilder) flush() {
	if a := b.held; a != nil {
		b.held = nil
		b.place(*a)
	}
	if b.cur == nil {
		return
	}
	b.flushAccent()
	t := strings.TrimSpace(b.sb.String())
	if t != "" {
		best, n := 0.0, -1
		for s, c := range b.sizes {
			if c > n || c == n && s > best {
				best, n = s, c
			}
		}
		b.cur.size = best
		b.cur.text = t
		b.cur.bold = b.cur.boldChars*2 > b.cur.chars
		b.out = append(b.out, b.cur)
	}
	b.cur = nil
	b.sb.Reset()
	clear(b.sizes)
}

// flushAccent writes accents that found no letter as they are.
func (b *fragBuilder) flushAccent() {
	for _, r := range b.pendingRaw {
		b.sb.WriteRune(r)
	}
	b.pending = b.pending[:0]
	b.pendingRaw = b.pendingRaw[:0]
}

// advance is the width a glyph takes on the line, a guess when the font
// gives none or an absurd one.
func advance(g glyph) float64 {
	if g.w <= 0 || g.w > 5*g.size {
		return 0.5 * g.size
	}
	return g.w
}

func (b *fragBuilder) add(g glyph) {
	if !g.upright || g.size <= 0 || g.size > 500 || g.text == "" {
		return
	}
	if a := b.held; a != nil {
		b.held = nil
		if t, ok := accented(*a, g); ok {
			g.text = t
		} else {
			b.place(*a)
		}
	}
	w := advance(g)
	r, _ := utf8.DecodeRuneInString(g.text)
	if utf8.RuneCountInString(g.text) == 1 {
		if m, ok := spacingAccent(r); ok || isMark(r) {
			if !ok {
				m = r
			}
			// An accent over the letter just drawn?
			if b.cur != nil && math.Abs(g.y-b.cur.y) < 1.2*g.size && g.x+w/2 > b.end-w*1.6 && g.x+w/2 <= b.end+0.1*g.size {
				s := b.sb.String()
				last, n := utf8.DecodeLastRuneInString(s)
				if unicode.IsLetter(last) {
					b.sb.Reset()
					b.sb.WriteString(s[:len(s)-n])
					b.sb.WriteString(compose(last, string(m)))
					return
				}
			}
			if b.cur != nil && math.Abs(g.y-b.cur.y) < 1.2*g.size && g.x >= b.end-0.2*g.size && g.x < b.end+0.6*g.size {
				b.pending = append(b.pending, m)
				b.pendingRaw = append(b.pendingRaw, r)
				b.accentX = g.x + w/2
				return
			}
			// An accent that starts a line, or stands apart from the
			// text before it (after a wide justified space, raised over
			// a capital), waits for the letter drawn under it.
			b.held = &g
			return
		}
	}
	b.place(g)
}

// accented puts the spacing accent a on the first letter of g when g is
// drawn under it, as TeX's \accent draws an accented letter: the accent
// first, centred over the letter, raised over a capital.
func accented(a, g glyph) (string, bool) {
	ar, _ := utf8.DecodeRuneInString(a.text)
	m, ok := spacingAccent(ar)
	if !ok {
		m = ar
	}
	first, n := utf8.DecodeRuneInString(g.text)
	if !unicode.IsLetter(first) || math.Abs(g.size-a.size) > 0.2*a.size {
		return "", false
	}
	mid := a.x + advance(a)/2
	if mid < g.x-0.1*g.size || mid > g.x+advance(g)+0.1*g.size || a.y-g.y < -0.1*g.size || a.y-g.y > 0.7*g.size {
		return "", false
	}
	return compose(first, string(m)) + g.text[n:], true
}

// place adds a glyph that is not an accent waiting for its letter to the
// fragment it continues, or starts a new one.
func (b *fragBuilder) place(g glyph) {
	w := advance(g)
	if b.cur != nil && b.sb.Len() > maxFragBytes {
		b.flush()
	}
	if b.cur != nil {
		dy := math.Abs(g.y - b.cur.y)
		gap := g.x - b.end
		minSize := math.Min(g.size, b.cur.size0())
		// Letters of the same size shifted a little, as in the TeX logo,
		// stay in the line; smaller raised ones (footnote marks) do not.
		shifted := dy > 0.2*minSize && dy < 0.4*g.size && math.Abs(g.size-b.cur.size0()) < 0.1*g.size && gap < 0.3*g.size && gap > -0.3*g.size
		if dy > 0.2*minSize && !shifted || gap < -0.6*g.size || gap > 1.2*math.Max(g.size, b.cur.size0()) {
			b.flush()
		} else if gap > 0.15*g.size && !strings.HasSuffix(b.sb.String(), " ") && g.text != " " {
			// Accents waiting after the space are the new word's when
			// they stand over its first letter (TeX draws the accent,
			// or the stroke of Ł, first); else they are written as
			// they are.
			if len(b.pending) > 0 && (b.accentX < g.x-0.1*g.size || b.accentX > g.x+w+0.1*g.size) {
				b.flushAccent()
			}
			b.sb.WriteByte(' ')
		}
	}
	if b.cur == nil {
		b.cur = &frag{page: b.page, x0: g.x, y: g.y, pageH: b.ph, pageW: b.pw}
		b.cur.sizeHint = g.size
	}
	if g.text == " " || strings.TrimSpace(g.text) == "" {
		if !strings.HasSuffix(b.sb.String(), " ") {
			b.flushAccent()
			b.sb.WriteByte(' ')
		}
		b.end = g.x + w
		return
	}
	text := g.text
	if len(b.pending) > 0 {
		first, n := utf8.DecodeRuneInString(text)
		text = compose(first, string(b.pending)) + text[n:]
		b.pending = b.pending[:0]
		b.pendingRaw = b.pendingRaw[:0]
	}
	b.sb.WriteString(text)
	n := utf8.RuneCountInString(text)
	b.cur.chars += n
	if g.font != nil && g.font.bold {
		b.cur.boldChars += n
	}
	b.sizes[math.Round(g.size*2)/2] += n
	b.end = g.x + w
	if b.end > b.cur.x1 {
		b.cur.x1 = b.end
	}
}

// dotless turns a dotless i or j back into a plain letter before an
// accent is put on it.
func dotless(r rune) string {
	switch r {
	case 'ı':
		return "i"
	case 'ȷ':
		return "j"
	}
	return string(r)
}

func (f *frag) size0() float64 {
	if f.sizeHint > 0 {
		return f.sizeHint
	}
	return f.size
}
