package llmtest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

func client(srv *llmtest.Server) *openai.Client {
	cfg := openai.DefaultConfig("test-key")
	cfg.BaseURL = srv.URL()
	return openai.NewClientWithConfig(cfg)
}

func chat(system, user string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{Model: "m", Messages: []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}}
}

const article = "<<<ARTICLE 00ff>>>\nTitle: Bridge\nURL: https://example.com/b\n\n" +
	"The council voted to build a bridge. It will cost four million dollars. Work starts in spring.\n\n" +
	"The mayor praised the vote on Tuesday evening.\n<<<END ARTICLE 00ff>>>"

func TestEchoSummary(t *testing.T) {
	srv := llmtest.New(t)
	resp, err := client(srv).CreateChatCompletion(t.Context(), chat("List at most 2 key claims.", article))
	if err != nil {
		t.Fatal(err)
	}
	content := resp.Choices[0].Message.Content
	for _, want := range []string{`"summary":"The council voted to build a bridge. It will cost four million dollars."`,
		`"quote":"The council voted to build a bridge."`, `"quote":"It will cost four million dollars."`} {
		if !strings.Contains(content, want) {
			t.Errorf("echo reply %s lacks %s", content, want)
		}
	}
	if strings.Contains(content, "Title") || strings.Contains(content, "spring") {
		t.Errorf("echo reply %s quotes the header or more than 2 claims", content)
	}
	if resp.Model != "m" || resp.Usage.PromptTokens == 0 {
		t.Errorf("model %q usage %+v", resp.Model, resp.Usage)
	}
}

func TestEchoAnswer(t *testing.T) {
	srv := llmtest.New(t)
	tests := []struct{ question, want string }{
		{"What did the mayor praise?", `The article says: "The mayor praised the vote on Tuesday evening."`},
		{"Xylophone?", "The article doesn't say."},
	}
	for _, tt := range tests {
		resp, err := client(srv).CreateChatCompletion(t.Context(), chat("Answer.", article+"\n\nQuestion: "+tt.question))
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Choices[0].Message.Content; got != tt.want {
			t.Errorf("echo answer to %q = %q, want %q", tt.question, got, tt.want)
		}
	}
}

func TestEchoMerge(t *testing.T) {
	srv := llmtest.New(t)
	notes := "<<<NOTES 11>>>\nSummary of part 1: First part. More.\nClaim: A\nQuote: Quote A.\n\nSummary of part 2: Second part.\nClaim: B\nQuote: Quote B.\n<<<END NOTES 11>>>"
	resp, err := client(srv).CreateChatCompletion(t.Context(), chat("choose at most 5 claims", notes))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"summary":"First part. Second part.","claims":[{"claim":"A","quote":"Quote A."},{"claim":"B","quote":"Quote B."}]}`
	if got := resp.Choices[0].Message.Content; got != want {
		t.Errorf("merge = %s, want %s", got, want)
	}
}

func TestQueueThenHandlerThenEcho(t *testing.T) {
	srv := llmtest.New(t)
	srv.Enqueue(llmtest.Text("first"), llmtest.Text("second"))
	c := client(srv)
	var got []string
	for i := range 4 {
		if i == 2 {
			srv.Reply(func(req openai.ChatCompletionRequest) llmtest.Response { return llmtest.Text("handled " + req.Model) })
		}
		if i == 3 {
			srv.Reply(nil)
		}
		resp, err := c.CreateChatCompletion(t.Context(), chat("s", "no fence here"))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, resp.Choices[0].Message.Content)
	}
	want := []string{"first", "second", "handled m", "llmtest echo: no fenced article found in the request"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("replies %q, want %q", got, want)
	}
	if srv.Count() != 4 || len(srv.Requests()) != 4 || srv.Last().Messages[1].Content != "no fence here" {
		t.Errorf("recorded %d requests, last %+v", srv.Count(), srv.Last())
	}
	if h := srv.Headers(); h[0].Get("Authorization") != "Bearer test-key" {
		t.Errorf("headers %v, want the bearer key recorded", h[0])
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name   string
		resp   llmtest.Response
		status int
		code   string
		header string
	}{
		{"429 retry-after", llmtest.RateLimited("3"), 429, "rate_limit_exceeded", "3"},
		{"429 bare", llmtest.RateLimited(""), 429, "rate_limit_exceeded", ""},
		{"quota", llmtest.QuotaExhausted(), 429, "insufficient_quota", ""},
		{"500", llmtest.ServerError(500), 500, "", ""},
		{"503", llmtest.ServerError(503), 503, "", ""},
		{"401", llmtest.Unauthorized(), 401, "invalid_api_key", ""},
		{"404", llmtest.ModelNotFound(), 404, "model_not_found", ""},
		{"context", llmtest.ContextTooLong(), 400, "context_length_exceeded", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t)
			srv.Enqueue(tt.resp)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+"/chat/completions",
				strings.NewReader(`{"model":"m","messages":[]}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("Retry-After") != tt.header {
				t.Errorf("status %d Retry-After %q, want %d %q", resp.StatusCode, resp.Header.Get("Retry-After"), tt.status, tt.header)
			}
			srv.Enqueue(tt.resp)
			_, err = client(srv).CreateChatCompletion(t.Context(), chat("s", "u"))
			var apiErr *openai.APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != tt.status {
				t.Fatalf("go-openai error %v, want an APIError with status %d", err, tt.status)
			}
			if got, _ := apiErr.Code.(string); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
		})
	}
}

func TestRefusalResetMalformed(t *testing.T) {
	srv := llmtest.New(t)
	srv.Enqueue(llmtest.Refusal("No."), llmtest.Reset(), llmtest.MalformedBody(), llmtest.Malformed(),
		llmtest.Fenced(map[string]string{"summary": "S"}))
	c := client(srv)
	resp, err := c.CreateChatCompletion(t.Context(), chat("s", "u"))
	if err != nil || resp.Choices[0].Message.Refusal != "No." {
		t.Errorf("refusal: %+v %v", resp.Choices, err)
	}
	if _, err := c.CreateChatCompletion(t.Context(), chat("s", "u")); err == nil {
		t.Error("reset: no error")
	}
	if _, err := c.CreateChatCompletion(t.Context(), chat("s", "u")); err == nil {
		t.Error("malformed body: no error")
	}
	resp, err = c.CreateChatCompletion(t.Context(), chat("s", "u"))
	if err != nil || !strings.HasPrefix(resp.Choices[0].Message.Content, `{"summary": "The article is about`) {
		t.Errorf("malformed content: %v %v", resp.Choices, err)
	}
	resp, err = c.CreateChatCompletion(t.Context(), chat("s", "u"))
	if err != nil || !strings.Contains(resp.Choices[0].Message.Content, "```json\n{\"summary\":\"S\"}\n```") {
		t.Errorf("fenced: %v %v", resp.Choices, err)
	}
}

func TestRejectResponseFormat(t *testing.T) {
	srv := llmtest.New(t)
	srv.RejectResponseFormat(openai.ChatCompletionResponseFormatTypeJSONSchema)
	srv.Enqueue(llmtest.Text("queued"))
	req := chat("s", "u")
	req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
		JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: "x", Schema: jsonRaw(`{"type":"object"}`)}}
	_, err := client(srv).CreateChatCompletion(t.Context(), req)
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 400 || !strings.Contains(apiErr.Message, "response_format") {
		t.Fatalf("error %v, want a 400 about response_format", err)
	}
	req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	resp, err := client(srv).CreateChatCompletion(t.Context(), req)
	if err != nil || resp.Choices[0].Message.Content != "queued" {
		t.Errorf("json_object request: %v %v, want the queued reply (rejections take nothing from the queue)", resp.Choices, err)
	}
}

type jsonRaw string

func (j jsonRaw) MarshalJSON() ([]byte, error) { return []byte(j), nil }

func TestSlowReplyEndsOnCloseAndCancel(t *testing.T) {
	srv := llmtest.NewServer()
	srv.Reply(func(openai.ChatCompletionRequest) llmtest.Response { return llmtest.Slow(time.Hour, llmtest.Echo()) })
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := client(srv).CreateChatCompletion(ctx, chat("s", "u"))
		if err == nil {
			t.Error("slow reply returned without error")
		}
	})
	for srv.Count() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	wg.Wait()
	// A request still waiting when the server closes does not hold Close up.
	wg.Go(func() { _, _ = client(srv).CreateChatCompletion(t.Context(), chat("s", "u")) })
	for srv.Count() < 2 {
		time.Sleep(time.Millisecond)
	}
	srv.Close()
	wg.Wait()
	srv.Close() // idempotent
}

func TestConcurrentRecording(t *testing.T) {
	srv := llmtest.New(t)
	c := client(srv)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := c.CreateChatCompletion(t.Context(), chat("at most 1", article)); err != nil {
				t.Error(err)
			}
			_ = srv.Requests()
			_ = srv.Last()
		})
	}
	wg.Wait()
	if srv.Count() != 16 {
		t.Errorf("count = %d, want 16", srv.Count())
	}
}

func TestBadRequests(t *testing.T) {
	srv := llmtest.New(t)
	for _, tt := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/chat/completions", ""},
		{http.MethodPost, "/v1/embeddings", "{}"},
		{http.MethodPost, "/v1/chat/completions", "not json"},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, strings.TrimSuffix(srv.URL(), "/v1")+tt.path, strings.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%s %s %q: status %d, want an error", tt.method, tt.path, tt.body, resp.StatusCode)
		}
	}
}
