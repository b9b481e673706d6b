package sites

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/sites/sitestest"
)

func TestGitHubMatch(t *testing.T) {
	const repo = "https://github.com/riverton/bridge-planner"
	checkMatch(t, NewGitHub(nil, Options{}), map[string]string{
		"https://github.com/riverton/bridge-planner":                     repo,
		"https://www.github.com/Riverton/Bridge-Planner.git":             repo,
		"https://github.com/riverton/bridge-planner/":                    repo,
		"https://github.com/riverton/bridge-planner/issues/42":           repo + "/issues/42",
		"https://github.com/riverton/bridge-planner/issues/42#issuecomm": repo + "/issues/42",
		"https://github.com/riverton/bridge-planner/pull/43":             repo + "/pull/43",
		"https://github.com/riverton/bridge-planner/pull/43/files":       repo + "/pull/43",
		"https://github.com/riverton/bridge-planner/blob/main/README.md": "",
		"https://github.com/riverton/bridge-planner/issues":              "",
		"https://github.com/riverton/bridge-planner/issues/0":            "",
		"https://github.com/riverton":                                    "",
		"https://github.com/features/copilot":                            "",
		"https://github.com/orgs/riverton/people":                        "",
		"https://github.com/riverton/..":                                 "",
		"https://gist.github.com/riverton/abc":                           "",
		"https://github.com/-bad-/repo":                                  "",
	})
}

func TestGitHubRepository(t *testing.T) {
	srv, f := fakeAPI(t)
	item, err := NewGitHub(f, Options{APIURL: srv.URL, Token: "ghp_s3cret"}).Read(context.Background(), "https://github.com/riverton/bridge-planner", Request{})
	if err != nil {
		t.Fatal(err)
	}
	a := item.Article
	if a.Kind != extract.KindRepository || a.Title != "riverton/bridge-planner" || a.Byline != "riverton" || item.Note != "" {
		t.Errorf("item %+v, article %+v", item, *a)
	}
	for _, want := range []string{
		"Estimate the cost and steel tonnage of a river crossing from LIDAR survey data.",
		"bridge-planner estimates the cost and steel tonnage of a river crossing from survey data.",
		"Run bp plan --survey banks/*.las --spans 3.",
		"The planner assumes weathering steel girders",
	} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, a.Text)
		}
	}
	for _, not := range []string{"badge.svg", "go install", "<img", "**"} {
		if strings.Contains(a.Text, not) {
			t.Errorf("text holds %q:\n%s", not, a.Text)
		}
	}
	for _, r := range srv.Requests() {
		if r.Header.Get("Authorization") != "Bearer ghp_s3cret" || r.Header.Get("X-GitHub-Api-Version") == "" {
			t.Errorf("%s sent without the token or API version: %v", r.Path, r.Header)
		}
	}
}

func TestGitHubIssueAndPull(t *testing.T) {
	srv, f := fakeAPI(t)
	gh := NewGitHub(f, Options{APIURL: srv.URL})
	item, err := gh.Read(context.Background(), "https://github.com/riverton/bridge-planner/issues/42", Request{})
	if err != nil {
		t.Fatal(err)
	}
	a := item.Article
	if a.Kind != extract.KindDiscussion || a.Site != "GitHub · riverton/bridge-planner" || a.Byline != "cityeng-maria" ||
		a.Title != "Cost estimate ignores the price of weathering steel after 2026" || a.Published.IsZero() {
		t.Errorf("issue metadata %+v", *a)
	}
	for _, want := range []string{"the cost report still uses the 2026 steel price table", "dtran: Confirmed.", "cityeng-maria: A warning would already help."} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("issue text lacks %q:\n%s", want, a.Text)
		}
	}
	if strings.Contains(a.Text, "riverton-bot") || strings.Contains(a.Text, "bp plan --survey") {
		t.Errorf("issue text holds a bot comment or code:\n%s", a.Text)
	}
	if r := srv.Requests(); len(r) == 0 || r[0].Header.Get("Authorization") != "" {
		t.Errorf("an Authorization header was sent without a token")
	}

	item, err = gh.Read(context.Background(), "https://github.com/riverton/bridge-planner/pull/43", Request{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(item.Article.Text, "The planner now stops with an error") || !strings.Contains(item.Article.Text, "structeng: Could the warning also go into cost.csv?") {
		t.Errorf("pull text:\n%s", item.Article.Text)
	}
}

func TestGitHubFailures(t *testing.T) {
	srv, f := fakeAPI(t)
	gh := NewGitHub(f, Options{APIURL: srv.URL, Token: "ghp_s3cret"})
	_, err := gh.Read(context.Background(), "https://github.com/riverton/ratelimited", Request{})
	se := siteError(t, err)
	if !strings.Contains(se.Reason, "limit") || !se.Fallback {
		t.Errorf("rate limit: %q fallback %v, want a sentence and the web page as fallback", se.Reason, se.Fallback)
	}
	_, err = gh.Read(context.Background(), "https://github.com/riverton/nothing", Request{})
	if se := siteError(t, err); !strings.Contains(se.Reason, "no such repository") || se.Fallback {
		t.Errorf("missing repository: %q fallback %v", se.Reason, se.Fallback)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the token is in the error %q", err)
	}
}

func FuzzParseGitHubThread(f *testing.F) {
	f.Add(sitestest.Fixture("github/repos_riverton_bridge-planner_issues_42.json"), sitestest.Fixture("github/repos_riverton_bridge-planner_issues_42_comments.json"))
	f.Add(sitestest.Fixture("github/repos_riverton_bridge-planner_pulls_43.json"), []byte(`[{"body":null,"user":null}]`))
	f.Fuzz(func(t *testing.T, thread, comments []byte) {
		th, cs, err := parseGitHubThread(thread, comments)
		if err != nil {
			return
		}
		_ = markdownText(th.Body)
		if got := topComments(cs, 3); len(got) > 3 {
			t.Fatalf("topComments kept %d, want at most 3", len(got))
		}
	})
}

func FuzzGitHubReadme(f *testing.F) {
	f.Add(sitestest.Fixture("github/repos_riverton_bridge-planner_readme.json"))
	f.Add([]byte(`{"encoding":"base64","content":"!!!"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r ghReadme
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		if md, err := r.markdown(); err == nil {
			_ = markdownText(md)
		}
	})
}
