package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// FromText wraps plain text as an Article. The first line becomes the
// title when it looks like a heading (short, no final full stop, more text
// after it), without the marks of a Markdown heading; a section label
// ("Introduction", "Abstract") is not the text's title and stays in it. Paragraphs are separated by blank lines in the result, and
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
	if first, rest, ok := strings.Cut(text, "\n"); ok {
		heading := markdownHeading(first)
		if line, after, _ := strings.Cut(rest, "\n"); underline(line) {
			rest = after // a Setext heading's ==== or ----
		}
		if looksLikeHeading(heading) && countWords(rest) > 0 && !sectionLabel(heading) {
			art.Title = heading
			text = strings.TrimLeft(rest, "\n")
		}
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

// markdownHeading returns the text of a Markdown ATX heading ("## Title
// ##"), or line as it is when it is not one (a hashtag has no space).
func markdownHeading(line string) string {
	t := strings.TrimLeft(line, "#")
	if n := len(line) - len(t); n == 0 || n > 6 || !strings.HasPrefix(t, " ") {
		return line
	}
	t = strings.TrimSpace(t)
	if u := strings.TrimRight(t, "#"); u != t && (u == "" || strings.HasSuffix(u, " ")) {
		t = strings.TrimSpace(u)
	}
	return t
}

// underline reports a line of three or more "=" or "-" and nothing else.
func underline(line string) bool {
	line = strings.TrimSpace(line)
	return len(line) >= 3 && (strings.Trim(line, "=") == "" || strings.Trim(line, "-") == "")
}

// sectionLabel reports a heading that names a part of a text, such as
// "Introduction" or "1. Abstract", rather than the text itself.
func sectionLabel(h string) bool {
	if num, rest, ok := strings.Cut(strings.TrimSpace(h), " "); ok && strings.Trim(num, "0123456789.IVXivx") == "" {
		h = rest // "1.", "2.3", "IV."
	}
	switch strings.ToLower(strings.TrimRight(h, ":. ")) {
	case "abstract", "summary", "introduction", "overview", "background", "contents", "table of contents",
		"preface", "foreword", "conclusion", "conclusions", "references", "appendix", "notes", "chapter",
		"résumé", "zusammenfassung", "einleitung", "einführung", "resumen", "introducción", "introduction générale":
		return true
	}
	return false
}
