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
	var out, sents []span
	for _, b := range blocks(text) {
		sents = splitBlock(text, b, sents[:0])
		for _, sp := range sents {
			out = segment(text, sp, out)
		}
	}
	return out
}

// unitRunes is the fewest runes of a unit of Thai or Lao text cut at a
// space: those scripts mark no sentence end and put a space between
// sentences, but also around names and clauses.
const unitRunes = 40

// maxUnitWords is the longest a unit may be, in Words: a longer "sentence"
// (a paragraph with no full stop, a run-on list) is cut at clause marks, or
// at spaces, so that no quote is longer than a reader's sentence.
const maxUnitWords = 80

// segment appends the readable units of the sentence sp to out: Thai and
// Lao cut at the spaces between sentences, Khmer and Burmese written
// without their full stops likewise, and anything longer than maxUnitWords
// cut at clause marks.
func segment(text string, sp span, out []span) []span {
	s := text[sp.start:sp.end]
	if !spaceSeparated(s) {
		return cutLong(text, sp, out)
	}
	first := len(out)
	ustart, runes := sp.start, 0
	prev := rune(0)
	for i := sp.start; i < sp.end; {
		r, n := utf8.DecodeRuneInString(text[i:sp.end])
		if r == ' ' && scriptOf(prev) == southeast && runes >= unitRunes {
			k := skipSpace(text, i, sp.end)
			if next, _ := utf8.DecodeRuneInString(text[k:sp.end]); scriptOf(next) == southeast {
				out = cutLong(text, span{ustart, i}, out)
				ustart, runes = k, 0
				i = k
				continue
			}
		}
		prev = r
		runes++
		i += n
	}
	if runes < unitRunes/2 && len(out) > first {
		// Too short to stand alone: it joins the unit before it.
		last := out[len(out)-1]
		out = out[:len(out)-1]
		return cutLong(text, span{last.start, sp.end}, out)
	}
	return cutLong(text, span{ustart, sp.end}, out)
}

// spaceSeparated reports whether s is written in a script that separates
// sentences by spaces only: Thai or Lao, or Khmer or Burmese when s is too
// long to be one sentence.
func spaceSeparated(s string) bool {
	thai, other, letters := 0, 0, 0
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case r < 0x0E00:
		case unicode.In(r, unicode.Thai, unicode.Lao):
			thai++
		case unicode.In(r, unicode.Khmer, unicode.Myanmar):
			other++
		}
	}
	return 2*thai > letters || (2*other > letters && Words(s) > maxUnitWords/2)
}

// cutLong appends sp to out, cut into pieces of at most maxUnitWords words:
// after the last clause mark (",", "，", "、", ";", ":") before the limit
// when there is one in the second half of the piece, else at the last space,
// else where the limit falls.
func cutLong(text string, sp span, out []span) []span {
	first := len(out)
	ustart := sp.start
	var c wordCounter
	mark, space := -1, -1
	for i := sp.start; i < sp.end; {
		r, n := utf8.DecodeRuneInString(text[i:sp.end])
		c.add(r)
		if c.words() > maxUnitWords {
			cut := i
			switch {
			case mark > ustart+(i-ustart)/2:
				cut = mark
			case space > ustart:
				cut = space
			}
			out = appendSentence(text, out, first, ustart, cut)
			ustart = skipSpace(text, cut, sp.end)
			c = wordCounter{}
			for _, r2 := range text[ustart : i+n] {
				c.add(r2)
			}
			mark, space = -1, -1
		}
		switch {
		case r == ',' || r == ';' || r == ':' || r == '，' || r == '、' || r == '；' || r == '：' || r == '،' || r == '؛':
			mark = i + n
		case unicode.IsSpace(r):
			space = i
		}
		i += n
	}
	return appendSentence(text, out, first, ustart, sp.end)
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

// quoteReach is how far (in bytes) a quotation that is open at a full
// stop may close and still keep the sentence whole: "“I was scared. I ran,”
// she said." is one sentence. A quotation left open longer, or across a
// paragraph, is not waited for.
const quoteReach = 600

// maxQuoteDepth bounds the nesting of quotations the splitter follows.
const maxQuoteDepth = 4

// quotes follows the quotation marks of a sentence: a stack of the closing
// marks expected.
type quotes struct {
	want [maxQuoteDepth]rune
	n    int
}

// see updates the stack for r.
func (q *quotes) see(r rune) {
	switch r {
	case '"':
		if q.n > 0 && q.want[q.n-1] == '"' {
			q.n--
		} else {
			q.push('"')
		}
	case '“':
		// An English opening mark, or the German closing one („…“).
		if q.n > 0 && q.want[q.n-1] == '“' {
			q.n--
		} else {
			q.push('”')
		}
	case '„':
		q.push('“')
	case '«':
		q.push('»')
	case '「':
		q.push('」')
	case '『':
		q.push('』')
	case '”', '»', '」', '』':
		if q.n > 0 && q.want[q.n-1] == r {
			q.n--
		}
	}
}

func (q *quotes) push(r rune) {
	if q.n < maxQuoteDepth {
		q.want[q.n] = r
		q.n++
	}
}

// closesWithin reports whether the innermost open quotation closes in
// text[from:limit], within quoteReach bytes. A straight mark after a space
// and before a word opens a new quotation instead: the one before was left
// open, as news does when a quotation runs on into the next paragraph.
func (q *quotes) closesWithin(text string, from, limit int) bool {
	if q.n == 0 {
		return false
	}
	end := min(limit, from+quoteReach)
	want := q.want[q.n-1]
	if want != '"' {
		return strings.ContainsRune(text[from:end], want)
	}
	k := strings.IndexByte(text[from:end], '"')
	if k < 0 {
		return false
	}
	k += from
	before, _ := utf8.DecodeLastRuneInString(text[:k])
	after, _ := utf8.DecodeRuneInString(text[k+1:])
	return !(unicode.IsSpace(before) && isWordRune(after))
}

// splitBlock appends the sentences of text[b.start:b.end] to out.
func splitBlock(text string, b span, out []span) []span {
	start := skipSpace(text, b.start, b.end)
	if n := bulletLen(text[start:b.end]); n > 0 {
		start = skipSpace(text, start+n, b.end)
	}
	blockFirst := len(out)
	var q quotes
	for i := start; i < b.end; {
		r, size := utf8.DecodeRuneInString(text[i:b.end])
		if !isTerminal(r) {
			q.see(r)
			i += size
			continue
		}
		j := i
		full := false
		for j < b.end {
			r2, s2 := utf8.DecodeRuneInString(text[j:b.end])
			if !isTerminal(r2) {
				break
			}
			full = full || fullStop(r2)
			j += s2
		}
		run := text[i:j]
		cornerClosed := false
		for j < b.end {
			r2, s2 := utf8.DecodeRuneInString(text[j:b.end])
			if isCloser(r2) {
				q.see(r2)
				cornerClosed = cornerClosed || r2 == '」' || r2 == '』'
				j += s2
				continue
			}
			// French sets its closing guillemet off with a space: « … prêts. »
			if r2 == ' ' || r2 == '\u00a0' || r2 == '\u202f' {
				if r3, s3 := utf8.DecodeRuneInString(text[j+s2 : b.end]); r3 == '»' || r3 == '›' {
					q.see(r3)
					j += s2 + s3
					continue
				}
			}
			break
		}
		if q.n > 0 && !q.closesWithin(text, j, b.end) {
			q.n = 0 // an unbalanced mark, or a quotation running on past this paragraph
		}
		if q.n == 0 && endsSentence(text, b.end, start, i, run, j, full, cornerClosed) {
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
// that began at sentStart. full says the run holds a full stop of a script
// that needs no space or capital after it (。, ।, ።, ؟...); cornerClosed that
// a Japanese quotation closed after it.
func endsSentence(text string, limit, sentStart, at int, run string, after int, full, cornerClosed bool) bool {
	if after >= limit {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[after:limit])
	if full {
		switch {
		case cornerClosed && unicode.Is(unicode.Hiragana, r):
			return false // 「…。」と述べた: the quotation is inside the sentence
		case run == "．" && unicode.IsDigit(r):
			return false // a full-width decimal point
		}
		return true
	}
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
	if caseless(c) {
		return true // Arabic, Hebrew, Korean, Hindi...: no capital to wait for
	}
	if !unicode.IsUpper(c) && !unicode.IsTitle(c) && !unicode.IsDigit(c) {
		return false
	}
	if run != "." {
		return true
	}
	return !abbreviationHolds(prevWord(text, sentStart, at), nextWord(text, k, limit), c)
}

// caseless reports a letter of a script without capitals.
func caseless(r rune) bool {
	return r >= utf8.RuneSelf && unicode.IsLetter(r) && !unicode.IsUpper(r) && !unicode.IsLower(r) && !unicode.IsTitle(r)
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
	if isNumber(w) {
		return true // "in 2015.Defeat": a decimal has no letter after its point
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
	if monthAfterOrdinal(word, next) {
		return true // a German date: "am 1. Oktober"
	}
	if r, n := utf8.DecodeRuneInString(word); n == len(word) && unicode.IsLower(r) {
		// "z. B.", "d. h.", "u. a.": one lower-case letter is an abbreviation.
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

// monthAfterOrdinal reports whether word is a day of the month written as
// an ordinal number ("1." in German) and next a month's name.
func monthAfterOrdinal(word, next string) bool {
	if len(word) == 0 || len(word) > 2 || !isNumber(word) {
		return false
	}
	switch strings.ToLower(next) {
	case "januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli",
		"august", "september", "oktober", "november", "dezember":
		return true
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

func isTerminal(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '…' || fullStop(r) }

// fullStop reports a sentence-ending mark that needs no space or capital
// letter after it: the ideographic and full-width stops of Chinese and
// Japanese, the danda of Indic scripts, the Ethiopic, Armenian, Arabic,
// Urdu, Burmese and Khmer stops and question marks.
func fullStop(r rune) bool {
	switch r {
	case '。', '！', '？', '．', '｡', '।', '॥', '።', '፧', '։', '؟', '۔', '။', '។', '៕', '‼', '⁇', '⁈', '⁉':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', ')', ']', '»', '“', '」', '』', '）', '》', '〉', '】', '›':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '(', '[', '«', '„', '¿', '¡', '「', '『', '（', '《', '〈', '【', '‹':
		return true
	}
	return false
}

// Join joins sentences into one paragraph: with a space between them, or
// none after a full stop of Chinese or Japanese, which put no space
// between sentences.
func Join(sentences []string) string {
	var b strings.Builder
	for i, s := range sentences {
		if i > 0 {
			last, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(sentences[i-1], isCloser))
			first, _ := utf8.DecodeRuneInString(s)
			if !(isTerminal(last) && unspacedStop(last) && scriptOf(first) != spaced) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

// unspacedStop reports a full stop after which Chinese and Japanese put no
// space.
func unspacedStop(r rune) bool {
	switch r {
	case '。', '！', '？', '．', '｡':
		return true
	}
	return false
}
