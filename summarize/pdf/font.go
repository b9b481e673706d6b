package pdf

import (
	"bytes"
	"strconv"
	"strings"
)

// font decodes the codes of one font to text and gives their widths.
type font struct {
	twoByte bool              // Type0 fonts: two-byte codes
	toUni   map[uint32]string // from ToUnicode
	enc     *baseEncoding     // simple fonts
	widths  map[uint32]float64
	dw      float64 // default width (glyph space / 1000)
	scale   float64 // glyph space to text space: 0.001, or Type3's FontMatrix
	name    string  // base font name without subset tag
	bold    bool
	unknown bool // codes have no known meaning (no ToUnicode, unknown encoding)
	ucs2    bool // two-byte codes that are UCS-2 (predefined Uni*-UCS2 CMaps)
}

// glyph is one decoded code.
type glyphCode struct {
	code uint32
	text string
	w    float64 // advance in text space, before font size
	one  bool    // one-byte code (word spacing applies to code 32)
}

func (d *document) loadFont(o object) *font {
	fd := d.dictOf(o)
	f := &font{widths: map[uint32]float64{}, dw: 0, scale: 0.001}
	if fd == nil {
		f.enc = encodingByName("StandardEncoding")
		f.dw = 500
		return f
	}
	base := string(d.nameOf(fd["BaseFont"]))
	if i := strings.IndexByte(base, '+'); i == 6 {
		base = base[i+1:]
	}
	f.name = base
	lb := strings.ToLower(base)
	f.bold = strings.Contains(lb, "bold") || strings.Contains(lb, "black") || strings.Contains(lb, "heavy") || strings.Contains(lb, "cmbx") || strings.Contains(lb, "semibold")
	subtype := d.nameOf(fd["Subtype"])
	if tu, ok := d.resolve(fd["ToUnicode"]).(*stream); ok {
		if data, err := d.decodeStream(tu, true); err == nil {
			f.toUni = parseCMap(data)
		}
	}
	if subtype == "Type0" {
		f.twoByte = true
		f.dw = 1000
		desc := d.arrayOf(fd["DescendantFonts"])
		if len(desc) > 0 {
			cid := d.dictOf(desc[0])
			if v, ok := d.num(cid["DW"]); ok {
				f.dw = v
			}
			d.cidWidths(f, d.arrayOf(cid["W"]))
			if fdesc := d.dictOf(cid["FontDescriptor"]); fdesc != nil {
				if fl, ok := d.num(fdesc["Flags"]); ok && int(fl)&(1<<18) != 0 {
					f.bold = true
				}
			}
		}
		if f.toUni == nil {
			// Codes of the predefined UCS-2 CMaps are Unicode; any other
			// code (Identity's are glyph numbers) means nothing without
			// a ToUnicode map.
			enc := string(d.nameOf(fd["Encoding"]))
			f.ucs2 = strings.Contains(enc, "UCS2") || strings.Contains(enc, "UTF16")
			f.unknown = !f.ucs2
		}
		return f
	}
	if subtype == "Type3" {
		if m := d.arrayOf(fd["FontMatrix"]); len(m) == 6 {
			if a, ok := d.num(m[0]); ok && a != 0 && a < 10 && a > -10 {
				f.scale = a
			}
		}
	}
	// Widths.
	first, _ := d.num(fd["FirstChar"])
	ws := d.arrayOf(fd["Widths"])
	for i, w := range ws {
		if v, ok := d.num(w); ok && i < 256 {
			f.widths[uint32(int(first)+i)] = v
		}
	}
	desc := d.dictOf(fd["FontDescriptor"])
	if v, ok := d.num(desc["MissingWidth"]); ok {
		f.dw = v
	}
	if len(ws) == 0 && f.dw == 0 {
		f.dw = 500
	}
	symbolic := false
	if fl, ok := d.num(desc["Flags"]); ok {
		symbolic = int(fl)&4 != 0
		if int(fl)&(1<<18) != 0 {
			f.bold = true
		}
	}
	// Encoding: the font program's own, a named base, then Differences.
	var enc *baseEncoding
	var diffs array
	switch e := d.resolve(fd["Encoding"]).(type) {
	case name:
		enc = encodingByName(e)
	case dict:
		if bn := d.nameOf(e["BaseEncoding"]); bn != "" {
			enc = encodingByName(bn)
		}
		diffs = d.arrayOf(e["Differences"])
	}
	if enc == nil {
		if ff, ok := d.resolve(desc["FontFile"]).(*stream); ok {
			enc = d.type1Encoding(ff)
		}
	}
	if enc == nil {
		switch {
		case subtype == "TrueType" && !symbolic:
			enc = encodingByName("WinAnsiEncoding")
		case strings.HasPrefix(base, "Symbol") || strings.HasPrefix(base, "ZapfDingbats"):
			enc = &baseEncoding{}
		default:
			enc = encodingByName("StandardEncoding")
		}
	}
	if len(diffs) > 0 {
		cp := *enc
		enc = &cp
		code := 0
		for _, x := range diffs {
			switch v := d.resolve(x).(type) {
			case int64:
				code = int(v)
			case float64:
				code = int(v)
			case name:
				if code >= 0 && code < 256 {
					s, ok := glyphRune(string(v))
					if !ok {
						s = ""
					}
					enc[code] = s
				}
				code++
			}
		}
	}
	f.enc = enc
	return f
}

func (d *document) cidWidths(f *font, w array) {
	for i := 0; i < len(w) && len(f.widths) < 1<<16; {
		c1, ok := d.num(w[i])
		if !ok || i+1 >= len(w) {
			return
		}
		if arr, ok := d.resolve(w[i+1]).(array); ok {
			for j, x := range arr {
				if v, ok := d.num(x); ok {
					f.widths[uint32(int(c1)+j)] = v
				}
			}
			i += 2
			continue
		}
		if i+2 >= len(w) {
			return
		}
		c2, _ := d.num(w[i+1])
		v, _ := d.num(w[i+2])
		for c := int(c1); c <= int(c2) && c-int(c1) < 1<<16; c++ {
			f.widths[uint32(c)] = v
		}
		i += 3
	}
}

// type1Encoding reads the built-in encoding of an embedded Type 1 font
// ("dup 12 /fi put" lines in its clear-text part).
func (d *document) type1Encoding(s *stream) *baseEncoding {
	data, err := d.decodeStream(s, true)
	if err != nil {
		return nil
	}
	if n, ok := d.num(s.dict["Length1"]); ok && int(n) > 0 && int(n) < len(data) {
		data = data[:int(n)]
	}
	i := bytes.Index(data, []byte("/Encoding"))
	if i < 0 {
		return nil
	}
	rest := data[i:]
	if bytes.HasPrefix(bytes.TrimSpace(rest[len("/Encoding"):]), []byte("StandardEncoding")) {
		return encodingByName("StandardEncoding")
	}
	if e := bytes.Index(rest, []byte("readonly def")); e > 0 {
		rest = rest[:e]
	}
	var enc baseEncoding
	found := false
	for _, line := range bytes.Split(rest, []byte("dup ")) {
		f := bytes.Fields(line)
		if len(f) < 3 || len(f[1]) < 2 || f[1][0] != '/' {
			continue
		}
		c, err := strconv.Atoi(string(f[0]))
		if err != nil || c < 0 || c > 255 {
			continue
		}
		if s, ok := glyphRune(string(f[1][1:])); ok {
			enc[c] = s
			found = true
		}
	}
	if !found {
		return nil
	}
	return &enc
}

// decode splits s into codes and decodes each.
func (f *font) decode(s string, out []glyphCode) []glyphCode {
	step := 1
	if f.twoByte {
		step = 2
	}
	for i := 0; i+step <= len(s); i += step {
		var code uint32
		if step == 2 {
			code = uint32(s[i])<<8 | uint32(s[i+1])
		} else {
			code = uint32(s[i])
		}
		g := glyphCode{code: code, one: step == 1}
		if t, ok := f.toUni[code]; ok {
			g.text = t
		} else if f.ucs2 && (code < 0xD800 || code > 0xDFFF) {
			g.text = string(rune(code))
		} else if f.enc != nil && code < 256 {
			g.text = f.enc[code]
		} else if !f.unknown && code >= 32 && code < 127 {
			g.text = string(rune(code))
		}
		w, ok := f.widths[code]
		if !ok {
			w = f.dw
		}
		g.w = w * f.scale
		out = append(out, g)
	}
	return out
}

// maxCMapEntries bounds the codes one ToUnicode map may define.
const maxCMapEntries = 1 << 17

// parseCMap reads the bfchar and bfrange sections of a ToUnicode CMap.
func parseCMap(data []byte) map[uint32]string {
	m := map[uint32]string{}
	p := parser{lexer: lexer{b: data}}
	var stack []object
	for ops := 0; ops < 1<<20; ops++ {
		k, v := p.tok()
		if k == tokEOF {
			break
		}
		if k == tokKeyword {
			switch v.(keyword) {
			case "endbfchar":
				for i := 0; i+1 < len(stack); i += 2 {
					src, ok1 := stack[i].(pdfString)
					dst, ok2 := stack[i+1].(pdfString)
					if ok1 && ok2 && len(src) <= 4 {
						m[codeOf(src)] = utf16Text(string(dst))
					}
				}
			case "endbfrange":
				for i := 0; i+2 < len(stack); i += 3 {
					lo, ok1 := stack[i].(pdfString)
					hi, ok2 := stack[i+1].(pdfString)
					if !ok1 || !ok2 || len(lo) > 4 {
						continue
					}
					a, b := codeOf(lo), codeOf(hi)
					if b < a || b-a > 1<<16 {
						continue
					}
					switch dst := stack[i+2].(type) {
					case pdfString:
						base := []rune(utf16Text(string(dst)))
						if len(base) == 0 {
							continue
						}
						for c := a; c <= b && len(m) < maxCMapEntries; c++ {
							r := append([]rune(nil), base...)
							r[len(r)-1] += rune(c - a)
							m[c] = string(r)
						}
					case array:
						for j, x := range dst {
							if s, ok := x.(pdfString); ok && a+uint32(j) <= b {
								m[a+uint32(j)] = utf16Text(string(s))
							}
						}
					}
				}
			}
			stack = stack[:0]
			continue
		}
		p.unread(k, v)
		o, err := p.object(0)
		if err != nil {
			break
		}
		if len(stack) < 1<<16 {
			stack = append(stack, o)
		}
	}
	return m
}

func codeOf(s pdfString) uint32 {
	var c uint32
	for i := 0; i < len(s); i++ {
		c = c<<8 | uint32(s[i])
	}
	return c
}

// utf16Text decodes big-endian UTF-16.
func utf16Text(s string) string {
	var r []rune
	for i := 0; i+1 < len(s); i += 2 {
		u := rune(s[i])<<8 | rune(s[i+1])
		if u >= 0xD800 && u < 0xDC00 && i+3 < len(s) {
			u2 := rune(s[i+2])<<8 | rune(s[i+3])
			if u2 >= 0xDC00 && u2 < 0xE000 {
				r = append(r, (u-0xD800)<<10+(u2-0xDC00)+0x10000)
				i += 2
				continue
			}
		}
		r = append(r, u)
	}
	return string(r)
}
