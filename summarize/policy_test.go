package summarize

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// A brief or article cached while private networks were allowed is not
// served once they are not: the cache hit meets the fetch policy in
// force, for summaries (cache-only ones too), questions and follow-ups,
// whether the link names a private address or a host that resolves to
// one. Allowed again, the cached brief is served as before.
func TestCacheHitMeetsFetchPolicy(t *testing.T) {
	lookup := func(ctx context.Context, host string) ([]netip.Addr, error) {
		if host == "wiki.corp.example" {
			return []netip.Addr{netip.MustParseAddr("10.1.2.3")}, nil
		}
		return nil, errors.New("no such host")
	}
	for _, link := range []string{"http://10.0.0.5/news/bridge", "http://wiki.corp.example/news/bridge"} {
		t.Run(link, func(t *testing.T) {
			ctx := context.Background()
			f := &fakeFetcher{pages: map[string]string{link: storyHTML}}
			c := newMemCache()
			service := func(allowPrivate bool) *Service {
				return New(f, c, Options{
					Extract: extract.Options{MinWords: 20},
					Policy:  fetch.New(fetch.Options{AllowPrivateNetworks: allowPrivate, LookupIP: lookup}),
				})
			}
			inside := service(true)
			if _, err := inside.Summarize(ctx, link, Request{}); err != nil {
				t.Fatalf("Summarize with private networks allowed: %v", err)
			}
			if _, err := inside.Ask(ctx, link, "How much will the bridge cost?"); err != nil {
				t.Fatalf("Ask with private networks allowed: %v", err)
			}

			outside := service(false)
			for name, call := range map[string]func() error{
				"Summarize":            func() error { _, err := outside.Summarize(ctx, link, Request{}); return err },
				"Summarize cache-only": func() error { _, err := outside.Summarize(ctx, link, Request{CacheOnly: true}); return err },
				"Ask":                  func() error { _, err := outside.Ask(ctx, link, "How much will the bridge cost?"); return err },
			} {
				err := call()
				if !errors.Is(err, fetch.ErrPrivateAddress) || !strings.Contains(Explain(err), "private network") {
					t.Errorf("%s after private networks were turned off: error = %v (%q), want the private-address refusal", name, err, Explain(err))
				}
			}
			if got := f.calls.Load(); got != 1 {
				t.Errorf("fetches = %d, want 1: the refusal must not fetch", got)
			}

			b, err := service(true).Summarize(ctx, link, Request{})
			if err != nil || !b.Cached {
				t.Errorf("Summarize with private networks allowed again = %+v, %v; want the cached brief", b, err)
			}
		})
	}
}
