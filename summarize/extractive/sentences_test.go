package extractive

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestOnlyRealSentences puts, among the lead of an article, pieces that
// are not sentences: they share its words and sit where the position prior
// is strongest, yet none may be a summary sentence or a claim.
func TestOnlyRealSentences(t *testing.T) {
	bad := []string{
		// Cut mid-quote: the quotation runs on into the next paragraph.
		`"The school failed my son, and the council failed every family on this street who complained about the air quality.`,
		// Unfinished: the paragraph stops mid-sentence.
		"The Riverton environmental agency reported Wednesday that the air quality near the school",
		// Trails off in an ellipsis.
		"Parents said the smoke from the plant made their children cough and claim bullying…",
		// Mostly a link.
		"Air quality report: https://riverton.example.gov/reports/2026/air-quality-school-plant.pdf",
		// A photo credit.
		"(Photo: Jane Doe/Getty Images)",
		// A list of names.
		"Reporting by Jane Doe, John Roe, Ann Lee and Bo Chen; Editing by Sam Poe.",
		// The rest of a sentence cut in two.
		"and the agency said the plant near the school would be inspected again in March.",
	}
	good := []string{
		"The Riverton environmental agency said on Wednesday that air quality near Hill Street school broke the legal limit on 41 days last year.",
		"The agency blamed smoke from the Marsh Road recycling plant, which opened in 2019 about 300 metres from the school.",
		"Plant manager Tom Reyes said the company had spent 2 million dollars on new filters and would meet the limit by June.",
		"Parents at the school collected 1,200 signatures asking the council to close the plant until the filters are installed.",
		"The council will vote on the petition on March 14, a spokesman for the mayor said.",
		"Doctors at Riverton General Hospital said they had treated 35 children from the area for asthma since January.",
		"The agency will place two new air monitors near the school next month.",
		"Inspectors last visited the plant in October and found no breach of its permit.",
		"The school has kept its windows closed during afternoon classes since the autumn.",
	}
	text := strings.Join(bad, "\n\n") + "\n\n" + strings.Join(good, " ")
	got := Summarize("Air quality near Riverton school broke legal limit, agency says", text, Options{MaxClaims: 20})
	if len(got.Sentences) == 0 || len(got.Claims) == 0 {
		t.Fatalf("Summarize = %q, want a summary and claims", got)
	}
	for _, s := range append(slices.Clone(got.Sentences), got.Claims...) {
		if !slices.Contains(good, s) {
			t.Errorf("chosen %q, which is not a real sentence", s)
		}
	}
}

// TestSummaryNeverEmpty: an article with no real sentence at all (only
// headings, a text with no full stop) still gets a summary.
func TestSummaryNeverEmpty(t *testing.T) {
	for _, text := range []string{
		"Fire at the mill\n\nRoads closed near the river\n\nResidents told to keep windows shut",
		"the mill burned all night and the roads near the river stayed closed until the morning",
		"Photo: Getty Images",
	} {
		if got := Summarize("", text, Options{}); len(got.Sentences) == 0 {
			t.Errorf("Summarize(%q) has an empty summary", text)
		}
	}
}

// TestClaimsNeverRepeatSummary: in an article with more to offer, no claim
// is a summary sentence, and the first claim is the one that adds the most
// (new facts) rather than a near-repeat of the summary.
func TestClaimsNeverRepeatSummary(t *testing.T) {
	for _, tc := range []struct {
		title, text string
	}{
		{"Nasa spacecraft captures biggest solar flare since 2011", article},
		{"", strings.Join([]string{
			"The Riverton city council voted seven to two on Tuesday to approve the new river bridge.",
			"The vote ends a debate about the river bridge that lasted more than two decades.",
			"The council approved the new river bridge after a debate of more than two decades, the vote showed.",
			"Construction will cost 41.5 million dollars and start in March, city engineer Maria Lopez said.",
			"The bridge will carry two lanes of traffic and a protected bicycle path.",
			"Critics said the money should repair existing roads instead.",
			"The state will pay half of the cost, and a bond approved in 2024 pays the rest.",
			"Mayor Ana Ruiz called the vote historic.",
			"Work is expected to take three years.",
		}, " ")},
	} {
		got := Summarize(tc.title, tc.text, Options{})
		for _, c := range got.Claims {
			if slices.Contains(got.Sentences, c) {
				t.Errorf("claim %q repeats the summary %q", c, got.Sentences)
			}
		}
		if len(got.Claims) < 3 {
			t.Errorf("claims %q, want at least 3 new ones", got.Claims)
		}
	}
	// The near-repeat of the summary's first sentence comes after the
	// claims with new facts, if at all.
	text := strings.Join([]string{
		"The Riverton city council voted seven to two on Tuesday to approve the new river bridge.",
		"The council approved the new river bridge on Tuesday after a vote of seven to two, officials said.",
		"Construction will cost 41.5 million dollars and start in March, city engineer Maria Lopez said.",
		"The state will pay half of the cost, and a bond approved in 2024 pays the rest.",
		"The bridge will carry two lanes of traffic and a protected bicycle path.",
	}, " ")
	got := Summarize("", text, Options{MaxSentences: 1, MaxClaims: 4})
	near := "The council approved the new river bridge on Tuesday after a vote of seven to two, officials said."
	if i := slices.Index(got.Claims, near); i == 0 {
		t.Errorf("claims %q open with a near-repeat of the summary %q", got.Claims, got.Sentences)
	}
}

// TestShortArticleStillHasClaims: with nothing but the summary to offer,
// a short article still gets two claims.
func TestShortArticleStillHasClaims(t *testing.T) {
	text := "The Riverton city council voted seven to two on Tuesday to approve the new river bridge. " +
		"Construction will cost 41.5 million dollars and start in March, city engineer Maria Lopez said."
	got := Summarize("", text, Options{})
	if len(got.Claims) < 2 {
		t.Errorf("Summarize(short) claims %q, want 2", got.Claims)
	}
}

// TestNoRepeatWhenOnlyFragmentsLeft: in an article of more than eight
// sentences whose other sentences are all cut mid-quote, the claims are
// fewer rather than repeats of the summary.
func TestNoRepeatWhenOnlyFragmentsLeft(t *testing.T) {
	text := "The Norfolk coroner declared a gold pendant treasure on Wednesday after a detectorist found it near Dereham.\n\n" +
		"Finds officer Adrian Marsden said the pendant was probably buried with its owner around 600 AD.\n\n" +
		"The museum in Norwich hopes to buy the pendant for its collection.\n\n"
	for i := range 7 {
		text += fmt.Sprintf("\"Quote number %d about the pendant, its gold and the museum runs on into the next paragraph.\n\n", i+1)
	}
	got := Summarize("", text, Options{})
	if len(got.Sentences) == 0 {
		t.Fatal("empty summary")
	}
	for _, c := range got.Claims {
		if slices.Contains(got.Sentences, c) {
			t.Errorf("claim %q repeats the summary %q", c, got.Sentences)
		}
		if strings.HasPrefix(c, "\"Quote") {
			t.Errorf("claim %q is cut mid-quote", c)
		}
	}
}
