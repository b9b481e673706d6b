package extractive

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// stemmer turns words into stems, remembering the ones it has seen: an
// article repeats its words, and stemming is the costliest step of ranking.
// A stemmer belongs to one call and is not safe for concurrent use.
type stemmer struct {
	lang  string // ISO 639-1 code of the article; "" is English
	cache map[string]string
}

func newStemmer(lang string) stemmer {
	return stemmer{lang: strings.ToLower(lang), cache: map[string]string{}}
}

// stem returns the stem of a lower-case word: Snowball's stemmer for the
// article's language where it has one (Russian for any Cyrillic word of an
// article of unknown language), the word itself otherwise. English
// irregular verb and noun forms ("ate", "children") are first turned into
// their base form, which suffix stripping cannot do.
func (s stemmer) stem(lower string) string {
	if st, ok := s.cache[lower]; ok {
		return st
	}
	key, st := lower, lower
	if utf8.RuneCountInString(lower) > 2 && !isNumber(lower) {
		switch s.stemLang(lower) {
		case "en":
			if base, ok := irregular(lower); ok {
				st = base
			}
			st = english.Stem(st, true)
		case "es":
			st = spanish.Stem(lower, true)
		case "fr":
			st = french.Stem(lower, true)
		case "ru":
			st = russian.Stem(lower, true)
		case "sv":
			st = swedish.Stem(lower, true)
		case "no", "nb", "nn":
			st = norwegian.Stem(lower, true)
		case "hu":
			st = hungarian.Stem(lower, true)
		}
	}
	s.cache[key] = st
	return st
}

// stemLang is the language whose stemmer fits w.
func (s stemmer) stemLang(w string) string {
	r, _ := utf8.DecodeRuneInString(w)
	switch {
	case unicode.Is(unicode.Cyrillic, r):
		if s.lang == "" || s.lang == "ru" {
			return "ru"
		}
		return ""
	case r >= utf8.RuneSelf && !unicode.Is(unicode.Latin, r):
		return ""
	case s.lang == "":
		return "en"
	}
	return s.lang
}

// stopword reports whether the lower-case word w is too common to tell
// sentences apart, in the article's language where a list is known.
func (s stemmer) stopword(w string) bool {
	switch s.stemLang(w) {
	case "en":
		return isStopword(w)
	case "es":
		return spanish.IsStopWord(w)
	case "fr":
		return french.IsStopWord(w)
	case "ru":
		return russian.IsStopWord(w)
	case "sv":
		return swedish.IsStopWord(w)
	case "no", "nb", "nn":
		return norwegian.IsStopWord(w)
	case "hu":
		return hungarian.IsStopWord(w)
	}
	return false
}

// isWordRune reports a rune that belongs to a word: letters, digits,
// combining marks (the vowel signs of Indic scripts, Thai tone marks) and
// the zero-width joiner and non-joiner, which Persian, Bengali and other
// scripts spell words with.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r) || r == '\u200c' || r == '\u200d'
}

// tokens returns the words of s: maximal runs of word runes (an inner
// apostrophe is a separator, as in the ROUGE tokenizer), lower-cased. A
// run of Chinese or Japanese, or of Thai, Lao, Khmer or Burmese, which are
// written without spaces, is one token here; contentStems cuts it further.
func tokens(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexFunc(s, isWordRune)
		if i < 0 {
			break
		}
		s = s[i:]
		j := strings.IndexFunc(s, func(r rune) bool { return !isWordRune(r) })
		if j < 0 {
			j = len(s)
		}
		out = append(out, strings.ToLower(s[:j]))
		s = s[j:]
	}
	return out
}

// script classes that decide how a run of letters becomes units of
// meaning.
const (
	spaced    = iota // words separated by spaces (Latin, Cyrillic, Arabic, Devanagari...)
	han              // Han ideographs and katakana: character bigrams
	hiragana         // Japanese grammar: particles and endings
	hangul           // Korean: spaced words with particles attached
	southeast        // Thai, Lao, Khmer, Burmese: no spaces between words
)

func scriptOf(r rune) int {
	switch {
	case r < 0x0E00:
		return spaced
	case unicode.In(r, unicode.Han, unicode.Katakana):
		return han
	case unicode.Is(unicode.Hiragana, r):
		return hiragana
	case unicode.Is(unicode.Hangul, r):
		return hangul
	case unicode.In(r, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar):
		return southeast
	}
	return spaced
}

// contentStems returns the units of meaning of s for ranking: the stems of
// its words without stop words and one-letter words (numbers are kept);
// character bigrams of Chinese and Japanese (whose words are one to four
// characters, with no space between them), the first two syllables of a
// Korean word (so "서울시는" and "서울시가" are both "서울"), and
// character trigrams of Thai, Lao, Khmer and Burmese.
func (st stemmer) contentStems(s string) []string {
	var out []string
	for _, w := range tokens(s) {
		out = st.appendUnits(out, w)
	}
	return out
}

func (st stemmer) appendUnits(out []string, w string) []string {
	// Cut w into runs of one script class.
	for len(w) > 0 {
		r, _ := utf8.DecodeRuneInString(w)
		class := scriptOf(r)
		end := len(w)
		for i, r2 := range w {
			if c := scriptOf(r2); c != class && !unicode.Is(unicode.M, r2) && r2 != '\u200c' && r2 != '\u200d' {
				end = i
				break
			}
		}
		if end == 0 { // a mark at the start of a token
			_, n := utf8.DecodeRuneInString(w)
			end = n
		}
		run := w[:end]
		w = w[end:]
		switch class {
		case han:
			out = appendGrams(out, run, 2)
		case hiragana:
			// Particles and endings: they tell sentences apart no better
			// than English stop words.
		case hangul:
			// The stem is at the front of a Korean word and particles and
			// endings at its back: its first two syllables stand for it.
			if _, n1 := utf8.DecodeRuneInString(run); n1 < len(run) {
				_, n2 := utf8.DecodeRuneInString(run[n1:])
				out = append(out, run[:n1+n2])
			}
		case southeast:
			out = appendGrams(out, run, 3)
		default:
			if st.stopword(run) || (utf8.RuneCountInString(run) < 2 && !isNumber(run)) {
				continue
			}
			out = append(out, st.stem(run))
		}
	}
	return out
}

// appendGrams appends the n-grams of runes of run to out, or run itself
// when it is shorter than n.
func appendGrams(out []string, run string, n int) []string {
	var at [8]int // byte offsets of the last runes, a ring of n+1
	k := 0
	for i := range run {
		at[k%(n+1)] = i
		k++
		if k > n {
			out = append(out, run[at[(k-n-1)%(n+1)]:i])
		}
	}
	if k >= n {
		out = append(out, run[at[(k-n)%(n+1)]:])
	} else if k > 0 {
		out = append(out, run)
	}
	return out
}

// Words returns the length of s as a reader sees it, in words: runs of
// word characters separated by spaces or punctuation (Ethiopic's "፡"
// included) count one each; Chinese and Japanese characters count half a
// word each, so that 70 words are 140 characters; in Thai, Lao, Khmer and
// Burmese every four letters (vowel signs and tone marks aside) count as a
// word. Length limits of the summarizer are in these words.
func Words(s string) int {
	var c wordCounter
	for _, r := range s {
		c.add(r)
	}
	return c.words()
}

// wordCounter counts Words one rune at a time.
type wordCounter struct {
	halves  int
	in      bool // inside a spaced word
	letters int  // letters of the current Thai-like run
}

func (c *wordCounter) add(r rune) {
	if !isWordRune(r) {
		c.in, c.letters = false, 0
		return
	}
	switch scriptOf(r) {
	case han, hiragana:
		c.in, c.letters = false, 0
		c.halves++
	case southeast:
		if !unicode.IsLetter(r) {
			return
		}
		c.in = false
		if c.letters%4 == 0 {
			c.halves += 2
		}
		c.letters++
	default:
		if !c.in && !unicode.Is(unicode.M, r) {
			c.halves += 2
		}
		c.in, c.letters = true, 0
	}
}

func (c *wordCounter) words() int { return (c.halves + 1) / 2 }

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
