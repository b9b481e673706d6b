package extract

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFromHTML checks that no input panics, and that every article's text
// is valid UTF-8 without runs of blank lines.
func FuzzFromHTML(f *testing.F) {
	f.Add([]byte("<p>end</p><p>Next</p>"), "")
	f.Add([]byte(prose), "https://example.com/a")
	f.Fuzz(func(t *testing.T, body []byte, pageURL string) {
		art, err := FromHTML(body, pageURL, Options{MinWords: 1})
		if err != nil {
			if !errors.Is(err, ErrNotArticle) && !strings.HasPrefix(err.Error(), "extract: ") {
				t.Fatalf("FromHTML error %q is neither ErrNotArticle nor prefixed", err)
			}
			return
		}
		if !utf8.ValidString(art.Text) {
			t.Fatalf("FromHTML(%q).Text = %q, not valid UTF-8", body, art.Text)
		}
		if strings.Contains(art.Text, "\n\n\n") {
			t.Fatalf("FromHTML(%q).Text = %q, holds \"\\n\\n\\n\"", body, art.Text)
		}
		for _, s := range []string{art.Title, art.Site, art.Byline, art.Lang} {
			if !utf8.ValidString(s) {
				t.Fatalf("FromHTML(%q) metadata %q is not valid UTF-8", body, s)
			}
		}
	})
}
