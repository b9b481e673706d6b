package sites

import (
	"context"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/sites/sitestest"
)

func TestRedditMatch(t *testing.T) {
	const canon = "https://www.reddit.com/comments/1h2self9"
	checkMatch(t, NewReddit(nil, Options{}), map[string]string{
		"https://www.reddit.com/r/bikecommuting/comments/1h2self9/our_city/":          canon,
		"https://old.reddit.com/r/bikecommuting/comments/1h2self9/":                   canon,
		"https://reddit.com/r/bikecommuting/comments/1h2self9/our_city/m0bbbb2/":      canon,
		"https://m.reddit.com/r/bikecommuting/comments/1H2SELF9":                      canon,
		"https://np.reddit.com/comments/1h2self9":                                     canon,
		"https://redd.it/1h2self9":                                                    canon,
		"https://www.reddit.com/user/riverton_rider/comments/1h2self9/x/":             canon,
		"https://www.reddit.com/r/bikecommuting/":                                     "",
		"https://www.reddit.com/r/bikecommuting/s/AbCdEf":                             "",
		"https://www.reddit.com/r/x/comments/../../evil":                              "",
		"https://www.reddit.com/r/a/b/comments/1h2self9":                              "",
		"https://reddit.com.evil.example/r/bikecommuting/comments/1h2self9/our_city/": "",
	})
}

func TestRedditSelfPost(t *testing.T) {
	srv, f := fakeAPI(t)
	item, err := NewReddit(f, Options{APIURL: srv.URL}).Read(context.Background(), "https://www.reddit.com/comments/1h2self9", Request{})
	if err != nil {
		t.Fatal(err)
	}
	a := item.Article
	if a.Kind != extract.KindDiscussion || a.Site != "Reddit · r/bikecommuting" || a.Byline != "u/riverton_rider" || a.Published.Year() != 2025 {
		t.Errorf("metadata %+v", *a)
	}
	for _, want := range []string{
		"I have commuted across the old Riverton bridge for nine years.",
		"u/portland_pedals: We had the same thing",
		"u/riverton_rider (reply): A folding bike is a good idea",
		"u/civil_eng_jo: Ask the city to publish the detour plan before demolition starts.",
	} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, a.Text)
		}
	}
	for _, not := range []string{"AutoModerator", "[removed]", "**"} {
		if strings.Contains(a.Text, not) {
			t.Errorf("text holds %q:\n%s", not, a.Text)
		}
	}
	if item.Linked != "" {
		t.Errorf("a text post links %q", item.Linked)
	}
	if r := srv.Requests(); len(r) != 1 || !strings.Contains(r[0].Query, "raw_json=1") {
		t.Errorf("requests %+v, want one with raw_json=1", r)
	}
}

func TestRedditLinkPost(t *testing.T) {
	srv, f := fakeAPI(t)
	item, err := NewReddit(f, Options{APIURL: srv.URL}).Read(context.Background(), "https://www.reddit.com/comments/1h3link7", Request{})
	if err != nil {
		t.Fatal(err)
	}
	if item.Linked != srv.URL+"/pages/bridge" || !strings.Contains(item.Article.Text, "u/taxpayer_tom: Half paid by the state") {
		t.Errorf("linked %q text %q, want the article's link and the comments", item.Linked, item.Article.Text)
	}
}

func TestRedditRefusals(t *testing.T) {
	srv, f := fakeAPI(t)
	rd := NewReddit(f, Options{APIURL: srv.URL})
	for id, want := range map[string]string{
		"1h4block":  "Reddit answered with a verification page instead of the thread",
		"forbidden": "Reddit refused to show the thread",
		"nothere1":  "no such thread",
	} {
		_, err := rd.Read(context.Background(), "https://www.reddit.com/comments/"+id, Request{})
		se := siteError(t, err)
		if !strings.Contains(se.Reason, want) || se.Fallback {
			t.Errorf("%s: reason %q fallback %v, want %q without fallback", id, se.Reason, se.Fallback, want)
		}
	}
}

func TestBlockPageKind(t *testing.T) {
	for page, want := range map[string]string{
		"<html><title>Blocked</title>You've been blocked by network security.": "a block page",
		"<html>whoa there, pardner!":      "a block page",
		"<html><h1>Log in to Reddit</h1>": "a login page",
		"<html><p>Something else</p>":     "a web page",
	} {
		if got := blockPageKind([]byte(page)); got != want {
			t.Errorf("blockPageKind(%q) = %q, want %q", page, got, want)
		}
	}
}

func FuzzParseReddit(f *testing.F) {
	f.Add(sitestest.Fixture("reddit/1h2self9.json"))
	f.Add(sitestest.Fixture("reddit/1h3link7.json"))
	f.Add([]byte(`[{"data":{"children":[{"kind":"t3","data":{"id":"a","created_utc":1e300}}]}},{"data":{"children":[{"kind":"t1","data":{"body":"x","score":1e400,"replies":{"data":{"children":[{"kind":"t1","data":{"body":"y"}}]}}}}]}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := parseReddit(data)
		if err != nil {
			return
		}
		_, _ = th.item()
	})
}
