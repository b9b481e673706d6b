package llm_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
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

	tests := []struct {
		name, baseURL string
		client        *http.Client
		kind          llm.Kind
		host, says    string
	}{
		{"refused", "http://user:pw@" + closedHost + "/v1", nil, llm.ConnectionRefused, closedHost, "refused the connection"},
		{"no such host", "https://models.internal.example:8443/v1", noDNS, llm.NoSuchHost, "models.internal.example:8443", "no such host"},
		{"HTTP status", srv.URL(), nil, llm.Unavailable, strings.TrimPrefix(strings.TrimSuffix(srv.URL(), "/v1"), "http://"), "HTTP 503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := llm.New(llm.Options{BaseURL: tt.baseURL, APIKey: "sk-SECRET-key", Model: "m", Backoff: time.Millisecond,
				MaxRetries: 2, HTTPClient: tt.client})
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
