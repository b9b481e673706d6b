package extract

import (
	"strings"
	"unicode"

	"github.com/RadhiFadlillah/whatlanggo"
)

// langSample is how much text language detection looks at.
const langSample = 1000

// detectLang names the language of text as an ISO 639-1 code: the page's
// declared language (its primary subtag) when there is one, else a guess
// from the text when a reliable one can be made. Guessing costs about as
// much as the rest of the fast path, so a declaration is trusted.
//
// whatlanggo decides by script first. Two of its answers are corrected:
// Japanese written with more kanji than kana is not Chinese, and Swahili,
// which it does not know, is told by its function words, and Amharic from
// Tigrinya by their spelling of the vowel a. Ethiopic's word space "፡"
// becomes a space so that the trigrams see words.
func detectLang(text, declared string) string {
	if tag := primaryTag(declared); tag != "" {
		return tag
	}
	sample := text
	if len(sample) > langSample {
		cut := langSample
		for cut > 0 && sample[cut]&0xC0 == 0x80 {
			cut--
		}
		sample = sample[:cut]
	}
	if hasKana(sample) {
		return "ja"
	}
	if isSwahili(sample) {
		return "sw"
	}
	sample = strings.ReplaceAll(sample, "\u1361", " ")
	info := whatlanggo.Detect(sample)
	if info.Script == unicode.Ethiopic {
		return ethiopicLang(sample)
	}
	if info.IsReliable() {
		if code := info.Lang.Iso6391(); code != "" {
			return code
		}
	}
	return ""
}

// hasKana reports whether text is Japanese: hiragana or katakana make up
// at least a twentieth of its Han and kana characters (Chinese text has
// none), and there are a few of them.
func hasKana(text string) bool {
	han, kana := 0, 0
	for _, r := range text {
		switch {
		case r < 0x3040:
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Han, r):
			han++
		}
	}
	return kana >= 3 && 20*kana >= han+kana
}

// ethiopicLang tells Amharic from Tigrinya, which whatlanggo's trigrams
// confuse: Tigrinya writes the vowel a as "ኣ" where Amharic writes "አ".
func ethiopicLang(text string) string {
	if strings.Count(text, "ኣ") > strings.Count(text, "አ") {
		return "ti"
	}
	return "am"
}

// swahiliWord reports a Swahili function word that is rare as a word in
// the Latin-script languages whatlanggo knows.
func swahiliWord(w string) bool {
	switch w {
	case "na", "ya", "wa", "kwa", "za", "katika", "kuwa", "ni", "cha", "hiyo",
		"huo", "hii", "pia", "lakini", "kama", "zaidi", "baada", "alisema",
		"kwamba", "hata":
		return true
	}
	return false
}

// isSwahili reports whether at least a sixth of the words of text are
// Swahili function words, with at least four distinct ones.
func isSwahili(text string) bool {
	words, hits := 0, 0
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		words++
		if swahiliWord(w) {
			hits++
			seen[w] = true
		}
	}
	return len(seen) >= 4 && 6*hits >= words
}

// primaryTag returns the lower-cased primary subtag of a language tag
// ("en" for "en-US"), or "" when it is not a plausible one.
func primaryTag(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i] | 0x20
		if c < 'a' || c > 'z' {
			return ""
		}
	}
	return strings.ToLower(tag)
}

// DetectLang guesses the language of text as an ISO 639-1 code, the same
// way FromHTML does for a page that declares none; "" when unsure.
func DetectLang(text string) string { return detectLang(text, "") }
