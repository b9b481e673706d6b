package llm

import (
	"strings"
	"unicode/utf8"
)

// countSegment is the most text handed to the tokenizer at once. Its
// regular expressions backtrack badly on some inputs (long runs of
// whitespace and newlines: 90 KB took seconds), so counting is done in
// segments cut at spaces, which changes the count by a token at most per
// segment.
const countSegment = 2048

// maxBytesPerToken bounds how much text chunking looks at: maxChunks
// chunks of budget tokens hold at most this many bytes per token.
const maxBytesPerToken = 32

// count returns the number of tokens in s. If the tokenizer fails, the
// byte length is an upper bound (every token covers at least one byte).
func (c *Client) count(s string) int {
	total := 0
	for s != "" {
		seg := segment(s)
		s = s[len(seg):]
		n, err := c.tok.Count(seg)
		if err != nil {
			n = len(seg)
		}
		total += n
	}
	return total
}

// paragraphs splits text into paragraphs at blank lines, with every run of
// white space inside a paragraph made one space (or one newline between
// lines). The model reads the same words; quote verification normalizes
// white space anyway.
func paragraphs(text string) []string {
	var out, lines []string
	flush := func() {
		if len(lines) > 0 {
			out = append(out, strings.Join(lines, "\n"))
			lines = lines[:0]
		}
	}
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			flush()
			continue
		}
		lines = append(lines, strings.Join(f, " "))
	}
	flush()
	return out
}

// normalizeText is the article text as the model gets it: paragraphs()
// joined by blank lines.
func normalizeText(text string) string {
	return strings.Join(paragraphs(strings.ToValidUTF8(text, "\uFFFD")), "\n\n")
}

// split packs the article's paragraphs into chunks of at most budget
// tokens, in order. A paragraph longer than the budget is cut between
// sentences, or between words if it must. It stops after maxChunks chunks
// and then reports that text was left out. Only the text that goes into
// the chunks (plus one paragraph) is tokenized, so the cost is bounded by
// maxChunks*budget, however long the article. largest is the token count
// of the largest chunk.
func (c *Client) split(text string, budget, maxChunks int) (chunks []string, largest int, truncated bool) {
	if len(text) <= budget {
		// A token covers at least one byte, so this fits.
		text = strings.TrimSpace(text)
		return []string{text}, c.count(text), false
	}
	// Tokens average about four bytes; text beyond maxBytesPerToken bytes
	// a token could not fit in the chunks, so it is not even split.
	if limit := maxChunks * budget * maxBytesPerToken; len(text) > limit {
		text = text[:runeStart(text, limit)]
		truncated = true
	}
	var (
		cur     strings.Builder
		curToks int
	)
	flush := func() {
		if cur.Len() > 0 {
			chunks = append(chunks, cur.String())
			largest = max(largest, curToks)
			cur.Reset()
			curToks = 0
		}
	}
	for _, para := range paragraphs(text) {
		for _, piece := range c.pieces([]string{para}, budget) {
			n := c.count(piece)
			if cur.Len() > 0 && curToks+2+n > budget {
				flush()
			}
			if len(chunks) == maxChunks {
				return chunks, largest, true
			}
			if cur.Len() > 0 {
				cur.WriteString("\n\n")
				curToks += 2
			}
			cur.WriteString(piece)
			curToks += n
		}
	}
	flush()
	if len(chunks) == 0 {
		return []string{""}, 0, truncated
	}
	return chunks, largest, truncated
}

// pieces returns the paragraphs with any longer than budget tokens cut
// into parts that fit, between sentences where possible. Only paragraphs
// longer than budget bytes are tokenized, once each.
func (c *Client) pieces(paras []string, budget int) []string {
	var out []string
	for _, p := range paras {
		if len(p) <= budget {
			out = append(out, p)
			continue
		}
		var cur strings.Builder
		curToks := 0
		for _, s := range sentences(p) {
			n := c.count(s)
			if n > budget {
				if cur.Len() > 0 {
					out = append(out, cur.String())
					cur.Reset()
					curToks = 0
				}
				out = append(out, c.cutWords(s, budget)...)
				continue
			}
			if cur.Len() > 0 && curToks+1+n > budget {
				out = append(out, cur.String())
				cur.Reset()
				curToks = 0
			}
			if cur.Len() > 0 {
				cur.WriteByte(' ')
				curToks++
			}
			cur.WriteString(s)
			curToks += n
		}
		if cur.Len() > 0 {
			out = append(out, cur.String())
		}
	}
	return out
}

// sentences splits a paragraph after '.', '!' or '?' (and closing quotes
// or brackets) followed by a space. It over-splits abbreviations, which
// only matters for where a chunk may end.
func sentences(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		if r != '.' && r != '!' && r != '?' && r != '。' {
			continue
		}
		j := i
		for j < len(p) && strings.ContainsRune("\"')]\u201d\u2019", rune(p[j])) {
			j++
		}
		if j < len(p) && (p[j] == ' ' || p[j] == '\n') {
			if s := strings.TrimSpace(p[start:j]); s != "" {
				out = append(out, s)
			}
			start = j + 1
			i = start
		}
	}
	if s := strings.TrimSpace(p[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// cutWords cuts s into parts of at most budget tokens, between words when
// there are any, otherwise between runes. No text is lost. It reads s
// once, segment by segment, so its cost is linear.
func (c *Client) cutWords(s string, budget int) []string {
	var out []string
	for s != "" {
		end, used := 0, 0
		for end < len(s) {
			seg := segment(s[end:])
			n := c.count(seg)
			if used+n <= budget {
				used += n
				end += len(seg)
				continue
			}
			end += c.fit(seg, budget-used)
			break
		}
		if end == 0 {
			_, end = utf8.DecodeRuneInString(s)
		}
		out = append(out, strings.TrimSpace(s[:end]))
		s = strings.TrimSpace(s[end:])
	}
	return out
}

// segment returns the head of s to tokenize at once: countSegment bytes,
// cut after a space when there is one in the second half.
func segment(s string) string {
	if len(s) <= countSegment {
		return s
	}
	cut := runeStart(s, countSegment)
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > countSegment/2 {
		cut = sp + 1
	}
	if cut == 0 {
		_, cut = utf8.DecodeRuneInString(s)
	}
	return s[:cut]
}

// fit returns the length of the longest prefix of seg, cut at a rune
// boundary (at a space when there is one), that has at most room tokens.
func (c *Client) fit(seg string, room int) int {
	if room <= 0 {
		return 0
	}
	lo, hi := 0, len(seg) // the answer is in [lo, hi)
	for hi-lo > 1 {
		mid := runeStart(seg, (lo+hi)/2)
		if mid <= lo {
			break
		}
		if c.count(seg[:mid]) <= room {
			lo = mid
		} else {
			hi = mid
		}
	}
	if sp := strings.LastIndexByte(seg[:lo], ' '); sp > lo/2 {
		return sp + 1
	}
	return lo
}

// runeStart moves i back to the start of the rune it falls in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
