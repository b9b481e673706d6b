package extractive

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a piece of a text as byte offsets: text[start:end].
type span struct{ start, end int }

// shortLine is the length in runes below which a line followed by a single
// newline is taken as a heading or a list item rather than a hard-wrapped
// line of running text.
const shortLine = 40

// maxWord bounds how far the splitter looks back for an abbreviation, so
// hostile input such as "a.a.a.a..." stays linear.
const maxWord = 32

// Sentences splits text into sentences, each returned verbatim (trimmed) as it appears in text.
//
// Blank lines, bullet items and short lines (headings) end a sentence; other
// single newlines are hard wraps inside a paragraph. A sentence ends at ".",
// "!", "?" or an ellipsis (with any closing quotes or brackets) when the next
// word starts with a capital letter or a digit, except after abbreviations
// ("Dr.", "Jan. 5", "U.S. Army", "J. K."), which end a sentence only when the
// next word is one that typically opens one ("in the U.S. The"). A missing
// space ("end.Next") still ends a sentence. Bullet markers are left out and
// fragments with no letter or digit (a stray " .") are attached to the
// sentence before them.
func Sentences(text string) []string {
	spans := splitSpans(text)
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = text[s.start:s.end]
	}
	return out
}

// splitSpans is Sentences as offsets into text.
func splitSpans(text string) []span {
	var out []span
	for _, b := range blocks(text) {
		out = splitBlock(text, b, out)
	}
	return out
}

// blocks cuts text at hard line boundaries: blank lines, lines that are
// bullet items and lines shorter than shortLine.
func blocks(text string) []span {
	var out []span
	cur := span{-1, -1}
	prevShort, prevBullet := false, false
	for pos := 0; ; {
		nl := strings.IndexByte(text[pos:], '\n')
		end := len(text)
		if nl >= 0 {
			end = pos + nl
		}
		trimmed := strings.TrimFunc(text[pos:end], unicode.IsSpace)
		if trimmed == "" {
			if cur.start >= 0 {
				out = append(out, cur)
				cur = span{-1, -1}
			}
		} else {
			bullet := bulletLen(trimmed) > 0
			if cur.start >= 0 && (bullet || prevBullet || prevShort) {
				out = append(out, cur)
				cur = span{-1, -1}
			}
			if cur.start < 0 {
				cur.start = pos
			}
			cur.end = end
			prevShort = utf8.RuneCountInString(trimmed) < shortLine
			prevBullet = bullet
		}
		if nl < 0 {
			break
		}
		pos = end + 1
	}
	if cur.start >= 0 {
		out = append(out, cur)
	}
	return out
}

// bulletLen is the length in bytes of a list marker and the space after it
// at the start of s ("- ", "• ", "12. ", "b) "), or 0.
func bulletLen(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	switch r {
	case '-', '*', '+', '•', '·', '–', '—', '▪', '►', '◦', '‣', '○', '●':
	default:
		i := 0
		for i < len(s) && i < 3 && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		switch {
		case i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')'):
			n = i + 1
		case i == 0 && len(s) > 1 && s[0] >= 'a' && s[0] <= 'z' && s[1] == ')':
			n = 2
		default:
			return 0
		}
	}
	if n >= len(s) || (s[n] != ' ' && s[n] != '\t') {
		return 0
	}
	return n + 1
}

// splitBlock appends the sentences of text[b.start:b.end] to out.
func splitBlock(text string, b span, out []span) []span {
	start := skipSpace(text, b.start, b.end)
	if n := bulletLen(text[start:b.end]); n > 0 {
		start = skipSpace(text, start+n, b.end)
	}
	blockFirst := len(out)
	for i := start; i < b.end; {
		r, size := utf8.DecodeRuneInString(text[i:b.end])
		if !isTerminal(r) {
			i += size
			continue
		}
		j := i
		for j < b.end {
			r2, s2 := utf8.DecodeRuneInString(text[j:b.end])
			if !isTerminal(r2) {
				break
			}
			j += s2
		}
		run := text[i:j]
		for j < b.end {
			r2, s2 := utf8.DecodeRuneInString(text[j:b.end])
			if !isCloser(r2) {
				break
			}
			j += s2
		}
		if endsSentence(text, b.end, start, i, run, j) {
			out = appendSentence(text, out, blockFirst, start, j)
			start = skipSpace(text, j, b.end)
			i = start
			continue
		}
		i = j
	}
	return appendSentence(text, out, blockFirst, start, b.end)
}

// endsSentence reports whether the terminal punctuation run at
// text[at:at+len(run)], followed by closers up to after, ends the sentence
// that began at sentStart.
func endsSentence(text string, limit, sentStart, at int, run string, after int) bool {
	if after >= limit {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[after:limit])
	if !unicode.IsSpace(r) {
		return missingSpace(text, limit, sentStart, at, run, after)
	}
	k := skipSpace(text, after, limit)
	if k >= limit {
		return true
	}
	for k < limit {
		r2, s2 := utf8.DecodeRuneInString(text[k:limit])
		if !isOpener(r2) {
			break
		}
		k += s2
	}
	c, _ := utf8.DecodeRuneInString(text[k:limit])
	if !unicode.IsUpper(c) && !unicode.IsTitle(c) && !unicode.IsDigit(c) {
		return false
	}
	if run != "." {
		return true
	}
	return !abbreviationHolds(prevWord(text, sentStart, at), nextWord(text, k, limit), c)
}

// missingSpace reports whether "end.Next" (no space after the punctuation)
// is a sentence boundary: a single ".", "!" or "?" after a lower-case word
// of two letters or more, before a capitalized word. Domains and initialisms
// ("bbc.Co", "e.g.U") have dots in the word before and stay whole.
func missingSpace(text string, limit, sentStart, at int, run string, after int) bool {
	if len(run) != 1 || after != at+1 {
		return false
	}
	c, n := utf8.DecodeRuneInString(text[after:limit])
	if !unicode.IsUpper(c) {
		return false
	}
	c2, _ := utf8.DecodeRuneInString(text[after+n : limit])
	if !unicode.IsLower(c2) {
		return false
	}
	w := prevWord(text, sentStart, at)
	if utf8.RuneCountInString(w) < 2 {
		return false
	}
	for _, r := range w {
		if !unicode.IsLower(r) {
			return false
		}
	}
	return true
}

// abbreviationHolds reports whether a period after word is part of an
// abbreviation rather than the end of a sentence, given the next word and
// its first rune.
func abbreviationHolds(word, next string, first rune) bool {
	if word == "" {
		return false
	}
	lw := strings.ToLower(word)
	switch lw {
	case "no", "nos":
		// "No. 5" but "The answer was no. The".
		return unicode.IsDigit(first)
	case "mr", "mrs", "ms", "dr", "prof", "rev", "gen", "col", "lt", "sgt",
		"capt", "cpl", "maj", "adm", "cmdr", "gov", "sen", "rep", "pres",
		"supt", "insp", "det", "hon", "fr", "rt", "mt", "messrs", "mme",
		"mlle", "brig", "atty", "vs", "v", "e.g", "i.e", "cf", "approx", "ca",
		"fig", "figs", "vol", "vols", "pp", "op", "ref":
		return true
	case "jr", "sr", "st", "ft", "etc", "inc", "ltd", "co", "corp", "plc",
		"llc", "bros", "dept", "univ", "al", "est", "ave", "blvd", "rd",
		"a.m", "p.m", "ph.d", "hr", "hrs", "min", "mins", "sq", "oz", "lb", "lbs":
		return !opensSentence(next)
	}
	switch word {
	case "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
		"Nov", "Dec", "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri",
		"Sat", "Sun":
		return !opensSentence(next)
	}
	if r, n := utf8.DecodeRuneInString(word); n == len(word) && unicode.IsUpper(r) {
		// An initial ("J. K. Rowling") unless a real sentence follows
		// ("Plan B. The"); one-letter words are initials themselves.
		return len(next) < 2 || !opensSentence(next)
	}
	if isInitialism(word) {
		return !opensSentence(next)
	}
	return false
}

// isInitialism reports whether w is single letters joined by dots ("U.S",
// "D.C", "a.k.a").
func isInitialism(w string) bool {
	if len(w) < 3 {
		return false
	}
	letter := true
	for _, r := range w {
		if letter != unicode.IsLetter(r) || (!letter && r != '.') {
			return false
		}
		letter = !letter
	}
	return !letter
}

// opensSentence reports whether w (as written) is a word that commonly
// starts an English sentence, used to decide that a period after an
// abbreviation also ends the sentence.
func opensSentence(w string) bool {
	switch strings.ToLower(w) {
	case "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this",
		"that", "these", "those", "there", "here", "his", "her", "its", "their",
		"our", "my", "but", "and", "or", "so", "yet", "in", "on", "at", "for",
		"from", "to", "of", "with", "by", "if", "when", "while", "as", "after",
		"before", "since", "because", "although", "though", "however",
		"meanwhile", "then", "now", "today", "yesterday", "also", "some",
		"many", "most", "all", "both", "each", "what", "who", "how", "why",
		"where", "which", "no", "not", "never", "only", "officials", "police",
		"is", "are", "was", "were", "will", "would", "can", "could", "do",
		"does", "did", "has", "have", "had", "last", "next", "earlier",
		"later", "according":
		return true
	}
	return false
}

// prevWord returns the word (letters, digits and inner dots) that ends at
// end, not reaching before lo; "" when there is none or it is too long to
// be an abbreviation.
func prevWord(text string, lo, end int) string {
	i := end
	for i > lo && end-i <= maxWord {
		r, n := utf8.DecodeLastRuneInString(text[lo:i])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' {
			break
		}
		i -= n
	}
	if end-i > maxWord {
		return ""
	}
	return strings.TrimLeft(text[i:end], ".")
}

// nextWord returns the run of letters starting at i (at most maxWord bytes).
func nextWord(text string, i, limit int) string {
	j := i
	for j < limit && j-i <= maxWord {
		r, n := utf8.DecodeRuneInString(text[j:limit])
		if !unicode.IsLetter(r) {
			break
		}
		j += n
	}
	return text[i:j]
}

// appendSentence appends the trimmed text[s:e] to out. A piece with no
// letter or digit is glued to the previous sentence of the same block
// (index >= blockFirst), or dropped.
func appendSentence(text string, out []span, blockFirst, s, e int) []span {
	piece := text[s:e]
	trimmed := strings.TrimLeftFunc(piece, unicode.IsSpace)
	s += len(piece) - len(trimmed)
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	e = s + len(trimmed)
	if trimmed == "" {
		return out
	}
	if !strings.ContainsFunc(trimmed, isAlnum) {
		if len(out) > blockFirst {
			out[len(out)-1].end = e
		}
		return out
	}
	return append(out, span{s, e})
}

func skipSpace(text string, i, limit int) int {
	for i < limit {
		r, n := utf8.DecodeRuneInString(text[i:limit])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isTerminal(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '…' }

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', ')', ']', '»':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '(', '[', '«':
		return true
	}
	return false
}
