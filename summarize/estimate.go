package summarize

import (
	"context"
	"unicode/utf8"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/llm"
)

// Token estimates. A model call costs its instructions and the article
// (about four characters a token in the languages tokenizers are trained
// on most) plus the answer, a summary and a few quoted claims.
const (
	charsPerToken   = 4
	promptOverhead  = 350
	expectedAnswer  = 450
	estimateFlightK = "estimate\x1f"
)

// Estimate returns what a brief of the page at rawURL will likely cost in
// language-model tokens: 0 when it is cached or the offline summarizer
// writes it, else the article's tokens plus the instructions and the
// expected answer. It is an estimate, not a maximum, so that a brief that
// fits a budget is not refused. It fetches the article when no cache
// holds it and caches it, so the Summarize that follows reads it from
// there; concurrent estimates of one page share one fetch.
func (s *Service) Estimate(ctx context.Context, rawURL string, req Request) (int64, error) {
	if s.backend() != BackendLLM || s.opts.LLM == nil {
		return 0, nil
	}
	canon, err := s.Canonical(rawURL)
	if err != nil {
		return 0, err
	}
	if !req.NoCache && s.cachedBrief(ctx, s.cacheKey(canon, BackendLLM, s.language(req))) != nil {
		return 0, nil
	}
	v, err, _ := s.flight.Do(estimateFlightK+canon, func() (any, error) {
		// Shared by every caller waiting on this page, like Summarize's
		// work; the fetcher bounds it with its own timeout.
		return s.articleIn(context.WithoutCancel(ctx), canon, s.language(req), false)
	})
	if err != nil {
		return 0, err
	}
	return EstimateArticle(v.(*extract.Article)), nil
}

// EstimateAnswer returns what answering a question about the page at
// rawURL will likely cost in language-model tokens: 0 for the offline
// summarizer, else the article's tokens, at most a model call's input
// budget, plus the instructions and the expected answer.
func (s *Service) EstimateAnswer(ctx context.Context, rawURL string) (int64, error) {
	if s.backend() != BackendLLM || s.opts.LLM == nil {
		return 0, nil
	}
	canon, err := s.Canonical(rawURL)
	if err != nil {
		return 0, err
	}
	art, err := s.article(ctx, canon, false)
	if err != nil {
		return 0, err
	}
	return min(EstimateArticle(art), llm.DefaultMaxInputTokens+promptOverhead+expectedAnswer), nil
}

// EstimateArticle is the token estimate of one model call on art.
func EstimateArticle(art *extract.Article) int64 {
	n := utf8.RuneCountInString(art.Title) + utf8.RuneCountInString(art.Text)
	return int64((n+charsPerToken-1)/charsPerToken + promptOverhead + expectedAnswer)
}
