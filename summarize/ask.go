package summarize

import (
	"context"
	"fmt"
	"strings"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/extractive"
	"github.com/linkbrief/linkbrief/summarize/llm"
)

// Ask answers a follow-up question about the page at rawURL from its full
// text, fetching the page only when the cache no longer holds it.
func (s *Service) Ask(ctx context.Context, rawURL, question string) (*Answer, error) {
	canon, err := s.Canonical(rawURL)
	if err != nil {
		return nil, err
	}
	art := s.cachedArticle(ctx, canon, false)
	if art != nil {
		// A miss needs no check: the fetch applies the policy itself.
		if err := s.allowed(ctx, canon); err != nil {
			return nil, err
		}
	} else if art, err = s.article(ctx, canon, true); err != nil {
		return nil, err
	}
	a, err := s.AskArticle(ctx, art, question)
	if err != nil {
		return nil, err
	}
	a.URL = canon
	return a, nil
}

// AskArticle answers a question from an article at hand.
func (s *Service) AskArticle(ctx context.Context, art *extract.Article, question string) (*Answer, error) {
	question = cleanText(question)
	if question == "" {
		return nil, fmt.Errorf("summarize: the question is empty")
	}
	if len(question) > 2000 {
		question = question[:2000]
	}
	a := &Answer{Title: cleanText(art.Title)}
	if s.opts.Backend == BackendLLM && s.opts.LLM == nil {
		return nil, ErrNoModel
	}
	if s.backend() == BackendLLM && s.opts.LLM != nil {
		err := s.llmAnswer(ctx, art, question, a)
		if err == nil {
			return a, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("summarize: %w", ctx.Err())
		}
		if s.opts.Backend == BackendLLM {
			return nil, fmt.Errorf("summarize: %w", err)
		}
		s.log.Warn("language model failed to answer, using the offline summarizer", "err", err)
		a.Note = "The language model could not be used (" + llmSentence(err) +
			"), so these are the most relevant passages of the article."
	}
	passages, ok := extractive.AnswerIn(art.Lang, art.Text, question, 3)
	a.Backend, a.Model, a.Usage = BackendExtractive, "", Usage{}
	if !ok || len(passages) == 0 {
		a.Text, a.Found, a.Quotes = NotSaid, false, nil
		return a, nil
	}
	a.Found = true
	a.Quotes = passages
	var b strings.Builder
	for i, p := range passages {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("> ")
		b.WriteString(cleanText(p))
	}
	a.Text = b.String()
	return a, nil
}

func (s *Service) llmAnswer(ctx context.Context, art *extract.Article, question string, a *Answer) error {
	out, err := s.opts.LLM.Answer(ctx, llm.Input{
		Title: art.Title, Site: art.Site, Text: art.Text, Language: outputLanguage(s.opts.Language, art.Lang),
		MaxClaims: s.opts.MaxClaims,
	}, question)
	if err != nil {
		return err
	}
	text, quotes, ok := groundAnswer(art.Text, out.Text)
	if !ok {
		// Every line quoted words the article does not hold.
		return &llm.Error{Kind: llm.Ungrounded}
	}
	a.Backend, a.Model = BackendLLM, s.opts.Model
	a.Usage = Usage{PromptTokens: out.Usage.PromptTokens, CompletionTokens: out.Usage.CompletionTokens}
	a.Text, a.Quotes = text, quotes
	a.Found = !saysNothing(text)
	if !a.Found {
		a.Text = NotSaid
	}
	return nil
}
