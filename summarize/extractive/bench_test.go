package extractive

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// rougeAll runs the shared scorer on preds over the rows of data and
// returns its overall figures and its printed table.
func rougeAll(tb testing.TB, shared, data, preds, compare string) (map[string]float64, string) {
	tb.Helper()
	out := preds + ".score.json"
	args := []string{filepath.Join(shared, "tools", "rouge.py"), "--data", data, "--pred", preds,
		"--only-covered", "--json", out}
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

// devHalf splits the CNN/DailyMail rows in two by a hash of their id: the
// ranking was tuned on half "A" only, so half "B" shows how the method does
// on stories it was not fitted to.
func devHalf(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return string(rune('A' + h.Sum32()%2))
}

// writeRows writes rows as JSON lines to path.
func writeRows(tb testing.TB, path string, rows []devRow) {
	tb.Helper()
	var buf strings.Builder
	for _, r := range rows {
		line, err := json.Marshal(r)
		if err != nil {
			tb.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(buf.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
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

// BenchmarkDevROUGE summarizes the dev yardstick, scores the summaries with
// the shared ROUGE scorer, and prints lead-3 (made by the scorer's own
// baseline tool) beside them from the same run: on the CNN/DailyMail rows
// (the target), on each half of them (tuned on A, B held out), and on the
// XSum rows (a different kind of summary, as a check that nothing got worse).
// It also prints the ACU coverage of the claims against lead-3's sentences.
//
//	go test -run '^$' -bench DevROUGE ./summarize/extractive/
func BenchmarkDevROUGE(b *testing.B) {
	shared := sharedDir(b)
	if _, err := exec.LookPath("python3"); err != nil {
		b.Skip("python3 not found: the scorer needs it")
	}
	all := readDev(b, filepath.Join(shared, "data", "summarization", "dev.jsonl"))
	subsets := map[string][]devRow{}
	var rows []devRow
	for _, r := range all {
		if r.Dataset == "cnndm" {
			rows = append(rows, r)
			subsets["cnndm-"+devHalf(r.ID)] = append(subsets["cnndm-"+devHalf(r.ID)], r)
		} else {
			subsets[r.Dataset] = append(subsets[r.Dataset], r)
		}
	}
	subsets["cnndm"] = rows
	dir := b.TempDir()

	sums := make([]Summary, len(rows))
	for b.Loop() {
		for i, r := range rows {
			sums[i] = Summarize("", r.Article, Options{})
		}
	}
	b.StopTimer()

	// Every row's summary, CNN/DM from the timed loop.
	byID := map[string]Summary{}
	for i, r := range rows {
		byID[r.ID] = sums[i]
	}
	for _, r := range all {
		if _, ok := byID[r.ID]; !ok {
			byID[r.ID] = Summarize("", r.Article, Options{})
		}
	}
	ids := make([]string, len(all))
	sentences := make([][]string, len(all))
	claims := map[string][]string{}
	for i, r := range all {
		ids[i] = r.ID
		sentences[i] = byID[r.ID].Sentences
		claims[r.ID] = byID[r.ID].Claims
		for _, c := range append(byID[r.ID].Sentences, byID[r.ID].Claims...) {
			if !strings.Contains(r.Article, c) {
				b.Errorf("%s: %q is not verbatim in the article", r.ID, c)
			}
		}
	}
	ours := filepath.Join(dir, "extractive.jsonl")
	writePreds(b, ours, ids, sentences)

	allData := filepath.Join(dir, "dev.jsonl")
	writeRows(b, allData, all)
	lead := filepath.Join(dir, "lead3.jsonl")
	cmd := exec.Command("python3", filepath.Join(shared, "tools", "summ_baselines.py"),
		"--data", allData, "--method", "lead", "--k", "3", "--out", lead)
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

	fmt.Printf("Dev yardstick, ROUGE F1 x100 (scorer tools/rouge.py), extractive vs lead-3 from the same run:\n")
	var mine, base map[string]float64
	for _, name := range []string{"cnndm", "cnndm-A", "cnndm-B", "xsum"} {
		data := filepath.Join(dir, name+".jsonl")
		writeRows(b, data, subsets[name])
		m, table := rougeAll(b, shared, data, ours, lead)
		l, _ := rougeAll(b, shared, data, lead, "")
		if name == "cnndm" {
			mine, base = m, l
		}
		words := func(r map[string]float64) float64 { return r["avg_summary_words"] }
		fmt.Printf("%s, %d rows:\n", name, len(subsets[name]))
		fmt.Printf("  %-10s R1 %5.2f  R2 %5.2f  RL %5.2f  RLsum %5.2f  words %5.1f\n", "extractive",
			m["rouge1_f"], m["rouge2_f"], m["rougeL_f"], m["rougeLsum_f"], words(m))
		fmt.Printf("  %-10s R1 %5.2f  R2 %5.2f  RL %5.2f  RLsum %5.2f  words %5.1f\n", "lead-3",
			l["rouge1_f"], l["rouge2_f"], l["rougeL_f"], l["rougeLsum_f"], words(l))
		fmt.Printf("  paired difference (extractive - lead-3):\n%s", indentAfter(table, "paired"))
	}

	var rose []devRow
	for _, r := range rows {
		if len(r.ACUs) > 0 {
			rose = append(rose, r)
		}
	}
	summaryMap := map[string][]string{}
	briefMap := map[string][]string{}
	claims3 := map[string][]string{}
	for _, r := range rose {
		s := byID[r.ID]
		summaryMap[r.ID] = s.Sentences
		briefMap[r.ID] = append(slices.Clone(s.Sentences), s.Claims...)
		claims3[r.ID] = Summarize("", r.Article, Options{MaxClaims: 3}).Claims
	}
	// Claims that repeat a summary sentence, over every row: the brief
	// shows both, so a repeat is one fact fewer.
	var repeats, total, longRepeats, longTotal, longArticles int
	for _, r := range all {
		s := byID[r.ID]
		long := len(Sentences(r.Article)) > 8
		if long {
			longArticles++
		}
		for _, c := range s.Claims {
			total++
			rep := slices.Contains(s.Sentences, c)
			if rep {
				repeats++
			}
			if long {
				longTotal++
				if rep {
					longRepeats++
				}
			}
		}
	}
	covClaims := acuCoverage(rose, claims)
	covClaims3 := acuCoverage(rose, claims3)
	covSummary := acuCoverage(rose, summaryMap)
	covBrief := acuCoverage(rose, briefMap)
	covLead := acuCoverage(rose, leadSents)

	b.ReportMetric(mine["rouge1_f"], "R1")
	b.ReportMetric(mine["rouge2_f"], "R2")
	b.ReportMetric(mine["rougeLsum_f"], "RLsum")
	b.ReportMetric(base["rouge1_f"], "lead3-R1")
	b.ReportMetric(base["rouge2_f"], "lead3-R2")
	b.ReportMetric(base["rougeLsum_f"], "lead3-RLsum")
	b.ReportMetric(100*covClaims, "ACU%")
	b.ReportMetric(100*covLead, "lead3-ACU%")
	fmt.Printf("ACU coverage on %d RoSE rows (an ACU counts when most of its content words appear):\n", len(rose))
	fmt.Printf("  claims (%d max)        %5.1f%%\n", DefaultMaxClaims, 100*covClaims)
	fmt.Printf("  claims (3 max)        %5.1f%%\n", 100*covClaims3)
	fmt.Printf("  summary sentences     %5.1f%%\n", 100*covSummary)
	fmt.Printf("  summary + claims      %5.1f%%\n", 100*covBrief)
	fmt.Printf("  lead-3 sentences      %5.1f%%\n", 100*covLead)
	fmt.Printf("Claims repeating a summary sentence: %d of %d on all %d rows; %d of %d on the %d articles of more than 8 sentences (target 0)\n",
		repeats, total, len(all), longRepeats, longTotal, longArticles)
	b.ReportMetric(float64(longRepeats), "repeats>8")
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
