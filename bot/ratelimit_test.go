package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// script is a RoundTripper answering from a list of responses and recording
// the requests (with their bodies).
type script struct {
	mu     sync.Mutex
	answer []func() *http.Response
	got    []string // "METHOD path body"
}

func (s *script) RoundTrip(r *http.Request) (*http.Response, error) {
	body := ""
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, r.Method+" "+r.URL.Path+" "+body)
	if len(s.answer) == 0 {
		return respond(200, `{}`, nil), nil
	}
	a := s.answer[0]
	s.answer = s.answer[1:]
	return a(), nil
}

func (s *script) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

func respond(status int, body string, h http.Header) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func limited(retryAfter float64, global bool) func() *http.Response {
	return func() *http.Response {
		h := http.Header{"X-Ratelimit-Remaining": {"0"}, "Retry-After": {"1"}}
		if global {
			h.Set("X-RateLimit-Global", "true")
			h.Set("X-RateLimit-Scope", "global")
		}
		return respond(429, fmt.Sprintf(`{"message":"You are being rate limited.","retry_after":%g,"global":%v}`, retryAfter, global), h)
	}
}

func status(code int) func() *http.Response {
	return func() *http.Response { return respond(code, fmt.Sprintf(`{"code":0,"message":"%d"}`, code), nil) }
}

const api = "https://discord.com/api/v9/"

func do(t *testing.T, l *limiter, ctx context.Context, method, path, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, api+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := l.RoundTrip(req)
	if resp != nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func TestLimiterRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		path       string
		ctx        func(context.Context) context.Context
		answers    []func() *http.Response
		wantStatus int
		wantCalls  int
	}{
		{"429 then success", "POST", "channels/1/messages", nil,
			[]func() *http.Response{limited(0.05, false), status(200)}, 200, 2},
		{"global 429 then success", "POST", "channels/1/messages", nil,
			[]func() *http.Response{limited(0.05, true), status(200)}, 200, 2},
		{"500 on a plain POST is not repeated", "POST", "channels/1/messages", nil,
			[]func() *http.Response{status(500), status(200)}, 500, 1},
		{"500 on a POST with an enforced nonce is repeated", "POST", "channels/1/messages", retrySafe,
			[]func() *http.Response{status(500), status(200)}, 200, 2},
		{"502 on an edit is repeated", "PATCH", "webhooks/1/tok/messages/@original", nil,
			[]func() *http.Response{status(502), status(503), status(200)}, 200, 3},
		{"thread start is repeated", "POST", "channels/1/messages/2/threads", nil,
			[]func() *http.Response{status(504), status(200)}, 200, 2},
		{"interaction callback is not repeated", "POST", "interactions/1/tok/callback", nil,
			[]func() *http.Response{status(500), status(204)}, 500, 1},
		{"attempts are bounded", "PATCH", "channels/1/messages/2", nil,
			[]func() *http.Response{status(500), status(500), status(500), status(500), status(500)}, 500, maxAttempts},
		{"4xx is final", "PATCH", "channels/1/messages/2", nil,
			[]func() *http.Response{status(403), status(200)}, 403, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &script{answer: tt.answers}
			l := newLimiter(s)
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			resp, err := do(t, l, ctx, tt.method, tt.path, `{"content":"hi"}`)
			if err != nil {
				t.Fatalf("RoundTrip = %v, want a response", err)
			}
			calls := s.calls()
			if resp.StatusCode != tt.wantStatus || len(calls) != tt.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, len(calls), tt.wantStatus, tt.wantCalls)
			}
			for i, c := range calls {
				if !strings.HasSuffix(c, ` {"content":"hi"}`) {
					t.Errorf("call %d = %q, want the body sent again", i, c)
				}
			}
			for name := range resp.Header {
				if strings.HasPrefix(strings.ToLower(name), "x-ratelimit") || strings.EqualFold(name, "Retry-After") {
					t.Errorf("header %s reached discordgo, which would sleep on it", name)
				}
			}
		})
	}
}

// TestLimiterBoundedByContext checks no wait outlasts the request's
// context: a wait that cannot fit fails at once, and cancellation ends a
// wait in progress.
func TestLimiterBoundedByContext(t *testing.T) {
	t.Parallel()
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 10*time.Second)
	}

	t.Run("429 longer than the deadline", func(t *testing.T) {
		t.Parallel()
		s := &script{answer: []func() *http.Response{limited(3600, false)}}
		ctx, cancel := short()
		defer cancel()
		_, err := do(t, newLimiter(s), ctx, "POST", "channels/1/messages", "{}")
		if !errors.Is(err, ErrRateLimited) || len(s.calls()) != 1 {
			t.Errorf("RoundTrip = %v after %d calls, want ErrRateLimited after 1", err, len(s.calls()))
		}
	})

	t.Run("global 429 holds other routes", func(t *testing.T) {
		t.Parallel()
		s := &script{answer: []func() *http.Response{limited(3600, true)}}
		l := newLimiter(s)
		ctx, cancel := short()
		defer cancel()
		do(t, l, ctx, "POST", "channels/1/messages", "{}")
		_, err := do(t, l, ctx, "GET", "guilds/9/channels", "")
		if !errors.Is(err, ErrRateLimited) || len(s.calls()) != 1 {
			t.Errorf("second route: %v after %d calls, want ErrRateLimited without a call", err, len(s.calls()))
		}
		// Interaction routes are outside the global limit.
		if _, err := do(t, l, ctx, "POST", "interactions/1/tok/callback", "{}"); err != nil {
			t.Errorf("interaction callback during a global limit: %v, want it sent", err)
		}
	})

	t.Run("exhausted bucket holds its route only", func(t *testing.T) {
		t.Parallel()
		h := http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-After": {"3600"}}
		s := &script{answer: []func() *http.Response{func() *http.Response { return respond(200, "{}", h.Clone()) }}}
		l := newLimiter(s)
		ctx, cancel := short()
		defer cancel()
		do(t, l, ctx, "POST", "channels/1/messages", "{}")
		if _, err := do(t, l, ctx, "POST", "channels/1/messages", "{}"); !errors.Is(err, ErrRateLimited) {
			t.Errorf("same route: %v, want ErrRateLimited", err)
		}
		if _, err := do(t, l, ctx, "POST", "channels/2/messages", "{}"); err != nil {
			t.Errorf("another channel: %v, want it sent", err)
		}
		if n := len(s.calls()); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})

	t.Run("cancellation ends a wait", func(t *testing.T) {
		t.Parallel()
		s := &script{answer: []func() *http.Response{limited(3600, false)}}
		ctx, cancel := context.WithCancel(context.Background()) // no deadline: the wait fits
		done := make(chan error, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "POST", api+"channels/1/messages", strings.NewReader("{}"))
			_, err := newLimiter(s).RoundTrip(req)
			done <- err
		}()
		for len(s.calls()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("RoundTrip = %v, want context.Canceled", err)
		}
	})
}

func TestRouteKey(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"POST", "/api/v9/channels/123/messages", "POST channels/123/messages"},
		{"PATCH", "/api/v9/channels/123/messages/456", "PATCH channels/123/messages/*"},
		{"POST", "/api/v9/channels/123/messages/456/threads", "POST channels/123/messages/*/threads"},
		{"PATCH", "/api/v9/webhooks/1/secret-token/messages/@original", "PATCH webhooks/1/*/messages/@original"},
		{"POST", "/api/v9/interactions/77/secret-token/callback", "POST interactions/77/*/callback"},
		{"PUT", "/api/v9/applications/5/guilds/6/commands", "PUT applications/*/guilds/*/commands"},
		{"GET", "/api/v9/gateway/bot", "GET gateway/bot"},
		{"GET", "/other", "GET other"},
	}
	for _, tt := range tests {
		if got := routeKey(tt.method, tt.path); got != tt.want {
			t.Errorf("routeKey(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	tests := []struct {
		in   float64
		want time.Duration
	}{
		{0.25, 250 * time.Millisecond},
		{1, time.Second},
		{1e300, 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := seconds(tt.in); got != tt.want {
			t.Errorf("seconds(%g) = %v, want %v", tt.in, got, tt.want)
		}
	}
	var zero float64
	if got := seconds(zero / zero); got != 24*time.Hour {
		t.Errorf("seconds(NaN) = %v, want the cap", got)
	}
}

func TestReason(t *testing.T) {
	rest := func(status, code int) error {
		return &discordgo.RESTError{Response: &http.Response{StatusCode: status}, Message: &discordgo.APIErrorMessage{Code: code}}
	}
	tests := []struct {
		err  error
		want string
	}{
		{rest(404, 10015), "interaction expired"},
		{rest(404, 10062), "interaction expired"},
		{rest(403, 50013), "missing permission"},
		{rest(403, 50001), "no access"},
		{rest(404, 10003), "channel no longer exists"},
		{rest(404, 10008), "message no longer exists"},
		{rest(400, 40060), "already acknowledged"},
		{rest(503, 0), "Discord failed (HTTP 503)"},
		{rest(401, 0), "token was refused"},
		{fmt.Errorf("Post: %w for 1h0m0s", ErrRateLimited), "rate limited"},
		{&discordgo.RateLimitError{}, "rate limited"},
		{context.Canceled, "cancelled by shutdown"},
		{fmt.Errorf("Exceeded Max retries HTTP 502 Bad Gateway, {}"), "Discord failed"},
		{errors.New("dial tcp: connection refused"), "network error"},
	}
	for _, tt := range tests {
		if got := reason(tt.err); !strings.Contains(got, tt.want) {
			t.Errorf("reason(%v) = %q, want it to say %q", tt.err, got, tt.want)
		}
	}
}

func TestReplyNonce(t *testing.T) {
	if got := replyNonce("1576969828189601792", 2); got != "1576969828189601792.2" {
		t.Errorf("replyNonce = %q", got)
	}
	if got := replyNonce(strings.Repeat("9", 30), 0); got != "" {
		t.Errorf("replyNonce of an overlong ID = %q, want none", got)
	}
}
