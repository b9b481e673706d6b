package extract

import (
	"strings"

	"github.com/RadhiFadlillah/whatlanggo"
)

// langSample is how much text language detection looks at.
const langSample = 1000

// detectLang names the language of text as an ISO 639-1 code: the page's
// declared language (its primary subtag) when there is one, else a guess
// from the text when a reliable one can be made. Guessing costs about as
// much as the rest of the fast path, so a declaration is trusted.
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
	if info := whatlanggo.Detect(sample); info.IsReliable() {
		if code := info.Lang.Iso6391(); code != "" {
			return code
		}
	}
	return ""
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
