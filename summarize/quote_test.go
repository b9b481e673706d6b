package summarize

import (
	"strings"
	"testing"
)

// A sentence that holds an ellipsis is quoted as the article writes it:
// the ellipsis is the author's, not a cut, so the quote stays one
// verbatim piece ("present… in", not "present … in").
func TestVerifyClaimsAuthorsEllipsis(t *testing.T) {
	const text = "We scrub pots in there. But yes, I’m present… in the sense that I’m definitely there.\n\n" +
		"It’s a crucial part of trip planning... especially when investing in a weeklong trip."
	for _, quote := range []string{
		"But yes, I’m present… in the sense that I’m definitely there.",
		"It’s a crucial part of trip planning... especially when investing in a weeklong trip.",
		"But yes, I'm present... in the sense that I'm definitely there.",
	} {
		got, _ := verifyClaims(text, []Claim{{Text: "a claim", Quote: quote}}, 5)
		if len(got) != 1 {
			t.Fatalf("verifyClaims(quote %q) dropped it", quote)
		}
		if !strings.Contains(text, got[0].Quote) {
			t.Errorf("verifyClaims(quote %q) quote = %q, not verbatim in the article", quote, got[0].Quote)
		}
	}
}
