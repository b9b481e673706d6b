package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func noEnv(string) string { return "" }

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeConfig(t testing.TB, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "linkbrief.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExampleConfigIsTheDefaults(t *testing.T) {
	got, err := loadConfig("config.example.toml", noEnv)
	if err != nil {
		t.Fatalf("loadConfig(config.example.toml): %v", err)
	}
	want := defaultConfig()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.toml = %+v\nwant the defaults %+v", got, want)
	}
}

func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile("config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	// tables walks a table's keys; a struct whose fields are all tables
	// (such as [sources]) is walked as [sources.NAME] tables.
	var tables func(name string, typ reflect.Type)
	tables = func(name string, typ reflect.Type) {
		if allTables(typ) {
			for j := range typ.NumField() {
				f := typ.Field(j)
				tables(name+"."+f.Tag.Get("toml"), f.Type)
			}
			return
		}
		if !strings.Contains(text, "["+name+"]") {
			t.Errorf("config.example.toml lacks the [%s] table", name)
		}
		for j := range typ.NumField() {
			key := typ.Field(j).Tag.Get("toml")
			if !strings.Contains(text, "\n"+key+" = ") {
				t.Errorf("config.example.toml does not document %s.%s", name, key)
			}
		}
	}
	typ := reflect.TypeOf(Config{})
	for i := range typ.NumField() {
		tables(typ.Field(i).Tag.Get("toml"), typ.Field(i).Type)
	}
}

// allTables reports whether every field of a struct type is a struct
// (a table of tables), not a key.
func allTables(typ reflect.Type) bool {
	for j := range typ.NumField() {
		if typ.Field(j).Type.Kind() != reflect.Struct {
			return false
		}
	}
	return typ.NumField() > 0
}

func TestConfigValues(t *testing.T) {
	p := writeConfig(t, `
[discord]
auto_channels = ["123", "456"]
[llm]
base_url = "http://localhost:11434/v1"
model = "llama3.1"
timeout = "90s"
[fetch]
max_bytes = "2MiB"
timeout = "5s"
[summary]
max_claims = 3
language = "pt-BR"
`)
	cfg, err := loadConfig(p, noEnv)
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if cfg.LLM.Timeout != 90*time.Second || cfg.Fetch.MaxBytes != 2<<20 || cfg.Fetch.Timeout != 5*time.Second ||
		cfg.Summary.MaxClaims != 3 || cfg.Summary.Language != "pt-BR" || len(cfg.Discord.AutoChannels) != 2 ||
		cfg.LLM.Model != "llama3.1" {
		t.Errorf("loaded %+v", cfg)
	}
	if cfg.Cache.TTL != 168*time.Hour {
		t.Errorf("unset cache.ttl = %v, want the default 168h", cfg.Cache.TTL)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct{ text, key string }{
		{"[llm]\nmodle = \"x\"", "llm.modle"},
		{"[fetchh]\ntimeout = \"1s\"", "fetchh"},
		{"[fetch]\ntimeout = \"soon\"", "line"},
		{"[fetch]\ntimeout = \"-1s\"", "fetch.timeout"},
		{"[fetch]\nmax_bytes = \"5 parsecs\"", "max_bytes"},
		{"[llm]\nbase_url = \"http://localhost:11434/v1\"", "llm.model"},
		{"[llm]\nbase_url = \"localhost:11434\"\nmodel = \"m\"", "llm.base_url"},
		{"[llm]\njson_mode = \"xml\"", "llm.json_mode"},
		{"[summary]\nbackend = \"llm\"", "summary.backend"},
		{"[summary]\nbackend = \"gpt\"", "summary.backend"},
		{"[summary]\nmax_claims = 0", "summary.max_claims"},
		{"[sources.youtube]\napi_url = \"www.youtube.com\"", "sources.youtube.api_url"},
		{"[sources.youtube]\nenable = false", "sources.youtube.enable"},
		{"[summary]\nlanguage = \"english please\"", "summary.language"},
		{"[discord]\nauto_channels = [\"general\"]", "discord.auto_channels"},
		{"[discord]\nauto_channels = [123]", "auto_channels"},
		{"[discord]\nshard_id = 2\nshard_count = 2", "discord.shard_id"},
		{"[discord]\napi_url = \"discord.com\"", "discord.api_url"},
		{"[discord]\npublic_key = \"zz\"", "discord.public_key"},
		{"[store]\ndriver = \"mysql\"", "store.driver"},
		{"[store]\ndriver = \"postgres\"", "store.dsn"},
		{"[limits]\nuser_per_minute = -1", "limits.user_per_minute"},
		{"[limits]\nredis_url = \"http://x\"", "limits.redis_url"},
		{"[http]\nlisten = \"8080\"", "http.listen"},
		{"[cache]\nttl = \"0s\"", "cache.ttl"},
	}
	for _, tt := range tests {
		_, err := loadConfig(writeConfig(t, tt.text), noEnv)
		if err == nil {
			t.Errorf("config %q loaded, want an error naming %s", tt.text, tt.key)
			continue
		}
		if !errors.Is(err, errConfig) {
			t.Errorf("config %q: error %v is not a config error", tt.text, err)
		}
		if !strings.Contains(err.Error(), tt.key) {
			t.Errorf("config %q: error %q does not name %s", tt.text, err, tt.key)
		}
	}
}

// TestConfigDurationsNeedAUnit: a bare number would be read as
// nanoseconds (fetch.timeout = 15 made every fetch time out), so a
// duration without its unit is a config error naming the key.
func TestConfigDurationsNeedAUnit(t *testing.T) {
	for _, tt := range []struct{ text, key string }{
		{"[fetch]\ntimeout = 15", "fetch.timeout"},
		{"[llm]\ntimeout = 60", "llm.timeout"},
		{"[cache]\nttl = 168", "cache.ttl"},
	} {
		_, err := loadConfig(writeConfig(t, tt.text), noEnv)
		if !errors.Is(err, errConfig) || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), "unit") {
			t.Errorf("config %q: err = %v, want a config error naming %s and asking for a unit", tt.text, err, tt.key)
		}
		code, _, errOut := runCLI(t, nil, "", "summarize", "--config", writeConfig(t, tt.text), "-")
		if code != exitUsage || !strings.Contains(errOut, tt.key) {
			t.Errorf("summarize with config %q: exit %d, stderr %q; want 2 naming %s", tt.text, code, errOut, tt.key)
		}
	}
	cfg, err := loadConfig(writeConfig(t, "[fetch]\ntimeout = \"15s\"\n[cache]\nttl = \"2h\""), noEnv)
	if err != nil || cfg.Fetch.Timeout != 15*time.Second || cfg.Cache.TTL != 2*time.Hour {
		t.Errorf("durations with units: %v, %v, %v", cfg.Fetch.Timeout, cfg.Cache.TTL, err)
	}
}

func TestConfigMissingFile(t *testing.T) {
	_, err := loadConfig(filepath.Join(t.TempDir(), "nope.toml"), noEnv)
	if !errors.Is(err, errConfig) || !strings.Contains(err.Error(), "nope.toml") {
		t.Errorf("missing file: err = %v, want a config error naming the file", err)
	}
	p := writeConfig(t, "[summary]\nmax_claims = 2\n")
	cfg, err := loadConfig("", envOf(map[string]string{"LINKBRIEF_CONFIG": p}))
	if err != nil || cfg.Summary.MaxClaims != 2 {
		t.Errorf("LINKBRIEF_CONFIG not read: %v, max_claims %d", err, cfg.Summary.MaxClaims)
	}
}

func TestConfigSecretsFromEnvironment(t *testing.T) {
	cfg, err := loadConfig("", envOf(map[string]string{
		"LINKBRIEF_DISCORD_TOKEN": "tok-123", "OPENAI_API_KEY": "sk-openai",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Discord.Token.Reveal() != "tok-123" || cfg.LLM.APIKey.Reveal() != "sk-openai" {
		t.Errorf("secrets not taken from the environment")
	}
	cfg, _ = loadConfig("", envOf(map[string]string{"LINKBRIEF_LLM_API_KEY": "sk-lb", "OPENAI_API_KEY": "sk-openai"}))
	if cfg.LLM.APIKey.Reveal() != "sk-lb" {
		t.Errorf("LINKBRIEF_LLM_API_KEY should win over OPENAI_API_KEY")
	}
	p := writeConfig(t, "[llm]\napi_key = \"sk-file\"\n")
	cfg, _ = loadConfig(p, envOf(map[string]string{"LINKBRIEF_LLM_API_KEY": "sk-env"}))
	if cfg.LLM.APIKey.Reveal() != "sk-file" {
		t.Errorf("a key in the file should be used before the environment default")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("sk-very-secret")
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("x", "key", s, "cfg", Config{LLM: LLMConfig{APIKey: s}})
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %q", s, s, s, s),
		fmt.Sprintf("%+v", Config{LLM: LLMConfig{APIKey: s}}), log.String()} {
		if strings.Contains(out, "very-secret") {
			t.Errorf("secret printed: %s", out)
		}
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "5MiB": 5 << 20, "512 KiB": 512 << 10, "10MB": 10e6, "1g": 1 << 30} {
		got, err := parseByteSize(in)
		if err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "5 parsecs", "-1", "99999999999999999999"} {
		if got, err := parseByteSize(in); err == nil {
			t.Errorf("parseByteSize(%q) = %d, want an error", in, got)
		}
	}
}

// TestConfigSyntaxErrorsHideSecrets: a secret written without its quotes
// is a config error naming the key, and the parser's message, which
// quotes what it found, does not carry the secret to the terminal.
func TestConfigSyntaxErrorsHideSecrets(t *testing.T) {
	const secret = "SECRETVALUExy"
	for _, text := range []string{
		"[discord]\ntoken = " + secret + "\n",
		"[llm]\napi_key = " + secret + "\n",
		"[store]\ndsn = " + secret + "@h/db\n",
		"[limits]\nredis_url = " + secret + "\n",
		"[sources.github]\ntoken = " + secret + "\n",
	} {
		code, _, errOut := runCLI(t, nil, "", "summarize", "--config", writeConfig(t, text), "-")
		key := strings.TrimSuffix(strings.Split(strings.Split(text, "\n")[1], " ")[0], "=")
		if code != 2 || !strings.Contains(errOut, key) || strings.Contains(errOut, secret) {
			t.Errorf("config %q: exit %d, stderr %q; want 2 naming %s without the secret", text, code, errOut, key)
		}
	}
}
