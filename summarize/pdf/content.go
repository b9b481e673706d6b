package pdf

import (
	"bytes"
	"context"
	"math"
)

// matrix is a PDF transformation [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// glyph is one drawn character on a page, in page space (y up).
type glyph struct {
	x, y    float64 // origin on the baseline
	w       float64 // advance
	size    float64 // font size on the page
	text    string
	font    *font
	upright bool // drawn horizontally, not rotated or mirrored
	dir     int8 // 0 upright, 1 turned a quarter left (reads upward), 2 upside down, 3 turned right, -1 other
}

// page is one page to read.
type page struct {
	resources dict
	contents  object
	box       [4]float64 // x0 y0 x1 y1
	rotate    int
}

// pages walks the page tree in order, at most max pages.
func (d *document) pages(max int) []page {
	cat := d.catalog()
	if cat == nil {
		return nil
	}
	var out []page
	seen := map[ref]bool{}
	type frame struct {
		node      object
		resources dict
		box       [4]float64
		rotate    int
	}
	stack := []frame{{node: cat["Pages"], box: [4]float64{0, 0, 612, 792}}}
	for len(stack) > 0 && len(out) < max {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r, ok := f.node.(ref); ok {
			if seen[r] {
				continue
			}
			seen[r] = true
		}
		n := d.dictOf(f.node)
		if n == nil {
			continue
		}
		if res := d.dictOf(n["Resources"]); res != nil {
			f.resources = res
		}
		if mb := d.arrayOf(n["MediaBox"]); len(mb) == 4 {
			var b [4]float64
			for i := range b {
				b[i], _ = d.num(mb[i])
			}
			f.box = [4]float64{math.Min(b[0], b[2]), math.Min(b[1], b[3]), math.Max(b[0], b[2]), math.Max(b[1], b[3])}
		}
		if r, ok := d.num(n["Rotate"]); ok {
			f.rotate = ((int(r) % 360) + 360) % 360
		}
		kids := d.arrayOf(n["Kids"])
		if kids == nil || d.nameOf(n["Type"]) == "Page" {
			out = append(out, page{resources: f.resources, contents: n["Contents"], box: f.box, rotate: f.rotate})
			continue
		}
		if len(stack)+len(kids) > 1<<16 {
			continue
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{node: kids[i], resources: f.resources, box: f.box, rotate: f.rotate})
		}
	}
	return out
}

// gstate is the part of the graphics state that places text.
type gstate struct {
	ctm    matrix
	font   *font
	size   float64
	tc, tw float64
	th     float64
	tl     float64
	rise   float64
	mode   int
}

// note keeps the first error met while reading content.
func (in *interp) note(err error) {
	if err != nil && in.err == nil {
		in.err = err
	}
}

// interp runs content streams and collects glyphs.
type interp struct {
	err    error // the first content stream that could not be read
	forms  int   // form XObjects drawn so far
	ctx    context.Context
	d      *document
	glyphs []glyph
	ops    int // operators still allowed
	fonts  map[object]*font
	codes  []glyphCode
}

// maxForms bounds the form XObjects drawn in one document (a form that
// draws itself many times would otherwise multiply).
const maxForms = 20_000

// maxGlyphs bounds the glyphs kept for one page.
const maxGlyphs = 400_000

// runPage draws one page's text.
func (in *interp) runPage(p page) {
	var ctm matrix
	// Put the page upright: its box's lower left at the origin.
	w, h := p.box[2]-p.box[0], p.box[3]-p.box[1]
	switch p.rotate {
	case 90:
		ctm = matrix{1, 0, 0, 1, -p.box[0], -p.box[1]}.mul(matrix{0, -1, 1, 0, 0, w})
	case 180:
		ctm = matrix{1, 0, 0, 1, -p.box[0], -p.box[1]}.mul(matrix{-1, 0, 0, -1, w, h})
	case 270:
		ctm = matrix{1, 0, 0, 1, -p.box[0], -p.box[1]}.mul(matrix{0, 1, -1, 0, h, 0})
	default:
		ctm = matrix{1, 0, 0, 1, -p.box[0], -p.box[1]}
	}
	var data []byte
	var err error
	switch c := in.d.resolve(p.contents).(type) {
	case *stream:
		data, err = in.d.decodeStream(c, true)
		in.note(err)
	case array:
		var buf bytes.Buffer
		for _, x := range c {
			s, ok := in.d.resolve(x).(*stream)
			if !ok {
				in.note(errDamaged)
				continue
			}
			b, err := in.d.decodeStream(s, true)
			in.note(err)
			if err == nil {
				if buf.Len()+len(b) > maxStreamOut {
					in.note(ErrTooComplex)
					break
				}
				buf.Write(b)
				buf.WriteByte('\n')
			}
		}
		data = buf.Bytes()
	case nil:
		if p.contents != nil {
			in.note(errDamaged)
		}
	}
	in.run(data, p.resources, gstate{ctm: ctm, th: 1}, 0)
}

func (in *interp) font(res dict, n name) *font {
	fonts := in.d.dictOf(res["Font"])
	o := fonts[n]
	key := o
	if _, isRef := o.(ref); !isRef {
		key = nil
	}
	if key != nil {
		if f, ok := in.fonts[key]; ok {
			return f
		}
	}
	f := in.d.loadFont(o)
	if key != nil {
		in.fonts[key] = f
	}
	return f
}

// run interprets one content stream with its resources.
func (in *interp) run(data []byte, res dict, g gstate, depth int) {
	p := parser{lexer: lexer{b: data}}
	var args []object
	var stack []gstate
	var tm, tlm matrix
	for {
		k, v := p.tok()
		if k == tokEOF || in.ops <= 0 || len(in.glyphs) >= maxGlyphs {
			return
		}
		if k != tokKeyword {
			p.unread(k, v)
			o, err := p.object(0)
			if err != nil {
				return
			}
			if len(args) < 64 {
				args = append(args, o)
			}
			continue
		}
		in.ops--
		if in.ops%4096 == 0 && in.ctx.Err() != nil {
			in.ops = 0
			return
		}
		op := v.(keyword)
		num := func(i int) float64 {
			if i >= len(args) {
				return 0
			}
			switch x := args[i].(type) {
			case int64:
				return float64(x)
			case float64:
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return 0
				}
				return x
			}
			return 0
		}
		switch op {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, g)
			}
		case "Q":
			if n := len(stack); n > 0 {
				g = stack[n-1]
				stack = stack[:n-1]
			}
		case "cm":
			if len(args) == 6 {
				g.ctm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}.mul(g.ctm)
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tf":
			if len(args) == 2 {
				if n, ok := args[0].(name); ok {
					g.font = in.font(res, n)
				}
				g.size = num(1)
			}
		case "Tc":
			g.tc = num(0)
		case "Tw":
			g.tw = num(0)
		case "Tz":
			g.th = num(0) / 100
		case "TL":
			g.tl = num(0)
		case "Ts":
			g.rise = num(0)
		case "Tr":
			g.mode = int(num(0))
		case "Td", "TD":
			if op == "TD" {
				g.tl = -num(1)
			}
			tlm = matrix{1, 0, 0, 1, num(0), num(1)}.mul(tlm)
			tm = tlm
		case "Tm":
			if len(args) == 6 {
				tlm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}
				tm = tlm
			}
		case "T*":
			tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
			tm = tlm
		case "Tj", "'", "\"", "TJ":
			if op == "\"" && len(args) == 3 {
				g.tw, g.tc = num(0), num(1)
				args = args[2:]
			}
			if op == "'" || op == "\"" {
				tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
				tm = tlm
			}
			if len(args) == 0 || g.font == nil {
				break
			}
			switch a := args[len(args)-1].(type) {
			case pdfString:
				tm = in.show(string(a), g, tm)
			case array:
				for _, x := range a {
					switch e := x.(type) {
					case pdfString:
						tm = in.show(string(e), g, tm)
					case int64, float64:
						var adj float64
						if i, ok := e.(int64); ok {
							adj = float64(i)
						} else {
							adj = e.(float64)
						}
						tx := -adj / 1000 * g.size * g.th
						tm = matrix{1, 0, 0, 1, tx, 0}.mul(tm)
					}
				}
			}
		case "Do":
			in.forms++
			if len(args) == 1 && depth < 8 && in.forms <= maxForms {
				if n, ok := args[0].(name); ok {
					xo, ok := in.d.resolve(in.d.dictOf(res["XObject"])[n]).(*stream)
					if ok && in.d.nameOf(xo.dict["Subtype"]) == "Form" {
						data, err := in.d.decodeStream(xo, true)
						if err == nil {
							fg := g
							if m := in.d.arrayOf(xo.dict["Matrix"]); len(m) == 6 {
								var mm matrix
								for i := range mm {
									mm[i], _ = in.d.num(m[i])
								}
								fg.ctm = mm.mul(g.ctm)
							}
							fres := in.d.dictOf(xo.dict["Resources"])
							if fres == nil {
								fres = res
							}
							in.run(data, fres, fg, depth+1)
						}
					}
				}
			}
		case "BI":
			// Skip an inline image: its data runs from ID to EI.
			i := bytes.Index(p.b[p.pos:], []byte("ID"))
			if i < 0 {
				return
			}
			j := p.pos + i + 2
			for {
				e := bytes.Index(p.b[j:], []byte("EI"))
				if e < 0 {
					return
				}
				at := j + e
				if at > 0 && isSpace(p.b[at-1]) && (at+2 >= len(p.b) || isSpace(p.b[at+2])) {
					p.pos = at + 2
					break
				}
				j = at + 2
			}
			p.pending = nil
		}
		args = args[:0]
	}
}

// direction classifies a glyph's matrix: upright (0), turned a quarter
// left (1), upside down (2), a quarter right (3), or anything else (-1).
func direction(m matrix) int8 {
	a, b, c, d := m[0], m[1], m[2], m[3]
	small := func(x, ref float64) bool { return math.Abs(x) < 1e-3*math.Abs(ref) }
	switch {
	case a > 0 && d > 0 && small(b, a) && small(c, d):
		return 0
	case b > 0 && c < 0 && small(a, b) && small(d, c):
		return 1
	case a < 0 && d < 0 && small(b, a) && small(c, d):
		return 2
	case b < 0 && c > 0 && small(a, b) && small(d, c):
		return 3
	}
	return -1
}

// turnPage puts the text of a page whose most text is turned (a
// landscape table on a portrait page) upright: the glyphs of the main
// direction are moved as if the page were turned, and the others are not
// read. It returns the page's width and height as turned.
func turnPage(gs []glyph, w, h float64) (float64, float64) {
	var count [4]int
	for _, g := range gs {
		if g.dir >= 0 {
			count[g.dir] += len(g.text)
		}
	}
	main := int8(0)
	for d := int8(1); d < 4; d++ {
		if count[d] > count[main] {
			main = d
		}
	}
	if main == 0 {
		return w, h
	}
	for i := range gs {
		g := &gs[i]
		g.upright = g.dir == main
		if !g.upright {
			continue
		}
		switch main {
		case 1:
			g.x, g.y = g.y, w-g.x
		case 2:
			g.x, g.y = w-g.x, h-g.y
		case 3:
			g.x, g.y = h-g.y, g.x
		}
	}
	if main == 2 {
		return w, h
	}
	return h, w
}

// show draws a string and returns the text matrix after it.
func (in *interp) show(s string, g gstate, tm matrix) matrix {
	in.codes = g.font.decode(s, in.codes[:0])
	for _, c := range in.codes {
		trm := matrix{g.size * g.th, 0, 0, g.size, 0, g.rise}.mul(tm).mul(g.ctm)
		adv := c.w*g.size + g.tc
		if c.one && c.code == 32 {
			adv += g.tw
		}
		adv *= g.th
		// Glyph width on the page, along the baseline.
		pw := c.w * math.Hypot(trm[0], trm[1])
		size := math.Hypot(trm[2], trm[3])
		dir := direction(trm)
		if g.mode != 7 && len(in.glyphs) < maxGlyphs {
			in.glyphs = append(in.glyphs, glyph{x: trm[4], y: trm[5], w: pw, size: size, text: c.text, font: g.font, upright: dir == 0, dir: dir})
		}
		tm = matrix{1, 0, 0, 1, adv, 0}.mul(tm)
	}
	return tm
}
