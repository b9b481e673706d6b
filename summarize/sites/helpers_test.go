package sites

import (
	"errors"
	"net/url"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/sites/sitestest"
)

// fakeAPI starts the site fake and a fetcher allowed to reach it.
func fakeAPI(t *testing.T) (*sitestest.Server, *fetch.Client) {
	t.Helper()
	return sitestest.New(t), fetch.New(fetch.Options{AllowPrivateNetworks: true})
}

// mustURL parses a URL for Match tests.
func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return u
}

// checkMatch runs Match over a table of links and wanted canonical URLs
// ("" = no match).
func checkMatch(t *testing.T, a Adapter, table map[string]string) {
	t.Helper()
	for in, want := range table {
		got, ok := a.Match(mustURL(t, in))
		if ok != (want != "") || got != want {
			t.Errorf("%s.Match(%q) = %q, %v; want %q", a.Name(), in, got, ok, want)
		}
	}
}

// siteError returns err as an *Error or fails the test.
func siteError(t *testing.T, err error) *Error {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *sites.Error", err)
	}
	return se
}
