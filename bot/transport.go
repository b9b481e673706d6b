package bot

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// rewriter sends the requests discordgo builds for https://discord.com/api/v<N>/
// to the configured REST base instead, per session: no process-wide state,
// so sessions pointed at different servers (tests in parallel, a REST proxy)
// coexist. Requests elsewhere (the CDN) pass through unchanged.
type rewriter struct {
	base *url.URL // configured REST base, path ending in "/"
	next http.RoundTripper
}

// newRewriter returns the transport for apiURL, which must be an http(s)
// URL whose path ends in /api/v<N>/ (the final slash may be missing).
func newRewriter(apiURL string, next http.RoundTripper) (*rewriter, error) {
	u, err := url.Parse(strings.TrimSpace(apiURL))
	if err != nil {
		return nil, fmt.Errorf("bot: discord.api_url %q: %w", apiURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bot: discord.api_url %q: want an http or https URL", apiURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("bot: discord.api_url %q: no query, fragment or credentials allowed", apiURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &rewriter{base: u, next: next}, nil
}

// RoundTrip implements http.RoundTripper.
func (rw *rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	rest, ok := apiRest(r.URL)
	if !ok {
		return rw.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	u := *rw.base
	u.Path = rw.base.Path + rest
	u.RawPath = ""
	if r.URL.RawPath != "" {
		if _, rawRest, ok := strings.Cut(r.URL.RawPath, "/api/v"); ok {
			if _, after, ok := strings.Cut(rawRest, "/"); ok {
				u.RawPath = rw.base.EscapedPath() + after
			}
		}
	}
	u.RawQuery = r.URL.RawQuery
	r.URL = &u
	r.Host = u.Host
	return rw.next.RoundTrip(r)
}

// apiRest returns the path of u below https://discord.com/api/v<N>/, and
// whether u is a Discord REST URL at all.
func apiRest(u *url.URL) (string, bool) {
	if u.Scheme != "https" || u.Host != "discord.com" || !strings.HasPrefix(u.Path, "/api/v") {
		return "", false
	}
	_, rest, ok := strings.Cut(strings.TrimPrefix(u.Path, "/api/v"), "/")
	return rest, ok
}

// tokenPath matches the interaction token in webhook and interaction
// callback URLs, which errors from net/http quote in full.
var tokenPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(/(?:webhooks|interactions)/[0-9]+/)[^/?"\s]+`) })

// redact returns err's text without interaction tokens, for logs: a token
// lets anyone answer as the bot for 15 minutes.
func redact(err error) string {
	if err == nil {
		return ""
	}
	return tokenPath().ReplaceAllString(err.Error(), "${1}[redacted]")
}
