package extractive

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// gluedOpeners are words that, capitalized in the middle of a sentence and
// followed by a lower-case word, open a new sentence: news pages that lose
// their markup glue a photo caption to the paragraph after it without a full
// stop ("... outside the court in Leeds The victim's family said"). The
// value says whether the word may follow a capitalized word: a determiner
// may, a pronoun may not ("Push It won" is a name).
var gluedOpeners = map[string]bool{
	"The": true, "An": true, "His": true, "Her": true, "Their": true, "Its": true,
	"This": true, "These": true, "Those": true, "But": true,
	"He": false, "She": false, "They": false, "It": false, "We": false,
}

// minGluedWords is the fewest words each side of a glued boundary must have:
// shorter pieces are more likely a name ("Push It won") than a caption.
const minGluedWords = 4

// unglue cuts a sentence span where a caption was glued to the text after
// it, and reports for each piece whether it is such a caption (every piece
// but the last). Each piece stays a verbatim substring of text.
func unglue(text string, sp span) (pieces []span, captions []bool) {
	start := sp.start
	words := 0
	// prevLower: the previous word ends in a lower-case letter, a digit or
	// a closing bracket or quote; prevStartsLower: it also starts with a
	// lower-case letter or digit, which a pronoun opener needs ("the year
	// Don't Push It won" is a name).
	prevLower, prevStartsLower, prevParen := false, false, false
	for i := sp.start; i < sp.end; {
		// Find the next word.
		r, n := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		j := i
		for j < sp.end {
			r2, n2 := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r2) {
				break
			}
			j += n2
		}
		word := text[i:j]
		// "A" opens too many names ("type A", "Plan A") to count unless a
		// caption's bracket ends right before it: "(pictured) A man".
		article := word == "A" && prevParen
		if opener, ok := gluedOpeners[word]; (ok || article) && prevLower && (opener || article || prevStartsLower) && words >= minGluedWords &&
			text[i-1] == ' ' && nextLower(text, j, sp.end) &&
			countWords(text[i:sp.end]) >= minGluedWords {
			pieces = append(pieces, span{start, trimRightSpace(text, start, i)})
			captions = append(captions, true)
			start = i
			words = 0
		}
		words++
		last, _ := utf8.DecodeLastRuneInString(word)
		prevLower = unicode.IsLower(last) || unicode.IsDigit(last) || isCloser(last)
		first, _ := utf8.DecodeRuneInString(word)
		prevStartsLower = unicode.IsLower(first) || unicode.IsDigit(first) || isCloser(last)
		prevParen = last == ')'
		i = j
	}
	pieces = append(pieces, span{start, sp.end})
	captions = append(captions, false)
	return pieces, captions
}

// nextLower reports whether the word starting after position i (past
// spaces) begins with a lower-case letter or a digit ("An 86-year-old").
func nextLower(text string, i, end int) bool {
	for i < end {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			return unicode.IsLower(r) || unicode.IsDigit(r)
		}
		i += n
	}
	return false
}

func countWords(s string) int { return len(strings.Fields(s)) }

func trimRightSpace(text string, start, end int) int {
	for end > start {
		r, n := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= n
	}
	return end
}

// hasCaptionLabel reports whether s opens with a photo caption's label: one
// to three words, the first capitalized and the rest lower case, then a
// colon and a capitalized word ("Evicted: Hayley Sandiford has been told").
// A speaker's colon ("He said: ...", "Police added: ...") is not a label.
func hasCaptionLabel(s string) bool {
	colon := strings.Index(s, ": ")
	if colon <= 0 || colon > 40 {
		return false
	}
	label := strings.Fields(s[:colon])
	if len(label) == 0 || len(label) > 3 {
		return false
	}
	for i, w := range label {
		r := firstRune(w)
		if (i == 0) != unicode.IsUpper(r) || !strings.ContainsFunc(w, unicode.IsLetter) {
			return false
		}
		switch strings.ToLower(w) {
		case "said", "says", "added", "adds", "told", "explained", "wrote", "writes", "warned", "insisted", "continued", "tweeted", "asked", "replied":
			return false
		}
	}
	return unicode.IsUpper(firstRune(s[colon+2:]))
}
