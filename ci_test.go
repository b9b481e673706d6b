package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCIStopsTestServices runs .ci/run with fake go, gofmt and git and a
// fake scripts/test-services.sh that logs its commands: the services it
// started are stopped whether the tests pass or fail, and services that
// were already running before it are left alone.
func TestCIStopsTestServices(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script, err := os.ReadFile(filepath.Join(".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		testsFail   bool
		alreadyUp   bool
		wantStopped bool
	}{
		{"tests pass", false, false, true},
		{"tests fail", true, false, true},
		{"services were already up", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			bin := filepath.Join(root, "bin")
			log := filepath.Join(root, "services.log")
			write := func(path, text string) {
				t.Helper()
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			write(filepath.Join(root, ".ci", "run"), string(script))
			status := "exit 1"
			if tt.alreadyUp {
				status = "exit 0"
			}
			write(filepath.Join(root, "scripts", "test-services.sh"), `#!/usr/bin/env bash
echo "${1:-start}" >> "`+log+`"
case "${1:-start}" in
start) echo "export LINKBRIEF_TEST_REDIS=redis://127.0.0.1:1/0" ;;
status) `+status+` ;;
esac
`)
			goTest := "exit 0"
			if tt.testsFail {
				goTest = "exit 1"
			}
			write(filepath.Join(bin, "go"), `#!/usr/bin/env bash
case "$1" in
version) echo "go version go1.26 linux/amd64" ;;
test) `+goTest+` ;;
esac
exit 0
`)
			write(filepath.Join(bin, "gofmt"), "#!/usr/bin/env bash\nexit 0\n")
			write(filepath.Join(bin, "git"), "#!/usr/bin/env bash\nexit 0\n")

			cmd := exec.Command(bash, filepath.Join(root, ".ci", "run"))
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tt.testsFail {
				t.Errorf(".ci/run: err %v, want failure %v\n%s", err, tt.testsFail, out)
			}
			data, _ := os.ReadFile(log)
			calls := strings.Fields(string(data))
			stopped := len(calls) > 0 && calls[len(calls)-1] == "stop"
			if stopped != tt.wantStopped || !strings.Contains(string(data), "start") {
				t.Errorf("test-services.sh calls %q, want start and stopped=%v\n%s", calls, tt.wantStopped, out)
			}
		})
	}
}
