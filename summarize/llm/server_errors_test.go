package llm_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// TestServerFailuresNameHostAndFailure: an unusable model server is
// reported with its host and what went wrong, never with the API key; a
// server that is not running or a name that does not resolve fail at
// once instead of being retried.
func TestServerFailuresNameHostAndFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedHost := ln.Addr().String()
	ln.Close()
	noDNS := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}}
	srv := llmtest.New(t)
	srv.Reply(func(openai.ChatCompletionRequest) llmtest.Response { return llmtest.ServerError(503) })
	slow := llmtest.New(t)
	slow.Reply(func(openai.ChatCompletionRequest) llmtest.Response {
		return llmtest.Slow(5*time.Second, llmtest.Text("too late"))
	})
	hostOf := func(s *llmtest.Server) string {
		return strings.TrimPrefix(strings.TrimSuffix(s.URL(), "/v1"), "http://")
	}

	tests := []struct {
		name, baseURL string
		client        *http.Client
		kind          llm.Kind
		host, says    string
	}{
		{"refused", "http://user:pw@" + closedHost + "/v1", nil, llm.ConnectionRefused, closedHost, "refused the connection"},
		{"no such host", "https://models.internal.example:8443/v1", noDNS, llm.NoSuchHost, "models.internal.example:8443", "no such host"},
		{"HTTP status", srv.URL(), nil, llm.Unavailable, hostOf(srv), "HTTP 503"},
		{"timeout", slow.URL(), nil, llm.Timeout, hostOf(slow), "took too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := llm.New(llm.Options{BaseURL: tt.baseURL, APIKey: "sk-SECRET-key", Model: "m", Backoff: time.Millisecond,
				MaxRetries: 2, HTTPClient: tt.client, Timeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			for _, call := range []func() error{
				func() error { _, err := c.Summarize(context.Background(), input()); return err },
				func() error { _, err := c.Answer(context.Background(), input(), "Why?"); return err },
			} {
				err := call()
				var e *llm.Error
				if !errors.As(err, &e) || e.Kind != tt.kind {
					t.Fatalf("error %v, want kind %v", err, tt.kind)
				}
				msg := err.Error()
				if !strings.Contains(msg, tt.host) || !strings.Contains(msg, tt.says) {
					t.Errorf("error %q, want it to name %q and say %q", msg, tt.host, tt.says)
				}
				if strings.Contains(msg, "SECRET") || strings.Contains(msg, "pw@") {
					t.Errorf("error %q shows a secret", msg)
				}
			}
		})
	}
}

// TestUnreachableServerNotRetried: a server that refuses connections, or
// whose name does not resolve, is tried once, so the failure (or the
// fallback) comes at once rather than after seconds of backoff.
func TestUnreachableServerNotRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for _, tt := range []struct {
		name string
		dial func(ctx context.Context, network, addr string) (net.Conn, error)
	}{
		{"refused", (&net.Dialer{}).DialContext},
		{"no such host", func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "models.example", IsNotFound: true}}
		}},
	} {
		var dials atomic.Int32
		hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return tt.dial(ctx, network, addr)
		}}}
		c, err := llm.New(llm.Options{BaseURL: "http://" + closed + "/v1", Model: "m", MaxRetries: 3, Backoff: time.Millisecond, HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Summarize(context.Background(), input()); err == nil {
			t.Fatalf("%s: Summarize succeeded", tt.name)
		}
		if n := dials.Load(); n != 1 {
			t.Errorf("%s: %d connection attempts, want 1 (no retries)", tt.name, n)
		}
	}
}
