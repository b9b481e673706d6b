package extractive

import (
	"math"
	"sort"
)

// DefaultMaxPassages is the number of passages Answer returns when max is 0
// or less.
const DefaultMaxPassages = 3

// minRelevance is the share of the question's weight (its content words,
// rarer ones weighing more) that a passage must contain to count as an
// answer. Below it the article doesn't say.
const minRelevance = 0.5

// Answer returns the passages of text most relevant to question, verbatim, best first, at most max (default 3);
// ok is false when nothing passes the relevance threshold ("the article doesn't say").
//
// Relevance is BM25 over word stems with the article's sentences as the
// collection; a passage also has to contain most of the question's weight,
// so a question about something the article never mentions finds nothing
// even when a common word matches. Irregular English forms meet their base
// ("ate" answers "eat"), and a passage that holds what the question asks
// for (a name for "who", a place for "where", a date for "when", a number
// for "how many") ranks above one that only shares its words.
func Answer(text, question string, max int) (passages []string, ok bool) {
	return AnswerIn("", text, question, max)
}

// AnswerIn is Answer for an article in the language lang (an ISO 639-1
// code, "" when unknown), whose stemmer and stop words then apply to the
// article and the question alike.
func AnswerIn(lang, text, question string, max int) (passages []string, ok bool) {
	if max <= 0 {
		max = DefaultMaxPassages
	}
	d := analyze("", text, lang)
	if len(d.sents) == 0 {
		return nil, false
	}
	q := map[string]bool{}
	for _, w := range d.st.contentStems(question) {
		q[w] = true
	}
	if len(q) == 0 {
		return nil, false
	}
	want := questionKind(question)
	stemOf := make([]string, len(d.ids))
	for w, id := range d.ids {
		stemOf[id] = w
	}
	df := map[string]int{}
	total := 0
	for i := range d.sents {
		total += len(d.sents[i].stems)
		for _, t := range d.sents[i].terms {
			if id := t.id; id < len(stemOf) && q[stemOf[id]] {
				df[stemOf[id]]++
			}
		}
	}
	n := float64(len(d.sents))
	avg := float64(total) / n
	idf := func(w string) float64 {
		return math.Log(1 + (n-float64(df[w])+0.5)/(float64(df[w])+0.5))
	}
	weight := 0.0
	for w := range q {
		weight += idf(w)
	}
	type hit struct {
		i            int
		score, cover float64
	}
	var hits []hit
	const k1, b = 1.2, 0.75
	for i := range d.sents {
		s := &d.sents[i]
		if s.boiler || len(s.stems) == 0 {
			continue
		}
		tf := map[string]float64{}
		for _, w := range s.stems {
			if q[w] {
				tf[w]++
			}
		}
		if len(tf) == 0 {
			continue
		}
		score, cover := 0.0, 0.0
		norm := k1 * (1 - b + b*float64(len(s.stems))/avg)
		for w, f := range tf {
			score += idf(w) * f * (k1 + 1) / (f + norm)
			cover += idf(w)
		}
		cover /= weight
		if cover < minRelevance {
			continue
		}
		score *= cover
		if want != anyKind && answersKind(d.quote(s), want) {
			score *= kindBoost
		}
		hits = append(hits, hit{i, score, cover})
	}
	if len(hits) == 0 {
		return nil, false
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].score > hits[b].score })
	for _, h := range hits {
		if len(passages) == max || h.score < hits[0].score/3 {
			break
		}
		passages = append(passages, d.quote(&d.sents[h.i]))
	}
	return passages, true
}
