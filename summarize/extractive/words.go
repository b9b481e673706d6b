package extractive

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// stemmer turns words into stems, remembering the ones it has seen: an
// article repeats its words, and stemming is the costliest step of ranking.
// A stemmer belongs to one call and is not safe for concurrent use.
type stemmer map[string]string

func (s stemmer) stem(lower string) string {
	if st, ok := s[lower]; ok {
		return st
	}
	st := lower
	if utf8.RuneCountInString(lower) > 2 && !isNumber(lower) {
		st = english.Stem(lower, true)
	}
	s[lower] = st
	return st
}

// tokens returns the words of s: maximal runs of letters and digits (an
// inner apostrophe is a separator, as in the ROUGE tokenizer), lower-cased.
func tokens(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexFunc(s, isAlnum)
		if i < 0 {
			break
		}
		s = s[i:]
		j := strings.IndexFunc(s, func(r rune) bool { return !isAlnum(r) })
		if j < 0 {
			j = len(s)
		}
		out = append(out, strings.ToLower(s[:j]))
		s = s[j:]
	}
	return out
}

// contentStems returns the stems of the words of s that carry meaning:
// stop words and one-letter words are left out, numbers are kept.
func (st stemmer) contentStems(s string) []string {
	var out []string
	for _, w := range tokens(s) {
		if isStopword(w) || (utf8.RuneCountInString(w) < 2 && !isNumber(w)) {
			continue
		}
		out = append(out, st.stem(w))
	}
	return out
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// isStopword reports whether the lower-case word w is too common to tell
// sentences apart: Snowball's English list plus the words news prose and
// questions add ("said", "would", "also", "article").
func isStopword(w string) bool {
	if english.IsStopWord(w) {
		return true
	}
	switch w {
	case "said", "says", "say", "would", "could", "also", "may", "might",
		"must", "shall", "one", "us", "mr", "mrs", "ms", "yes", "like", "get",
		"got", "much", "many", "well", "even", "still", "yet", "via", "per",
		"does", "tell", "know", "article", "story", "text", "mention",
		"mentioned", "according", "s", "t", "ll", "ve", "re", "d", "m":
		return true
	}
	return false
}
