package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A SOURCE file is read when it is .html, .htm, .txt or .pdf (.gz
// allowed), as DESIGN.md §6 says; a Markdown or CSV file, or one without
// an extension, is refused in one sentence naming what is read, exit 1,
// even when its bytes are text. Standard input has no name and stays
// sniffed.
func TestSourceFileTypes(t *testing.T) {
	cfg := testConfig(t, "")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, p := range []string{write("story.md", pageHTML), write("table.csv", "a,b\n1,2\n"), write("story", pageHTML)} {
		for _, verb := range [][]string{{"summarize"}, {"extract"}, {"ask", "--question", "What is it?"}} {
			args := append(append([]string{}, verb...), "--config", cfg, p)
			code, out, errOut := runCLI(t, nil, "", args...)
			if code != exitFailed || out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 ||
				!strings.Contains(errOut, ".html, .htm, .txt and .pdf") {
				t.Errorf("%s %s: exit %d, stdout %.60q, stderr %q; want 1 and one line naming the files read", verb[0], filepath.Base(p), code, out, errOut)
			}
		}
	}
	upper := write("STORY.HTML", pageHTML)
	if code, _, errOut := runCLI(t, nil, "", "extract", "--config", cfg, upper); code != 0 {
		t.Errorf("extract STORY.HTML: exit %d, stderr %q; want it read", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, pageHTML, "extract", "--config", cfg, "-"); code != 0 {
		t.Errorf("extract - (HTML on stdin): exit %d, stderr %q; want it sniffed and read", code, errOut)
	}
}
