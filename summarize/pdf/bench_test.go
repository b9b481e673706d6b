package pdf

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/summarize/pdf/pdftest"
)

var benchOut = flag.String("pdf.out", "", "directory for the PDF benchmark's predictions (default: a temporary directory)")

// sharedDir is ../shared beside the repository, or $LINKBRIEF_SHARED.
func sharedDir(tb testing.TB) string {
	if d := os.Getenv("LINKBRIEF_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

type benchDoc struct {
	id, path string
	data     []byte
}

func loadPDFSet(tb testing.TB) []benchDoc {
	dir := filepath.Join(sharedDir(tb), "data", "pdf")
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(files) == 0 {
		tb.Skipf("PDF benchmark data absent in %s", dir)
	}
	var docs []benchDoc
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, benchDoc{id: strings.TrimSuffix(filepath.Base(f), ".pdf"), path: f, data: b})
	}
	return docs
}

type score struct{ F1, Precision, Recall float64 }

// scorePredictions runs the shared scorer over {id: text}.
func scorePredictions(tb testing.TB, dir, name string, preds map[string]string) score {
	path := filepath.Join(dir, name+".json")
	b, _ := json.Marshal(preds)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	shared := sharedDir(tb)
	cmd := exec.Command("python3", filepath.Join(shared, "tools", "extraction_score.py"), path,
		filepath.Join(shared, "data", "pdf", "ground-truth.json"), "--json", "--bootstrap", "0",
		"--per-page", filepath.Join(dir, name+".per-page.jsonl"))
	out, err := cmd.Output()
	if err != nil {
		tb.Skipf("scorer: %v", err)
	}
	var s struct {
		F1        any `json:"f1"`
		Precision any `json:"precision"`
		Recall    any `json:"recall"`
	}
	if err := json.Unmarshal(out, &s); err != nil {
		tb.Fatalf("scorer output %q: %v", out, err)
	}
	return score{num(s.F1), num(s.Precision), num(s.Recall)}
}

// num reads a scorer figure, a number or {"mean": n}.
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case map[string]any:
		if m, ok := x["mean"].(float64); ok {
			return m
		}
	}
	return 0
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkPDF reads the PDF dev set (../shared/data/pdf) with Read and,
// when poppler's pdftotext is installed, with pdftotext (one process per
// PDF, as a caller would run it) in the same run, and prints F1,
// precision, recall and the median milliseconds per PDF of each. The
// first Read of the run is reported apart: it is the reader's start-up
// cost (there is none beyond a normal read: no tables are built lazily).
// Run it with scripts/bench-pdf.
func BenchmarkPDF(b *testing.B) {
	docs := loadPDFSet(b)
	dir := *benchOut
	if dir == "" {
		dir = b.TempDir()
	}
	ctx := context.Background()
	start := time.Now()
	if _, err := Read(ctx, docs[0].data, Options{}); err != nil {
		b.Fatalf("%s: %v", docs[0].id, err)
	}
	first := time.Since(start)
	preds := map[string]string{}
	times := map[string][]time.Duration{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			t0 := time.Now()
			art, err := Read(ctx, d.data, Options{})
			times[d.id] = append(times[d.id], time.Since(t0))
			if err != nil {
				b.Errorf("%s: %v", d.id, err)
				continue
			}
			preds[d.id] = art.Text
		}
	}
	b.StopTimer()
	var per []time.Duration
	for _, ts := range times {
		per = append(per, median(ts))
	}
	ours := scorePredictions(b, dir, "linkbrief", preds)
	b.Logf("PDF dev set: %d PDFs, %d rounds; predictions in %s", len(docs), b.N, dir)
	b.Logf("%-22s F1 %.3f  P %.3f  R %.3f  %7.1f ms/PDF (median)   first PDF %.1f ms", "linkbrief pdf.Read", ours.F1, ours.Precision, ours.Recall, ms(median(per)), ms(first))
	b.ReportMetric(ours.F1, "F1")
	b.ReportMetric(ms(median(per)), "ms/PDF")

	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		b.Logf("pdftotext not installed (apt-get install poppler-utils): its column is skipped")
		return
	}
	pp := map[string]string{}
	var pt []time.Duration
	for _, d := range docs {
		var ts []time.Duration
		var out []byte
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			out, err = exec.Command(tool, "-enc", "UTF-8", d.path, "-").Output()
			ts = append(ts, time.Since(t0))
			if err != nil {
				b.Fatalf("pdftotext %s: %v", d.id, err)
			}
		}
		pt = append(pt, median(ts))
		pp[d.id] = string(bytes.ReplaceAll(out, []byte("\f"), []byte("\n")))
	}
	ref := scorePredictions(b, dir, "pdftotext", pp)
	b.Logf("%-22s F1 %.3f  P %.3f  R %.3f  %7.1f ms/PDF (median)", "pdftotext (poppler)", ref.F1, ref.Precision, ref.Recall, ms(median(pt)))
	b.Logf("ratios: F1 %.3f / %.3f; time %.2fx pdftotext's", ours.F1, ref.F1, ms(median(per))/ms(median(pt)))
}

// BenchmarkPDFLarge reads a 25 MiB PDF (the default fetch.max_pdf_bytes)
// of text pages and reports the time and the peak heap, which stays
// bounded by the page cap and the decoded-bytes budget.
func BenchmarkPDFLarge(b *testing.B) {
	data := largePDF(25 << 20)
	b.SetBytes(int64(len(data)))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Read(context.Background(), data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	<-done
	extra := float64(peak.Load()-min(peak.Load(), base.HeapAlloc)) / (1 << 20)
	b.ReportMetric(extra, "peak-heap-MiB")
	b.Logf("%.1f MiB PDF, the first %d pages read: peak heap %.0f MiB above the file itself", float64(len(data))/(1<<20), DefaultMaxPages, extra)
}

const largePageBytes = 6000

// largePDF builds an uncompressed PDF of about size bytes.
func largePDF(size int) []byte {
	line := strings.Repeat("Rainfall in the basin was measured every hour. ", 2)
	var pages []pdftest.Page
	for n := 0; n*largePageBytes*6/5 < size; n++ {
		var p pdftest.Page
		for i := 0; i < 60; i++ {
			p.Lines = append(p.Lines, pdftest.Line{X: 72, Y: 740 - float64(i)*11, Size: 9, Text: fmt.Sprintf("%s %d", line[:80], i)})
		}
		pages = append(pages, p)
	}
	return pdftest.Build(pdftest.Doc{Title: "Large", Pages: pages})
}

// TestSmokePDFs reads the three real manuals of ../shared/data/pdf/smoke
// (no ground truth): each must give its title and plenty of sensible text.
func TestSmokePDFs(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data", "pdf", "smoke")
	for name, want := range map[string][]string{
		"btxdoc.pdf":                {"BibTEX version 0.99b", "bibliography"},
		"iftex.pdf":                 {"The iftex package", "engine"},
		"shared-mime-info-spec.pdf": {"Shared MIME-info Database", "MIME type"},
	} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("smoke PDFs absent: %v", err)
		}
		art, err := Read(context.Background(), data, Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		text := art.Title + "\n" + art.Text
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: text lacks %q: %q", name, w, head(text))
			}
		}
		if n := len(strings.Fields(art.Text)); n < 800 {
			t.Errorf("%s: %d words, want a manual's worth", name, n)
		}
	}
}
