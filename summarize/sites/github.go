package sites

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
)

// GitHub reads a repository (its description and README), an issue or a
// pull request (its body and top comments) through the REST API. A token
// only raises the rate limit (60 requests an hour without one).
type GitHub struct {
	f     Fetcher
	base  string
	token string
}

var _ Adapter = (*GitHub)(nil)

// DefaultGitHubURL is the GitHub REST API base.
const DefaultGitHubURL = "https://api.github.com"

// ghComments is how many comments of an issue or pull request a brief
// reads: the most reacted to of the first page.
const ghComments = 10

// NewGitHub returns the GitHub adapter; opts.APIURL replaces
// https://api.github.com and opts.Token, when set, is sent as a bearer
// token.
func NewGitHub(f Fetcher, opts Options) *GitHub {
	return &GitHub{f: f, base: opts.base(DefaultGitHubURL), token: opts.Token}
}

// Name returns "github".
func (g *GitHub) Name() string { return "github" }

var (
	ghOwner = lazyRegexp(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	ghRepo  = lazyRegexp(`^[A-Za-z0-9._-]{1,100}$`)
	ghNum   = lazyRegexp(`^[1-9][0-9]{0,9}$`)
)

// ghReserved are github.com paths that are not an owner.
var ghReserved = map[string]bool{
	"about": true, "apps": true, "collections": true, "contact": true, "customer-stories": true,
	"enterprise": true, "events": true, "explore": true, "features": true, "issues": true,
	"login": true, "marketplace": true, "new": true, "notifications": true, "orgs": true,
	"organizations": true, "pricing": true, "pulls": true, "readme": true, "search": true,
	"security": true, "settings": true, "site": true, "sponsors": true, "team": true,
	"topics": true, "trending": true, "users": true, "codespaces": true, "copilot": true,
}

// Match accepts github.com/OWNER/REPO, …/issues/N and …/pull/N (with
// /files, /commits… after it); the canonical form is lower case
// https://github.com/owner/repo[/issues/N|/pull/N].
func (g *GitHub) Match(u *url.URL) (string, bool) {
	if host(u) != "github.com" {
		return "", false
	}
	parts := pathParts(u)
	if len(parts) < 2 || ghReserved[strings.ToLower(parts[0])] {
		return "", false
	}
	owner, repo := strings.ToLower(parts[0]), strings.ToLower(strings.TrimSuffix(parts[1], ".git"))
	if !ghOwner().MatchString(owner) || !ghRepo().MatchString(repo) || repo == "." || repo == ".." {
		return "", false
	}
	canon := "https://github.com/" + owner + "/" + repo
	switch {
	case len(parts) == 2:
		return canon, true
	case len(parts) >= 4 && (parts[2] == "issues" || parts[2] == "pull") && ghNum().MatchString(parts[3]):
		if parts[2] == "issues" && len(parts) > 4 {
			return "", false
		}
		return canon + "/" + parts[2] + "/" + parts[3], true
	}
	return "", false
}

// Read reads a repository, an issue or a pull request.
func (g *GitHub) Read(ctx context.Context, canon string, req Request) (*Item, error) {
	parts := strings.Split(strings.TrimPrefix(canon, "https://github.com/"), "/")
	switch {
	case len(parts) == 2:
		return g.repository(ctx, parts[0], parts[1])
	case len(parts) == 4 && (parts[2] == "issues" || parts[2] == "pull"):
		return g.thread(ctx, parts[0], parts[1], parts[2], parts[3])
	}
	return nil, &Error{Site: "GitHub", Reason: "that is not a GitHub repository, issue or pull request link"}
}

// get asks the API for path and decodes the answer into v.
func (g *GitHub) get(ctx context.Context, path string, v any) error {
	h := http.Header{
		"Accept":               {"application/vnd.github+json"},
		"X-GitHub-Api-Version": {"2022-11-28"},
	}
	if g.token != "" {
		h.Set("Authorization", "Bearer "+g.token)
	}
	return getJSON(ctx, g.f, fetch.Request{URL: g.base + path, Header: h, Types: []string{"application/vnd.github+json"}}, v)
}

// ghFailure words a failed call. The web page stands in when the API
// cannot answer, since github.com serves its pages as HTML.
func ghFailure(what string, err error) error {
	var se *fetch.StatusError
	if errors.As(err, &se) {
		switch {
		case se.RateLimited:
			return &Error{Site: "GitHub", Reason: "GitHub's API limit for Linkbrief is used up for this hour (a token in LINKBRIEF_GITHUB_TOKEN raises it)", Fallback: true, Err: err}
		case se.Code == http.StatusNotFound:
			return &Error{Site: "GitHub", Reason: "GitHub has no such " + what + " (or it is private)", Err: err}
		}
	}
	return failure("GitHub", "The "+what, err, true)
}

type ghUser struct {
	Login string `json:"login"`
}

type ghRepoInfo struct {
	FullName    string `json:"full_name"`
	Description string `json:"description"`
	Owner       ghUser `json:"owner"`
	Archived    bool   `json:"archived"`
}

type ghReadme struct {
	Content  string `json:"content"`
	Encoding string `json:"encoding"`
}

func (g *GitHub) repository(ctx context.Context, owner, repo string) (*Item, error) {
	var info ghRepoInfo
	if err := g.get(ctx, "/repos/"+owner+"/"+repo, &info); err != nil {
		return nil, ghFailure("repository", err)
	}
	// A renamed repository answers under its new name, so only an
	// answer with no name at all is refused.
	if info.FullName == "" {
		return nil, ghFailure("repository", badShape("no full_name"))
	}
	var readme ghReadme
	text := ""
	err := g.get(ctx, "/repos/"+owner+"/"+repo+"/readme", &readme)
	var se *fetch.StatusError
	switch {
	case err == nil:
		md, derr := readme.markdown()
		if derr != nil {
			return nil, ghFailure("repository", derr)
		}
		text = markdownText(md)
	case errors.As(err, &se) && se.Code == http.StatusNotFound:
	default:
		return nil, ghFailure("repository", err)
	}
	art := &extract.Article{
		Title:  oneLine(info.FullName),
		Site:   "GitHub",
		Byline: oneLine(info.Owner.Login),
		Kind:   extract.KindRepository,
		Text:   paragraphs(oneLine(info.Description), text),
	}
	if art.Text == "" {
		return nil, &Error{Site: "GitHub", Reason: "the repository has no description or README to summarize"}
	}
	item := &Item{Article: art}
	if text == "" {
		item.Note = "The repository has no README, so this brief is made from its description."
	}
	if info.Archived {
		item.Note = strings.TrimSpace(item.Note + " The repository is archived.")
	}
	return item, nil
}

// markdown decodes the README's content.
func (r ghReadme) markdown() (string, error) {
	switch r.Encoding {
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.ReplaceAll(r.Content, "\n", ""), "\r", ""))
		if err != nil {
			return "", badShape("README is not base64: %v", err)
		}
		return string(b), nil
	case "", "utf-8":
		return r.Content, nil
	}
	return "", badShape("README encoding %q", clip(r.Encoding, 20))
}

type ghThread struct {
	Number  int    `json:"number"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	User    ghUser `json:"user"`
	State   string `json:"state"`
	Created string `json:"created_at"`
	Merged  bool   `json:"merged"`
}

type ghComment struct {
	Body      string `json:"body"`
	User      ghUser `json:"user"`
	Reactions struct {
		Total int `json:"total_count"`
	} `json:"reactions"`
}

// thread reads an issue or a pull request and its top comments.
func (g *GitHub) thread(ctx context.Context, owner, repo, kind, num string) (*Item, error) {
	what, path := "issue", "/repos/"+owner+"/"+repo+"/issues/"+num
	if kind == "pull" {
		what, path = "pull request", "/repos/"+owner+"/"+repo+"/pulls/"+num
	}
	var th ghThread
	if err := g.get(ctx, path, &th); err != nil {
		return nil, ghFailure(what, err)
	}
	if strconv.Itoa(th.Number) != num {
		return nil, ghFailure(what, badShape("answer for #%d, asked #%s", th.Number, num))
	}
	var comments []ghComment
	if err := g.get(ctx, "/repos/"+owner+"/"+repo+"/issues/"+num+"/comments?per_page=30", &comments); err != nil {
		return nil, ghFailure(what, err)
	}
	art := &extract.Article{
		Title:  oneLine(th.Title),
		Site:   "GitHub · " + owner + "/" + repo,
		Byline: oneLine(th.User.Login),
		Kind:   extract.KindDiscussion,
	}
	if t, err := time.Parse(time.RFC3339, th.Created); err == nil {
		art.Published = t
	}
	parts := []string{markdownText(th.Body)}
	top := topComments(comments, ghComments)
	if len(top) > 0 {
		parts = append(parts, "Comments")
	}
	for _, c := range top {
		if t := oneLine(markdownText(c.Body)); t != "" {
			parts = append(parts, oneLine(c.User.Login)+": "+t)
		}
	}
	art.Text = paragraphs(parts...)
	if art.Text == "" {
		art.Text = art.Title
	}
	return &Item{Article: art}, nil
}

// topComments keeps the n comments with the most reactions, in the order
// they were written, leaving out bots.
func topComments(all []ghComment, n int) []ghComment {
	type ranked struct {
		i int
		c ghComment
	}
	var rs []ranked
	for i, c := range all {
		if strings.TrimSpace(c.Body) == "" || strings.HasSuffix(c.User.Login, "[bot]") {
			continue
		}
		rs = append(rs, ranked{i, c})
	}
	sort.SliceStable(rs, func(a, b int) bool { return rs[a].c.Reactions.Total > rs[b].c.Reactions.Total })
	if len(rs) > n {
		rs = rs[:n]
	}
	sort.Slice(rs, func(a, b int) bool { return rs[a].i < rs[b].i })
	out := make([]ghComment, len(rs))
	for i, r := range rs {
		out[i] = r.c
	}
	return out
}

// parseGitHubThread decodes an issue or pull request and its comments;
// for the fuzz target.
func parseGitHubThread(thread, comments []byte) (*ghThread, []ghComment, error) {
	var th ghThread
	if err := json.Unmarshal(thread, &th); err != nil {
		return nil, nil, badShape("issue: %v", err)
	}
	var cs []ghComment
	if err := json.Unmarshal(comments, &cs); err != nil {
		return nil, nil, badShape("comments: %v", err)
	}
	return &th, cs, nil
}
