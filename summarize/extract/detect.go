package extract

import (
	"time"
	"unicode"

	"golang.org/x/net/html"
)

// signals are cheap facts about the raw page, gathered before cleaning.
type signals struct {
	published time.Time
}

func scanSignals(doc *html.Node) signals { return signals{} }

// countWords counts words; in scripts written without spaces (Han, kana)
// each character counts as a word.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		if isSpace(r) {
			in = false
		} else if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			in = false
			n++
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

func classify(sig signals, text string, minWords int) (Kind, bool) {
	if countWords(text) < minWords {
		return TooShort, true
	}
	return "", false
}
