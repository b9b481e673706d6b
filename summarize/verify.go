package summarize

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/linkbrief/linkbrief/summarize/extractive"
)

// minQuoteWords is the fewest words a quote may have: shorter strings
// ("the", "it was") appear in almost any article and prove nothing. Words
// are counted as extractive.Words does: six Chinese or Japanese characters
// make three.
const minQuoteWords = 3

// normalized is text folded for quote matching, with a map from each byte
// of the folded text back to the byte offset in the original where the
// rune it came from starts, so that a match can be cut from the original.
type normalized struct {
	text string
	pos  []int // len(pos) == len(text)+1; pos[len(text)] == end of the last mapped rune
}

// normalize folds s for matching: runs of white space become one space,
// typographic quotes and apostrophes become ASCII ones, dashes become
// "-", the ellipsis character becomes "...", zero-width and control
// characters vanish, and letters are lower-cased.
func normalize(s string) normalized {
	var b strings.Builder
	b.Grow(len(s))
	pos := make([]int, 0, len(s)+1)
	space := true // drop leading space
	emit := func(r rune, at int) {
		n := utf8.RuneLen(r)
		if n < 0 {
			n = 1
		}
		b.WriteRune(r)
		for range n {
			pos = append(pos, at)
		}
	}
	end := 0
	for i, w := 0, 0; i < len(s); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			if !space {
				emit(' ', i)
				space = true
			}
			continue
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
			continue
		case unicode.IsControl(r):
			continue
		case strings.ContainsRune("\u2018\u2019\u201a\u201b\u2032\u00b4`", r):
			r = '\''
		case strings.ContainsRune("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", r):
			r = '"'
		case strings.ContainsRune("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", r):
			r = '-'
		case r == '\u2026':
			for range 3 {
				b.WriteByte('.')
				pos = append(pos, i)
			}
			space = false
			end = i + w
			continue
		default:
			r = unicode.ToLower(r)
		}
		emit(r, i)
		space = false
		end = i + w
	}
	text := b.String()
	if strings.HasSuffix(text, " ") {
		text = text[:len(text)-1]
		pos = pos[:len(pos)-1]
	}
	pos = append(pos, end)
	return normalized{text: text, pos: pos}
}

// trimQuote strips white space and the quotation marks a model tends to
// wrap around a quote.
func trimQuote(q string) string {
	return strings.TrimFunc(q, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("\"'\u2018\u2019\u201c\u201d\u201e\u00ab\u00bb`", r)
	})
}

// findQuote looks for quote in the article and returns the article's own
// text for it, so that what Linkbrief shows as a quote is always verbatim.
// A quote whose parts are joined by an ellipsis matches when every part of
// at least minQuoteWords words appears in order; the parts are then joined
// with " … ". It returns false when the quote is not in the article.
func findQuote(article normalized, original, quote string) (string, bool) {
	quote = strings.ReplaceAll(strings.TrimSpace(quote), "\u2026", "...")
	if strings.Contains(quote, "...") {
		// The ellipsis may be the author's ("I'm present… in the
		// sense"): a quote found whole is the article's words as they
		// are, not parts joined with a cut.
		if q, _, ok := findPart(article, original, quote, 0); ok {
			return q, true
		}
	}
	var parts []string
	for p := range strings.SplitSeq(quote, "...") {
		if p = strings.TrimSpace(p); trimQuote(p) != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	var found []string
	from := 0
	for _, p := range parts {
		q, end, ok := findPart(article, original, p, from)
		if !ok {
			return "", false
		}
		found = append(found, q)
		from = end
	}
	return strings.Join(found, " … "), true
}

// findPart looks for one piece of a quote in the article from the folded
// offset from on, and returns the article's text for it and the folded
// offset where it ends. It tries the piece as given, then without the
// quotation marks a model adds around it, then also without closing
// punctuation the article may not have at that point.
func findPart(article normalized, original, p string, from int) (string, int, bool) {
	bare := normalize(trimQuote(p)).text
	for _, c := range []string{normalize(p).text, bare, strings.Trim(bare, " .,;:!?")} {
		if extractive.Words(c) < minQuoteWords {
			continue
		}
		if i := indexWord(article.text[from:], c); i >= 0 {
			start, end := from+i, from+i+len(c)
			return strings.TrimSpace(original[article.pos[start]:article.pos[end]]), end, true
		}
	}
	return "", 0, false
}

// indexWord is strings.Index that only accepts matches starting and ending
// at word boundaries, so "ate" is not found inside "plate".
func indexWord(s, sub string) int {
	off := 0
	for {
		i := strings.Index(s[off:], sub)
		if i < 0 {
			return -1
		}
		start, end := off+i, off+i+len(sub)
		if boundaryBefore(s, start) && boundaryAfter(s, end) {
			return start
		}
		off = start + 1
		if off >= len(s) {
			return -1
		}
	}
}

func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	q, _ := utf8.DecodeRuneInString(s[i:])
	return wordBoundary(r, q)
}

func boundaryAfter(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	q, _ := utf8.DecodeLastRuneInString(s[:i])
	return wordBoundary(q, r)
}

// wordBoundary reports whether a word may end between a and b: one of them
// is not part of a word, or either is written without spaces between
// words (Chinese, Japanese, Thai, Lao, Khmer, Burmese), where any
// character boundary may be a word boundary. Vowel signs and joiners
// belong to the letter before them.
func wordBoundary(a, b rune) bool {
	if !isWordRune(a) || !isWordRune(b) {
		return true
	}
	if unicode.Is(unicode.M, b) || b == '\u200c' || b == '\u200d' {
		return false
	}
	return unspaced(a) || unspaced(b)
}

func unspaced(r rune) bool {
	return r >= 0x0E00 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r) || r == '\u200c' || r == '\u200d'
}

// verifyClaims keeps the claims whose quote is found in the article,
// replacing each quote with the article's own words, and drops the rest.
// It also drops claims with no text and repeated quotes, and keeps at
// most max claims. It returns the kept claims and how many were dropped.
func verifyClaims(articleText string, claims []Claim, max int) ([]Claim, int) {
	art := normalize(articleText)
	kept := make([]Claim, 0, len(claims))
	seen := make(map[string]bool)
	dropped := 0
	for _, c := range claims {
		text := cleanText(c.Text)
		q, ok := findQuote(art, articleText, c.Quote)
		if !ok || text == "" || seen[q] {
			dropped++
			continue
		}
		if max > 0 && len(kept) == max {
			break
		}
		seen[q] = true
		kept = append(kept, Claim{Text: text, Quote: q})
	}
	return kept, dropped
}

// cleanText removes control characters (but keeps newlines as spaces),
// collapses white space and trims.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		if unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// NotSaid is the answer when the article holds nothing on the question.
const NotSaid = "The article doesn't say."

// quoted finds text a model put between quotation marks.
var quoted = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`["\x{201c}\x{201e}]([^"\x{201c}\x{201d}\x{201e}]{12,})["\x{201d}]`)
})

// groundAnswer checks every quotation in a model's answer against the
// article. Sentences that carry a quotation the article does not contain
// are removed; quotations found are replaced with the article's words.
// It reports false when nothing trustworthy is left.
func groundAnswer(articleText, answer string) (string, []string, bool) {
	answer = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\u200b' || r == '\ufeff' || (r < 0x20 && r != '\n' && r != '\t') {
			return -1
		}
		return r
	}, answer))
	if answer == "" {
		return "", nil, false
	}
	if saysNothing(answer) {
		return NotSaid, nil, true
	}
	art := normalize(articleText)
	var quotes []string
	var kept []string
	for _, line := range strings.Split(answer, "\n") {
		bad := false
		for _, m := range quoted().FindAllStringSubmatch(line, -1) {
			q, ok := findQuote(art, articleText, m[1])
			if !ok {
				if extractive.Words(m[1]) >= minQuoteWords {
					bad = true
				}
				continue
			}
			quotes = append(quotes, q)
		}
		if !bad {
			kept = append(kept, line)
		}
	}
	text := strings.TrimSpace(strings.Join(kept, "\n"))
	if text == "" {
		return "", nil, false
	}
	if len(text) > 3500 {
		text = text[:3500]
		for !utf8ValidSuffix(text) {
			text = text[:len(text)-1]
		}
		text += "…"
	}
	return text, quotes, true
}

func utf8ValidSuffix(s string) bool {
	return strings.ToValidUTF8(s, "\x00") == s
}

// saysNothing reports whether a model's answer is the agreed "the article
// doesn't say".
func saysNothing(s string) bool {
	n := normalize(s).text
	return strings.Contains(n, "article doesn't say") || strings.Contains(n, "article does not say")
}
