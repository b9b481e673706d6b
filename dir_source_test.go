package main

import (
	"strings"
	"testing"
)

// A directory given as a SOURCE is refused in one sentence that says what
// to give instead, exit 1.
func TestDirectorySourceRefused(t *testing.T) {
	cfg := testConfig(t, "")
	dir := t.TempDir()
	for _, verb := range [][]string{{"summarize"}, {"extract"}, {"ask", "--question", "What is it?"}} {
		args := append(append([]string{}, verb...), "--config", cfg, dir)
		code, out, errOut := runCLI(t, nil, "", args...)
		if code != exitFailed || out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 ||
			!strings.Contains(errOut, "is a directory, not a file") {
			t.Errorf("%s DIR: exit %d, stdout %.60q, stderr %q; want 1 and one line saying it is a directory, not a file", verb[0], code, out, errOut)
		}
	}
}
