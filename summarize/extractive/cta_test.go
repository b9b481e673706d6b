package extractive

import (
	"strings"
	"testing"
)

// A call to action ("Visit our shop", "Contact us today", "Learn more
// about ...") tells the reader what to do; it states nothing a reader
// could check, so it is never a key claim, however many names it holds.
func TestClaimsAreNotCallsToAction(t *testing.T) {
	text := strings.Join([]string{
		"The Food and Drug Administration warned on Monday that 42 online pharmacies sold unapproved copies of semaglutide.",
		"Visit FDA’s BeSafeRx campaign for resources to safely buy prescription medicines online.",
		"Inspectors found that 17 of the products held no active ingredient at all, the agency said.",
		"Contact Smith Hanley Associates’ Actuarial Recruiter, Rory Hauser at rhauser@smithhanley.com.",
		"Novo Nordisk and Eli Lilly reported 310 cases of harm from counterfeit pens in 2024.",
		"Learn more about Online Instructor Presence, Attendance in Online Classes, and Policies for Online Teaching.",
		"Download our free Plumbing Price List Template to create clear, consistent pricing in minutes.",
		"The agency said it had sent warning letters to 12 companies in Texas, Florida and Ohio.",
		"Pharmacists in Chicago told Reuters that demand for the drugs had doubled since January.",
	}, " ")
	s := Summarize("FDA warns about copies of weight-loss drugs", text, Options{MaxSentences: 2, MaxClaims: 5})
	for _, c := range s.Claims {
		for _, cta := range []string{"Visit ", "Contact ", "Learn more", "Download "} {
			if strings.HasPrefix(c, cta) {
				t.Errorf("claim %q is a call to action", c)
			}
		}
	}
	if len(s.Claims) < 2 {
		t.Errorf("claims %q: want the article's facts as claims", s.Claims)
	}
}
