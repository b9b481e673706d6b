package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

const pageHTML = `<!doctype html><html lang="en"><head><title>Bridge approved | Riverton Gazette</title>
<meta property="og:site_name" content="Riverton Gazette"></head><body>
<article><h1>Council approves the new river bridge</h1>
<p>The Riverton city council voted seven to two on Tuesday to approve the new river bridge, ending a debate that lasted more than two decades.</p>
<p>Construction is expected to cost 41.5 million dollars and to start in March, according to the city engineer, who presented the final plans at the meeting.</p>
<p>"We have waited for this since 1998," said Mayor Ana Ruiz, who called the vote historic and thanked residents for their patience.</p>
<p>Critics said the cost was too high and that the money should go to repairing existing roads, which they described as crumbling.</p>
<p>The bridge will carry two lanes of traffic and a protected bicycle path, and it is designed to last at least one hundred years.</p>
<p>The state has promised to pay for half of the project, while the rest will come from a bond that voters approved last year.</p>
</article></body></html>`

// runCLI runs linkbrief in-process and returns its exit status and output.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, envOf(env))
	return code, out.String(), errOut.String()
}

// pageServer serves the test article at /story and a 404 elsewhere.
func pageServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/story" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, pageHTML)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// testConfig writes a config that may fetch local pages and keeps its
// cache in the test's temporary directory.
func testConfig(t *testing.T, extra string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "cache.db")
	return writeConfig(t, fmt.Sprintf("[fetch]\nallow_private_networks = true\n[store]\ndsn = %q\n%s", db, extra))
}

func decodeLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line is not JSON: %q: %v", line, err)
		}
		objs = append(objs, m)
	}
	return objs
}

func TestSummarizeJSONContract(t *testing.T) {
	ts := pageServer(t)
	cfg := testConfig(t, "")
	code, out, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, "--format", "json", ts.URL+"/story?utm_source=x")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	objs := decodeLines(t, out)
	if len(objs) != 1 {
		t.Fatalf("got %d JSON lines, want 1: %s", len(objs), out)
	}
	b := objs[0]
	for _, k := range []string{"source", "url", "title", "site", "byline", "published", "lang", "summary", "claims",
		"kind", "backend", "model", "cached", "truncated", "usage"} {
		if _, ok := b[k]; !ok {
			t.Errorf("brief lacks %q: %s", k, out)
		}
	}
	if b["source"] != ts.URL+"/story?utm_source=x" || b["url"] != ts.URL+"/story" {
		t.Errorf("source %v url %v", b["source"], b["url"])
	}
	if b["backend"] != "extractive" || b["cached"] != false || b["summary"] == "" || b["kind"] != "article" {
		t.Errorf("brief %v", b)
	}
	claims, _ := b["claims"].([]any)
	if len(claims) == 0 {
		t.Fatalf("no claims: %s", out)
	}
	for _, c := range claims {
		q := c.(map[string]any)["quote"].(string)
		if !strings.Contains(pageHTML, q) {
			t.Errorf("quote %q is not from the page", q)
		}
	}
	// The second run is a cache hit.
	_, out, _ = runCLI(t, nil, "", "summarize", "--config", cfg, "--format", "json", ts.URL+"/story")
	if objs := decodeLines(t, out); len(objs) != 1 || objs[0]["cached"] != true {
		t.Errorf("second run not cached: %s", out)
	}
}

func TestSummarizeRefusesLocalURLByDefault(t *testing.T) {
	ts := pageServer(t)
	db := filepath.Join(t.TempDir(), "c.db")
	cfg := writeConfig(t, fmt.Sprintf("[store]\ndsn = %q\n", db))
	code, out, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, "--format", "json", ts.URL+"/story")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	objs := decodeLines(t, out)
	if len(objs) != 1 || objs[0]["source"] != ts.URL+"/story" {
		t.Fatalf("want one {source,error} line, got %s", out)
	}
	msg, _ := objs[0]["error"].(string)
	if !strings.Contains(msg, "private") && !strings.Contains(msg, "port") {
		t.Errorf("error %q does not say why the local URL was refused", msg)
	}
	if !strings.Contains(errOut, ts.URL+"/story") {
		t.Errorf("stderr %q does not name the SOURCE", errOut)
	}
}

func TestSummarizeBatchOrderAndFailures(t *testing.T) {
	ts := pageServer(t)
	cfg := testConfig(t, "")
	dir := t.TempDir()
	gz := filepath.Join(dir, "story.html.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(pageHTML))
	zw.Close()
	os.WriteFile(gz, buf.Bytes(), 0o600)
	code, out, errOut := runCLI(t, nil, pageHTML, "summarize", "--config", cfg, "--format", "json",
		ts.URL+"/missing", gz, "-", filepath.Join(dir, "nope.html"), ts.URL+"/story")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some SOURCEs failed)", code)
	}
	objs := decodeLines(t, out)
	if len(objs) != 5 {
		t.Fatalf("got %d lines, want 5: %s", len(objs), out)
	}
	wantErr := []bool{true, false, false, true, false}
	for i, o := range objs {
		_, hasErr := o["error"]
		if hasErr != wantErr[i] {
			t.Errorf("line %d (%v): error present = %v, want %v", i, o["source"], hasErr, wantErr[i])
		}
	}
	if objs[1]["source"] != gz || objs[2]["source"] != "-" {
		t.Errorf("sources out of order: %v, %v", objs[1]["source"], objs[2]["source"])
	}
	if !strings.Contains(objs[0]["error"].(string), "404") {
		t.Errorf("404 error = %v", objs[0]["error"])
	}
	if n := strings.Count(errOut, "\n"); n != 2 {
		t.Errorf("stderr has %d lines, want one per failed SOURCE:\n%s", n, errOut)
	}
}

func TestSummarizeWithLLM(t *testing.T) {
	ts := pageServer(t)
	srv := llmtest.New(t)
	srv.Enqueue(llmtest.Summary("The council approved a bridge costing 41.5 million dollars.",
		llmtest.Claim{Claim: "The vote was 7 to 2.", Quote: "The Riverton city council voted seven to two on Tuesday"},
		llmtest.Claim{Claim: "The mayor resigned.", Quote: "Mayor Ana Ruiz resigned in protest after the vote."},
	))
	cfg := testConfig(t, fmt.Sprintf("[llm]\nbase_url = %q\nmodel = \"test-model\"\n", srv.URL()))
	env := map[string]string{"LINKBRIEF_LLM_API_KEY": "sk-test-SECRET-123"}
	code, out, errOut := runCLI(t, env, "", "summarize", "--config", cfg, "--format", "json", ts.URL+"/story")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := decodeLines(t, out)
	if objs[0]["backend"] != "llm" || objs[0]["model"] == "" {
		t.Errorf("brief %v, want the llm backend", objs[0])
	}
	if strings.Contains(out, "resigned") {
		t.Errorf("fabricated quote reached the output: %s", out)
	}
	if !strings.Contains(out, "voted seven to two") {
		t.Errorf("real claim missing: %s", out)
	}
	if h := srv.Headers(); len(h) == 0 || h[0].Get("Authorization") != "Bearer sk-test-SECRET-123" {
		t.Errorf("API key not sent to the model")
	}

	// A failing model: the brief falls back and the key stays secret.
	for range 5 {
		srv.Enqueue(llmtest.Unauthorized())
	}
	code, out, errOut = runCLI(t, env, "", "summarize", "--config", cfg, "--format", "json", "--no-cache", ts.URL+"/story")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs = decodeLines(t, out)
	if objs[0]["backend"] != "extractive" || objs[0]["note"] == nil {
		t.Errorf("want an extractive fallback with a note, got %v", objs[0])
	}
	if strings.Contains(out+errOut, "SECRET") {
		t.Errorf("API key leaked:\nstdout %s\nstderr %s", out, errOut)
	}
}

func TestExtractJSON(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "story.html")
	os.WriteFile(p, []byte(pageHTML), 0o600)
	code, out, errOut := runCLI(t, nil, "", "extract", "--format", "json", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := decodeLines(t, out)
	want := []string{"source", "url", "title", "site", "byline", "published", "lang", "kind", "text"}
	for _, k := range want {
		if _, ok := objs[0][k]; !ok {
			t.Errorf("extract output lacks %q", k)
		}
	}
	if objs[0]["kind"] != "article" {
		t.Errorf("extract kind = %v, want article", objs[0]["kind"])
	}
	text := objs[0]["text"].(string)
	if !strings.Contains(text, "voted seven to two") || !strings.Contains(text, "\n\n") {
		t.Errorf("text = %q, want the paragraphs separated by blank lines", text)
	}
}

func TestAskCLI(t *testing.T) {
	ts := pageServer(t)
	cfg := testConfig(t, "")
	code, out, errOut := runCLI(t, nil, "", "ask", "--config", cfg, "--question", "How much will it cost?", ts.URL+"/story")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "41.5 million") {
		t.Errorf("answer = %q", out)
	}
}

// TestAskJSON: ask --format json prints the Answer as one JSON object,
// and the README documents that object field by field.
func TestAskJSON(t *testing.T) {
	ts := pageServer(t)
	cfg := testConfig(t, "")
	code, out, errOut := runCLI(t, nil, "", "ask", "--config", cfg, "--format", "json", "--question", "How much will it cost?", ts.URL+"/story")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := decodeLines(t, out)
	if len(objs) != 1 {
		t.Fatalf("got %d JSON objects, want 1: %s", len(objs), out)
	}
	a := objs[0]
	if s, _ := a["answer"].(string); !strings.Contains(s, "41.5 million") || a["found"] != true || a["url"] != ts.URL+"/story" {
		t.Errorf("answer object %v", a)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, doc, ok := strings.Cut(string(readme), "`ask --format json`")
	if !ok {
		t.Fatal("the README does not document ask --format json")
	}
	doc, _, _ = strings.Cut(doc, "\n- ")
	for f := range reflect.TypeFor[summarize.Answer]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !strings.Contains(doc, `"`+name+`"`) {
			t.Errorf("the README's ask --format json does not name %q", name)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{},
		{"frobnicate"},
		{"summarize"},
		{"summarize", "--format", "yaml", "https://example.com/"},
		{"summarize", "--backend", "gpt", "https://example.com/"},
		{"summarize", "--bogus", "https://example.com/"},
		{"summarize", "-", "-"},
		{"ask", "https://example.com/"},
		{"ask", "--question", "why?"},
		{"extract", "--format", "markdown", "x.html"},
		{"commands"},
		{"summarize", "--config", "/nonexistent/linkbrief.toml", "https://example.com/"},
		{"summarize", "--backend", "llm", "https://example.com/"},
	}
	for _, args := range tests {
		code, _, errOut := runCLI(t, nil, "", args...)
		if code != 2 {
			t.Errorf("linkbrief %q exit %d, want 2 (stderr %q)", args, code, errOut)
		}
		if errOut == "" {
			t.Errorf("linkbrief %q printed no reason", args)
		}
	}
}

// TestUnknownFlagSaidOnce checks that a bad flag is reported in one line,
// after the usage, not also by the flag package on its own.
func TestUnknownFlagSaidOnce(t *testing.T) {
	for _, args := range [][]string{
		{"summarize", "--bogus", "https://example.com/"},
		{"run", "--bogus"},
		{"commands", "register", "--bogus"},
	} {
		code, _, errOut := runCLI(t, nil, "", args...)
		if n := strings.Count(errOut, "flag provided but not defined"); code != 2 || n != 1 {
			t.Errorf("linkbrief %q: exit %d, the error said %d times, want exit 2 and once:\n%s", args, code, n, errOut)
		}
		if !strings.Contains(errOut, "Usage: linkbrief") {
			t.Errorf("linkbrief %q printed no usage:\n%s", args, errOut)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, nil, "", "version")
	if code != 0 || !strings.HasPrefix(out, "linkbrief ") {
		t.Errorf("version: exit %d output %q", code, out)
	}
}

func TestVersionLine(t *testing.T) {
	info := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/linkbrief/linkbrief", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-05T08:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		stamped string
		info    *debug.BuildInfo
		ok      bool
		want    string
	}{
		{"", info, true, "v1.4.0 (revision 0123456789abcdef0123456789abcdef01234567, modified, 2026-12-05T08:00:00Z, go1.26.8)"},
		{"v2.0.0", info, true, "v2.0.0 (revision 0123456789abcdef0123456789abcdef01234567, modified, 2026-12-05T08:00:00Z, go1.26.8)"},
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true, "(devel) (no VCS revision recorded, go1.26.8)"},
		{"", nil, false, "(devel)"},
	}
	for _, tt := range tests {
		if got := versionLine(tt.stamped, tt.info, tt.ok); got != tt.want {
			t.Errorf("versionLine(%q, ...) = %q, want %q", tt.stamped, got, tt.want)
		}
	}
}

// TestVersionOfBinary: a binary built from this repository names the
// commit it was built from.
func TestVersionOfBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git work tree: %v", err)
	}
	if st, err := os.Stat(".git"); err != nil || !st.IsDir() {
		// A linked worktree has a .git file, and the go command finds
		// the repository only through a .git directory.
		t.Skip("go records no VCS revision outside a clone's main work tree")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("linkbrief version: %v", err)
	}
	if want := "revision " + strings.TrimSpace(string(head)); !strings.Contains(string(out), want) {
		t.Errorf("linkbrief version = %q, want it to contain %q", out, want)
	}
}

// TestHelp: -h and --help print the usage on standard output and exit 0,
// for the top level and every verb.
func TestHelp(t *testing.T) {
	tests := [][]string{
		{"-h"}, {"--help"}, {"help"},
		{"summarize", "-h"}, {"summarize", "--help"}, {"summarize", "https://example.com/", "--help"},
		{"ask", "-h"}, {"ask", "--help"},
		{"extract", "-h"}, {"extract", "--help"},
		{"run", "-h"}, {"run", "--help"},
		{"commands", "--help"}, {"commands", "register", "-h"}, {"commands", "register", "--help"},
		{"version", "--help"}, {"version", "-h"},
		// -h anywhere among a verb's arguments, whatever comes after it.
		{"commands", "-h", "register"}, {"commands", "register", "--guild", "123", "--help"},
		{"run", "--config", "none.toml", "-h"}, {"ask", "--question", "q", "-h", "https://example.com/"},
		{"extract", "--format", "json", "--help", "https://example.com/"},
	}
	for _, args := range tests {
		code, out, errOut := runCLI(t, nil, "", args...)
		if code != 0 || !strings.Contains(out, "Usage") || errOut != "" {
			t.Errorf("linkbrief %q: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout", args, code, out, errOut)
		}
	}
	_, out, _ := runCLI(t, nil, "", "summarize", "--help")
	for _, flag := range []string{"-backend", "-format", "-lang", "-no-cache", "-config"} {
		if !strings.Contains(out, flag) {
			t.Errorf("summarize --help does not list %s: %q", flag, out)
		}
	}
}

func TestParseFlagsInterspersed(t *testing.T) {
	fs := newFlagSet("x")
	f := fs.String("format", "text", "")
	pos, err := parseFlags(fs, []string{"a", "--format", "json", "b", "--", "--c"})
	if err != nil || *f != "json" || strings.Join(pos, ",") != "a,b,--c" {
		t.Errorf("parseFlags = %q, format %q, %v", pos, *f, err)
	}
}

// TestExtractRefusesUnsafeURLs runs the SSRF matrix through the CLI as a
// user would: each URL is refused with a readable reason and exit 1.
func TestExtractRefusesUnsafeURLs(t *testing.T) {
	ts := pageServer(t) // a live local server: it must never be reached
	port := ts.URL[strings.LastIndex(ts.URL, ":")+1:]
	// Only addresses of this machine, and refusals decided before any
	// connection: private ranges and metadata addresses are covered in
	// package fetch, where a test dialer makes sure that no packet can
	// leave the machine even if a check were broken.
	urls := []string{
		"http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0.0.0.0/",
		"http://localhost/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[0:0:0:0:0:ffff:7f00:1]/",
		"file:///etc/passwd", "gopher://example.com/", "ftp://example.com/", "data:text/html,hi", "javascript:alert(1)",
		"http://user:pass@127.0.0.1/", "http://127.0.0.1:" + port + "/story", "https://127.0.0.1:" + port + "/story",
	}
	for _, u := range urls {
		code, out, errOut := runCLI(t, nil, "", "extract", "--format", "json", u)
		if code != 1 {
			t.Errorf("extract %s: exit %d, want 1 (stdout %q)", u, code, out)
			continue
		}
		objs := decodeLines(t, out)
		msg, _ := objs[0]["error"].(string)
		if msg == "" || strings.Contains(out, "voted seven") {
			t.Errorf("extract %s: output %q, want a refusal", u, out)
		}
		if e := strings.ToLower(errOut); !strings.Contains(e, "refusing") && !strings.Contains(e, "only http") {
			t.Errorf("extract %s: stderr %q does not say why", u, errOut)
		}
	}
}

// TestSummarizeWithPostgresStore runs the CLI on the PostgreSQL store when
// the test services are up (scripts/test-services.sh; CI starts them).
func TestSummarizeWithPostgresStore(t *testing.T) {
	dsn := os.Getenv("LINKBRIEF_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("LINKBRIEF_TEST_POSTGRES is not set; run scripts/test-services.sh")
	}
	ts := pageServer(t)
	cfg := writeConfig(t, fmt.Sprintf("[fetch]\nallow_private_networks = true\n[store]\ndriver = \"postgres\"\ndsn = %q\n", dsn))
	u := ts.URL + "/story?run=" + t.Name() + fmt.Sprint(os.Getpid())
	for i, wantCached := range []bool{false, true} {
		code, out, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, "--format", "json", u)
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, errOut)
		}
		if objs := decodeLines(t, out); objs[0]["cached"] != wantCached {
			t.Errorf("run %d: cached = %v, want %v", i, objs[0]["cached"], wantCached)
		}
	}
}
