package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// lockedBuffer collects a child's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// buildBinary builds linkbrief once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "linkbrief-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "linkbrief")
	// -buildvcs=true: the environment may turn stamping off (GOFLAGS),
	// and linkbrief version reports the revision.
	out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// TestRunBinary runs the built binary as an admin would, against a fake
// Discord, a fake model and a local page: commands are registered, a link
// in an auto channel gets a brief and a thread, no secret reaches the
// logs, and SIGTERM ends the process cleanly with status 0.
func TestRunBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dc := discordtest.New(t, discordtest.Options{})
	model := llmtest.New(t)
	page := pageServer(t)
	db := filepath.Join(t.TempDir(), "bot.db")
	addr := freeAddr(t)
	cfg := writeConfig(t, fmt.Sprintf(`
[http]
listen = %q
[discord]
api_url = %q
auto_channels = [%q]
[llm]
base_url = %q
model = "test-model"
[fetch]
allow_private_networks = true
[store]
dsn = %q
`, addr, dc.APIURL(), discordtest.DefaultChannelID, model.URL(), db))
	const apiKey = "sk-run-binary-SECRET"

	reg := exec.Command(bin, "commands", "register", "--config", cfg, "--guild", discordtest.DefaultGuildID)
	reg.Env = append(os.Environ(), "LINKBRIEF_DISCORD_TOKEN="+dc.Token(), "LINKBRIEF_LLM_API_KEY="+apiKey)
	if out, err := reg.CombinedOutput(); err != nil {
		t.Fatalf("commands register: %v\n%s", err, out)
	}
	if len(dc.Commands(discordtest.DefaultGuildID)) == 0 {
		t.Fatal("commands register did not register guild commands")
	}

	cmd := exec.Command(bin, "run", "--config", cfg)
	cmd.Env = append(os.Environ(), "LINKBRIEF_DISCORD_TOKEN="+dc.Token(), "LINKBRIEF_LLM_API_KEY="+apiKey)
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	dc.WaitFor(t, 20*time.Second, func() bool { return dc.Connected() && len(dc.Commands("")) > 0 },
		"the bot to connect and register global commands")

	src, err := dc.PostMessage(discordtest.MessageSpec{ChannelID: discordtest.DefaultChannelID,
		Content: "@everyone look " + page.URL + "/story"})
	if err != nil {
		t.Fatal(err)
	}
	var reply discordtest.Message
	dc.WaitFor(t, 20*time.Second, func() bool {
		for _, m := range dc.ChannelMessages(discordtest.DefaultChannelID) {
			if m.Author.ID == dc.BotUser().ID {
				reply = m
				return true
			}
		}
		return false
	}, "the brief")
	if reply.MessageReference == nil || reply.MessageReference.MessageID != src.ID || len(reply.Embeds) != 1 {
		t.Errorf("reply = %+v, want one embed replying to %s", reply, src.ID)
	} else if !strings.Contains(strings.ToLower(reply.Embeds[0].Title), "bridge") {
		t.Errorf("embed title = %q", reply.Embeds[0].Title)
	}
	dc.WaitFor(t, 10*time.Second, func() bool { return len(dc.Threads()) == 1 }, "a thread on the brief")

	// The HTTP endpoint reports health and counts the brief.
	if code, body := httpGet(t, "http://"+addr+"/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz = %d %q, want 200 ok", code, body)
	}
	if _, body := httpGet(t, "http://"+addr+"/metrics"); !strings.Contains(body, `linkbrief_briefs_total{backend="llm",outcome="fresh"} 1`) {
		t.Errorf("/metrics does not count the brief:\n%s", grepLines(body, "linkbrief_"))
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15 s after SIGTERM\n%s", logs.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("shutdown took %v, want under 10 s", d)
	}
	out := logs.String()
	if strings.Contains(out, dc.Token()) || strings.Contains(out, apiKey) {
		t.Errorf("a secret reached the logs:\n%s", out)
	}
}

func TestRunNeedsAToken(t *testing.T) {
	code, _, errOut := runCLI(t, nil, "", "run")
	if code != 2 || !strings.Contains(errOut, "LINKBRIEF_DISCORD_TOKEN") {
		t.Errorf("run without a token: exit %d, stderr %q; want 2 and how to set one", code, errOut)
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRunUnusableDataDirectory: a store that cannot be created stops the
// start with a clear error naming it, not a crash or a hang.
func TestRunUnusableDataDirectory(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, fmt.Sprintf("[store]\ndsn = %q\n", filepath.Join(blocker, "linkbrief.db")))
	code, _, errOut := runCLI(t, map[string]string{"LINKBRIEF_DISCORD_TOKEN": "tok"}, "", "run", "--config", cfg)
	if code != 1 || !strings.Contains(errOut, "cannot open the store") || !strings.Contains(errOut, "not-a-dir") {
		t.Errorf("run with an unusable data directory: exit %d, stderr %q; want 1 and a reason naming the path", code, errOut)
	}
}

// TestRunNoGatewayNeedsHTTP: run --no-gateway without http.listen (or
// without discord.public_key) stops at once, before the store is opened
// or the job queue migrated.
func TestRunNoGatewayNeedsHTTP(t *testing.T) {
	for _, extra := range []string{
		"",
		"[discord]\npublic_key = \"" + strings.Repeat("ab", 32) + "\"\n",
		"[http]\nlisten = \"127.0.0.1:0\"\n",
	} {
		dir := t.TempDir()
		db := filepath.Join(dir, "x.db")
		cfg := writeConfig(t, fmt.Sprintf("[store]\ndsn = %q\n%s", db, extra))
		code, _, errOut := runCLI(t, map[string]string{"LINKBRIEF_DISCORD_TOKEN": "tok"}, "", "run", "--no-gateway", "--config", cfg)
		if code != 2 || !strings.Contains(errOut, "http.listen") || !strings.Contains(errOut, "public_key") {
			t.Errorf("run --no-gateway with %q: exit %d, stderr %q; want 2 and what is missing", extra, code, errOut)
		}
		if files, _ := os.ReadDir(dir); len(files) != 0 {
			t.Errorf("run --no-gateway with %q created %v before refusing; want nothing opened or migrated", extra, files)
		}
	}
}

// TestRunHTTPOnlyReplica runs the binary as an HTTP-only replica: it
// answers a signed PING, refuses a bad signature, and stops on SIGTERM.
func TestRunHTTPOnlyReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	dc := discordtest.New(t, discordtest.Options{})
	addr := freeAddr(t)
	cfg := writeConfig(t, fmt.Sprintf("[http]\nlisten = %q\n[discord]\napi_url = %q\npublic_key = %q\n[store]\ndsn = %q\n",
		addr, dc.APIURL(), hex.EncodeToString(pub), filepath.Join(t.TempDir(), "r.db")))
	cmd := exec.Command(bin, "run", "--no-gateway", "--config", cfg)
	cmd.Env = append(os.Environ(), "LINKBRIEF_DISCORD_TOKEN="+dc.Token())
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()

	ping := func(sign ed25519.PrivateKey) (int, string) {
		body := `{"type":1,"id":"1","application_id":"` + dc.AppID() + `","token":"t","version":1}`
		ts := fmt.Sprint(time.Now().Unix())
		req, _ := http.NewRequest("POST", "http://"+addr+"/interactions", strings.NewReader(body))
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(sign, []byte(ts+body))))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var code int
	var body string
	dc.WaitFor(t, 20*time.Second, func() bool { code, body = ping(priv); return code == 200 }, "the replica to answer a PING")
	if !strings.Contains(body, `"type":1`) {
		t.Errorf("PING answered %q, want {\"type\":1}", body)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	if code, _ := ping(other); code != 401 {
		t.Errorf("badly signed PING: status %d, want 401", code)
	}
	if dc.Identifies() != 0 {
		t.Errorf("an HTTP-only replica opened the gateway (%d IDENTIFYs)", dc.Identifies())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15 s after SIGTERM\n%s", logs.String())
	}
}

// TestRegisterNeedsOnlyDiscord: commands register talks to Discord's REST
// API alone: with a store and a Redis that could not be opened it still
// registers the commands, touching neither; without a token it is a
// config error.
func TestRegisterNeedsOnlyDiscord(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dc := discordtest.New(t, discordtest.Options{})
	cfg := writeConfig(t, fmt.Sprintf("[discord]\napi_url = %q\n[store]\ndsn = %q\n[limits]\nredis_url = \"redis://127.0.0.1:1/0\"\n",
		dc.APIURL(), filepath.Join(blocker, "linkbrief.db")))
	code, out, errOut := runCLI(t, map[string]string{"LINKBRIEF_DISCORD_TOKEN": dc.Token()}, "",
		"commands", "register", "--config", cfg, "--guild", discordtest.DefaultGuildID)
	if code != 0 || !strings.Contains(out, "registered in server "+discordtest.DefaultGuildID) {
		t.Fatalf("commands register: exit %d, stdout %q, stderr %q; want 0", code, out, errOut)
	}
	if n := len(dc.Commands(discordtest.DefaultGuildID)); n == 0 {
		t.Error("no guild commands registered")
	}
	if code, _, errOut := runCLI(t, nil, "", "commands", "register", "--config", cfg); code != 2 || !strings.Contains(errOut, "LINKBRIEF_DISCORD_TOKEN") {
		t.Errorf("commands register without a token: exit %d, stderr %q; want 2 and how to set one", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "", "commands", "unregister"); code != 2 || !strings.Contains(errOut, "linkbrief commands register") {
		t.Errorf("commands unregister: exit %d, stderr %q; want 2 and the usage", code, errOut)
	}
}

// TestRunAndRegisterRefuseStrayArguments: run and commands register take
// flags only; a stray argument (a mistyped flag, a SOURCE) is a usage
// error with status 2, before anything is opened or sent to Discord.
func TestRunAndRegisterRefuseStrayArguments(t *testing.T) {
	dc := discordtest.New(t, discordtest.Options{})
	dir := t.TempDir()
	cfg := writeConfig(t, fmt.Sprintf("[discord]\napi_url = %q\n[store]\ndsn = %q\n", dc.APIURL(), filepath.Join(dir, "x.db")))
	// A token the fake refuses: the code before the check ran the bot
	// with a good one until killed.
	env := map[string]string{"LINKBRIEF_DISCORD_TOKEN": "not-" + dc.Token()}
	for _, args := range [][]string{
		{"run", "--config", cfg, "https://example.org/"},
		{"run", "config.toml", "--config", cfg},
		{"commands", "register", "--config", cfg, "123"},
		{"commands", "register", "--config", cfg, "--", "--guild"},
	} {
		code, out, errOut := runCLI(t, env, "", args...)
		if code != 2 || !strings.Contains(errOut, "unexpected argument") || out != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and the stray argument named on stderr", args, code, out, errOut)
		}
	}
	if n := len(dc.Calls()); n != 0 {
		t.Errorf("%d calls reached Discord; want none", n)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("the store was created (%v); want nothing opened", files)
	}
}

// TestStartupStoreAndRedisErrors: a store.dsn or limits.redis_url that
// cannot be parsed is a config error (exit 2) naming the key, found when
// the config is read, without the password in it; a server that is down
// is a failed start (exit 1) in one line, with no secret and none of the
// Redis client's own log lines.
func TestStartupStoreAndRedisErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	const secret = "PWSECRET42"
	db := filepath.Join(t.TempDir(), "x.db")
	tests := []struct {
		name     string
		args     []string
		cfg      string
		wantCode int
		wantKey  string
	}{
		{"garbage DSN, run", []string{"run"}, "[store]\ndriver = \"postgres\"\ndsn = \"not a url " + secret + "\"\n", 2, "store.dsn"},
		{"garbage DSN, summarize", []string{"summarize", "-"}, "[store]\ndriver = \"postgres\"\ndsn = \"" + secret + "\"\n", 2, "store.dsn"},
		{"bad Redis URL", []string{"run"}, fmt.Sprintf("[store]\ndsn = %q\n[limits]\nredis_url = \"redis://:%s@127.0.0.1/db-one\"\n", db, secret), 2, "limits.redis_url"},
		{"PostgreSQL down", []string{"run"}, "[store]\ndriver = \"postgres\"\ndsn = \"postgres://u:" + secret + "@127.0.0.1:1/db\"\n", 1, "cannot open the store"},
		{"Redis down", []string{"run"}, fmt.Sprintf("[store]\ndsn = %q\n[limits]\nredis_url = \"redis://:%s@127.0.0.1:1/0\"\n", db, secret), 1, "limits.redis_url"},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin, append(tt.args, "--config", writeConfig(t, tt.cfg))...)
		cmd.Env = append(os.Environ(), "LINKBRIEF_DISCORD_TOKEN=tok")
		cmd.Stdin = strings.NewReader("<p>text</p>")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.Run()
		errOut := stderr.String()
		if code := cmd.ProcessState.ExitCode(); code != tt.wantCode || !strings.Contains(errOut, tt.wantKey) {
			t.Errorf("%s: exit %d, stderr %q; want %d naming %s", tt.name, code, errOut, tt.wantCode, tt.wantKey)
		}
		if strings.Contains(errOut+stdout.String(), secret) {
			t.Errorf("%s: the password reached the output: %q", tt.name, errOut)
		}
		if strings.Contains(errOut, "redis: ") && strings.Contains(errOut, ".go:") {
			t.Errorf("%s: the Redis client's log lines reached stderr: %q", tt.name, errOut)
		}
	}
}
