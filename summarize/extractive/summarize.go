package extractive

import (
	"math"
	"sort"
)

// Options tunes Summarize; the zero value means defaults.
type Options struct {
	MaxSentences int // summary length cap; 0 = chosen by the article's length (2-5 sentences)
	MaxClaims    int // default 5
}

// Summary is an extractive brief: summary sentences in article order, and claims (verbatim sentences).
type Summary struct {
	Sentences []string
	Claims    []string
}

// DefaultMaxClaims is the number of claims Summarize returns when
// Options.MaxClaims is 0.
const DefaultMaxClaims = 5

// Tuning of the ranking. The values were chosen on the CNN/DailyMail dev
// rows of the summarization yardstick (see bench_test.go) and kept round:
// each one is a plain idea, not a fitted number.
const (
	// positionDecay is the rank (among usable sentences) at which the
	// position prior has fallen to 1/e: news writes the gist first.
	positionDecay = 4.0
	// centralityWeight weighs closeness to the whole article.
	centralityWeight = 0.6
	// titleWeight weighs overlap with the title.
	titleWeight = 0.4
	// redundancyWeight and maxRedundancy keep near-repeats out: a
	// candidate loses redundancyWeight times its highest similarity to an
	// already chosen sentence, and is skipped above maxRedundancy.
	redundancyWeight = 0.5
	maxRedundancy    = 0.5
	// minWords is the shortest sentence worth choosing; shorter ones are
	// kept only when nothing else is left.
	minWords = 6
	// longWords is where a sentence starts to cost more than it tells.
	longWords = 45
	// summaryWords is the length a summary aims at: sentences are added
	// until it is reached, up to the sentence cap.
	summaryWords = 60
)

// Summarize returns the sentences of text that best summarize it, in article
// order, and the sentences that carry the most checkable facts as claims.
// title may be empty. The result is deterministic; every string is a
// verbatim substring of text.
func Summarize(title, text string, opts Options) Summary {
	d := analyze(title, text)
	if len(d.sents) == 0 {
		return Summary{}
	}
	scores := d.summaryScores()
	k := opts.MaxSentences
	if k <= 0 {
		k = lengthFor(d)
	}
	maxClaims := opts.MaxClaims
	if maxClaims <= 0 {
		maxClaims = DefaultMaxClaims
	}
	chosen := d.pick(scores, k, summaryWords)
	sum := Summary{Sentences: d.quotes(chosen, true)}
	claims := d.pick(d.claimScores(scores), maxClaims, 0)
	sum.Claims = d.quotes(claims, false)
	return sum
}

// lengthFor chooses how many sentences an article's summary may have: two
// for a short piece, up to five for a long one.
func lengthFor(d *document) int {
	words := 0
	for i := range d.sents {
		if !d.sents[i].boiler {
			words += d.sents[i].words
		}
	}
	switch {
	case words < 150:
		return 2
	case words < 500:
		return 3
	case words < 1200:
		return 4
	default:
		return 5
	}
}

// summaryScores rates every sentence as a summary sentence; boilerplate gets
// -Inf.
func (d *document) summaryScores() []float64 {
	scores := make([]float64, len(d.sents))
	rank := 0
	for i := range d.sents {
		s := &d.sents[i]
		if s.boiler {
			scores[i] = math.Inf(-1)
			continue
		}
		sc := math.Exp(-float64(rank)/positionDecay) +
			centralityWeight*d.centrality(s) +
			titleWeight*d.titleOverlap(s)
		rank++
		if s.caption {
			sc -= 0.3
		}
		if s.question {
			sc -= 0.3
		}
		if s.quoteOnly {
			sc -= 0.1
		}
		if s.words < minWords {
			sc -= 1
		}
		if s.words > longWords {
			sc -= 0.01 * float64(s.words-longWords)
		}
		scores[i] = sc
	}
	return scores
}

// pick chooses up to k sentences greedily by score, each time taking the one
// with the best score after a penalty for resembling those already chosen.
// With budget > 0 it stops once the chosen sentences have that many words.
// The result is in article order.
func (d *document) pick(scores []float64, k, budget int) []int {
	var chosen []int
	used := make([]bool, len(scores))
	words := 0
	for len(chosen) < k && (budget <= 0 || words < budget) {
		best, bestScore := -1, math.Inf(-1)
		for i, sc := range scores {
			if used[i] || math.IsInf(sc, -1) {
				continue
			}
			maxSim := 0.0
			for _, j := range chosen {
				maxSim = max(maxSim, d.similarity(&d.sents[i], &d.sents[j]))
			}
			if maxSim > maxRedundancy {
				continue
			}
			if eff := sc - redundancyWeight*maxSim; eff > bestScore {
				best, bestScore = i, eff
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		chosen = append(chosen, best)
		words += d.sents[best].words
	}
	sort.Ints(chosen)
	return chosen
}

// quotes returns the verbatim text of the chosen sentences.
func (d *document) quotes(idx []int, _ bool) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = d.quote(&d.sents[j])
	}
	return out
}
