package extract

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

var (
	benchOut  = flag.String("extract.out", "", "directory for the extraction benchmark's predictions and per-page scores (default: a temporary directory)")
	benchOnly = flag.Bool("extract.self", false, "run Linkbrief's extractor alone in the extraction benchmark (the others' rows are then empty)")
)

// benchPage is one page of an extraction dev set.
type benchPage struct {
	id, url string
	kind    string // WCXB's page type ("article", "forum"...); "" for the first set
	root    bool   // the page is its site's home page
	title   string // WCXB's title; "" for the first set
	html    []byte
}

// benchSet is one dev set: its pages and the truth they are scored on.
type benchSet struct {
	name, truth string
	pages       []benchPage
}

// repoRoot walks up from the working directory to the directory of go.mod.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// sharedDir is ../shared beside the repository, or $LINKBRIEF_SHARED.
func sharedDir(tb testing.TB) string {
	if d := os.Getenv("LINKBRIEF_SHARED"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(tb), "..", "shared")
}

// scorerPath is the shared extraction scorer.
func scorerPath(tb testing.TB) string {
	return filepath.Join(sharedDir(tb), "tools", "extraction_score.py")
}

// loadBench reads the first dev set, ../shared/data/extraction, and skips
// when it is absent.
func loadBench(tb testing.TB) []benchPage {
	tb.Helper()
	set, err := loadSet(filepath.Join(sharedDir(tb), "data", "extraction"), "scrapinghub", nil)
	if err != nil {
		tb.Skipf("extraction benchmark data absent: %v", err)
	}
	return set.pages
}

// wcxbMeta is the part of the WCXB set's metadata.json the benchmark reads.
type wcxbMeta map[string]struct {
	PageType string `json:"page_type"`
	SiteRoot bool   `json:"site_root"`
	Title    string `json:"title"`
}

// loadWCXB reads the WCXB dev set (../shared/data/extraction-wcxb): its
// articles, and its pages that are not articles.
func loadWCXB(tb testing.TB) (articles, other benchSet, err error) {
	dir := filepath.Join(sharedDir(tb), "data", "extraction-wcxb")
	raw, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err != nil {
		return articles, other, err
	}
	var meta wcxbMeta
	if err := json.Unmarshal(raw, &meta); err != nil {
		return articles, other, fmt.Errorf("metadata: %w", err)
	}
	if articles, err = loadSet(dir, "wcxb", meta); err != nil {
		return articles, other, err
	}
	other, err = loadSet(filepath.Join(dir, "other"), "wcxb-other", meta)
	return articles, other, err
}

// loadSet reads the pages named by dir/ground-truth.json from dir/html.
func loadSet(dir, name string, meta wcxbMeta) (benchSet, error) {
	set := benchSet{name: name, truth: filepath.Join(dir, "ground-truth.json")}
	raw, err := os.ReadFile(set.truth)
	if err != nil {
		return set, err
	}
	var truth map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		return set, fmt.Errorf("%s: %w", set.truth, err)
	}
	for id, t := range truth {
		body, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return set, err
		}
		p := benchPage{id: id, url: t.URL, html: body}
		if m, ok := meta[id]; ok {
			p.kind, p.root, p.title = m.PageType, m.SiteRoot, m.Title
		}
		set.pages = append(set.pages, p)
	}
	sort.Slice(set.pages, func(i, j int) bool { return set.pages[i].id < set.pages[j].id })
	return set, nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(zr)
}

// scoreResult is the shared scorer's summary.
type scoreResult struct{ F1, Precision, Recall float64 }

// score runs the shared scorer on predictions and returns its summary.
func score(tb testing.TB, truthFile, predFile, perPage string) scoreResult {
	tb.Helper()
	out, err := exec.Command("python3", scorerPath(tb), predFile, truthFile, "--json", "--bootstrap", "0", "--per-page", perPage).Output()
	if err != nil {
		tb.Fatalf("scorer: %v", err)
	}
	var res scoreResult
	if err := json.Unmarshal(out, &res); err != nil {
		tb.Fatalf("scorer output %q: %v", out, err)
	}
	return res
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func mean(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return sum / time.Duration(len(d))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchExtractor is one extractor the benchmark compares: run returns the
// page's text, or an error when it finds no article.
type benchExtractor struct {
	name string
	run  func(p benchPage) (text string, art *Article, err error)
}

var benchExtractors = []benchExtractor{
	{"linkbrief", func(p benchPage) (string, *Article, error) {
		art, err := FromHTML(p.html, p.url, Options{})
		if err != nil {
			return "", nil, err
		}
		return art.Text, art, nil
	}},
	{"go-trafilatura", func(p benchPage) (string, *Article, error) {
		// Parse, then its extraction with its own fallback (readability
		// and dom-distiller) on, comments excluded: its best settings.
		doc, err := html.Parse(bytes.NewReader(p.html))
		if err != nil {
			return "", nil, err
		}
		res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{OriginalURL: parsePageURL(p.url), EnableFallback: true, ExcludeComments: true})
		if err != nil {
			return "", nil, err
		}
		return res.ContentText, nil, nil
	}},
	{"go-readability-v2", func(p benchPage) (string, *Article, error) {
		a, err := readability.FromReader(bytes.NewReader(p.html), parsePageURL(p.url))
		if err != nil {
			return "", nil, err
		}
		if a.Node == nil {
			return "", nil, errors.New("no article")
		}
		var b strings.Builder
		if err := a.RenderText(&b); err != nil {
			return "", nil, err
		}
		return b.String(), nil, nil
	}},
}

// setRun is what one extractor gave on one set.
type setRun struct {
	times   []time.Duration // per page, the fastest round
	text    map[string]string
	arts    map[string]*Article
	errs    map[string]error
	score   scoreResult
	refused int
}

// BenchmarkExtraction runs Linkbrief's FromHTML, go-trafilatura and
// readeck's go-readability v2 over both dev sets (../shared/data/extraction
// and the WCXB set's article and other pages), interleaved page by page,
// and prints for each F1, precision and recall from the shared scorer,
// time per page (mean and median), and on the WCXB pages that are not
// articles what Linkbrief makes of each page type against its policy.
// Each round (b.Loop iteration) times every page once; a page's time is
// its fastest round (-benchtime=3x: three rounds).
//
//	go test -run '^$' -bench Extraction -benchtime=1x ./summarize/extract/
//	go test -run '^$' -bench Extraction -benchtime=1x ./summarize/extract/ -args -extract.out /tmp/x
func BenchmarkExtraction(b *testing.B) {
	var sets []benchSet
	if s, err := loadSet(filepath.Join(sharedDir(b), "data", "extraction"), "scrapinghub", nil); err == nil {
		sets = append(sets, s)
	} else {
		b.Logf("skipping the first dev set: %v", err)
	}
	if a, o, err := loadWCXB(b); err == nil {
		sets = append(sets, a, o)
	} else {
		b.Logf("skipping the WCXB dev set: %v", err)
	}
	if len(sets) == 0 {
		b.Skip("no extraction dev set under ../shared/data")
	}
	runs := make([][]setRun, len(sets))
	for s, set := range sets {
		runs[s] = make([]setRun, len(benchExtractors))
		for e := range benchExtractors {
			runs[s][e] = setRun{times: make([]time.Duration, len(set.pages)), text: map[string]string{}, arts: map[string]*Article{}, errs: map[string]error{}}
		}
	}
	for round := 0; b.Loop(); round++ {
		for s, set := range sets {
			for i, p := range set.pages {
				for k := range benchExtractors {
					if *benchOnly && k > 0 {
						break
					}
					// Rotate the order so no extractor always runs on a
					// cold or a warm cache.
					e := (i + k + round) % len(benchExtractors)
					if *benchOnly {
						e = 0
					}
					start := time.Now()
					text, art, err := benchExtractors[e].run(p)
					d := time.Since(start)
					r := &runs[s][e]
					if round == 0 || d < r.times[i] {
						r.times[i] = d
					}
					if round == 0 {
						r.text[p.id] = text
						if err != nil {
							r.errs[p.id] = err
							r.refused++
						} else if art != nil {
							r.arts[p.id] = art
						}
					}
				}
			}
		}
	}
	out := *benchOut
	if out == "" {
		out = b.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		b.Fatal(err)
	}
	var report strings.Builder
	fmt.Fprintf(&report, "%-12s %-18s %7s %7s %7s %9s %9s %8s %8s\n", "set", "extractor", "F1", "P", "R", "ms/page", "median", "x-trafi", "refused")
	var ourWCXB, bestOther float64
	for s, set := range sets {
		for e, ex := range benchExtractors {
			r := &runs[s][e]
			pred := filepath.Join(out, set.name+"-"+ex.name+".json")
			writeJSON(b, pred, r.text)
			r.score = score(b, set.truth, pred, filepath.Join(out, set.name+"-"+ex.name+"-per-page.jsonl"))
		}
		trafi := mean(runs[s][1].times)
		for e, ex := range benchExtractors {
			r := runs[s][e]
			fmt.Fprintf(&report, "%-12s %-18s %7.4f %7.4f %7.4f %9.2f %9.2f %8.2f %5d/%d\n", set.name, ex.name,
				r.score.F1, r.score.Precision, r.score.Recall, ms(mean(r.times)), ms(median(r.times)), ms(mean(r.times))/ms(trafi), r.refused, len(set.pages))
		}
		if set.name == "wcxb" {
			ourWCXB = runs[s][0].score.F1
			bestOther = max(runs[s][1].score.F1, runs[s][2].score.F1)
		}
	}
	for s, set := range sets {
		if set.name == "wcxb" {
			report.WriteString(titleReport(set, runs[s][0]))
			report.WriteString(worstPages(b, set, filepath.Join(out, set.name+"-"+benchExtractors[0].name+"-per-page.jsonl"), 10))
		}
		if set.name == "wcxb-other" {
			report.WriteString(policyReport(set, runs[s][0]))
		} else {
			for _, id := range sortedKeys(runs[s][0].errs) {
				fmt.Fprintf(&report, "  %s refused %s: %v\n", set.name, id[:12], runs[s][0].errs[id])
			}
		}
	}
	fmt.Fprintf(&report, "output in %s\n", out)
	// b.Log truncates a benchmark's log to ten lines: the table goes to stdout.
	fmt.Print(report.String())
	if ourWCXB > 0 {
		b.ReportMetric(ourWCXB, "F1-wcxb")
		b.ReportMetric(ourWCXB-bestOther, "F1-lead-wcxb")
	}
	if sets[0].name == "scrapinghub" {
		b.ReportMetric(runs[0][0].score.F1, "F1-scrapinghub")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func writeJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// pageOutcome names what Linkbrief made of a page: "refused",
// "discussion" or "article".
func pageOutcome(art *Article, err error) string {
	switch {
	case err != nil:
		return "refused"
	case art != nil && art.Kind == KindDiscussion:
		return "discussion"
	}
	return "article"
}

// policy says what Linkbrief should make of a WCXB page that is not an
// article, by its type: "" when either a brief or a refusal is right
// (product, documentation and service pages are summarized only when they
// have prose).
func policy(p benchPage) string {
	switch {
	case p.root, p.kind == "listing", p.kind == "collection":
		return "refused"
	case p.kind == "forum":
		return "discussion"
	}
	return ""
}

// policyReport counts, per page type, the pages refused, made discussions
// and made articles, and how many follow the policy.
func policyReport(set benchSet, r setRun) string {
	type counts struct{ refused, discussion, article, total, follow, strict int }
	byKind := map[string]*counts{}
	var misses []string
	for _, p := range set.pages {
		k := p.kind
		if p.root {
			k += " (home)"
		}
		c := byKind[k]
		if c == nil {
			c = &counts{}
			byKind[k] = c
		}
		c.total++
		got := pageOutcome(r.arts[p.id], r.errs[p.id])
		switch got {
		case "refused":
			c.refused++
		case "discussion":
			c.discussion++
		default:
			c.article++
		}
		if want := policy(p); want != "" {
			c.strict++
			if got == want {
				c.follow++
			} else {
				misses = append(misses, fmt.Sprintf("  %s %s: %s, want %s (%s)", k, p.id[:12], got, want, p.url))
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "non-article pages (wcxb-other), Linkbrief:\n%-22s %7s %10s %7s %s\n", "type", "refused", "discussion", "article", "as policy")
	for _, k := range sortedKeys(byKind) {
		c := byKind[k]
		follow := "(prose decides)"
		if c.strict > 0 {
			follow = fmt.Sprintf("%d/%d", c.follow, c.strict)
		}
		fmt.Fprintf(&b, "%-22s %7d %10d %7d %s\n", k, c.refused, c.discussion, c.article, follow)
	}
	for _, m := range misses {
		b.WriteString(m + "\n")
	}
	return b.String()
}

// BenchmarkFromHTMLPages times FromHTML alone over the first dev set's
// pages, for profiling:
//
//	go test -run '^$' -bench FromHTMLPages -cpuprofile cpu.out ./summarize/extract/
func BenchmarkFromHTMLPages(b *testing.B) {
	pages := loadBench(b)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			FromHTML(p.html, p.url, Options{})
		}
	}
}

// perPageScores reads the scorer's per-page output: id -> F1.
func perPageScores(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var row struct {
			ID string  `json:"id"`
			F1 float64 `json:"f1"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, err
		}
		m[row.ID] = row.F1
	}
	return m, sc.Err()
}

// worstPages lists the n pages of set on which Linkbrief scored lowest.
func worstPages(tb testing.TB, set benchSet, perPage string, n int) string {
	scores, err := perPageScores(perPage)
	if err != nil {
		tb.Fatalf("per-page scores: %v", err)
	}
	ids := sortedKeys(scores)
	sort.SliceStable(ids, func(i, j int) bool { return scores[ids[i]] < scores[ids[j]] })
	urls := map[string]string{}
	for _, p := range set.pages {
		urls[p.id] = p.url
	}
	var b strings.Builder
	fmt.Fprintf(&b, "worst %d pages of %s (Linkbrief F1):\n", n, set.name)
	for _, id := range ids[:min(n, len(ids))] {
		fmt.Fprintf(&b, "  %.3f %s %s\n", scores[id], id[:12], urls[id])
	}
	return b.String()
}

// titleReport counts the pages whose Linkbrief title is WCXB's (compared
// on letters and digits, case ignored).
func titleReport(set benchSet, r setRun) string {
	same, total := 0, 0
	var wrong []string
	for _, p := range set.pages {
		if p.title == "" {
			continue
		}
		total++
		got := ""
		if a := r.arts[p.id]; a != nil {
			got = a.Title
		}
		if alnum(got) == alnum(p.title) {
			same++
		} else if len(wrong) < 8 {
			wrong = append(wrong, fmt.Sprintf("  title %q, WCXB %q", got, p.title))
		}
	}
	return fmt.Sprintf("titles of %s equal to WCXB's: %d/%d\n%s\n", set.name, same, total, strings.Join(wrong, "\n"))
}
