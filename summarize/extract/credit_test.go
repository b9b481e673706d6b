package extract

import (
	"testing"
	"unicode"
)

// TestFoldLetter checks that foldLetter maps every rune (?i) matches
// with an ASCII letter to that letter, so isCredit never misses a name
// creditText would find.
func TestFoldLetter(t *testing.T) {
	for c := 'a'; c <= 'z'; c++ {
		r := c
		for {
			if got := foldLetter(r); got != c {
				t.Errorf("foldLetter(%q) = %q, want %q: (?i) matches them", r, got, c)
			}
			if r = unicode.SimpleFold(r); r == c {
				break
			}
		}
	}
}

var creditSamples = []string{
	"Photo: Getty Images",
	"(John Smith/AFP)",
	"Jane Doe / Reuters.",
	"Photograph: Alamy Stock Photo",
	"Photo: ſhutterstock", // long s, folded with s by (?i)
	"Image: ISTOC\u212a",  // Kelvin sign, folded with k
	"AP Photo/Evan Vucci", // "ap photo" then "/..."
	"Bloomberg",
	"The agency AFP said on Monday that talks had failed.", // a sentence first
	"A council vote approved the bridge",
	"Photo by the author",
	"",
	"épa", // not (?i) "epa": é is not e
}

// TestIsCredit checks that isCredit answers as creditText does.
func TestIsCredit(t *testing.T) {
	for _, s := range creditSamples {
		if got, want := isCredit(s), creditText().MatchString(s); got != want {
			t.Errorf("isCredit(%q) = %v, want %v (creditText)", s, got, want)
		}
	}
	if !isCredit("Photo: ſhutterstock") || !isCredit("(John Smith/AFP)") {
		t.Error("isCredit misses a credit")
	}
}

func FuzzIsCredit(f *testing.F) {
	for _, s := range creditSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isCredit(s), creditText().MatchString(s); got != want {
			t.Errorf("isCredit(%q) = %v, creditText says %v", s, got, want)
		}
	})
}
