package extractive

import (
	"strings"
	"testing"
)

func FuzzSentences(f *testing.F) {
	for _, s := range []string{
		"Dr. Smith arrived at 3.5 p.m. on Jan. 5. He left.",
		`He said, "Go." Then left.`,
		"- a\n- b",
		"end.Next",
		"He moved to the U.S. The next day.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range Sentences(text) {
			if s == "" {
				t.Fatalf("Sentences(%q): empty sentence", text)
			}
			if !strings.Contains(text, s) {
				t.Fatalf("Sentences(%q): %q is not a substring", text, s)
			}
			if strings.TrimSpace(s) != s {
				t.Fatalf("Sentences(%q): %q is not trimmed", text, s)
			}
		}
		sum := Summarize("", text, Options{})
		for _, s := range append(sum.Sentences, sum.Claims...) {
			if s == "" || !strings.Contains(text, s) {
				t.Fatalf("Summarize(%q): %q is empty or not verbatim", text, s)
			}
		}
	})
}
