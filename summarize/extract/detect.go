package extract

import "golang.org/x/net/html"

// signals are cheap facts about the raw page, gathered before cleaning.
type signals struct{}

func scanSignals(doc *html.Node) signals { return signals{} }

func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		if isSpace(r) {
			in = false
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
