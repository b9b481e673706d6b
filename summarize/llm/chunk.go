package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// count returns the number of tokens in s. If the tokenizer fails, the
// byte length is an upper bound (every token covers at least one byte).
func (c *Client) count(s string) int {
	n, err := c.tok.Count(s)
	if err != nil {
		return len(s)
	}
	return n
}

// paragraphs splits text on blank lines, dropping empty paragraphs.
func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	for p := range strings.SplitSeq(text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
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
		return []string{""}, 0, false
	}
	return chunks, largest, false
}

// pieces returns the paragraphs with any longer than budget tokens cut
// into parts that fit, between sentences where possible.
func (c *Client) pieces(paras []string, budget int) []string {
	var out []string
	for _, p := range paras {
		if len(p) <= budget || c.count(p) <= budget {
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
// there are any, otherwise between runes. No text is lost.
func (c *Client) cutWords(s string, budget int) []string {
	var out []string
	for s != "" {
		if len(s) <= budget || c.count(s) <= budget {
			out = append(out, s)
			break
		}
		// Guess a cut from the token density, then shrink until it fits.
		n := c.count(s)
		end := max(len(s)*budget/n*9/10, 1)
		for {
			end = runeStart(s, min(end, len(s)))
			if end == 0 {
				_, end = utf8.DecodeRuneInString(s)
			}
			cut := end
			if sp := strings.LastIndexFunc(s[:end], unicode.IsSpace); sp > end/2 {
				cut = sp
			}
			if c.count(s[:cut]) <= budget || end <= 1 {
				end = cut
				break
			}
			end = end * 3 / 4
		}
		out = append(out, strings.TrimSpace(s[:end]))
		s = strings.TrimSpace(s[end:])
	}
	return out
}

// runeStart moves i back to the start of the rune it falls in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
