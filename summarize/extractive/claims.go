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
// also states checkable facts (numbers, names, attributed statements).
func (d *document) claimScores(summary []float64) []float64 {
	out := make([]float64, len(summary))
	for i, sc := range summary {
		if math.IsInf(sc, -1) {
			out[i] = sc
			continue
		}
		s := &d.sents[i]
		if s.question || s.words < d.p.minWords || callToAction(d.text[s.start:s.end]) {
			out[i] = math.Inf(-1)
			continue
		}
		out[i] = sc + d.p.factWeight*float64(min(s.facts, d.p.maxFacts))
	}
	return out
}

// callToAction reports an English sentence that tells the reader what to
// do ("Visit our shop", "Contact us today", "Learn more about"): it states
// nothing a reader could check.
func callToAction(raw string) bool {
	words := strings.Fields(strings.ToLower(raw))
	if len(words) < 2 {
		return false
	}
	switch words[0] {
	case "visit", "click", "subscribe", "download", "shop", "explore", "register":
		return true
	}
	second := strings.Trim(words[1], ".,!:")
	if words[0] == "contact" {
		// "Contact us", "Contact Jane Doe at ..."; not "Contact with the
		// virus", "Contact tracing".
		switch second {
		case "with", "between", "tracing", "lens", "lenses", "details", "sport", "sports", "rates":
			return false
		}
		return true
	}
	switch words[0] + " " + second {
	case "learn more", "read on", "check out", "follow me", "follow us",
		"join us", "sign up", "don't miss", "don’t miss", "be sure", "find out", "call us", "email us":
		return true
	}
	return false
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

// minClaims is how many claims a brief has when the article has that many
// sentences to offer, even if they come close to the summary.
const minClaims = 2

// shortArticle is the most sentences an article may have for its claims
// to repeat summary sentences: a longer one has other sentences, and if
// they are all fragments, fewer claims beat a claim the reader has just
// read.
const shortArticle = 8

// pickClaims chooses up to k claims that add to the summary (chosen), in
// the order of what they add: the claim score, the article's vocabulary
// the summary and earlier claims lack, less their likeness to what is
// already shown. A summary sentence is never a claim while the article has
// other sentences to offer; sentences close to the summary, then (in a
// short article) the summary's own sentences, only make up the first
// minClaims.
func (d *document) pickClaims(scores []float64, chosen []int, k int) []int {
	scores = slices.Clone(scores)
	for _, i := range chosen {
		scores[i] = math.Inf(-1)
	}
	claims := d.pickOrder(scores, pickOpts{k: k, seed: chosen, strict: true})
	want := min(minClaims, k)
	if len(claims) < want {
		for _, i := range claims {
			scores[i] = math.Inf(-1)
		}
		claims = append(claims, d.pickOrder(scores, pickOpts{k: want - len(claims), seed: append(slices.Clone(chosen), claims...)})...)
	}
	if len(claims) < want && len(d.sents) <= shortArticle {
		// A short article has nothing else: the summary's own sentences,
		// those with the most facts first.
		own := slices.Clone(chosen)
		slices.SortStableFunc(own, func(a, b int) int { return cmp.Compare(d.sents[b].facts, d.sents[a].facts) })
		for _, i := range own {
			if len(claims) == want {
				break
			}
			if s := &d.sents[i]; !s.question && s.words > 0 {
				claims = append(claims, i)
			}
		}
	}
	return claims
}
