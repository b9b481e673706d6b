package summarize

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/llm"
)

// refusedLLM fails every call the way a model server that is not
// running does.
func refusedLLM() *fakeLLM {
	fail := &llm.Error{Kind: llm.ConnectionRefused, Host: "models.example:11434", Err: errors.New("dial tcp: connection refused")}
	return &fakeLLM{
		summary: func(llm.Input) (*llm.Summary, error) { return nil, fail },
		answer:  func(llm.Input, string) (*llm.Answer, error) { return nil, fail },
	}
}

// TestExplicitLLMBackendDoesNotFallBack: with the llm backend asked for
// by name, an unusable model is the request's error, which names the
// server and the failure; no offline brief stands in.
func TestExplicitLLMBackendDoesNotFallBack(t *testing.T) {
	f := &fakeFetcher{pages: map[string]string{"https://gazette.example/news/bridge": storyHTML}}
	s := New(f, newMemCache(), Options{LLM: refusedLLM(), Model: "m", Backend: BackendLLM, Extract: extract.Options{MinWords: 20}})
	ctx := context.Background()
	b, err := s.Summarize(ctx, storyURL, Request{})
	var le *llm.Error
	if err == nil || !errors.As(err, &le) {
		t.Fatalf("Summarize = %+v, %v; want the model's error", b, err)
	}
	expl := Explain(err)
	if !strings.Contains(expl, "models.example:11434") || !strings.Contains(expl, "refused the connection") {
		t.Errorf("Explain = %q, want the server's host and the failure", expl)
	}
	if _, err := s.Ask(ctx, storyURL, "How much will it cost?"); !errors.As(err, &le) {
		t.Errorf("Ask error = %v, want the model's error", err)
	}

	none := New(f, nil, Options{Backend: BackendLLM, Extract: extract.Options{MinWords: 20}})
	if _, err := none.Summarize(ctx, storyURL, Request{}); !errors.Is(err, ErrNoModel) {
		t.Errorf("llm backend without a model: error %v, want ErrNoModel", err)
	}
}

// TestAutoFallbackNoteNamesHostAndFailure: in auto mode the offline brief
// stands in, and its note says which server failed and how.
func TestAutoFallbackNoteNamesHostAndFailure(t *testing.T) {
	s, _, _ := newTestService(t, refusedLLM())
	b, err := s.Summarize(context.Background(), storyURL, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Backend != BackendExtractive || !strings.Contains(b.Note, "models.example:11434") || !strings.Contains(b.Note, "refused the connection") {
		t.Errorf("brief backend %q note %q, want an offline brief whose note names the server and the failure", b.Backend, b.Note)
	}
}

// TestUngroundedAnswerSaysSo: a model answer dropped because it quoted
// words the article does not hold is reported as that, not as a reply
// that could not be read.
func TestUngroundedAnswerSaysSo(t *testing.T) {
	l := &fakeLLM{answer: func(llm.Input, string) (*llm.Answer, error) {
		return &llm.Answer{Text: `The article says "the mayor resigned in protest after the vote".`}, nil
	}}
	s, _, _ := newTestService(t, l)
	a, err := s.Ask(context.Background(), storyURL, "What did the mayor do?")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.Text, "resigned") {
		t.Errorf("answer %q carries the made-up quote", a.Text)
	}
	if !strings.Contains(a.Note, "not in the article") || strings.Contains(a.Note, "could not be read") {
		t.Errorf("note %q, want it to say the model quoted words not in the article", a.Note)
	}
}
