package pdf

import "golang.org/x/text/encoding/charmap"

// baseEncoding is a simple font's code -> text table.
type baseEncoding [256]string

// standardHigh is Adobe StandardEncoding above 0x7F (by glyph name).
var standardHigh = [256]string{
	0xA1: "exclamdown", 0xA2: "cent", 0xA3: "sterling", 0xA4: "fraction", 0xA5: "yen",
	0xA6: "florin", 0xA7: "section", 0xA8: "currency", 0xA9: "quotesingle",
	0xAA: "quotedblleft", 0xAB: "guillemotleft", 0xAC: "guilsinglleft", 0xAD: "guilsinglright",
	0xAE: "fi", 0xAF: "fl", 0xB1: "endash", 0xB2: "dagger", 0xB3: "daggerdbl",
	0xB4: "periodcentered", 0xB6: "paragraph", 0xB7: "bullet", 0xB8: "quotesinglbase",
	0xB9: "quotedblbase", 0xBA: "quotedblright", 0xBB: "guillemotright", 0xBC: "ellipsis",
	0xBD: "perthousand", 0xBF: "questiondown", 0xC1: "grave", 0xC2: "acute", 0xC3: "circumflex",
	0xC4: "tilde", 0xC5: "macron", 0xC6: "breve", 0xC7: "dotaccent", 0xC8: "dieresis",
	0xCA: "ring", 0xCB: "cedilla", 0xCD: "hungarumlaut", 0xCE: "ogonek", 0xCF: "caron",
	0xD0: "emdash", 0xE1: "AE", 0xE3: "ordfeminine", 0xE8: "Lslash", 0xE9: "Oslash",
	0xEA: "OE", 0xEB: "ordmasculine", 0xF1: "ae", 0xF5: "dotlessi", 0xF8: "lslash",
	0xF9: "oslash", 0xFA: "oe", 0xFB: "germandbls",
}

// encodingByName returns the named base encoding; unknown names give
// StandardEncoding.
func encodingByName(n name) *baseEncoding {
	var e baseEncoding
	switch n {
	case "WinAnsiEncoding", "MacRomanEncoding":
		cm := charmap.Windows1252
		if n == "MacRomanEncoding" {
			cm = charmap.Macintosh
		}
		for i := 32; i < 256; i++ {
			if r := cm.DecodeByte(byte(i)); r != '\uFFFD' && r >= ' ' && (r < 0x7F || r > 0x9F) {
				e[i] = string(r)
			}
		}
		if n == "WinAnsiEncoding" {
			e[0xA0] = " "
			e[0xAD] = "-"
		}
	default:
		for i := 32; i < 127; i++ {
			e[i] = string(rune(i))
		}
		e['\''] = "’"
		e['`'] = "‘"
		for c, gn := range standardHigh {
			if gn != "" {
				e[c], _ = glyphRune(gn)
			}
		}
	}
	return &e
}
