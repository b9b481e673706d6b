package summarize

import "time"

// Brief is the result of summarizing one source: what the CLI prints with
// --format json and what the bot renders. Its JSON field names are part of
// Linkbrief's public contract (DESIGN.md §4).
type Brief struct {
	Source    string  `json:"source"`
	URL       string  `json:"url"`
	Title     string  `json:"title"`
	Site      string  `json:"site"`
	Byline    string  `json:"byline"`
	Published string  `json:"published"`
	Lang      string  `json:"lang"`
	Summary   string  `json:"summary"`
	Claims    []Claim `json:"claims"`
	// Kind is the kind of source: "article", "paper", "video",
	// "discussion", "repository" or "post".
	Kind      string `json:"kind"`
	Backend   string `json:"backend"`
	Model     string `json:"model"`
	Cached    bool   `json:"cached"`
	Truncated bool   `json:"truncated"`
	Usage     Usage  `json:"usage"`
	// Note says what a reader should know about how the brief was made,
	// for example that the language model failed and the offline
	// summarizer stood in. Empty when there is nothing to say.
	Note string `json:"note,omitempty"`
	// Words is the article's length in words, for reading-time estimates.
	Words int `json:"words,omitempty"`
}

// Claim is one key claim of a brief with the verbatim article text that
// backs it.
type Claim struct {
	Text  string `json:"text"`
	Quote string `json:"quote"`
	// URL links the place of the source the quote comes from, when the
	// source has such links: a video's moment ("…watch?v=ID&t=123s").
	URL string `json:"url,omitempty"`
}

// Usage counts the language-model tokens a brief or an answer cost. Both
// are zero for the offline backend and for cache hits.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Total returns the sum of prompt and completion tokens.
func (u Usage) Total() int { return u.PromptTokens + u.CompletionTokens }

// Answer is the reply to a follow-up question about an article.
type Answer struct {
	// Text is the answer, quoting the article. When the article holds no
	// answer, Found is false and Text says so.
	Text    string   `json:"answer"`
	Quotes  []string `json:"quotes,omitempty"`
	Found   bool     `json:"found"`
	Backend string   `json:"backend"`
	Model   string   `json:"model"`
	Usage   Usage    `json:"usage"`
	URL     string   `json:"url"`
	Title   string   `json:"title"`
	Note    string   `json:"note,omitempty"`
}

// Request tunes one Summarize call; the zero value uses the Service's
// defaults.
type Request struct {
	// Language is the output language code ("" = the Service default,
	// which is "" = the article's own language).
	Language string
	// NoCache skips the cache lookup (the fresh brief is still stored).
	NoCache bool
	// CacheOnly returns the cached brief or ErrNotCached, and never
	// fetches or calls a backend: a caller over a limit may still serve
	// what costs nothing.
	CacheOnly bool
}

// ReadingTime estimates how long the article takes to read at 230 words a
// minute, at least one minute.
func (b *Brief) ReadingTime() time.Duration {
	m := (b.Words + 229) / 230
	if m < 1 {
		m = 1
	}
	return time.Duration(m) * time.Minute
}
