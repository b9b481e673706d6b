package extract

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The title of plain text is its heading line as a reader sees it: the
// marks of a Markdown heading are not part of it, and a section label
// ("Introduction", "Abstract") names a part of the text, not the text, so
// it stays in the text and the article has no title.
func TestFromTextTitle(t *testing.T) {
	body := strings.Repeat("The council voted on Tuesday to expand the tram network by fourteen kilometres. ", 8)
	for _, tc := range []struct {
		name, in, title, textStart string
	}{
		{"plain heading", "Tram network to grow\n\n" + body, "Tram network to grow", "The council"},
		{"markdown heading", "# Tram network to grow #\n\n" + body, "Tram network to grow", "The council"},
		{"markdown level two", "## Tram network to grow\n\n" + body, "Tram network to grow", "The council"},
		{"underlined heading", "Tram network to grow\n====================\n\n" + body, "Tram network to grow", "The council"},
		{"section label", "Introduction\n\n" + body, "", "Introduction\n\nThe council"},
		{"section label in capitals", "ABSTRACT\n\n" + body, "", "ABSTRACT\n\nThe council"},
		{"numbered section label", "1. Introduction\n\n" + body, "", "1. Introduction\n\nThe council"},
		{"a hashtag is no heading", "#transit news today\n\n" + body, "#transit news today", "The council"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			art, err := FromText([]byte(tc.in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if art.Title != tc.title || !strings.HasPrefix(art.Text, tc.textStart) {
				t.Errorf("FromText(%.40q): title %q, text %.40q; want %q, text starting %q", tc.in, art.Title, art.Text, tc.title, tc.textStart)
			}
		})
	}
}

func FuzzFromText(f *testing.F) {
	f.Add([]byte("# Title #\n\nSome text of the article that goes on."))
	f.Add([]byte("Title\n=====\n\nText."))
	f.Add([]byte("1. Introduction\r\n\r\nText\xff."))
	f.Add([]byte("###### \n---\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		art, err := FromText(body, Options{MinWords: 1})
		if err != nil {
			return
		}
		if strings.Contains(art.Title, "\n") || !utf8.ValidString(art.Title) || !utf8.ValidString(art.Text) {
			t.Errorf("FromText(%q): title %q, text %q", body, art.Title, art.Text)
		}
	})
}
