// Package llmtest is a fake OpenAI-compatible chat completions server for
// tests. It listens on 127.0.0.1 (httptest), speaks go-openai's own wire
// types, records every request, and answers from a script or, by default,
// by "echoing" the article it was sent into a valid brief.
//
// Point any OpenAI client at URL() (it ends in "/v1"):
//
//	srv := llmtest.New(t)                 // closed when the test ends
//	c, _ := llm.New(llm.Options{BaseURL: srv.URL(), Model: "test-model"})
//
// Without scripting, the server is in echo mode: a summary request gets a
// JSON brief whose summary is the article's first sentences and whose
// claims quote real sentences of the article verbatim, so quote
// verification in the pipeline keeps them; a question gets an answer that
// quotes the sentence sharing most words with the question, or exactly
// "The article doesn't say.". Echo mode finds the article in the last user
// message between the markers "<<<ARTICLE id>>>" and "<<<END ARTICLE id>>>"
// that package llm writes (and merges "<<<NOTES id>>>" blocks of partial
// summaries); a question is the "Question: " line after the fence.
//
// To script replies, queue them, or install a handler; the queue is used
// first, then the handler, then echo:
//
//	srv.Enqueue(llmtest.RateLimited("0"), llmtest.Summary("It rained.",
//		llmtest.Claim{Claim: "Rain fell", Quote: "It rained all day."}))
//	srv.Reply(func(req openai.ChatCompletionRequest) llmtest.Response {
//		return llmtest.Text("hello")
//	})
//
// Helpers build the usual replies and failures: JSON, Summary, Text,
// Fenced, Malformed, MalformedBody, RateLimited, QuotaExhausted,
// ServerError, Unauthorized, ModelNotFound, ContextTooLong, Refusal,
// Reset, Slow and Echo. RejectResponseFormat makes the server refuse
// response_format types with a 400, as servers without structured output
// do. Requests, Last and Count report what was received; they are safe to
// call while requests are in flight.
package llmtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Response is one scripted reply. The zero value is an empty 200 reply;
// use the helpers to build meaningful ones.
type Response struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Header holds extra response headers, such as Retry-After.
	Header http.Header
	// Content is the assistant message of a 200 reply.
	Content string
	// Refusal is the assistant's refusal of a 200 reply.
	Refusal string
	// FinishReason defaults to "stop".
	FinishReason openai.FinishReason
	// Model is the model the reply claims; default the request's model.
	Model string
	// Usage is reported as is when set; default an estimate from lengths.
	Usage *openai.Usage
	// Error is the error object of a non-200 reply.
	Error *openai.APIError
	// Body, when set, is sent as the raw body instead of any of the above.
	Body string
	// Delay waits before replying; it ends early when the client goes
	// away or the server closes.
	Delay time.Duration
	// Reset sends the headers and the first part of the body, then drops
	// the connection.
	Reset bool
	// Echo answers as echo mode would.
	Echo bool
}

// Claim is one claim of a scripted summary.
type Claim struct {
	Claim string `json:"claim"`
	Quote string `json:"quote"`
}

// JSON is a 200 reply whose content is v encoded as JSON.
func JSON(v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		return Response{Content: fmt.Sprintf("llmtest: cannot encode %T: %v", v, err)}
	}
	return Response{Content: string(b)}
}

// Summary is a 200 reply with a well-formed summary object.
func Summary(summary string, claims ...Claim) Response {
	if claims == nil {
		claims = []Claim{}
	}
	return JSON(struct {
		Summary string  `json:"summary"`
		Claims  []Claim `json:"claims"`
	}{summary, claims})
}

// Text is a 200 reply with plain text content.
func Text(s string) Response { return Response{Content: s} }

// Fenced is a 200 reply with v as JSON inside a ```json code fence, with
// a line of prose around it, as chatty models write.
func Fenced(v any) Response {
	r := JSON(v)
	r.Content = "Here is the summary you asked for:\n\n```json\n" + r.Content + "\n```\n\nLet me know if you need more."
	return r
}

// Malformed is a 200 reply whose content is not a summary in any form.
func Malformed() Response {
	return Response{Content: `{"summary": "The article is about` + "\n\nSorry, I got cut off."}
}

// MalformedBody is a 200 reply whose HTTP body is not JSON at all.
func MalformedBody() Response {
	return Response{Body: `{"id": "chatcmpl-broken", "choices": [`}
}

// RateLimited is a 429 with Retry-After set to retryAfter (seconds or an
// HTTP date); "" sends no Retry-After.
func RateLimited(retryAfter string) Response {
	r := errorReply(http.StatusTooManyRequests, "rate_limit_exceeded", "requests",
		"Rate limit reached for requests. Please try again later.")
	if retryAfter != "" {
		r.Header = http.Header{"Retry-After": {retryAfter}}
	}
	return r
}

// QuotaExhausted is the 429 OpenAI sends when the account has no credit.
func QuotaExhausted() Response {
	return errorReply(http.StatusTooManyRequests, "insufficient_quota", "insufficient_quota",
		"You exceeded your current quota, please check your plan and billing details.")
}

// ServerError is a reply with status (500, 502, 503...) and an error body.
func ServerError(status int) Response {
	return errorReply(status, nil, "server_error", "The server had an error while processing your request.")
}

// Unauthorized is a 401 for a wrong API key.
func Unauthorized() Response {
	return errorReply(http.StatusUnauthorized, "invalid_api_key", "invalid_request_error",
		"Incorrect API key provided.")
}

// ModelNotFound is the 404 for an unknown model.
func ModelNotFound() Response {
	return errorReply(http.StatusNotFound, "model_not_found", "invalid_request_error",
		"The model does not exist or you do not have access to it.")
}

// ContextTooLong is the 400 for a prompt larger than the model's context.
func ContextTooLong() Response {
	return errorReply(http.StatusBadRequest, "context_length_exceeded", "invalid_request_error",
		"This model's maximum context length is 4096 tokens. However, your messages resulted in 9000 tokens.")
}

// Refusal is a 200 reply in which the model refuses.
func Refusal(text string) Response { return Response{Refusal: text} }

// Reset is a reply cut off mid-body by a dropped connection.
func Reset() Response { return Response{Reset: true} }

// Slow is r delayed by d.
func Slow(d time.Duration, r Response) Response {
	r.Delay = d
	return r
}

// Echo is a queued reply that answers as echo mode would.
func Echo() Response { return Response{Echo: true} }

func errorReply(status int, code any, typ, message string) Response {
	return Response{Status: status, Error: &openai.APIError{Code: code, Type: typ, Message: message}}
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	ts   *httptest.Server
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	queue    []Response
	handler  func(openai.ChatCompletionRequest) Response
	reject   map[openai.ChatCompletionResponseFormatType]bool
	requests []openai.ChatCompletionRequest
	headers  []http.Header
}

// New starts a Server that is closed when t's test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := NewServer()
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a Server; call Close when done.
func NewServer() *Server {
	s := &Server{done: make(chan struct{}), reject: map[openai.ChatCompletionResponseFormatType]bool{}}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the base URL to give a client, ending in "/v1".
func (s *Server) URL() string { return s.ts.URL + "/v1" }

// Close stops the server, ending delayed replies first.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Enqueue appends replies to the queue; each request takes the next one.
func (s *Server) Enqueue(rs ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, rs...)
}

// Reply installs f to answer requests once the queue is empty; nil goes
// back to echo mode. f may be called concurrently.
func (s *Server) Reply(f func(req openai.ChatCompletionRequest) Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = f
}

// Always answers every request, once the queue is empty, with r; tests
// that need no look at the request use it instead of Reply, for example
// Always(Slow(300*time.Millisecond, Echo())) for a model of fixed latency.
func (s *Server) Always(r Response) {
	s.Reply(func(openai.ChatCompletionRequest) Response { return r })
}

// RejectResponseFormat makes the server answer 400 to requests whose
// response_format has one of types ("json_schema", "json_object"), as a
// server without structured output does. Rejected requests are recorded
// but take nothing from the queue.
func (s *Server) RejectResponseFormat(types ...openai.ChatCompletionResponseFormatType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range types {
		s.reject[t] = true
	}
}

// Count is the number of chat completion requests received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Requests returns a copy of every request received, in order.
func (s *Server) Requests() []openai.ChatCompletionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]openai.ChatCompletionRequest(nil), s.requests...)
}

// Headers returns a copy of the HTTP headers of every request, in order.
func (s *Server) Headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]http.Header, len(s.headers))
	for i, h := range s.headers {
		out[i] = h.Clone()
	}
	return out
}

// Last returns the last request received, or the zero value.
func (s *Server) Last() openai.ChatCompletionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return openai.ChatCompletionRequest{}
	}
	return s.requests[len(s.requests)-1]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		writeError(w, Response{Status: http.StatusNotFound, Error: &openai.APIError{
			Type: "invalid_request_error", Message: "llmtest: no route " + r.Method + " " + r.URL.Path}})
		return
	}
	var req openai.ChatCompletionRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20)).Decode(&req); err != nil {
		writeError(w, Response{Status: http.StatusBadRequest, Error: &openai.APIError{
			Type: "invalid_request_error", Message: "llmtest: bad request body: " + err.Error()}})
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.headers = append(s.headers, r.Header.Clone())
	var resp Response
	switch {
	case req.ResponseFormat != nil && s.reject[req.ResponseFormat.Type]:
		resp = errorReply(http.StatusBadRequest, nil, "invalid_request_error",
			fmt.Sprintf("response_format type %q is not supported by this model", req.ResponseFormat.Type))
		p := "response_format"
		resp.Error.Param = &p
	case len(s.queue) > 0:
		resp = s.queue[0]
		s.queue = s.queue[1:]
	case s.handler != nil:
		h := s.handler
		s.mu.Unlock()
		resp = h(req)
		s.mu.Lock()
	default:
		resp.Echo = true
	}
	s.mu.Unlock()
	if resp.Echo {
		delay := resp.Delay
		resp = echo(req)
		resp.Delay = delay
	}
	if resp.Delay > 0 {
		t := time.NewTimer(resp.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch {
	case resp.Reset:
		reset(w)
	case resp.Body != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(statusOr200(resp.Status))
		_, _ = w.Write([]byte(resp.Body))
	case resp.Status != 0 && resp.Status != http.StatusOK:
		writeError(w, resp)
	default:
		writeCompletion(w, req, resp)
	}
}

func statusOr200(s int) int {
	if s == 0 {
		return http.StatusOK
	}
	return s
}

func writeError(w http.ResponseWriter, resp Response) {
	e := resp.Error
	if e == nil {
		e = &openai.APIError{Type: "error", Message: http.StatusText(resp.Status)}
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": e.Message, "type": e.Type, "param": e.Param, "code": e.Code,
	}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(b)
}

func writeCompletion(w http.ResponseWriter, req openai.ChatCompletionRequest, resp Response) {
	model := resp.Model
	if model == "" {
		model = req.Model
	}
	finish := resp.FinishReason
	if finish == "" {
		finish = openai.FinishReasonStop
	}
	usage := openai.Usage{}
	if resp.Usage != nil {
		usage = *resp.Usage
	} else {
		n := 0
		for _, m := range req.Messages {
			n += len(m.Content)
		}
		usage.PromptTokens = n/4 + 1
		usage.CompletionTokens = len(resp.Content+resp.Refusal)/4 + 1
	}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	out := openai.ChatCompletionResponse{
		ID:      "chatcmpl-llmtest",
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   model,
		Choices: []openai.ChatCompletionChoice{{
			Message: openai.ChatCompletionMessage{
				Role: openai.ChatMessageRoleAssistant, Content: resp.Content, Refusal: resp.Refusal,
			},
			FinishReason: finish,
		}},
		Usage: usage,
	}
	b, err := json.Marshal(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(statusOr200(resp.Status))
	_, _ = w.Write(b)
}

// reset writes a status line, headers promising a long body and a piece
// of it, then closes the connection with a TCP reset.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "llmtest: cannot hijack", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	body := `{"id":"chatcmpl-llmtest","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\"summ`
	writeRaw(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(body)+4096)+"\r\n\r\n"+body)
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
}

func writeRaw(buf *bufio.ReadWriter, s string) {
	_, _ = buf.WriteString(s)
	_ = buf.Flush()
}

// lastUser returns the content of the last user message.
func lastUser(req openai.ChatCompletionRequest) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == openai.ChatMessageRoleUser {
			return req.Messages[i].Content
		}
	}
	return ""
}

// fenced finds the first block between "<<<NAME id>>>" and
// "<<<END NAME id>>>" (any NAME) and returns its name, its text, and what
// follows the closing marker.
func fenced(s string) (name, body, after string, ok bool) {
	for off := 0; off < len(s); {
		i := strings.Index(s[off:], "<<<")
		if i < 0 {
			return "", "", "", false
		}
		i += off
		j := strings.Index(s[i:], ">>>")
		if j < 0 {
			return "", "", "", false
		}
		marker := s[i+3 : i+j]
		name, id, found := strings.Cut(marker, " ")
		if !found || strings.HasPrefix(marker, "END ") {
			off = i + 3
			continue
		}
		closing := "<<<END " + name + " " + id + ">>>"
		start := i + j + 3
		k := strings.Index(s[start:], closing)
		if k < 0 {
			off = i + 3
			continue
		}
		return name, strings.Trim(s[start:start+k], "\n"), s[start+k+len(closing):], true
	}
	return "", "", "", false
}

// echo builds the reply echo mode gives to req.
func echo(req openai.ChatCompletionRequest) Response {
	user := lastUser(req)
	name, body, after, ok := fenced(user)
	if !ok {
		return Text("llmtest echo: no fenced article found in the request")
	}
	if q, found := strings.CutPrefix(strings.TrimSpace(after), "Question:"); found {
		return Text(echoAnswer(body, strings.TrimSpace(q)))
	}
	max := 3
	if system := req.Messages[0].Content; strings.Contains(system, "at most ") {
		rest := system[strings.Index(system, "at most ")+len("at most "):]
		if n, err := strconv.Atoi(strings.Fields(rest + " x")[0]); err == nil && n > 0 {
			max = n
		}
	}
	if name == "NOTES" {
		return echoMerge(body, max)
	}
	sents := articleSentences(body)
	summary := strings.Join(sents[:min(2, len(sents))], " ")
	if summary == "" {
		summary = "The page has no text."
	}
	claims := []Claim{}
	for _, s := range sents {
		if len(claims) == max {
			break
		}
		if len(s) >= 20 {
			claims = append(claims, Claim{Claim: s, Quote: s})
		}
	}
	return Summary(summary, claims...)
}

// echoMerge merges "Summary of part N: ..." and "Claim:"/"Quote:" lines.
func echoMerge(body string, max int) Response {
	var summaries []string
	claims := []Claim{}
	var claim string
	for line := range strings.SplitSeq(body, "\n") {
		switch {
		case strings.HasPrefix(line, "Summary of part "):
			if _, s, ok := strings.Cut(line, ": "); ok {
				summaries = append(summaries, firstSentence(s))
			}
		case strings.HasPrefix(line, "Claim: "):
			claim = strings.TrimPrefix(line, "Claim: ")
		case strings.HasPrefix(line, "Quote: "):
			if len(claims) < max {
				claims = append(claims, Claim{Claim: claim, Quote: strings.TrimPrefix(line, "Quote: ")})
			}
		}
	}
	return Summary(strings.Join(summaries, " "), claims...)
}

// echoAnswer quotes the sentence sharing most words with the question.
func echoAnswer(body, question string) string {
	qw := wordSet(question)
	best, bestN := "", 0
	for _, s := range articleSentences(body) {
		n := 0
		for w := range wordSet(s) {
			if qw[w] {
				n++
			}
		}
		if n > bestN {
			best, bestN = s, n
		}
	}
	if best == "" {
		return "The article doesn't say."
	}
	return "The article says: \"" + best + "\""
}

func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if len(w) >= 4 {
			out[w] = true
		}
	}
	return out
}

// articleSentences returns the sentences of a fenced article, skipping
// the "Title: ..." header block and "[...]" gap markers. Each is a
// verbatim substring of the article.
func articleSentences(body string) []string {
	paras := strings.Split(body, "\n\n")
	if len(paras) > 0 && isHeader(paras[0]) {
		paras = paras[1:]
	}
	var out []string
	for _, p := range paras {
		p = strings.TrimSpace(p)
		if p == "" || p == "[...]" {
			continue
		}
		start := 0
		for i := 0; i < len(p); i++ {
			c := p[i]
			if (c == '.' || c == '!' || c == '?') && i+1 < len(p) && p[i+1] == ' ' {
				if s := strings.TrimSpace(p[start : i+1]); s != "" {
					out = append(out, s)
				}
				start = i + 1
			}
		}
		if s := strings.TrimSpace(p[start:]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

func isHeader(p string) bool {
	for line := range strings.SplitSeq(p, "\n") {
		k, _, ok := strings.Cut(line, ": ")
		if !ok || (k != "Title" && k != "Site" && k != "URL" && k != "Part") {
			return false
		}
	}
	return true
}
