package extractive

import (
	"math"
	"sort"
)

// Options tunes Summarize; the zero value means defaults.
type Options struct {
	MaxSentences int // summary length cap; 0 = chosen by the article's length (2 or 3 sentences)
	MaxClaims    int // default 5
	// Lang is the article's language as an ISO 639-1 code ("ja", "es"),
	// "" when unknown: it picks the stemmer and stop words for ranking.
	// Sentence splitting and word units follow each script on their own.
	Lang string
}

// Summary is an extractive brief: summary sentences in article order, and claims (verbatim sentences).
type Summary struct {
	Sentences []string
	Claims    []string
}

// MaxSummaryWords is the longest a summary gets, in Words (so 300
// characters of Chinese or Japanese): a sentence that would take it beyond
// is not added, unless it is the first.
const MaxSummaryWords = 150

// DefaultMaxClaims is the number of claims Summarize returns when
// Options.MaxClaims is 0.
const DefaultMaxClaims = 5

// params tunes the ranking. The defaults were chosen on the CNN/DailyMail
// dev rows of the summarization yardstick (see bench_test.go) and kept round:
// each one is a plain idea, not a fitted number.
type params struct {
	// positionDecay is the rank (among usable sentences) at which the
	// position prior has fallen to 1/e: news writes the gist first.
	positionDecay float64
	// centralityWeight weighs closeness to the whole article.
	centralityWeight float64
	// titleWeight weighs overlap with the title.
	titleWeight float64
	// redundancyWeight and maxRedundancy keep near-repeats out: a
	// candidate loses redundancyWeight times its highest similarity to an
	// already chosen sentence, and is skipped above maxRedundancy.
	redundancyWeight, maxRedundancy float64
	// captionPenalty, questionPenalty and quotePenalty lower sentences that
	// rarely make a good summary line.
	captionPenalty, questionPenalty, quotePenalty float64
	// addressPenalty lowers a sentence that speaks to the reader: a
	// teaser, not news.
	addressPenalty float64
	// minWords is the shortest sentence worth choosing; shorter ones are
	// kept only when nothing else is left.
	minWords int
	// longWords is where a sentence starts to cost more than it tells;
	// longPenalty is the cost of each word beyond it.
	longWords   int
	longPenalty float64
	// summaryWords is the length a summary aims at: sentences are added
	// until it is reached, up to the sentence cap.
	summaryWords int
	// summaryFactWeight is the bonus of a summary sentence per checkable
	// fact (up to maxFacts): news summaries state names and numbers.
	summaryFactWeight float64
	// coverageWeight weighs how much of the article's important vocabulary
	// a sentence adds to the summary; a word's importance is the sum, over
	// its sentences, of a position prior decaying with coverageDecay. The
	// gain is divided by the sentence's words to the power lengthExponent.
	coverageWeight, coverageDecay, lengthExponent float64
	// directedWeight weighs directed centrality: similarity to the
	// sentences that follow within directedWindow, which elaborate on a
	// key sentence.
	directedWeight float64
	directedWindow int
	// factWeight is the bonus of a claim per checkable fact, up to maxFacts.
	factWeight float64
	maxFacts   int
}

func defaultParams() params {
	return params{
		positionDecay:     4,
		centralityWeight:  0.6,
		titleWeight:       0.4,
		redundancyWeight:  0.5,
		maxRedundancy:     0.5,
		captionPenalty:    0.3,
		questionPenalty:   0.3,
		quotePenalty:      0.1,
		addressPenalty:    0.3,
		minWords:          6,
		longWords:         45,
		longPenalty:       0.01,
		summaryWords:      70,
		factWeight:        0.15,
		summaryFactWeight: 0.1,
		coverageWeight:    1,
		coverageDecay:     20,
		lengthExponent:    1,
		maxFacts:          4,
		directedWeight:    0.3,
		directedWindow:    30,
	}
}

// Summarize returns the sentences of text that best summarize it, in article
// order, and the sentences that carry the most checkable facts as claims.
// title may be empty. The result is deterministic; every string is a
// verbatim substring of text.
func Summarize(title, text string, opts Options) Summary {
	return summarize(title, text, opts, defaultParams())
}

func summarize(title, text string, opts Options, p params) Summary {
	d := analyzeP(title, text, opts.Lang, p)
	if len(d.sents) == 0 {
		return Summary{}
	}
	k := opts.MaxSentences
	if k <= 0 {
		k = lengthFor(d)
	}
	maxClaims := opts.MaxClaims
	if maxClaims <= 0 {
		maxClaims = DefaultMaxClaims
	}
	// Only real sentences are chosen; an article that has none (a list of
	// headings, a text without a full stop) still gets a summary, from its
	// fragments, then from anything with a word in it.
	var scores []float64
	var chosen []int
	for level := range usableLevels {
		scores = d.summaryScores(level)
		if chosen = d.pick(scores, k, p.summaryWords); len(chosen) > 0 {
			break
		}
	}
	sum := Summary{Sentences: d.quotes(chosen)}
	claims := d.pickClaims(d.claimScores(scores), chosen, maxClaims)
	sum.Claims = d.quotes(claims)
	return sum
}

// Levels of what summaryScores lets be chosen: real sentences only, then
// fragments too, then boilerplate with a word in it.
const (
	realSentences = iota
	withFragments
	withBoilerplate
	usableLevels
)

// usable reports whether s may be chosen at level.
func (s *sentence) usable(level int) bool {
	switch level {
	case realSentences:
		return !s.boiler && !s.fragment
	case withFragments:
		return !s.boiler
	}
	return s.words > 0
}

// lengthFor chooses how many sentences an article's summary may have: two
// for a short piece, three otherwise. News summaries do not grow with the
// story: CNN/DailyMail's highlights are three or four short lines (about 50
// words) whether the article has 300 words or 1,300, so a longer article
// gets better sentences, not more of them.
func lengthFor(d *document) int {
	words := 0
	for i := range d.sents {
		if !d.sents[i].boiler {
			words += d.sents[i].words
		}
	}
	if words < 150 {
		return 2
	}
	return 3
}

// summaryScores rates every sentence as a summary sentence; a sentence not
// usable at level gets -Inf.
func (d *document) summaryScores(level int) []float64 {
	scores := make([]float64, len(d.sents))
	directed := d.directedCentrality()
	rank := 0
	for i := range d.sents {
		s := &d.sents[i]
		if !s.usable(level) {
			scores[i] = math.Inf(-1)
			continue
		}
		sc := math.Exp(-float64(rank)/d.p.positionDecay) +
			d.p.centralityWeight*d.centrality(s) +
			d.p.titleWeight*d.titleOverlap(s) +
			d.p.directedWeight*directed[i]
		rank++
		sc += d.p.summaryFactWeight * float64(min(s.facts, d.p.maxFacts))
		if s.caption {
			sc -= d.p.captionPenalty
		}
		if s.question {
			sc -= d.p.questionPenalty
		}
		if s.quoteOnly {
			sc -= d.p.quotePenalty
		}
		if s.addressed {
			sc -= d.p.addressPenalty
		}
		if s.words < d.p.minWords {
			sc--
		}
		if s.words > d.p.longWords {
			sc -= d.p.longPenalty * float64(s.words-d.p.longWords)
		}
		scores[i] = sc
	}
	return scores
}

// pick chooses up to k sentences greedily by score, each time taking the one
// with the best score after a penalty for resembling those already chosen
// and a bonus for the article's vocabulary it adds. It stops once the
// chosen sentences have budget words, and never goes past MaxSummaryWords
// after the first. The result is in article order.
func (d *document) pick(scores []float64, k, budget int) []int {
	chosen := d.pickOrder(scores, pickOpts{k: k, budget: budget, strict: true})
	sort.Ints(chosen)
	return chosen
}

// pickOpts tunes pickOrder.
type pickOpts struct {
	k      int
	budget int   // words; 0 = no budget and no coverage bonus unless seeded
	seed   []int // sentences already shown: they count for redundancy and coverage
	// strict skips a candidate more similar than maxRedundancy to one
	// already chosen or shown.
	strict bool
}

// pickOrder is pick's greedy choice, in the order chosen: what each
// sentence adds, best first.
func (d *document) pickOrder(scores []float64, o pickOpts) []int {
	var chosen []int
	used := make([]bool, len(scores))
	words := 0
	var weight []float64
	covered := make([]bool, len(d.ids))
	for _, j := range o.seed {
		for _, t := range d.sents[j].terms {
			covered[t.id] = true
		}
	}
	norm := 1.0
	if d.p.coverageWeight > 0 && (o.budget > 0 || len(o.seed) > 0) {
		weight = d.conceptWeights()
		norm = 0
		for i := range d.sents {
			g := 0.0
			for _, t := range d.sents[i].terms {
				g += weight[t.id]
			}
			norm = max(norm, g/math.Pow(float64(max(d.sents[i].words, 1)), d.p.lengthExponent))
		}
		if norm == 0 {
			norm = 1 // no weighted vocabulary (every sentence is boilerplate)
		}
	}
	for len(chosen) < o.k && (o.budget <= 0 || words < o.budget) {
		best, bestScore := -1, math.Inf(-1)
		for i, sc := range scores {
			if used[i] || math.IsInf(sc, -1) {
				continue
			}
			if o.budget > 0 && len(chosen) > 0 && words+d.sents[i].words > MaxSummaryWords {
				continue
			}
			maxSim := 0.0
			for _, j := range o.seed {
				maxSim = max(maxSim, d.similarity(&d.sents[i], &d.sents[j]))
			}
			for _, j := range chosen {
				maxSim = max(maxSim, d.similarity(&d.sents[i], &d.sents[j]))
			}
			if o.strict && maxSim > d.p.maxRedundancy {
				continue
			}
			eff := sc - d.p.redundancyWeight*maxSim
			if weight != nil {
				g := 0.0
				for _, t := range d.sents[i].terms {
					if !covered[t.id] {
						g += weight[t.id]
					}
				}
				eff += d.p.coverageWeight * g / norm / math.Pow(float64(max(d.sents[i].words, 1)), d.p.lengthExponent)
			}
			if eff > bestScore {
				best, bestScore = i, eff
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		for _, t := range d.sents[best].terms {
			covered[t.id] = true
		}
		chosen = append(chosen, best)
		words += d.sents[best].words
	}
	return chosen
}

// quotes returns the verbatim text of the chosen sentences.
func (d *document) quotes(idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = d.quote(&d.sents[j])
	}
	return out
}

// conceptWeights rates the article's content stems: a stem counts for each
// sentence it appears in, more in early ones.
func (d *document) conceptWeights() []float64 {
	weight := make([]float64, len(d.ids))
	rank := 0
	for i := range d.sents {
		s := &d.sents[i]
		if s.boiler {
			continue
		}
		pw := math.Exp(-float64(rank) / d.p.coverageDecay)
		rank++
		for _, t := range s.terms {
			weight[t.id] += pw
		}
	}
	return weight
}

// directedSentences is how many leading sentences get a directed
// centrality.
const directedSentences = 300

// directedCentrality rates each sentence by how much the sentences after it
// echo it (PacSum's idea: a story elaborates on its key sentences after
// stating them), scaled to at most 1.
func (d *document) directedCentrality() []float64 {
	out := make([]float64, len(d.sents))
	if d.p.directedWeight == 0 {
		return out
	}
	top := 0.0
	// Past a few hundred sentences the position prior is nil, so the
	// quadratic-in-window work is spent on the head of the article only.
	for i := range d.sents[:min(len(d.sents), directedSentences)] {
		if d.sents[i].boiler {
			continue
		}
		fwd := 0.0
		for j := i + 1; j < min(len(d.sents), i+d.p.directedWindow+1); j++ {
			if !d.sents[j].boiler {
				fwd += d.similarity(&d.sents[i], &d.sents[j])
			}
		}
		out[i] = fwd
		top = max(top, out[i])
	}
	if top > 0 {
		for i := range out {
			out[i] /= top
		}
	}
	return out
}
