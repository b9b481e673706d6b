package sites

import (
	"context"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/sites/sitestest"
)

func TestHackerNewsMatch(t *testing.T) {
	const canon = "https://news.ycombinator.com/item?id=43210987"
	checkMatch(t, NewHackerNews(nil, Options{}), map[string]string{
		"https://news.ycombinator.com/item?id=43210987":         canon,
		"http://news.ycombinator.com/item?id=43210987&p=2":      canon,
		"https://news.ycombinator.com/item/?id=43210987#432110": canon,
		"https://news.ycombinator.com/item?id=0":                "",
		"https://news.ycombinator.com/item?id=abc":              "",
		"https://news.ycombinator.com/news":                     "",
		"https://news.ycombinator.com/user?id=pg":               "",
		"https://ycombinator.com/item?id=43210987":              "",
	})
}

func TestHackerNewsStory(t *testing.T) {
	srv, f := fakeAPI(t)
	item, err := NewHackerNews(f, Options{APIURL: srv.URL}).Read(context.Background(), "https://news.ycombinator.com/item?id=43210987", Request{})
	if err != nil {
		t.Fatal(err)
	}
	a := item.Article
	if a.Kind != extract.KindDiscussion || a.Site != "Hacker News" || a.Byline != "civicnerd" || a.Published.Year() != 2026 ||
		a.Title != "Riverton approves a $41.5M river bridge after a 20-year debate" {
		t.Errorf("metadata %+v", *a)
	}
	if item.Linked != srv.URL+"/pages/bridge" {
		t.Errorf("linked = %q, want the story's article", item.Linked)
	}
	for _, want := range []string{
		"structeng: A hundred-year design life is standard for a bridge like this, but the interesting part is the weathering steel",
		"The bond financing is the riskier piece.",
		"bondwatcher (reply): Municipal bonds",
		"Compare with https://example.org/delft which took four years end to end.",
		"has a protected bike path & isn't just car lanes.",
		"devops_dan: Off topic, but the council publishes its votes as CSV: Nice to see.",
	} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, a.Text)
		}
	}
	if strings.Contains(a.Text, "lurker42") || strings.Contains(a.Text, "curl") {
		t.Errorf("text holds a second reply or code:\n%s", a.Text)
	}
	// The most discussed comment comes first.
	if i, j := strings.Index(a.Text, "structeng:"), strings.Index(a.Text, "urbanist_k:"); i < 0 || j < i {
		t.Errorf("comment order: structeng at %d, urbanist_k at %d", i, j)
	}
}

func TestHackerNewsAskHN(t *testing.T) {
	srv, f := fakeAPI(t)
	item, err := NewHackerNews(f, Options{APIURL: srv.URL}).Read(context.Background(), "https://news.ycombinator.com/item?id=43220001", Request{})
	if err != nil {
		t.Fatal(err)
	}
	if item.Linked != "" || !strings.HasPrefix(item.Article.Text, "I have maintained a small bridge-load calculator") {
		t.Errorf("linked %q text %.60q, want the question first and no link", item.Linked, item.Article.Text)
	}
}

func TestHackerNewsFailures(t *testing.T) {
	srv, f := fakeAPI(t)
	hn := NewHackerNews(f, Options{APIURL: srv.URL})
	_, err := hn.Read(context.Background(), "https://news.ycombinator.com/item?id=999", Request{})
	if se := siteError(t, err); !strings.Contains(se.Reason, "no such item") || se.Fallback {
		t.Errorf("missing item: %q fallback %v", se.Reason, se.Fallback)
	}
	srv.Close()
	_, err = hn.Read(context.Background(), "https://news.ycombinator.com/item?id=43210987", Request{})
	if se := siteError(t, err); !se.Fallback {
		t.Errorf("API down: %q, want the HTML page as fallback", se.Reason)
	}
}

func FuzzParseHN(f *testing.F) {
	f.Add(sitestest.Fixture("hn/43210987.json"))
	f.Add(sitestest.Fixture("hn/43220001.json"))
	f.Add([]byte(`{"id":1,"type":"comment","author":"a","text":"<pre><pre><p>x</pre>","children":[null,{"author":"b","text":"<a href=x>y</a>","children":[{"children":[]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := parseHN(data)
		if err != nil {
			return
		}
		_, _ = it.item()
	})
}
