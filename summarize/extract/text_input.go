package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// FromText wraps plain text as an Article. The first line becomes the
// title when it looks like a heading (short, no final full stop, more text
// after it). Paragraphs are separated by blank lines in the result, and
// the same too-short check as FromHTML applies.
func FromText(body []byte, opts Options) (*Article, error) {
	if len(body) > maxInput {
		body = body[:maxInput]
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	s := strings.ReplaceAll(string(body), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimPrefix(s, "\uFEFF")

	var t textBuilder
	t.pre(s)
	text := t.String()

	art := &Article{}
	if first, rest, ok := strings.Cut(text, "\n"); ok && looksLikeHeading(first) && countWords(rest) > 0 {
		art.Title = first
		text = strings.TrimLeft(rest, "\n")
	}
	art.Text = text
	art.Lang = detectLang(text, "")
	words := countWords(text)
	switch {
	case words == 0 && art.Title == "":
		return nil, &NotArticleError{Kind: Empty}
	case words < opts.minWords():
		return nil, &NotArticleError{Kind: TooShort}
	}
	return art, nil
}

// looksLikeHeading reports a line that reads as a title: at most 20 words
// and 200 bytes, not ending like a sentence or a list item.
func looksLikeHeading(line string) bool {
	line = strings.TrimSpace(line)
	if line == "" || len(line) > 200 || countWords(line) > 20 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	switch last {
	case '.', ',', ';', ':', '。', '，':
		return false
	}
	return !strings.HasPrefix(line, "- ") && !strings.HasPrefix(line, "* ")
}
