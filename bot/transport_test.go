package bot

import (
	"errors"
	"net/http"
	"testing"
)

func TestRewriter(t *testing.T) {
	tests := []struct {
		base, in, want string
	}{
		{"http://127.0.0.1:8080/api/v9/", "https://discord.com/api/v9/channels/1/messages", "http://127.0.0.1:8080/api/v9/channels/1/messages"},
		{"http://127.0.0.1:8080/api/v9", "https://discord.com/api/v9/gateway", "http://127.0.0.1:8080/api/v9/gateway"},
		{"https://proxy.internal/discord/api/v10/", "https://discord.com/api/v9/webhooks/1/tok/messages/@original?wait=true",
			"https://proxy.internal/discord/api/v10/webhooks/1/tok/messages/@original?wait=true"},
		{"http://127.0.0.1:1/api/v9/", "https://discord.com/api/v9/channels/1/messages/2/reactions/%F0%9F%91%80/@me",
			"http://127.0.0.1:1/api/v9/channels/1/messages/2/reactions/%F0%9F%91%80/@me"},
		{"http://127.0.0.1:1/api/v9/", "https://cdn.discordapp.com/avatars/1/a.png", "https://cdn.discordapp.com/avatars/1/a.png"},
		{"http://127.0.0.1:1/api/v9/", "http://discord.com/api/v9/users/@me", "http://discord.com/api/v9/users/@me"},
	}
	for _, tt := range tests {
		var got string
		rw, err := newRewriter(tt.base, roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r.URL.String()
			if r.Host != r.URL.Host {
				t.Errorf("Host header %q, want %q", r.Host, r.URL.Host)
			}
			return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
		}))
		if err != nil {
			t.Fatalf("newRewriter(%q) = %v", tt.base, err)
		}
		req, err := http.NewRequest("GET", tt.in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rw.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("base %q: %s went to %s, want %s", tt.base, tt.in, got, tt.want)
		}
		if req.URL.String() != tt.in {
			t.Errorf("the caller's request was modified: %s", req.URL)
		}
	}
}

func TestRewriterRejects(t *testing.T) {
	for _, base := range []string{"", "discord.com/api/v9/", "ftp://x/api/v9/", "http://x/api/v9/?a=b", "http://u:p@x/api/v9/", "http://%zz/"} {
		if _, err := newRewriter(base, nil); err == nil {
			t.Errorf("newRewriter(%q) succeeded, want an error", base)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Patch "http://127.0.0.1:1/api/v9/webhooks/123/aW50ZXJhY3Rpb24.tok-en_/messages/@original": context canceled`,
			`Patch "http://127.0.0.1:1/api/v9/webhooks/123/[redacted]/messages/@original": context canceled`},
		{`Post "https://discord.com/api/v9/interactions/456/secret/callback": EOF`,
			`Post "https://discord.com/api/v9/interactions/456/[redacted]/callback": EOF`},
		{`Post "https://discord.com/api/v9/webhooks/1/tok?wait=true": EOF`, `Post "https://discord.com/api/v9/webhooks/1/[redacted]?wait=true": EOF`},
		{"HTTP 400 Bad Request, {}", "HTTP 400 Bad Request, {}"},
	}
	for _, tt := range tests {
		if got := redact(errors.New(tt.in)); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
