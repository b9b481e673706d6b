package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestHasHiddenClass(t *testing.T) {
	t.Parallel()
	// reference is the plain reading: split at white space, lower-case.
	reference := func(v string) bool {
		for _, c := range strings.Fields(v) {
			if hiddenClasses[strings.ToLower(c)] {
				return true
			}
		}
		return false
	}
	tests := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"hidden", true},
		{"card D-NONE", true},
		{"d-none-md", false},
		{"a\u00a0sr-only", true}, // no-break space separates words, as strings.Fields has it
		{"a\u2003hide\u0085b", true},
		{"hıdden", false}, // dotless i
		{"\xffhidden", false},
		{"visually-hidden\tx", true},
		{strings.Repeat("x", 40) + " hide", true},
		{strings.Repeat("h", 30), false},
	}
	for _, tc := range tests {
		if got := hasHiddenClass(tc.in); got != tc.want {
			t.Errorf("hasHiddenClass(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if ref := reference(tc.in); ref != tc.want {
			t.Errorf("reference(%q) = %v, want %v", tc.in, ref, tc.want)
		}
	}
	pieces := []string{"hidden", "HIDE", "sr-only", " ", "\t", "\u00a0", "\u3000", "x", "-", "d", "none", "\xff", "ı", "K"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for k := r.IntN(6); k >= 0; k-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		if got, want := hasHiddenClass(b.String()), reference(b.String()); got != want {
			t.Fatalf("hasHiddenClass(%q) = %v, reference says %v", b.String(), got, want)
		}
	}
}
