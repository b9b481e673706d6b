package sites

import (
	"context"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/sites/sitestest"
)

func TestXMatch(t *testing.T) {
	const canon = "https://x.com/i/status/1853300000000000001"
	checkMatch(t, NewX(nil, Options{}), map[string]string{
		"https://x.com/AnaRuizMayor/status/1853300000000000001":              canon,
		"https://twitter.com/AnaRuizMayor/status/1853300000000000001?s=20":   canon,
		"https://mobile.twitter.com/AnaRuizMayor/status/1853300000000000001": canon,
		"https://fxtwitter.com/AnaRuizMayor/status/1853300000000000001/en":   canon,
		"https://vxtwitter.com/AnaRuizMayor/status/1853300000000000001":      canon,
		"https://x.com/i/status/1853300000000000001":                         canon,
		"https://x.com/i/web/status/1853300000000000001":                     canon,
		"https://x.com/AnaRuizMayor/status/1853300000000000001/photo/1":      canon,
		"https://x.com/AnaRuizMayor":                                         "",
		"https://x.com/AnaRuizMayor/status/abc":                              "",
		"https://x.com/home":                                                 "",
		"https://nitter.net/AnaRuizMayor/status/1853300000000000001":         "",
	})
}

func TestXPosts(t *testing.T) {
	srv, f := fakeAPI(t)
	x := NewX(f, Options{APIURL: srv.URL})
	item, err := x.Read(context.Background(), "https://x.com/i/status/1853300000000000001", Request{})
	if err != nil {
		t.Fatal(err)
	}
	a := item.Article
	if a.Kind != extract.KindPost || a.Byline != "Ana Ruiz (@AnaRuizMayor)" || a.Title != "Post by Ana Ruiz (@AnaRuizMayor)" ||
		a.Lang != "en" || a.Published.Year() != 2026 || !strings.HasPrefix(a.Text, "The council just approved") {
		t.Errorf("article %+v", *a)
	}
	item, err = x.Read(context.Background(), "https://x.com/i/status/1853300000000000002", Request{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(item.Article.Text, "600,000 dollars") || !strings.Contains(item.Article.Text, "Quoting Ana Ruiz (@AnaRuizMayor): The council just approved") {
		t.Errorf("long post text:\n%s", item.Article.Text)
	}
	_, err = x.Read(context.Background(), "https://x.com/i/status/42", Request{})
	if se := siteError(t, err); !strings.Contains(se.Reason, "does not exist") || se.Fallback {
		t.Errorf("missing post: %q fallback %v", se.Reason, se.Fallback)
	}
}

func TestXOff(t *testing.T) {
	srv, f := fakeAPI(t)
	off := Off{Adapter: NewX(f, Options{APIURL: srv.URL}), Reason: XOffReason}
	if _, ok := off.Match(mustURL(t, "https://x.com/a/status/1")); !ok {
		t.Fatal("the X adapter, off, does not claim X links")
	}
	_, err := off.Read(context.Background(), "https://x.com/i/status/1853300000000000001", Request{})
	if se := siteError(t, err); se.Reason != XOffReason {
		t.Errorf("off: reason %q", se.Reason)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("the X adapter, off, made %d requests", n)
	}
}

func FuzzParseFx(f *testing.F) {
	f.Add(sitestest.Fixture("x/1853300000000000001.json"))
	f.Add(sitestest.Fixture("x/1853300000000000002.json"))
	f.Add([]byte(`{"code":200,"tweet":{"id":"1","text":"","article":{"title":"T","content":{"blocks":[{"text":"a"},{"text":""}]}},"quote":{"quote":{"text":"x"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := parseFx(data)
		if err != nil || a.Tweet == nil {
			return
		}
		_, _ = a.Tweet.item()
	})
}
