package extract

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
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

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

var benchOut = flag.String("extract.out", "", "directory for the extraction benchmark's predictions and per-page scores (default: a temporary directory)")

// benchPage is one page of the extraction benchmark.
type benchPage struct {
	id, url string
	html    []byte
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

// loadBench reads ../shared/data/extraction (relative to the repository
// root) and skips when it is absent.
func loadBench(tb testing.TB) (pages []benchPage, dataDir, scorer string) {
	tb.Helper()
	shared := filepath.Join(repoRoot(tb), "..", "shared")
	dataDir = filepath.Join(shared, "data", "extraction")
	scorer = filepath.Join(shared, "tools", "extraction_score.py")
	raw, err := os.ReadFile(filepath.Join(dataDir, "ground-truth.json"))
	if err != nil {
		tb.Skipf("extraction benchmark data absent: %v", err)
	}
	var truth map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		tb.Fatalf("ground truth: %v", err)
	}
	for id, t := range truth {
		f, err := os.Open(filepath.Join(dataDir, "html", id+".html.gz"))
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatalf("%s: %v", id, err)
		}
		body, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			tb.Fatalf("%s: %v", id, err)
		}
		pages = append(pages, benchPage{id: id, url: t.URL, html: body})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].id < pages[j].id })
	return pages, dataDir, scorer
}

// score runs the shared scorer on predictions and returns its summary.
func score(tb testing.TB, scorer, truthFile, predFile, perPage string) (f1, p, r float64) {
	tb.Helper()
	out, err := exec.Command("python3", scorer, predFile, truthFile, "--json", "--bootstrap", "0", "--per-page", perPage).Output()
	if err != nil {
		tb.Fatalf("scorer: %v", err)
	}
	var res struct{ F1, Precision, Recall float64 }
	if err := json.Unmarshal(out, &res); err != nil {
		tb.Fatalf("scorer output %q: %v", out, err)
	}
	return res.F1, res.Precision, res.Recall
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// referenceExtract is go-trafilatura alone, as the benchmark's reference:
// parse, then its default extraction.
func referenceExtract(p benchPage) string {
	doc, err := html.Parse(bytes.NewReader(p.html))
	if err != nil {
		return ""
	}
	res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{OriginalURL: parsePageURL(p.url)})
	if err != nil {
		return ""
	}
	return res.ContentText
}

// BenchmarkExtraction runs FromHTML and the go-trafilatura reference over
// the dev split of the extraction benchmark, interleaved page by page,
// and prints F1, precision and recall from the shared scorer and the
// median time per page of each. Each round (b.Loop iteration) times every
// page once; a page's time is its fastest round (-benchtime=3x: three).
//
//	go test -run '^$' -bench Extraction -benchtime=3x ./summarize/extract/
func BenchmarkExtraction(b *testing.B) {
	pages, dataDir, scorer := loadBench(b)
	ours := make([]time.Duration, len(pages))
	ref := make([]time.Duration, len(pages))
	oursText := make(map[string]string, len(pages))
	refText := make(map[string]string, len(pages))
	var rejected []string
	for round := 0; b.Loop(); round++ {
		for i, p := range pages {
			start := time.Now()
			art, err := FromHTML(p.html, p.url, Options{})
			d := time.Since(start)
			if round == 0 || d < ours[i] {
				ours[i] = d
			}
			if round == 0 {
				if err != nil {
					rejected = append(rejected, fmt.Sprintf("%s: %v", p.id[:12], err))
				} else {
					oursText[p.id] = art.Text
				}
			}
			start = time.Now()
			text := referenceExtract(p)
			d = time.Since(start)
			if round == 0 || d < ref[i] {
				ref[i] = d
			}
			refText[p.id] = text
		}
	}
	out := *benchOut
	if out == "" {
		out = b.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		b.Fatal(err)
	}
	truth := filepath.Join(dataDir, "ground-truth.json")
	write := func(name string, v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(out, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		return path
	}
	f1, p, r := score(b, scorer, truth, write("predictions.json", oursText), filepath.Join(out, "per-page.jsonl"))
	rf1, rp, rr := score(b, scorer, truth, write("reference.json", refText), filepath.Join(out, "reference-per-page.jsonl"))
	mo, mr := median(ours), median(ref)
	var report strings.Builder
	fmt.Fprintf(&report, "extract:     F1 %.4f  P %.4f  R %.4f  median %.2f ms/page\n", f1, p, r, ms(mo))
	fmt.Fprintf(&report, "trafilatura: F1 %.4f  P %.4f  R %.4f  median %.2f ms/page\n", rf1, rp, rr, ms(mr))
	fmt.Fprintf(&report, "speed ratio (extract/trafilatura median): %.2f; pages %d, rejected %d, output in %s\n", ms(mo)/ms(mr), len(pages), len(rejected), out)
	for _, r := range rejected {
		fmt.Fprintf(&report, "  rejected %s\n", r)
	}
	b.Log("\n" + report.String())
	b.ReportMetric(f1, "F1")
	b.ReportMetric(ms(mo), "ms/page")
	b.ReportMetric(ms(mo)/ms(mr), "x-trafilatura")
}

// BenchmarkFromHTMLPages times FromHTML alone over the extraction
// benchmark's pages, for profiling:
//
//	go test -run '^$' -bench FromHTMLPages -cpuprofile cpu.out ./summarize/extract/
func BenchmarkFromHTMLPages(b *testing.B) {
	pages, _, _ := loadBench(b)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			FromHTML(p.html, p.url, Options{})
		}
	}
}
