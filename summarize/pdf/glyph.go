package pdf

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// glyphNames maps the glyph names that text fonts use, beyond the
// accented Latin letters that glyphRune builds from their parts, to text;
// ligatures become their letters. Sorted by name for a binary search (a
// table the linker lays out: no start-up work).
var glyphNames = [...]struct{ name, text string }{
	{"AE", "Æ"},
	{"Dcroat", "Đ"},
	{"Delta", "Δ"},
	{"Eth", "Ð"},
	{"Euro", "€"},
	{"Gamma", "Γ"},
	{"Hbar", "Ħ"},
	{"IJ", "Ĳ"},
	{"Lambda", "Λ"},
	{"Lslash", "Ł"},
	{"Ng", "Ŋ"},
	{"OE", "Œ"},
	{"Omega", "Ω"},
	{"Oslash", "Ø"},
	{"Phi", "Φ"},
	{"Pi", "Π"},
	{"Psi", "Ψ"},
	{"Sigma", "Σ"},
	{"Theta", "Θ"},
	{"Thorn", "Þ"},
	{"Upsilon", "Υ"},
	{"Xi", "Ξ"},
	{"acute", "´"},
	{"ae", "æ"},
	{"alpha", "α"},
	{"ampersand", "&"},
	{"approxequal", "≈"},
	{"arrowleft", "←"},
	{"arrowright", "→"},
	{"asciicircum", "^"},
	{"asciitilde", "~"},
	{"asterisk", "*"},
	{"at", "@"},
	{"backslash", "\\"},
	{"bar", "|"},
	{"beta", "β"},
	{"braceleft", "{"},
	{"braceright", "}"},
	{"bracketleft", "["},
	{"bracketright", "]"},
	{"breve", "˘"},
	{"brokenbar", "¦"},
	{"bullet", "•"},
	{"caron", "ˇ"},
	{"cedilla", "¸"},
	{"cent", "¢"},
	{"chi", "χ"},
	{"circumflex", "ˆ"},
	{"colon", ":"},
	{"comma", ","},
	{"compwordmark", ""},
	{"copyright", "©"},
	{"currency", "¤"},
	{"cwm", ""},
	{"dagger", "†"},
	{"daggerdbl", "‡"},
	{"dcroat", "đ"},
	{"degree", "°"},
	{"delta", "δ"},
	{"dieresis", "¨"},
	{"divide", "÷"},
	{"dollar", "$"},
	{"dotaccent", "˙"},
	{"dotlessi", "ı"},
	{"dotlessj", "ȷ"},
	{"eight", "8"},
	{"element", "∈"},
	{"ellipsis", "…"},
	{"emdash", "—"},
	{"endash", "–"},
	{"epsilon", "ε"},
	{"equal", "="},
	{"eta", "η"},
	{"eth", "ð"},
	{"exclam", "!"},
	{"exclamdown", "¡"},
	{"exclamdown.alt", "¡"},
	{"ff", "ff"},
	{"ffi", "ffi"},
	{"ffl", "ffl"},
	{"fi", "fi"},
	{"five", "5"},
	{"fl", "fl"},
	{"florin", "ƒ"},
	{"four", "4"},
	{"fraction", "⁄"},
	{"gamma", "γ"},
	{"germandbls", "ß"},
	{"grave", "`"},
	{"greater", ">"},
	{"greaterequal", "≥"},
	{"guillemotleft", "«"},
	{"guillemotright", "»"},
	{"guilsinglleft", "‹"},
	{"guilsinglright", "›"},
	{"hbar", "ħ"},
	{"hungarumlaut", "˝"},
	{"hyphen", "-"},
	{"ij", "ĳ"},
	{"infinity", "∞"},
	{"integral", "∫"},
	{"iota", "ι"},
	{"kappa", "κ"},
	{"lambda", "λ"},
	{"less", "<"},
	{"lessequal", "≤"},
	{"logicalnot", "¬"},
	{"lslash", "ł"},
	{"macron", "¯"},
	{"minus", "−"},
	{"mu", "µ"},
	{"multiply", "×"},
	{"napostrophe", "ŉ"},
	{"nbspace", " "},
	{"ng", "ŋ"},
	{"nine", "9"},
	{"notequal", "≠"},
	{"nu", "ν"},
	{"numbersign", "#"},
	{"oe", "œ"},
	{"ogonek", "˛"},
	{"omega", "ω"},
	{"one", "1"},
	{"onehalf", "½"},
	{"onequarter", "¼"},
	{"onesuperior", "¹"},
	{"ordfeminine", "ª"},
	{"ordmasculine", "º"},
	{"oslash", "ø"},
	{"paragraph", "¶"},
	{"parenleft", "("},
	{"parenright", ")"},
	{"partialdiff", "∂"},
	{"percent", "%"},
	{"period", "."},
	{"periodcentered", "·"},
	{"perthousand", "‰"},
	{"perthousandzero", ""},
	{"phi", "φ"},
	{"pi", "π"},
	{"plus", "+"},
	{"plusminus", "±"},
	{"product", "∏"},
	{"psi", "ψ"},
	{"question", "?"},
	{"questiondown", "¿"},
	{"questiondown.alt", "¿"},
	{"quotedbl", "\""},
	{"quotedblbase", "„"},
	{"quotedblleft", "“"},
	{"quotedblright", "”"},
	{"quotedblright.alt", "”"},
	{"quoteleft", "‘"},
	{"quoteright", "’"},
	{"quotesinglbase", "‚"},
	{"quotesingle", "'"},
	{"quotesingle.alt", "'"},
	{"radical", "√"},
	{"registered", "®"},
	{"rho", "ρ"},
	{"ring", "˚"},
	{"ring1", "˚"},
	{"section", "§"},
	{"semicolon", ";"},
	{"seven", "7"},
	{"sfthyphen", "-"},
	{"sigma", "σ"},
	{"six", "6"},
	{"slash", "/"},
	{"softhyphen", "-"},
	{"space", " "},
	{"sterling", "£"},
	{"summation", "∑"},
	// TeX's OT1 fonts draw Ł and ł as this stroke over L and l.
	{"suppress", "\u0337"},
	{"tau", "τ"},
	{"theta", "θ"},
	{"thorn", "þ"},
	{"three", "3"},
	{"threequarters", "¾"},
	{"threesuperior", "³"},
	{"tilde", "˜"},
	{"trademark", "™"},
	{"two", "2"},
	{"twosuperior", "²"},
	{"underscore", "_"},
	{"upsilon", "υ"},
	{"visiblespace", "␣"},
	{"xi", "ξ"},
	{"yen", "¥"},
	{"zero", "0"},
	{"zeta", "ζ"},
}

// accentMarks are the accents whose names glyph names are built from,
// and the combining marks they stand for.
var accentMarks = []struct{ suffix, mark string }{
	{"acute", "\u0301"}, {"grave", "\u0300"}, {"circumflex", "\u0302"}, {"dieresis", "\u0308"},
	{"tilde", "\u0303"}, {"ring", "\u030A"}, {"cedilla", "\u0327"}, {"caron", "\u030C"},
	{"breve", "\u0306"}, {"macron", "\u0304"}, {"ogonek", "\u0328"}, {"dotaccent", "\u0307"},
	{"hungarumlaut", "\u030B"}, {"commaaccent", "\u0326"},
}

// compose puts the combining marks on base, as one character when
// Unicode has one. A stroke overlaid on L or l (TeX's \L and \l) is Ł
// or ł, and a slash through O or o is Ø or ø: Unicode gives those
// letters no decomposition, so NFC alone leaves the mark apart.
func compose(base rune, marks string) string {
	if m, _ := utf8.DecodeRuneInString(marks); len(marks) == utf8.RuneLen(m) && (m == '\u0337' || m == '\u0338') {
		switch {
		case base == 'L':
			return "Ł"
		case base == 'l':
			return "ł"
		case base == 'O' && m == '\u0338':
			return "Ø"
		case base == 'o' && m == '\u0338':
			return "ø"
		}
	}
	return norm.NFC.String(dotless(base) + marks)
}

// spacingAccent maps a spacing accent, as a font draws it alone over a
// letter (TeX's OT1 fonts do), to its combining mark.
func spacingAccent(r rune) (rune, bool) {
	switch r {
	case '´':
		return '\u0301', true
	case '`':
		return '\u0300', true
	case 'ˆ':
		return '\u0302', true
	case '^':
		return '\u0302', true
	case '¨':
		return '\u0308', true
	case '˜':
		return '\u0303', true
	case '~':
		return '\u0303', true
	case '˚':
		return '\u030A', true
	case '¸':
		return '\u0327', true
	case 'ˇ':
		return '\u030C', true
	case '˘':
		return '\u0306', true
	case '¯':
		return '\u0304', true
	case '˛':
		return '\u0328', true
	case '˙':
		return '\u0307', true
	case '˝':
		return '\u030B', true
	}
	return 0, false
}

// glyphRune returns the text of a glyph name, or "" with false when the
// name means nothing known.
func glyphRune(n string) (string, bool) {
	if i := sort.Search(len(glyphNames), func(i int) bool { return glyphNames[i].name >= n }); i < len(glyphNames) && glyphNames[i].name == n {
		return glyphNames[i].text, true
	}
	if len(n) == 1 && (n[0] >= 'a' && n[0] <= 'z' || n[0] >= 'A' && n[0] <= 'Z') {
		return n, true
	}
	// Variants such as "a.sc" or "one.oldstyle" read as their base.
	if i := strings.IndexByte(n, '.'); i > 0 {
		return glyphRune(n[:i])
	}
	// "f_f_i" style ligature names.
	if strings.Contains(n, "_") {
		var b strings.Builder
		for _, part := range strings.Split(n, "_") {
			s, ok := glyphRune(part)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	}
	if strings.HasPrefix(n, "uni") && len(n) >= 7 && (len(n)-3)%4 == 0 {
		var b strings.Builder
		for i := 3; i+4 <= len(n); i += 4 {
			v, err := strconv.ParseUint(n[i:i+4], 16, 32)
			if err != nil {
				return "", false
			}
			b.WriteRune(rune(v))
		}
		return b.String(), true
	}
	if strings.HasPrefix(n, "u") && len(n) >= 5 && len(n) <= 7 {
		if v, err := strconv.ParseUint(n[1:], 16, 32); err == nil && v < 0x110000 {
			return string(rune(v)), true
		}
	}
	for _, a := range accentMarks {
		if base, ok := strings.CutSuffix(n, a.suffix); ok && len(base) == 1 {
			if b, ok := glyphRune(base); ok {
				return norm.NFC.String(b + a.mark), true
			}
		}
	}
	return "", false
}
