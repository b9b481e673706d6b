package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
)

var errFilter = errors.New("stream filter not supported")

// decodeStream returns s's data decrypted and decoded. Each stream's
// output is capped, and so is the document's total.
func (d *document) decodeStream(s *stream, decrypt bool) ([]byte, error) {
	data := s.raw
	if decrypt && d.crypt != nil && s.dict["Type"] != name("XRef") {
		data = d.crypt.decryptStream(data, s.ref)
	}
	var filters []name
	var params []dict
	switch f := d.resolve(s.dict["Filter"]).(type) {
	case name:
		filters = []name{f}
		params = []dict{d.dictOf(s.dict["DecodeParms"])}
	case array:
		ps := d.arrayOf(s.dict["DecodeParms"])
		for i, x := range f {
			filters = append(filters, d.nameOf(x))
			var p dict
			if i < len(ps) {
				p = d.dictOf(ps[i])
			}
			params = append(params, p)
		}
	}
	if len(filters) > 4 {
		return nil, errFilter
	}
	for i, f := range filters {
		var err error
		switch f {
		case "FlateDecode", "Fl":
			data, err = d.inflate(data)
			if err == nil {
				data, err = d.unpredict(data, params[i])
			}
		case "LZWDecode", "LZW":
			early := true
			if v, ok := params[i]["EarlyChange"].(int64); ok && v == 0 {
				early = false
			}
			data, err = d.lzw(data, early)
			if err == nil {
				data, err = d.unpredict(data, params[i])
			}
		case "ASCIIHexDecode", "AHx":
			data = asciiHex(data)
		case "ASCII85Decode", "A85":
			data = ascii85(data)
		case "RunLengthDecode", "RL":
			data, err = d.runLength(data)
		case "Crypt":
		default:
			return nil, errFilter
		}
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

func (d *document) spend(n int) error {
	d.budget -= n
	if d.budget < 0 {
		return ErrTooComplex
	}
	return nil
}

func (d *document) inflate(b []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, errDamaged
	}
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(zr, maxStreamOut+1))
	if n > maxStreamOut {
		return nil, ErrTooComplex
	}
	if e := d.spend(int(n)); e != nil {
		return nil, e
	}
	// A truncated stream still gives what it had; producers often omit
	// the checksum.
	if err != nil && n == 0 {
		return nil, errDamaged
	}
	return out.Bytes(), nil
}

// unpredict undoes PNG and TIFF predictors.
func (d *document) unpredict(b []byte, p dict) ([]byte, error) {
	pred, _ := p["Predictor"].(int64)
	if pred <= 1 {
		return b, nil
	}
	colors, cols, bpc := int64(1), int64(1), int64(8)
	if v, ok := p["Colors"].(int64); ok && v > 0 && v < 64 {
		colors = v
	}
	if v, ok := p["Columns"].(int64); ok && v > 0 && v < 1<<20 {
		cols = v
	}
	if v, ok := p["BitsPerComponent"].(int64); ok && v > 0 && v <= 16 {
		bpc = v
	}
	bpp := int((colors*bpc + 7) / 8)
	row := int((colors*bpc*cols + 7) / 8)
	if row > len(b) {
		row = len(b)
	}
	if row <= 0 {
		return b, nil
	}
	if pred == 2 {
		if bpc != 8 {
			return b, nil
		}
		for i := 0; i+row <= len(b); i += row {
			for j := bpp; j < row; j++ {
				b[i+j] += b[i+j-bpp]
			}
		}
		return b, nil
	}
	out := make([]byte, 0, len(b))
	prev := make([]byte, row)
	for i := 0; i < len(b); i += row + 1 {
		end := i + 1 + row
		if end > len(b) {
			break
		}
		ft := b[i]
		cur := append([]byte(nil), b[i+1:end]...)
		for j := range cur {
			var left, up, ul byte
			if j >= bpp {
				left = cur[j-bpp]
				ul = prev[j-bpp]
			}
			up = prev[j]
			switch ft {
			case 1:
				cur[j] += left
			case 2:
				cur[j] += up
			case 3:
				cur[j] += byte((int(left) + int(up)) / 2)
			case 4:
				cur[j] += paeth(left, up, ul)
			}
		}
		out = append(out, cur...)
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// asciiHex decodes hexadecimal digits up to '>' or the end, skipping
// anything else; an odd last digit counts as followed by 0.
func asciiHex(b []byte) []byte {
	out := make([]byte, 0, len(b)/2)
	var hi byte
	half := false
	for _, c := range b {
		if c == '>' {
			break
		}
		v, ok := unhex(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

func ascii85(b []byte) []byte {
	out := make([]byte, 0, len(b))
	var tuple uint32
	n := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '~':
			i = len(b)
			continue
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
			continue
		case c < '!' || c > 'u':
			continue
		}
		tuple = tuple*85 + uint32(c-'!')
		n++
		if n == 5 {
			out = append(out, byte(tuple>>24), byte(tuple>>16), byte(tuple>>8), byte(tuple))
			tuple, n = 0, 0
		}
	}
	if n > 1 {
		for k := n; k < 5; k++ {
			tuple = tuple*85 + 84
		}
		full := []byte{byte(tuple >> 24), byte(tuple >> 16), byte(tuple >> 8), byte(tuple)}
		out = append(out, full[:n-1]...)
	}
	return out
}

func (d *document) runLength(b []byte) ([]byte, error) {
	var out []byte
	for i := 0; i < len(b); {
		n := int(b[i])
		i++
		switch {
		case n == 128:
			return out, nil
		case n < 128:
			end := i + n + 1
			if end > len(b) {
				end = len(b)
			}
			out = append(out, b[i:end]...)
			i = end
		default:
			if i >= len(b) {
				return out, nil
			}
			for k := 0; k < 257-n; k++ {
				out = append(out, b[i])
			}
			i++
		}
		if len(out) > maxStreamOut {
			return nil, ErrTooComplex
		}
	}
	return out, d.spend(len(out))
}

// lzw decodes PDF's LZW (MSB first, variable code width, early change by
// default), which compress/lzw does not read.
func (d *document) lzw(b []byte, early bool) ([]byte, error) {
	var out []byte
	table := make([][]byte, 258, 4096)
	for i := 0; i < 256; i++ {
		table[i] = []byte{byte(i)}
	}
	width := 9
	var bitbuf uint32
	nbits := 0
	var prev []byte
	for i := 0; ; {
		for nbits < width && i < len(b) {
			bitbuf = bitbuf<<8 | uint32(b[i])
			nbits += 8
			i++
		}
		if nbits < width {
			break
		}
		code := int(bitbuf>>(nbits-width)) & (1<<width - 1)
		nbits -= width
		switch {
		case code == 256:
			table = table[:258]
			width = 9
			prev = nil
			continue
		case code == 257:
			return out, d.spend(len(out))
		}
		var entry []byte
		switch {
		case code < len(table):
			entry = table[code]
		case code == len(table) && prev != nil:
			entry = append(append([]byte(nil), prev...), prev[0])
		default:
			return out, d.spend(len(out))
		}
		out = append(out, entry...)
		if len(out) > maxStreamOut {
			return nil, ErrTooComplex
		}
		if prev != nil && len(table) < 4096 {
			table = append(table, append(append([]byte(nil), prev...), entry[0]))
		}
		prev = entry
		e := 0
		if early {
			e = 1
		}
		switch {
		case len(table)+e >= 2048:
			width = 12
		case len(table)+e >= 1024:
			width = 11
		case len(table)+e >= 512:
			width = 10
		}
	}
	return out, d.spend(len(out))
}
