package extractive

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// claimScores rates sentences as key claims: a good summary sentence that
// also states checkable facts (numbers, names, attributed statements), and
// preferably one that the summary (the sentences chosen) does not already
// show.
func (d *document) claimScores(summary []float64, chosen []int) []float64 {
	out := make([]float64, len(summary))
	for i, sc := range summary {
		if math.IsInf(sc, -1) {
			out[i] = sc
			continue
		}
		s := &d.sents[i]
		if s.question || s.words < d.p.minWords {
			out[i] = math.Inf(-1)
			continue
		}
		out[i] = sc + d.p.factWeight*float64(min(s.facts, d.p.maxFacts))
		if slices.Contains(chosen, i) {
			out[i] -= d.p.repeatPenalty
		}
	}
	return out
}

// countFacts counts what a reader could check in s: numbers, proper names and
// attributions.
func countFacts(raw string) int {
	n := 0
	first := true
	for _, f := range strings.FieldsFunc(raw, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' || r == '(' || r == ')'
	}) {
		f = strings.TrimFunc(f, func(r rune) bool { return !isAlnum(r) })
		if f == "" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(f)
		switch {
		case strings.ContainsFunc(f, unicode.IsDigit):
			n++
		case !first && unicode.IsUpper(r) && !isStopword(strings.ToLower(f)):
			n++
		}
		first = false
	}
	low := strings.ToLower(raw)
	for _, a := range []string{" said", " says", " told ", "according to", " announced", " reported", " confirmed"} {
		if strings.Contains(low, a) {
			n++
			break
		}
	}
	return n
}

// pickClaims chooses up to k claims by score, at most maxRepeats of them
// sentences of the summary (chosen).
func (d *document) pickClaims(scores []float64, chosen []int, k int) []int {
	scores = slices.Clone(scores)
	for {
		claims := d.pick(scores, k, 0)
		repeats := 0
		again := false
		// Drop the weakest repeats beyond the cap and pick again.
		byScore := slices.Clone(claims)
		slices.SortStableFunc(byScore, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
		for _, i := range byScore {
			if slices.Contains(chosen, i) {
				repeats++
				if repeats > d.p.maxRepeats {
					scores[i] = math.Inf(-1)
					again = true
				}
			}
		}
		if !again {
			return claims
		}
	}
}
