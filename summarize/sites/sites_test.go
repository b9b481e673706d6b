package sites

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/fetch"
)

func TestAt(t *testing.T) {
	ms := []Moment{{0, "a"}, {10, "b"}, {25, "c"}}
	for _, tt := range []struct {
		off  int
		want string
	}{{0, "a"}, {9, "a"}, {10, "b"}, {24, "b"}, {25, "c"}, {1000, "c"}, {-1, ""}} {
		if got := At(ms, tt.off); got != tt.want {
			t.Errorf("At(%d) = %q, want %q", tt.off, got, tt.want)
		}
	}
	if got := At(nil, 3); got != "" {
		t.Errorf("At(nil) = %q, want empty", got)
	}
}

// hostAdapter matches one host and gives its path as canonical.
type hostAdapter struct{ host string }

func (h hostAdapter) Name() string { return h.host }
func (h hostAdapter) Match(u *url.URL) (string, bool) {
	return "https://" + h.host + u.Path, host(u) == h.host
}
func (h hostAdapter) Read(context.Context, string, Request) (*Item, error) { return &Item{}, nil }

func TestSetMatch(t *testing.T) {
	set := Set{hostAdapter{"a.test"}, hostAdapter{"b.test"}}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"https://a.test/x", "https://a.test/x", true},
		{"http://WWW.b.test./y", "https://b.test/y", true},
		{"https://m.a.test/z", "https://a.test/z", true},
		{"https://c.test/x", "", false},
		{"ftp://a.test/x", "", false},
		{"https://user:pw@a.test/x", "", false},
		{"a.test/x", "", false},
		{"%zz", "", false},
	} {
		_, got, ok := set.Match(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Match(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if _, _, ok := Set(nil).Match("https://a.test/"); ok {
		t.Error("an empty Set matched")
	}
}

func TestFailureSentences(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&fetch.StatusError{Code: 429, RateLimited: true}, "Videos could not be read from Site: its rate limit is used up for now, try again later"},
		{&fetch.StatusError{Code: 404}, "Videos could not be read from Site: the site answered 404 Not Found"},
		{fetch.ErrTimeout, "Videos could not be read from Site: the site took too long to answer"},
		{badShape("no items"), "Videos could not be read from Site: its answer was not in the expected shape"},
		{errors.New("x"), "Videos could not be read from Site: the request failed"},
	}
	for _, tt := range tests {
		e := failure("Site", "Videos", tt.err, true)
		if e.Reason != tt.want || !errors.Is(e, tt.err) || !e.Fallback {
			t.Errorf("failure(%v) = %q (fallback %v), want %q wrapping the cause", tt.err, e.Reason, e.Fallback, tt.want)
		}
	}
}
