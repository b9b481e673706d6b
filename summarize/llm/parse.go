package llm

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Caps on what a model returns, in runes; they keep a runaway or hostile
// reply from flooding a Discord embed (4096 for a description, 1024 for a
// field).
const (
	maxSummaryRunes  = 3000
	maxClaimRunes    = 500
	maxQuoteRunes    = 1000
	maxAnswerRunes   = 3500
	maxQuestionRunes = 1000
	maxParsedClaims  = 50
	// maxParseBytes bounds the reply text the tolerant parser looks at.
	maxParseBytes = 512 << 10
	// maxCandidates bounds how many JSON objects the parser tries.
	maxCandidates = 32
)

// errNoSummary is returned by ParseSummary when no summary object is found.
var errNoSummary = errors.New("llm: no summary found in the reply")

// ParseSummary reads a model's summary reply tolerantly: plain JSON, JSON
// inside ``` fences, JSON preceded or followed by prose, single-quoted
// pseudo-JSON with trailing commas, "claims" items that use "text" (or
// "statement") instead of "claim" and "evidence" instead of "quote", and
// claims given as bare strings. Reasoning models' <think> blocks are
// skipped. Control characters are stripped and lengths capped. It fails
// when the reply holds neither a summary nor a claim.
func ParseSummary(s string) (summary string, claims []Claim, err error) {
	if len(s) > maxParseBytes {
		s = s[:maxParseBytes]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = stripThinking(s)
	s = strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))
	for _, cand := range candidates(s) {
		if sum, cl, ok := decodeSummary(cand); ok {
			return sum, cl, nil
		}
	}
	// Single-quoted pseudo-JSON (Python dict style).
	if strings.Contains(s, "'") {
		fixed := requote(s)
		for _, cand := range candidates(fixed) {
			if sum, cl, ok := decodeSummary(cand); ok {
				return sum, cl, nil
			}
		}
	}
	return "", nil, errNoSummary
}

// stripThinking removes <think>...</think> blocks that some reasoning
// models emit before their answer.
func stripThinking(s string) string {
	for range 8 {
		i := strings.Index(s, "<think>")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "</think>")
		if j < 0 {
			s = s[:i]
			break
		}
		s = s[:i] + s[i+j+len("</think>"):]
	}
	if j := strings.Index(s, "</think>"); j >= 0 {
		s = s[j+len("</think>"):]
	}
	return s
}

// candidates lists texts that may be the JSON object, most likely first:
// the whole reply, the contents of code fences, then balanced {...}
// objects found in the text.
func candidates(s string) []string {
	out := []string{s}
	rest := s
	for range maxCandidates {
		i := strings.Index(rest, "```")
		if i < 0 {
			break
		}
		rest = rest[i+3:]
		// Skip a language tag such as ```json.
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.ContainsAny(rest[:nl], "{[") {
			rest = rest[nl+1:]
		}
		j := strings.Index(rest, "```")
		if j < 0 {
			out = append(out, rest)
			break
		}
		out = append(out, rest[:j])
		rest = rest[j+3:]
	}
	for i, n := 0, 0; i < len(s) && n < maxCandidates; i++ {
		if s[i] != '{' {
			continue
		}
		n++
		end := matchBrace(s[i:])
		if end < 0 {
			// Unbalanced: the reply was cut short; try it as it is.
			out = append(out, s[i:])
			continue
		}
		out = append(out, s[i:i+end+1])
		i += end
	}
	return out
}

// matchBrace returns the index of the '}' closing the '{' at s[0], or -1.
// It knows double- and single-quoted strings and their escapes.
func matchBrace(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"':
			quote = c
		case '\'':
			// An apostrophe inside prose is not a string; only treat it as
			// one where pseudo-JSON would start a string.
			if prev := lastNonSpace(s[:i]); prev == '{' || prev == ',' || prev == ':' || prev == '[' {
				quote = c
			}
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func lastNonSpace(s string) byte {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' {
			return s[i]
		}
	}
	return 0
}

// requote turns single-quoted pseudo-JSON into JSON: 'strings' become
// "strings" (escaping inner double quotes), trailing commas go, and Python's
// True, False and None become JSON's literals.
func requote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			// Copy a double-quoted string as it is.
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(s))
			b.WriteString(s[i:end])
			i = end - 1
		case c == '\'' && startsString(s[:i]):
			b.WriteByte('"')
			j := i + 1
			for ; j < len(s); j++ {
				d := s[j]
				if d == '\\' && j+1 < len(s) {
					if s[j+1] == '\'' {
						b.WriteByte('\'')
					} else {
						b.WriteByte('\\')
						b.WriteByte(s[j+1])
					}
					j++
					continue
				}
				if d == '\'' && endsString(s[j+1:]) {
					break
				}
				if d == '"' {
					b.WriteString(`\"`)
					continue
				}
				b.WriteByte(d)
			}
			b.WriteByte('"')
			i = j
		case c == ',':
			if n := firstNonSpace(s[i+1:]); n == '}' || n == ']' {
				continue
			}
			b.WriteByte(c)
		default:
			if word, lit := pythonLiteral(s[i:]); word != "" && !isIdentByte(prevByte(s, i)) {
				b.WriteString(lit)
				i += len(word) - 1
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

func startsString(before string) bool {
	switch lastNonSpace(before) {
	case '{', ',', ':', '[':
		return true
	}
	return false
}

// endsString reports whether a quote followed by after can close a
// single-quoted string: what follows must be JSON punctuation.
func endsString(after string) bool {
	switch firstNonSpace(after) {
	case ',', ':', '}', ']', 0:
		return true
	}
	return false
}

func firstNonSpace(s string) byte {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' {
			return s[i]
		}
	}
	return 0
}

func prevByte(s string, i int) byte {
	if i == 0 {
		return 0
	}
	return s[i-1]
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func pythonLiteral(s string) (word, lit string) {
	for _, p := range [...][2]string{{"True", "true"}, {"False", "false"}, {"None", "null"}} {
		if strings.HasPrefix(s, p[0]) && (len(s) == len(p[0]) || !isIdentByte(s[len(p[0])])) {
			return p[0], p[1]
		}
	}
	return "", ""
}

// decodeSummary reads one candidate text as a summary object.
func decodeSummary(s string) (string, []Claim, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		return "", nil, false
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&obj); err != nil {
		return "", nil, false
	}
	fields := lowerKeys(obj)
	// Some models nest the brief one level down, e.g. {"brief": {...}}.
	if _, ok := fields["summary"]; !ok && len(fields) == 1 {
		for _, v := range fields {
			var inner map[string]json.RawMessage
			if json.Unmarshal(v, &inner) == nil {
				fields = lowerKeys(inner)
			}
		}
	}
	summary := cleanText(stringish(firstField(fields, "summary", "tldr", "abstract")), maxSummaryRunes)
	var claims []Claim
	var items []json.RawMessage
	if raw := firstField(fields, "claims", "key_claims", "keyclaims"); raw != nil {
		if json.Unmarshal(raw, &items) != nil {
			items = nil
		}
	}
	for _, item := range items {
		if len(claims) == maxParsedClaims {
			break
		}
		if c, ok := decodeClaim(item); ok {
			claims = append(claims, c)
		}
	}
	if summary == "" && len(claims) == 0 {
		return "", nil, false
	}
	return summary, claims, true
}

func lowerKeys(obj map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(obj))
	for k, v := range obj {
		k = strings.ToLower(strings.TrimSpace(k))
		if _, dup := out[k]; !dup {
			out[k] = v
		}
	}
	return out
}

func firstField(fields map[string]json.RawMessage, names ...string) json.RawMessage {
	for _, n := range names {
		if v, ok := fields[n]; ok && string(v) != "null" {
			return v
		}
	}
	return nil
}

// stringish reads a JSON string, or an array of strings joined by spaces.
func stringish(raw json.RawMessage) string {
	if raw == nil {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []string
	if json.Unmarshal(raw, &parts) == nil {
		return strings.Join(parts, " ")
	}
	return ""
}

func decodeClaim(raw json.RawMessage) (Claim, bool) {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		text = cleanLine(text, maxClaimRunes)
		return Claim{Claim: text}, text != ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return Claim{}, false
	}
	f := lowerKeys(obj)
	c := Claim{
		Claim: cleanLine(stringish(firstField(f, "claim", "text", "statement", "point")), maxClaimRunes),
		Quote: cleanLine(stringish(firstField(f, "quote", "evidence", "quotation", "source_quote")), maxQuoteRunes),
	}
	if c.Claim == "" {
		c.Claim = c.Quote
	}
	return c, c.Claim != ""
}

// cleanText strips control and bidirectional formatting characters
// (keeping newlines), trims, and caps s at max runes, preferring to cut at
// a sentence end.
func cleanText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r) || isBidiControl(r) || r == '\uFEFF':
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := truncateRunes(s, max)
	if i := strings.LastIndexAny(cut, ".!?。"); i > len(cut)/2 {
		_, size := utf8.DecodeRuneInString(cut[i:])
		return cut[:i+size]
	}
	return strings.TrimSpace(cut) + "…"
}

// cleanLine is cleanText on one line: runs of whitespace become one space.
// It cuts without an ellipsis, so a capped quote is still article text.
func cleanLine(s string, max int) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) || isBidiControl(r) || r == '\uFEFF' {
			return -1
		}
		return r
	}, s)), " ")
	return strings.TrimSpace(truncateRunes(s, max))
}

// oneLine is cleanLine for text going into a prompt.
func oneLine(s string, max int) string { return cleanLine(s, max) }

func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' || r == '\u200E' || r == '\u200F' || r == '\u061C'
}

func truncateRunes(s string, max int) string {
	if max <= 0 {
		return ""
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}
