package extract

import (
	"strings"

	"github.com/RadhiFadlillah/whatlanggo"
)

// langSample is how much text language detection looks at.
const langSample = 2000

// detectLang names the language of text as an ISO 639-1 code, falling back
// to the page's declared language (its primary subtag) when the text is
// too short or mixed for a reliable guess.
func detectLang(text, declared string) string {
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
	return primaryTag(declared)
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
