package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode"

	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
)

// Input is the article to work on.
type Input struct {
	Title, Site, URL string
	Text             string // paragraphs separated by "\n\n"
	Language         string // output language code, named in the prompt ("ja" -> "in Japanese"); "" = the article's own, unnamed
	MaxClaims        int    // default 5
}

// Claim is one key claim of an article with the quote that backs it. The
// quote is meant to be verbatim article text, but it comes from the model:
// callers must verify it against the article.
type Claim struct{ Claim, Quote string }

// Usage counts the tokens a server reported.
type Usage struct{ PromptTokens, CompletionTokens int }

func (u *Usage) add(o openai.Usage) {
	u.PromptTokens += max(o.PromptTokens, 0)
	u.CompletionTokens += max(o.CompletionTokens, 0)
}

// Summary is the model's brief of an article.
type Summary struct {
	Summary   string
	Claims    []Claim
	Truncated bool   // some article text was not read by the model
	Model     string // model name reported by the server (or Options.Model)
	Usage     Usage  // summed over all calls
}

// Answer is the model's plain-text answer to a follow-up question.
type Answer struct {
	Text      string
	Truncated bool // only part of the article was given to the model
	Usage     Usage
}

// maxInputClaims bounds Input.MaxClaims.
const maxInputClaims = 20

// maxHalvings is how many times a call that did not fit the model's
// context is tried again with half the token budget.
const maxHalvings = 2

// Summarize asks the model for a summary and the key claims of in.Text.
// An article longer than Options.MaxInputTokens is split on paragraph
// boundaries into chunks that are summarized one by one and then merged;
// beyond Options.MaxChunks chunks the rest is left out and the Summary is
// marked Truncated. When the server reports that a call exceeded the
// model's context, the budget is halved and the article split again.
func (c *Client) Summarize(ctx context.Context, in Input) (_ *Summary, err error) {
	defer func() { err = c.withHost(err) }()
	in.MaxClaims = claimCount(in.MaxClaims)
	in.Text = normalizeText(in.Text)
	if in.Text == "" {
		return nil, &Error{Kind: BadRequest, Err: errors.New("llm: the article has no text")}
	}
	budget := c.opts.MaxInputTokens
	for halvings := 0; ; halvings++ {
		s, largest, err := c.summarize(ctx, in, budget)
		var e *Error
		if errors.As(err, &e) && e.Kind == ContextTooLong && halvings < maxHalvings &&
			budget/2 >= minInputTokens && largest > budget/2 {
			budget /= 2
			c.log.LogAttrs(ctx, slog.LevelInfo, "llm context too long, splitting the article further",
				slog.Int("budget_tokens", budget))
			continue
		}
		return s, err
	}
}

func claimCount(n int) int {
	if n <= 0 {
		return DefaultMaxClaims
	}
	return min(n, maxInputClaims)
}

// summarize is Summarize with one token budget. It also returns the size
// in tokens of the largest chunk it sent.
func (c *Client) summarize(ctx context.Context, in Input, budget int) (*Summary, int, error) {
	chunks, largest, truncated := c.split(in.Text, budget, c.opts.MaxChunks)
	s, err := c.mapReduce(ctx, in, chunks, truncated)
	return s, largest, err
}

// mapReduce summarizes the chunks of an article: one call for a single
// chunk; otherwise one call per chunk, then one merging them.
func (c *Client) mapReduce(ctx context.Context, in Input, chunks []string, truncated bool) (*Summary, error) {
	out := &Summary{Truncated: truncated, Model: c.opts.Model}
	if len(chunks) == 1 {
		p, err := c.summaryCall(ctx, out, func(mode string) (string, string) {
			return summaryPrompt(in, chunks[0], 1, 1, mode)
		})
		if err != nil {
			return nil, err
		}
		out.Summary, out.Claims = p.summary, capClaims(p.claims, in.MaxClaims)
		return out, nil
	}

	// Map: each chunk on its own, a few at a time.
	parts := make([]partial, len(chunks))
	usages := make([]Summary, len(chunks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(mapParallel)
	for i, chunk := range chunks {
		g.Go(func() error {
			p, err := c.summaryCall(gctx, &usages[i], func(mode string) (string, string) {
				return summaryPrompt(in, chunk, i+1, len(chunks), mode)
			})
			if err != nil {
				return err
			}
			p.claims = capClaims(p.claims, in.MaxClaims)
			parts[i] = p
			return nil
		})
	}
	err := g.Wait()
	for _, u := range usages {
		out.Usage.PromptTokens += u.Usage.PromptTokens
		out.Usage.CompletionTokens += u.Usage.CompletionTokens
		if u.Model != "" {
			out.Model = u.Model
		}
	}
	if err != nil {
		return nil, err
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "llm summarized article in chunks",
		slog.Int("chunks", len(chunks)), slog.Bool("truncated", truncated))

	// Reduce: merge the partial summaries and pick claims among theirs.
	merged, err := c.summaryCall(ctx, out, func(mode string) (string, string) {
		return mergePrompt(in, parts, mode)
	})
	var e *Error
	switch {
	case err == nil:
		out.Summary = merged.summary
		out.Claims = pickClaims(merged.claims, parts, in.MaxClaims)
	case errors.As(err, &e) && (e.Kind == BadResponse || e.Kind == Refused || e.Kind == ContextTooLong) && ctx.Err() == nil:
		// The parts are good; a merge that failed on its own should not
		// waste them.
		c.log.LogAttrs(ctx, slog.LevelWarn, "llm merge failed, joining part summaries",
			slog.String("kind", e.Kind.String()))
		out.Summary = joinSummaries(parts)
		out.Claims = pickClaims(nil, parts, in.MaxClaims)
	default:
		return nil, err
	}
	if out.Summary == "" {
		out.Summary = joinSummaries(parts)
	}
	return out, nil
}

// summaryCall sends one summary request built by build for the current
// JSON mode, stepping down the modes in auto mode when the server rejects
// a response_format. Usage and the model name are recorded into acc.
func (c *Client) summaryCall(ctx context.Context, acc *Summary, build func(mode string) (system, user string)) (partial, error) {
	for {
		idx := c.mode.Load()
		mode := modeAt(idx)
		system, user := build(mode)
		req := openai.ChatCompletionRequest{
			Model: c.opts.Model,
			Messages: []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: system},
				{Role: openai.ChatMessageRoleUser, Content: user},
			},
			ResponseFormat: responseFormat(mode),
		}
		resp, err := c.complete(ctx, req)
		if err != nil {
			var e *Error
			if !c.fixedMode && idx < numModes-1 && errors.As(err, &e) && rejectsResponseFormat(e) {
				c.stepDown(idx)
				c.log.LogAttrs(ctx, slog.LevelInfo, "llm server rejected the response format, falling back",
					slog.String("rejected", mode), slog.String("next", modeAt(idx+1)))
				continue
			}
			return partial{}, err
		}
		acc.Usage.add(resp.Usage)
		if m := cleanLine(resp.Model, 100); m != "" {
			acc.Model = m
		}
		content, err := replyContent(resp)
		if err != nil {
			return partial{}, err
		}
		summary, claims, err := ParseSummary(content)
		if err != nil {
			return partial{}, &Error{Kind: BadResponse, Err: err}
		}
		return partial{summary: summary, claims: claims}, nil
	}
}

// stepDown records that the mode at idx failed, so this Client starts at
// the next one from now on. Concurrent callers only ever move it forward.
func (c *Client) stepDown(idx int32) {
	c.mode.CompareAndSwap(idx, idx+1)
}

func responseFormat(mode string) *openai.ChatCompletionResponseFormat {
	switch mode {
	case JSONModeSchema:
		return &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   "brief",
				Schema: json.RawMessage(summarySchema),
				Strict: true,
			},
		}
	case JSONModeObject:
		return &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	return nil
}

// replyContent returns the text of the first choice, or the Error that
// explains why there is none.
func replyContent(resp openai.ChatCompletionResponse) (string, error) {
	if len(resp.Choices) == 0 {
		return "", &Error{Kind: BadResponse, Err: errors.New("llm: reply has no choices")}
	}
	msg := resp.Choices[0].Message
	if strings.TrimSpace(msg.Refusal) != "" || resp.Choices[0].FinishReason == openai.FinishReasonContentFilter {
		return "", &Error{Kind: Refused, Err: errors.New("llm: the model refused")}
	}
	if strings.TrimSpace(msg.Content) == "" {
		return "", &Error{Kind: BadResponse, Err: errors.New("llm: reply is empty")}
	}
	return msg.Content, nil
}

func capClaims(cl []Claim, n int) []Claim {
	if len(cl) > n {
		cl = cl[:n]
	}
	return cl
}

// pickClaims keeps the merge step's claims whose quote is one of the
// parts' quotes, using the part's quote verbatim (the merge may have
// retouched it). When the merge chose none, it takes the parts' claims in
// turn, the first of each part first.
func pickClaims(chosen []Claim, parts []partial, n int) []Claim {
	type cand struct {
		c    Claim
		norm string
	}
	var cands []cand
	for _, p := range parts {
		for _, c := range p.claims {
			if c.Quote != "" {
				cands = append(cands, cand{c, normalize(c.Quote)})
			}
		}
	}
	seen := map[string]bool{}
	var out []Claim
	for _, ch := range chosen {
		q := normalize(ch.Quote)
		if q == "" {
			continue
		}
		for _, cd := range cands {
			if seen[cd.norm] {
				continue
			}
			if q == cd.norm || len(q) >= 20 && strings.Contains(cd.norm, q) {
				seen[cd.norm] = true
				out = append(out, Claim{Claim: ch.Claim, Quote: cd.c.Quote})
				break
			}
		}
		if len(out) == n {
			return out
		}
	}
	if len(out) > 0 {
		return out
	}
	for round := 0; len(out) < n; round++ {
		added := false
		for _, p := range parts {
			if round < len(p.claims) {
				added = true
				c := p.claims[round]
				if k := normalize(c.Quote); c.Quote != "" && !seen[k] {
					seen[k] = true
					out = append(out, c)
					if len(out) == n {
						break
					}
				}
			}
		}
		if !added {
			break
		}
	}
	return out
}

// normalize folds case, quotes, dashes and whitespace for comparing
// quotes.
func normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u2018', '\u2019', '\u201A', '\u201B', '`', '\u00B4':
			return '\''
		case '\u201C', '\u201D', '\u201E', '\u201F', '\u00AB', '\u00BB':
			return '"'
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
			return '-'
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// joinSummaries makes one summary out of the parts' own when the merge
// step gave none.
func joinSummaries(parts []partial) string {
	var ss []string
	for _, p := range parts {
		if p.summary != "" {
			ss = append(ss, oneLine(p.summary, maxSummaryRunes))
		}
	}
	return cleanText(strings.Join(ss, " "), maxSummaryRunes)
}

// Answer answers a follow-up question from the article text (plain text,
// quoting the article; when the article does not contain the answer the
// model is told to say exactly "The article doesn't say."). An article
// longer than the token budget is cut down to its paragraphs most related
// to the question, and the Answer is marked Truncated.
func (c *Client) Answer(ctx context.Context, in Input, question string) (_ *Answer, err error) {
	defer func() { err = c.withHost(err) }()
	question = cleanLine(question, maxQuestionRunes)
	if question == "" {
		return nil, &Error{Kind: BadRequest, Err: errors.New("llm: the question is empty")}
	}
	in.Text = normalizeText(in.Text)
	if in.Text == "" {
		return nil, &Error{Kind: BadRequest, Err: errors.New("llm: the article has no text")}
	}
	budget := c.opts.MaxInputTokens
	for halvings := 0; ; halvings++ {
		a, sent, err := c.answer(ctx, in, question, budget)
		var e *Error
		if errors.As(err, &e) && e.Kind == ContextTooLong && halvings < maxHalvings &&
			budget/2 >= minInputTokens && sent > budget/2 {
			budget /= 2
			continue
		}
		return a, err
	}
}

// answer is Answer with one token budget. It also returns the size in
// tokens of the article text it sent.
func (c *Client) answer(ctx context.Context, in Input, question string, budget int) (*Answer, int, error) {
	text, sent, truncated := c.relevant(in.Text, question, budget)
	a, err := c.ask(ctx, in, text, question, truncated)
	return a, sent, err
}

func (c *Client) ask(ctx context.Context, in Input, text, question string, truncated bool) (*Answer, error) {
	system, user := answerPrompt(in, text, question, truncated)
	resp, err := c.complete(ctx, openai.ChatCompletionRequest{
		Model: c.opts.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
	})
	if err != nil {
		return nil, err
	}
	a := &Answer{Truncated: truncated}
	a.Usage.add(resp.Usage)
	content, err := replyContent(resp)
	if err != nil {
		return nil, err
	}
	a.Text = cleanText(stripThinking(content), maxAnswerRunes)
	if a.Text == "" {
		return nil, &Error{Kind: BadResponse, Err: errors.New("llm: answer is empty")}
	}
	return a, nil
}

// relevant returns the article text to answer a question from: all of it
// when it fits budget, otherwise its paragraphs sharing the most words
// with the question, in article order, with "[...]" where text was left
// out.
func (c *Client) relevant(text, question string, budget int) (string, int, bool) {
	if len(text) <= budget {
		return text, c.count(text), false
	}
	if len(text) <= 8*budget {
		// Long articles are counted in pieces below; this one may fit.
		if n := c.count(text); n <= budget {
			return text, n, false
		}
	}
	pieces := c.pieces(paragraphs(text), budget)
	qwords := words(question)
	type scored struct {
		i, score, tokens int
	}
	ss := make([]scored, len(pieces))
	for i, p := range pieces {
		n := 0
		for w := range words(p) {
			if qwords[w] {
				n++
			}
		}
		ss[i] = scored{i: i, score: n, tokens: c.count(p) + 2}
	}
	slices.SortStableFunc(ss, func(a, b scored) int { return b.score - a.score })
	keep := make([]bool, len(pieces))
	used := 0
	for _, s := range ss {
		if used+s.tokens > budget {
			continue
		}
		used += s.tokens
		keep[s.i] = true
	}
	var b strings.Builder
	gap := false
	for i, p := range pieces {
		if !keep[i] {
			gap = true
			continue
		}
		if b.Len() > 0 || gap {
			if gap {
				if b.Len() > 0 {
					b.WriteString("\n\n")
				}
				b.WriteString("[...]\n\n")
			} else {
				b.WriteString("\n\n")
			}
		}
		gap = false
		b.WriteString(p)
	}
	if gap {
		b.WriteString("\n\n[...]")
	}
	return b.String(), used, true
}

// words is the set of lower-cased words of three letters or more.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if len([]rune(w)) >= 3 && !isStopWord(w) {
			out[w] = true
		}
	}
	return out
}

// isStopWord reports words too common to tell paragraphs apart.
func isStopWord(w string) bool {
	switch w {
	case "the", "and", "for", "are", "was", "were", "what", "who", "why", "how", "when", "where",
		"which", "does", "did", "this", "that", "with", "from", "about", "article", "say", "says",
		"said", "they", "their", "there", "has", "have", "had", "its", "not", "you", "can", "will":
		return true
	}
	return false
}

// String describes the Client without its API key.
func (c *Client) String() string {
	return fmt.Sprintf("llm.Client(%s)", c.opts)
}
