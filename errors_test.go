package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failureLine runs extract on one SOURCE and returns what it said about
// the failure, after "linkbrief: SOURCE: ".
func failureLine(t *testing.T, cfg, source string) string {
	t.Helper()
	code, _, errOut := runCLI(t, nil, "", "extract", "--config", cfg, source)
	if code != exitFailed {
		t.Errorf("extract %s: exit %d, want 1 (stderr %q)", source, code, errOut)
	}
	return strings.TrimSpace(strings.TrimPrefix(errOut, "linkbrief: "+source+": "))
}

// TestFetchFailuresSayWhich: a refused connection, a TLS failure and the
// size cap each read differently, and the size cap reads the same for a
// page and a file.
func TestFetchFailuresSayWhich(t *testing.T) {
	cfg := writeConfig(t, fmt.Sprintf("[fetch]\nallow_private_networks = true\nmax_bytes = 2048\n[store]\ndsn = %q\n",
		filepath.Join(t.TempDir(), "c.db")))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	big := strings.Repeat("<p>A sentence that repeats to make the page large.</p>\n", 100)
	bigSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, big)
	}))
	defer bigSrv.Close()
	bigFile := filepath.Join(t.TempDir(), "big.html")
	if err := os.WriteFile(bigFile, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}

	refused := failureLine(t, cfg, closed)
	badTLS := failureLine(t, cfg, tlsSrv.URL)
	if !strings.Contains(refused, "refused the connection") {
		t.Errorf("closed port: %q, want it to say the connection was refused", refused)
	}
	if !strings.Contains(badTLS, "TLS") {
		t.Errorf("self-signed TLS: %q, want it to say TLS failed", badTLS)
	}
	pageSize, fileSize := failureLine(t, cfg, bigSrv.URL), failureLine(t, cfg, bigFile)
	if pageSize != fileSize || !strings.Contains(pageSize, "2 KiB") {
		t.Errorf("size cap: page %q, file %q; want one message naming the limit", pageSize, fileSize)
	}
}

// TestPrivateAddressRefusalNamesTheSetting: the CLI says which setting
// lifts the refusal of a private address.
func TestPrivateAddressRefusalNamesTheSetting(t *testing.T) {
	ts := pageServer(t)
	cfg := writeConfig(t, fmt.Sprintf("[store]\ndsn = %q\n", filepath.Join(t.TempDir(), "c.db")))
	for _, u := range []string{ts.URL + "/story", "http://127.0.0.1/story", "http://10.0.0.5/"} {
		if msg := failureLine(t, cfg, u); !strings.Contains(msg, "fetch.allow_private_networks") {
			t.Errorf("%s: %q, want it to name fetch.allow_private_networks", u, msg)
		}
	}
}

// TestUnusableModel: with --backend llm (or summary.backend = "llm") an
// unusable model server fails the SOURCE with exit 1 and a line naming
// the server and the failure; with auto the offline brief's note does.
// The API key never shows.
func TestUnusableModel(t *testing.T) {
	ts := pageServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	ln.Close()
	llmCfg := fmt.Sprintf("[llm]\nbase_url = \"http://%s/v1\"\nmodel = \"m\"\n", host)
	env := map[string]string{"LINKBRIEF_LLM_API_KEY": "sk-SECRET-1"}
	for _, tt := range []struct {
		name string
		cfg  string
		args []string
	}{
		{"--backend llm", testConfig(t, llmCfg), []string{"--backend", "llm"}},
		{"summary.backend = llm", testConfig(t, llmCfg+"[summary]\nbackend = \"llm\"\n"), nil},
	} {
		args := append([]string{"summarize", "--config", tt.cfg}, append(tt.args, ts.URL+"/story")...)
		code, out, errOut := runCLI(t, env, "", args...)
		if code != exitFailed || out != "" || !strings.Contains(errOut, host) || !strings.Contains(errOut, "refused the connection") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1 and a line naming %s and the refused connection", tt.name, code, out, errOut, host)
		}
		if strings.Contains(out+errOut, "SECRET") {
			t.Errorf("%s: the API key shows: %s %s", tt.name, out, errOut)
		}
	}
	code, out, errOut := runCLI(t, env, "", "summarize", "--config", testConfig(t, llmCfg), "--format", "json", ts.URL+"/story")
	if code != 0 {
		t.Fatalf("auto: exit %d: %s", code, errOut)
	}
	b := decodeLines(t, out)[0]
	note, _ := b["note"].(string)
	if b["backend"] != "extractive" || !strings.Contains(note, host) || !strings.Contains(note, "refused the connection") {
		t.Errorf("auto: backend %v note %q, want an offline brief whose note names %s and the failure", b["backend"], note, host)
	}
}

// TestBinaryFilesRefused: a program or an image given as a SOURCE is
// refused in one line, exit 1, and nothing is printed as a brief.
func TestBinaryFilesRefused(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(png, append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 200)...), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "")
	for _, src := range []string{exe, png} {
		for _, verb := range [][]string{{"summarize"}, {"extract"}, {"ask", "--question", "What is it?"}} {
			args := append(append([]string{}, verb...), "--config", cfg, src)
			code, out, errOut := runCLI(t, nil, "", args...)
			if code != exitFailed || out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 ||
				!strings.Contains(errOut, "Not an HTML, text or PDF file") {
				t.Errorf("%s %s: exit %d, stdout %.60q, stderr %q; want 1 and one line saying it is not HTML or text", verb[0], src, code, out, errOut)
			}
		}
	}
	stdinPNG, _ := os.ReadFile(png)
	code, _, errOut := runCLI(t, nil, string(stdinPNG), "summarize", "--config", cfg, "-")
	if code != exitFailed || !strings.Contains(errOut, "an image") {
		t.Errorf("a PNG on stdin: exit %d, stderr %q", code, errOut)
	}
}

// TestFileBriefsCachedByContent: summarizing a file again is a cache
// hit; after the file changes, it is not.
func TestFileBriefsCachedByContent(t *testing.T) {
	cfg := testConfig(t, "")
	p := filepath.Join(t.TempDir(), "story.html")
	if err := os.WriteFile(p, []byte(pageHTML), 0o600); err != nil {
		t.Fatal(err)
	}
	cached := func() any {
		t.Helper()
		code, out, errOut := runCLI(t, nil, "", "summarize", "--config", cfg, "--format", "json", p)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		return decodeLines(t, out)[0]["cached"]
	}
	if c := cached(); c != false {
		t.Errorf("first run cached = %v", c)
	}
	if c := cached(); c != true {
		t.Errorf("second run cached = %v, want true", c)
	}
	code, out, errOut := runCLI(t, nil, pageHTML, "summarize", "--config", cfg, "--format", "json", "-")
	if code != 0 || decodeLines(t, out)[0]["cached"] != true {
		t.Errorf("the same page on stdin: exit %d, %s %s; want a cache hit", code, out, errOut)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(pageHTML, "seven to two", "eight to one", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := cached(); c != false {
		t.Errorf("after the file changed cached = %v, want false", c)
	}
}
