package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize/sites/sitestest"
)

// sitesConfig is a test config whose site adapters all read the fake;
// xOn turns the X adapter on.
func sitesConfig(t *testing.T, srv *sitestest.Server, xOn bool) string {
	t.Helper()
	var b strings.Builder
	for _, name := range []string{"youtube", "reddit", "hackernews", "github", "x"} {
		fmt.Fprintf(&b, "[sources.%s]\napi_url = %q\n", name, srv.URL)
	}
	fmt.Fprintf(&b, "enabled = %v\n", xOn)
	return testConfig(t, b.String())
}

// summarizeJSON runs linkbrief summarize --format json on one link and
// returns the brief, or the exit status and stderr when it failed.
func summarizeJSON(t *testing.T, cfg, link string, flags ...string) (map[string]any, int, string) {
	t.Helper()
	args := append([]string{"summarize", "--config", cfg, "--format", "json"}, flags...)
	code, out, errOut := runCLI(t, nil, "", append(args, link)...)
	if code != 0 {
		return nil, code, errOut
	}
	objs := decodeLines(t, out)
	if len(objs) != 1 {
		t.Fatalf("%s: %d JSON lines, want 1: %s", link, len(objs), out)
	}
	return objs[0], 0, errOut
}

func TestSummarizeYouTube(t *testing.T) {
	srv := sitestest.New(t)
	cfg := sitesConfig(t, srv, false)

	// The video's own captions (German, automatic), linked by moment.
	b, code, errOut := summarizeJSON(t, cfg, "https://youtu.be/bridgeVid01?t=5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b["kind"] != "video" || b["lang"] != "de" || b["url"] != "https://www.youtube.com/watch?v=bridgeVid01" || b["byline"] != "Riverton Lokal" {
		t.Errorf("brief %v, want a German video brief at the canonical URL", b)
	}
	if !strings.Contains(fmt.Sprint(b["note"]), "automatic captions") {
		t.Errorf("note %q, want it to say the captions are automatic", b["note"])
	}
	claims, _ := b["claims"].([]any)
	if len(claims) == 0 {
		t.Fatalf("no claims: %v", b)
	}
	for _, c := range claims {
		c := c.(map[string]any)
		if u, _ := c["url"].(string); !strings.HasPrefix(u, "https://www.youtube.com/watch?v=bridgeVid01&t=") {
			t.Errorf("claim %q has url %q, want its moment in the video", c["quote"], c["url"])
		}
	}

	// Asked in English: the manual English captions.
	b, code, errOut = summarizeJSON(t, cfg, "https://www.youtube.com/watch?v=bridgeVid01", "--lang", "en")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b["lang"] != "en" || !strings.Contains(fmt.Sprint(b["summary"]), "bridge") || b["note"] != nil {
		t.Errorf("brief %v, want the English captions' brief without a note", b)
	}

	// No captions: the description, and the note says so.
	b, code, errOut = summarizeJSON(t, cfg, "https://www.youtube.com/shorts/noCaptions1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b["kind"] != "video" || !strings.Contains(fmt.Sprint(b["note"]), "no captions") || !strings.Contains(fmt.Sprint(b["summary"]), "footbridge") {
		t.Errorf("brief %v, want the description's brief with a note", b)
	}

	// Refused by YouTube: one sentence.
	_, code, errOut = summarizeJSON(t, cfg, "https://www.youtube.com/watch?v=signInVid01")
	if code != 1 || !strings.Contains(errOut, "sign in") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("exit %d stderr %q, want 1 and one line saying YouTube asked to sign in", code, errOut)
	}

	// The text output links the moments too.
	code, out, _ := runCLI(t, nil, "", "summarize", "--config", cfg, "--lang", "en", "https://www.youtube.com/watch?v=bridgeVid01")
	if code != 0 || !strings.Contains(out, "▶ https://www.youtube.com/watch?v=bridgeVid01&t=") {
		t.Errorf("text output (exit %d) has no moment links:\n%s", code, out)
	}
}

func TestSummarizeReddit(t *testing.T) {
	srv := sitestest.New(t)
	cfg := sitesConfig(t, srv, false)

	b, code, errOut := summarizeJSON(t, cfg, "https://old.reddit.com/r/bikecommuting/comments/1h2self9/our_city/")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b["kind"] != "discussion" || b["url"] != "https://www.reddit.com/comments/1h2self9" || !strings.Contains(fmt.Sprint(b["title"]), "replacing the river bridge") {
		t.Errorf("brief %v, want the thread as a discussion", b)
	}

	// A link post: the linked article, served locally, is in the brief.
	b, code, errOut = summarizeJSON(t, cfg, "https://redd.it/1h3link7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b["kind"] != "discussion" || !strings.Contains(fmt.Sprint(b["summary"], b["claims"]), "bridge") || b["note"] != nil {
		t.Errorf("brief %v, want the article and the comments without a note", b)
	}
	code, out, _ := runCLI(t, nil, "", "ask", "--config", cfg, "--question", "How much will the construction cost?", "https://redd.it/1h3link7")
	if code != 0 || !strings.Contains(out, "41.5 million") {
		t.Errorf("ask (exit %d) = %q, want the linked article's answer", code, out)
	}

	// A verification page: refused in one sentence, never summarized.
	_, code, errOut = summarizeJSON(t, cfg, "https://www.reddit.com/r/x/comments/1h4block/title/")
	if code != 1 || !strings.Contains(errOut, "Reddit answered with a verification page instead of the thread") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("exit %d stderr %q, want one sentence refusing the verification page", code, errOut)
	}
}

func TestSummarizeHackerNews(t *testing.T) {
	srv := sitestest.New(t)
	cfg := sitesConfig(t, srv, false)
	b, code, errOut := summarizeJSON(t, cfg, "https://news.ycombinator.com/item?id=43210987")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b["kind"] != "discussion" || b["site"] != "Hacker News" || b["note"] != nil {
		t.Errorf("brief %v, want a Hacker News discussion without a note", b)
	}
	// Claims quote the article and the discussion.
	article := string(sitestest.Fixture("pages/bridge.html"))
	fromArticle, fromComments := 0, 0
	for _, c := range b["claims"].([]any) {
		if q := c.(map[string]any)["quote"].(string); strings.Contains(article, q) {
			fromArticle++
		} else {
			fromComments++
		}
	}
	if fromArticle == 0 || fromComments == 0 {
		t.Errorf("claims %v: %d quote the article, %d the comments; want both", b["claims"], fromArticle, fromComments)
	}
	// The linked article was read through the normal pipeline.
	linked := false
	for _, r := range srv.Requests() {
		linked = linked || r.Path == "/pages/bridge"
	}
	if !linked {
		t.Error("the story's article was not fetched")
	}
	code, out, _ := runCLI(t, nil, "", "ask", "--config", cfg, "--question", "What do commenters say about weathering steel?", "https://news.ycombinator.com/item?id=43210987")
	if code != 0 || !strings.Contains(out, "weathering steel") {
		t.Errorf("ask (exit %d) = %q, want a comment quoted", code, out)
	}
}

func TestSummarizeGitHub(t *testing.T) {
	srv := sitestest.New(t)
	cfg := sitesConfig(t, srv, false)
	for _, tt := range []struct{ link, kind, url, phrase string }{
		{"https://github.com/Riverton/bridge-planner", "repository", "https://github.com/riverton/bridge-planner", "steel tonnage"},
		{"https://github.com/riverton/bridge-planner/issues/42", "discussion", "https://github.com/riverton/bridge-planner/issues/42", "price table"},
		{"https://github.com/riverton/bridge-planner/pull/43/files", "discussion", "https://github.com/riverton/bridge-planner/pull/43", "price table"},
	} {
		b, code, errOut := summarizeJSON(t, cfg, tt.link)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.link, code, errOut)
		}
		if b["kind"] != tt.kind || b["url"] != tt.url || !strings.Contains(fmt.Sprint(b["summary"], b["claims"]), tt.phrase) {
			t.Errorf("%s: brief %v, want kind %s at %s about %q", tt.link, b, tt.kind, tt.url, tt.phrase)
		}
	}
}

func TestSummarizeGitHubTokenStaysSecret(t *testing.T) {
	srv := sitestest.New(t)
	cfg := sitesConfig(t, srv, false)
	env := map[string]string{"LINKBRIEF_GITHUB_TOKEN": "ghp_TopS3cret"}
	code, _, errOut := runCLI(t, env, "", "summarize", "--config", cfg, "https://github.com/riverton/bridge-planner/issues/42")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	sent := false
	for _, r := range srv.Requests() {
		sent = sent || r.Header.Get("Authorization") == "Bearer ghp_TopS3cret"
	}
	if !sent {
		t.Error("the token from LINKBRIEF_GITHUB_TOKEN was not sent")
	}
	// A failure's message does not carry it either.
	code, out, errOut := runCLI(t, env, "", "summarize", "--config", cfg, "https://github.com/riverton/missing")
	if code != 1 || strings.Contains(out+errOut, "TopS3cret") || !strings.Contains(errOut, "no such repository") {
		t.Errorf("exit %d, output %q %q: want a sentence without the token", code, out, errOut)
	}
}

func TestSummarizeX(t *testing.T) {
	srv := sitestest.New(t)
	// Off (the default): a clear sentence, and FxTwitter is never asked.
	_, code, errOut := summarizeJSON(t, sitesConfig(t, srv, false), "https://twitter.com/AnaRuizMayor/status/1853300000000000001")
	if code != 1 || !strings.Contains(errOut, "does not read X posts") || !strings.Contains(errOut, "[sources.x]") {
		t.Errorf("X off: exit %d stderr %q, want a sentence saying how to turn it on", code, errOut)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("X off: the fake saw %d requests", n)
	}

	cfg := sitesConfig(t, srv, true)
	// A short post is shown as written.
	b, code, errOut := summarizeJSON(t, cfg, "https://x.com/AnaRuizMayor/status/1853300000000000001?s=20")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b["kind"] != "post" || b["summary"] != "“The council just approved the new river bridge, 7 to 2. Thank you all for your patience since 1998!”" ||
		!strings.Contains(fmt.Sprint(b["note"]), "shown as written") || b["url"] != "https://x.com/i/status/1853300000000000001" {
		t.Errorf("short post: %v", b)
	}
	// A long one is summarized.
	b, code, errOut = summarizeJSON(t, cfg, "https://fxtwitter.com/rivertonroads/status/1853300000000000002")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b["kind"] != "post" || b["note"] != nil || strings.HasPrefix(fmt.Sprint(b["summary"]), "“") || len(b["claims"].([]any)) == 0 {
		t.Errorf("long post: %v", b)
	}
}

func TestExtractSiteKinds(t *testing.T) {
	srv := sitestest.New(t)
	cfg := sitesConfig(t, srv, false)
	code, out, errOut := runCLI(t, nil, "", "extract", "--config", cfg, "--format", "json",
		"https://youtu.be/bridgeVid01", "https://github.com/riverton/bridge-planner", "https://x.com/a/status/1853300000000000001")
	objs := decodeLines(t, out)
	if code != 1 || len(objs) != 3 {
		t.Fatalf("exit %d, %d lines (stderr %s), want 1 and three lines", code, len(objs), errOut)
	}
	if objs[0]["kind"] != "video" || objs[0]["url"] != "https://www.youtube.com/watch?v=bridgeVid01" || !strings.Contains(fmt.Sprint(objs[0]["text"]), "Stadtrat") {
		t.Errorf("video: %v", objs[0])
	}
	if objs[1]["kind"] != "repository" || !strings.Contains(fmt.Sprint(objs[1]["text"]), "weathering steel") {
		t.Errorf("repository: %v", objs[1])
	}
	if !strings.Contains(fmt.Sprint(objs[2]["error"]), "does not read X posts") {
		t.Errorf("X off: %v", objs[2])
	}
}
