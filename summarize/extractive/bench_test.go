package extractive

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// devRow is one line of ../shared/data/summarization/dev.jsonl.
type devRow struct {
	ID        string   `json:"id"`
	Dataset   string   `json:"dataset"`
	Origin    string   `json:"origin"`
	Article   string   `json:"article"`
	Reference string   `json:"reference"`
	ACUs      []string `json:"acus"`
}

// sharedDir returns ../shared next to the repository root (found by walking
// up to go.mod), or skips the benchmark when it is absent.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the working directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "data", "summarization", "dev.jsonl")); err != nil {
		tb.Skipf("summarization yardstick absent: %v", err)
	}
	return shared
}

func readDev(tb testing.TB, path string) []devRow {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows []devRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r devRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// writePreds writes {"id","summary"} lines, one summary sentence per line as
// the scorer's baselines do.
func writePreds(tb testing.TB, path string, ids []string, sums [][]string) {
	tb.Helper()
	var b strings.Builder
	for i, id := range ids {
		line, err := json.Marshal(map[string]string{"id": id, "summary": strings.Join(sums[i], "\n")})
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// rougeAll runs the shared scorer on preds over the CNN/DM rows and returns
// its overall figures.
func rougeAll(tb testing.TB, shared, data, preds, compare string) (map[string]float64, string) {
	tb.Helper()
	out := preds + ".score.json"
	args := []string{filepath.Join(shared, "tools", "rouge.py"), "--data", data, "--pred", preds,
		"--where", "dataset=cnndm", "--json", out}
	if compare != "" {
		args = append(args, "--compare", compare)
	}
	cmd := exec.Command("python3", args...)
	text, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("rouge.py: %v\n%s", err, text)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	var res struct {
		Result map[string]map[string]any `json:"result"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		tb.Fatal(err)
	}
	m := map[string]float64{}
	for k, v := range res.Result["all"] {
		if f, ok := v.(float64); ok {
			m[k] = f
		}
	}
	return m, string(text)
}

// acuCovered reports whether most (more than half) of the content words of
// the atomic fact acu appear among the words of text.
func acuCovered(acu string, have map[string]bool) bool {
	n, hit := 0, 0
	for _, w := range rougeTokens(acu) {
		if isStopword(w) {
			continue
		}
		n++
		if have[w] {
			hit++
		}
	}
	return n > 0 && 2*hit > n
}

// rougeTokens tokenizes like the scorer: lower-case runs of [a-z0-9].
func rougeTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
}

// acuCoverage is the share of the rows' ACUs covered by the sentences of each
// row.
func acuCoverage(rows []devRow, sents map[string][]string) float64 {
	total, covered := 0, 0
	for _, r := range rows {
		have := map[string]bool{}
		for _, s := range sents[r.ID] {
			for _, w := range rougeTokens(s) {
				have[w] = true
			}
		}
		for _, a := range r.ACUs {
			total++
			if acuCovered(a, have) {
				covered++
			}
		}
	}
	if total == 0 {
		return 0
	}
	return float64(covered) / float64(total)
}

// BenchmarkDevROUGE summarizes the CNN/DailyMail rows of the dev yardstick,
// scores the summaries with the shared ROUGE scorer, and prints lead-3 (made
// by the scorer's own baseline tool) beside them from the same run, with the
// ACU coverage of the claims against lead-3's sentences taken as claims.
//
//	go test -run '^$' -bench DevROUGE ./summarize/extractive/
func BenchmarkDevROUGE(b *testing.B) {
	shared := sharedDir(b)
	if _, err := exec.LookPath("python3"); err != nil {
		b.Skip("python3 not found: the scorer needs it")
	}
	all := readDev(b, filepath.Join(shared, "data", "summarization", "dev.jsonl"))
	var rows []devRow
	for _, r := range all {
		if r.Dataset == "cnndm" {
			rows = append(rows, r)
		}
	}
	dir := b.TempDir()
	data := filepath.Join(dir, "cnndm.jsonl")
	var buf strings.Builder
	for _, r := range rows {
		line, err := json.Marshal(r)
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(data, []byte(buf.String()), 0o644); err != nil {
		b.Fatal(err)
	}

	sums := make([]Summary, len(rows))
	for b.Loop() {
		for i, r := range rows {
			sums[i] = Summarize("", r.Article, Options{})
		}
	}
	b.StopTimer()

	ids := make([]string, len(rows))
	sentences := make([][]string, len(rows))
	claims := map[string][]string{}
	words := 0
	for i, r := range rows {
		ids[i] = r.ID
		sentences[i] = sums[i].Sentences
		claims[r.ID] = sums[i].Claims
		for _, s := range sums[i].Sentences {
			words += len(strings.Fields(s))
		}
		for _, c := range sums[i].Claims {
			if !strings.Contains(r.Article, c) {
				b.Errorf("%s: claim %q is not verbatim in the article", r.ID, c)
			}
		}
	}
	ours := filepath.Join(dir, "extractive.jsonl")
	writePreds(b, ours, ids, sentences)

	lead := filepath.Join(dir, "lead3.jsonl")
	cmd := exec.Command("python3", filepath.Join(shared, "tools", "summ_baselines.py"),
		"--data", data, "--method", "lead", "--k", "3", "--out", lead)
	if text, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("summ_baselines.py: %v\n%s", err, text)
	}
	leadSents := map[string][]string{}
	raw, err := os.ReadFile(lead)
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var p struct{ ID, Summary string }
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			b.Fatalf("%s: %v", lead, err)
		}
		leadSents[p.ID] = strings.Split(p.Summary, "\n")
	}

	mine, table := rougeAll(b, shared, data, ours, lead)
	base, _ := rougeAll(b, shared, data, lead, "")

	var rose []devRow
	for _, r := range rows {
		if len(r.ACUs) > 0 {
			rose = append(rose, r)
		}
	}
	summaryMap := map[string][]string{}
	claims3 := map[string][]string{}
	for i, r := range rows {
		summaryMap[r.ID] = sentences[i]
		claims3[r.ID] = Summarize("", r.Article, Options{MaxClaims: 3}).Claims
	}
	covClaims := acuCoverage(rose, claims)
	covClaims3 := acuCoverage(rose, claims3)
	covSummary := acuCoverage(rose, summaryMap)
	covLead := acuCoverage(rose, leadSents)

	b.ReportMetric(mine["rouge1_f"], "R1")
	b.ReportMetric(mine["rouge2_f"], "R2")
	b.ReportMetric(mine["rougeLsum_f"], "RLsum")
	b.ReportMetric(base["rouge1_f"], "lead3-R1")
	b.ReportMetric(base["rouge2_f"], "lead3-R2")
	b.ReportMetric(base["rougeLsum_f"], "lead3-RLsum")
	b.ReportMetric(100*covClaims, "ACU%")
	b.ReportMetric(100*covLead, "lead3-ACU%")
	fmt.Printf("CNN/DM dev, %d rows (ROUGE F1 x100, scorer %s):\n", len(rows), "tools/rouge.py")
	fmt.Printf("  %-22s R1 %5.2f  R2 %5.2f  RL %5.2f  RLsum %5.2f  words %5.1f\n", "extractive",
		mine["rouge1_f"], mine["rouge2_f"], mine["rougeL_f"], mine["rougeLsum_f"], float64(words)/float64(len(rows)))
	fmt.Printf("  %-22s R1 %5.2f  R2 %5.2f  RL %5.2f  RLsum %5.2f  words %5.1f\n", "lead-3",
		base["rouge1_f"], base["rouge2_f"], base["rougeL_f"], base["rougeLsum_f"], base["avg_summary_words"])
	fmt.Printf("  paired difference (extractive - lead-3):\n%s", indentAfter(table, "paired"))
	fmt.Printf("ACU coverage on %d RoSE rows (an ACU counts when most of its content words appear):\n", len(rose))
	fmt.Printf("  claims (%d max)        %5.1f%%\n", DefaultMaxClaims, 100*covClaims)
	fmt.Printf("  claims (3 max)        %5.1f%%\n", 100*covClaims3)
	fmt.Printf("  summary sentences     %5.1f%%\n", 100*covSummary)
	fmt.Printf("  lead-3 sentences      %5.1f%%\n", 100*covLead)
}

// indentAfter returns the lines of text after the first line containing
// marker.
func indentAfter(text, marker string) string {
	i := strings.Index(text, marker)
	if i < 0 {
		return ""
	}
	rest := text[i:]
	if j := strings.IndexByte(rest, '\n'); j >= 0 {
		return rest[j+1:]
	}
	return ""
}
