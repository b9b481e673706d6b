package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/linkbrief/linkbrief/summarize/sites"
)

// Secret is a string that never shows itself in logs, errors or output.
type Secret string

// String hides the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// LogValue hides the secret from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText hides the secret from encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret itself, for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

// ByteSize is a size in bytes, written in the config as a number of bytes
// or a string such as "5MiB", "512KiB" or "10MB".
type ByteSize int64

// UnmarshalTOML accepts an integer or a size string.
func (b *ByteSize) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case int64:
		*b = ByteSize(x)
		return nil
	case string:
		n, err := parseByteSize(x)
		if err != nil {
			return err
		}
		*b = ByteSize(n)
		return nil
	}
	return fmt.Errorf("want a number of bytes or a size like \"5MiB\", got %T", v)
}

func parseByteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) })
	if i == 0 {
		return 0, fmt.Errorf("want a size like \"5MiB\", got %q", s)
	}
	num, unit := s, ""
	if i > 0 {
		num, unit = s[:i], strings.TrimSpace(s[i:])
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("want a size like \"5MiB\", got %q", s)
	}
	mult := map[string]int64{
		"": 1, "b": 1, "kb": 1000, "mb": 1000 * 1000, "gb": 1000 * 1000 * 1000,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30,
	}[strings.ToLower(unit)]
	if mult == 0 {
		return 0, fmt.Errorf("unknown size unit %q in %q", unit, s)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * mult, nil
}

// Config is linkbrief's configuration (DESIGN.md §7). Its zero value is
// not useful: start from defaultConfig.
type Config struct {
	Discord DiscordConfig `toml:"discord"`
	LLM     LLMConfig     `toml:"llm"`
	Summary SummaryConfig `toml:"summary"`
	Fetch   FetchConfig   `toml:"fetch"`
	Cache   CacheConfig   `toml:"cache"`
	Store   StoreConfig   `toml:"store"`
	Limits  LimitsConfig  `toml:"limits"`
	HTTP    HTTPConfig    `toml:"http"`
	Sources SourcesConfig `toml:"sources"`
}

// DiscordConfig is the [discord] table.
type DiscordConfig struct {
	Token        Secret   `toml:"token"`
	APIURL       string   `toml:"api_url"`
	GuildID      string   `toml:"guild_id"`
	AutoChannels []string `toml:"auto_channels"`
	ShardID      int      `toml:"shard_id"`
	ShardCount   int      `toml:"shard_count"`
	PublicKey    string   `toml:"public_key"`
	Reaction     string   `toml:"reaction"`
}

// LLMConfig is the [llm] table.
type LLMConfig struct {
	BaseURL        string        `toml:"base_url"`
	APIKey         Secret        `toml:"api_key"`
	Model          string        `toml:"model"`
	JSONMode       string        `toml:"json_mode"`
	Timeout        time.Duration `toml:"timeout"`
	MaxInputTokens int           `toml:"max_input_tokens"`
}

// SummaryConfig is the [summary] table.
type SummaryConfig struct {
	Backend   string `toml:"backend"`
	Language  string `toml:"language"`
	MaxClaims int    `toml:"max_claims"`
}

// FetchConfig is the [fetch] table.
type FetchConfig struct {
	Timeout              time.Duration `toml:"timeout"`
	MaxBytes             ByteSize      `toml:"max_bytes"`
	MaxPDFBytes          ByteSize      `toml:"max_pdf_bytes"`
	AllowPrivateNetworks bool          `toml:"allow_private_networks"`
}

// CacheConfig is the [cache] table.
type CacheConfig struct {
	TTL time.Duration `toml:"ttl"`
}

// StoreConfig is the [store] table.
type StoreConfig struct {
	Driver string `toml:"driver"`
	DSN    Secret `toml:"dsn"`
}

// LimitsConfig is the [limits] table.
type LimitsConfig struct {
	UserPerMinute    int    `toml:"user_per_minute"`
	GuildPerHour     int    `toml:"guild_per_hour"`
	GuildDailyTokens int64  `toml:"guild_daily_tokens"`
	RedisURL         Secret `toml:"redis_url"`
}

// HTTPConfig is the [http] table.
type HTTPConfig struct {
	Listen string `toml:"listen"`
}

// defaultAPIURL is Discord's REST base.
const defaultAPIURL = "https://discord.com/api/v9/"

// defaultConfig returns the embedded defaults: the offline summarizer and
// an SQLite cache in the user cache directory.
func defaultConfig() Config {
	return Config{
		Discord: DiscordConfig{APIURL: defaultAPIURL, ShardCount: 1, AutoChannels: []string{}, Reaction: "🔍"},
		LLM:     LLMConfig{JSONMode: "auto", Timeout: 60 * time.Second, MaxInputTokens: 12000},
		Summary: SummaryConfig{Backend: "auto", MaxClaims: 5},
		Fetch:   FetchConfig{Timeout: 15 * time.Second, MaxBytes: 5 << 20, MaxPDFBytes: 25 << 20},
		Cache:   CacheConfig{TTL: 168 * time.Hour},
		Store:   StoreConfig{Driver: "sqlite"},
		Limits:  LimitsConfig{UserPerMinute: 5, GuildPerHour: 60, GuildDailyTokens: 200000},
		Sources: defaultSources(),
	}
}

// errConfig marks configuration errors, which exit with status 2.
var errConfig = errors.New("config")

// loadConfig reads the config file at path (or the one named by
// LINKBRIEF_CONFIG when path is ""), lays it over the defaults, takes
// secrets from the environment where the file has none, and validates
// the result. With no file at all it returns the embedded defaults.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	if path == "" {
		path = getenv("LINKBRIEF_CONFIG")
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("%w: cannot read %s: %w", errConfig, path, unwrapPathError(err))
		}
		if err := decodeConfig(string(data), &cfg); err != nil {
			return cfg, fmt.Errorf("%w: %s: %w", errConfig, path, err)
		}
	}
	if cfg.Discord.Token == "" {
		cfg.Discord.Token = Secret(getenv("LINKBRIEF_DISCORD_TOKEN"))
	}
	if cfg.LLM.APIKey == "" {
		cfg.LLM.APIKey = Secret(getenv("LINKBRIEF_LLM_API_KEY"))
	}
	if cfg.LLM.APIKey == "" {
		cfg.LLM.APIKey = Secret(getenv("OPENAI_API_KEY"))
	}
	if cfg.Sources.GitHub.Token == "" {
		cfg.Sources.GitHub.Token = Secret(getenv("LINKBRIEF_GITHUB_TOKEN"))
	}
	if err := cfg.validate(); err != nil {
		return cfg, fmt.Errorf("%w: %w", errConfig, err)
	}
	return cfg, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// decodeConfig decodes TOML text over cfg and rejects unknown keys.
func decodeConfig(text string, cfg *Config) error {
	md, err := toml.Decode(text, cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			if pe.LastKey != "" {
				if t, ok := keyType(reflect.TypeFor[Config](), toml.Key(strings.Split(pe.LastKey, "."))); ok && t == reflect.TypeFor[Secret]() {
					// The parser's message may quote the value: a secret.
					return fmt.Errorf("line %d: %s: not a valid TOML value (write it as a quoted string)", pe.Position.Line, pe.LastKey)
				}
				return fmt.Errorf("line %d: %s: %s", pe.Position.Line, pe.LastKey, pe.Message)
			}
			return fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message)
		}
		return err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown key %s", strings.Join(keys, ", "))
	}
	return checkDurations(md)
}

var durationType = reflect.TypeFor[time.Duration]()

// checkDurations refuses a duration written as a bare number: TOML's
// decoder would read fetch.timeout = 15 as 15 nanoseconds, and every
// fetch would then time out. A duration always carries its unit.
func checkDurations(md toml.MetaData) error {
	for _, key := range md.Keys() {
		if t, ok := keyType(reflect.TypeFor[Config](), key); ok && t == durationType && md.Type(key...) != "String" {
			return fmt.Errorf("%s: a duration needs a unit, such as \"15s\", \"2m\" or \"168h\"", key)
		}
	}
	return nil
}

// keyType follows a TOML key through the tables of t, by their toml
// tags, to the Go type of its value.
func keyType(t reflect.Type, key toml.Key) (reflect.Type, bool) {
	for _, part := range key {
		switch t.Kind() {
		case reflect.Struct:
			found := false
			for f := range t.Fields() {
				name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
				if name == part {
					t, found = f.Type, true
					break
				}
			}
			if !found {
				return nil, false
			}
		case reflect.Map:
			t = t.Elem()
		default:
			return nil, false
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	return t, true
}

var (
	snowflake = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,20}$`) })
	langCode  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`) })
)

// validate checks every value and names the key of the first bad one.
func (c *Config) validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...))
	}
	if err := checkHTTPURL(c.Discord.APIURL); err != nil {
		return bad("discord.api_url", "%v", err)
	}
	if c.Discord.GuildID != "" && !snowflake().MatchString(c.Discord.GuildID) {
		return bad("discord.guild_id", "want a Discord ID (digits), got %q", c.Discord.GuildID)
	}
	for _, ch := range c.Discord.AutoChannels {
		if !snowflake().MatchString(ch) {
			return bad("discord.auto_channels", "want channel IDs (digits, as strings), got %q", ch)
		}
	}
	if c.Discord.ShardCount < 1 {
		return bad("discord.shard_count", "must be at least 1, got %d", c.Discord.ShardCount)
	}
	if c.Discord.ShardID < 0 || c.Discord.ShardID >= c.Discord.ShardCount {
		return bad("discord.shard_id", "must be from 0 to shard_count-1 (%d), got %d", c.Discord.ShardCount-1, c.Discord.ShardID)
	}
	if c.Discord.PublicKey != "" {
		if k, err := hex.DecodeString(c.Discord.PublicKey); err != nil || len(k) != 32 {
			return bad("discord.public_key", "want the application's public key: 64 hex digits")
		}
	}
	if c.LLM.BaseURL != "" {
		if err := checkHTTPURL(c.LLM.BaseURL); err != nil {
			return bad("llm.base_url", "%v", err)
		}
		if strings.TrimSpace(c.LLM.Model) == "" {
			return bad("llm.model", "is required when llm.base_url is set")
		}
	}
	switch c.LLM.JSONMode {
	case "auto", "json_schema", "json_object", "prompt":
	default:
		return bad("llm.json_mode", "want auto, json_schema, json_object or prompt, got %q", c.LLM.JSONMode)
	}
	if c.LLM.Timeout <= 0 {
		return bad("llm.timeout", "must be a positive duration such as \"60s\"")
	}
	if c.LLM.MaxInputTokens < 500 {
		return bad("llm.max_input_tokens", "must be at least 500, got %d", c.LLM.MaxInputTokens)
	}
	switch c.Summary.Backend {
	case "auto", "extractive":
	case "llm":
		if c.LLM.BaseURL == "" {
			return bad("summary.backend", "\"llm\" needs llm.base_url and llm.model")
		}
	default:
		return bad("summary.backend", "want auto, llm or extractive, got %q", c.Summary.Backend)
	}
	if c.Summary.Language != "" && !langCode().MatchString(c.Summary.Language) {
		return bad("summary.language", "want a language code such as \"en\" or \"pt-BR\", got %q", c.Summary.Language)
	}
	if c.Summary.MaxClaims < 1 || c.Summary.MaxClaims > 20 {
		return bad("summary.max_claims", "must be from 1 to 20, got %d", c.Summary.MaxClaims)
	}
	if c.Fetch.Timeout <= 0 {
		return bad("fetch.timeout", "must be a positive duration such as \"15s\"")
	}
	if c.Fetch.MaxBytes < 1024 {
		return bad("fetch.max_bytes", "must be at least 1024 bytes, got %d", c.Fetch.MaxBytes)
	}
	if c.Fetch.MaxPDFBytes < 1024 {
		return bad("fetch.max_pdf_bytes", "must be at least 1024 bytes, got %d", c.Fetch.MaxPDFBytes)
	}
	if c.Cache.TTL <= 0 {
		return bad("cache.ttl", "must be a positive duration such as \"168h\"")
	}
	switch c.Store.Driver {
	case "sqlite":
	case "postgres":
		if c.Store.DSN == "" {
			return bad("store.dsn", "is required with store.driver = \"postgres\" (a postgres:// URL)")
		}
		if _, err := pgxpool.ParseConfig(c.Store.DSN.Reveal()); err != nil {
			return bad("store.dsn", "not a PostgreSQL DSN such as \"postgres://user:password@host:5432/linkbrief\": %s", secretFree(err, c.Store.DSN))
		}
	default:
		return bad("store.driver", "want sqlite or postgres, got %q", c.Store.Driver)
	}
	if c.Limits.UserPerMinute < 0 {
		return bad("limits.user_per_minute", "must not be negative")
	}
	if c.Limits.GuildPerHour < 0 {
		return bad("limits.guild_per_hour", "must not be negative")
	}
	if c.Limits.GuildDailyTokens < 0 {
		return bad("limits.guild_daily_tokens", "must not be negative")
	}
	if c.Limits.RedisURL != "" {
		u, err := url.Parse(c.Limits.RedisURL.Reveal())
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			return bad("limits.redis_url", "want a redis:// or rediss:// URL")
		}
		if _, err := redis.ParseURL(c.Limits.RedisURL.Reveal()); err != nil {
			return bad("limits.redis_url", "%s", secretFree(err, c.Limits.RedisURL))
		}
	}
	for _, src := range c.Sources.list() {
		if err := checkHTTPURL(src.APIURL); err != nil {
			return bad("sources."+src.name+".api_url", "%v", err)
		}
	}
	if c.HTTP.Listen != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
			return bad("http.listen", "want host:port such as \"127.0.0.1:8080\", got %q", c.HTTP.Listen)
		}
	}
	return nil
}

// secretFree is err's reason without the secret value it was about:
// the parsers of DSNs and URLs quote what they could not parse, and with
// it, perhaps, a password.
func secretFree(err error, secret Secret) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // url.Error quotes the whole URL
	}
	msg := err.Error()
	// pgx: "cannot parse `DSN`: reason".
	if i := strings.LastIndex(msg, "`: "); i >= 0 {
		msg = msg[i+3:]
	}
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret.Reveal(), secret.String())
	}
	return msg
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an http or https URL, got %q", s)
	}
	return nil
}

// SourcesConfig is the [sources] table: one site adapter per sub-table.
type SourcesConfig struct {
	YouTube    SourceConfig       `toml:"youtube"`
	Reddit     SourceConfig       `toml:"reddit"`
	HackerNews SourceConfig       `toml:"hackernews"`
	Arxiv      SourceConfig       `toml:"arxiv"`
	GitHub     GitHubSourceConfig `toml:"github"`
	X          SourceConfig       `toml:"x"`
}

// SourceConfig is a [sources.NAME] table: a site adapter on or off, and
// the API it reads.
type SourceConfig struct {
	Enabled bool   `toml:"enabled"`
	APIURL  string `toml:"api_url"`
}

// GitHubSourceConfig is the [sources.github] table.
type GitHubSourceConfig struct {
	Enabled bool   `toml:"enabled"`
	APIURL  string `toml:"api_url"`
	// Token only raises GitHub's rate limit. Default: the environment
	// variable LINKBRIEF_GITHUB_TOKEN.
	Token Secret `toml:"token"`
}

// defaultSources turns every adapter on except X's, whose API is a third
// party that would see every link.
func defaultSources() SourcesConfig {
	return SourcesConfig{
		YouTube:    SourceConfig{Enabled: true, APIURL: sites.DefaultYouTubeURL},
		Reddit:     SourceConfig{Enabled: true, APIURL: sites.DefaultRedditURL},
		HackerNews: SourceConfig{Enabled: true, APIURL: sites.DefaultHackerNewsURL},
		Arxiv:      SourceConfig{Enabled: true, APIURL: sites.DefaultArxivURL},
		GitHub:     GitHubSourceConfig{Enabled: true, APIURL: sites.DefaultGitHubURL},
		X:          SourceConfig{Enabled: false, APIURL: sites.DefaultXURL},
	}
}

// namedSource is one adapter's settings with its config name.
type namedSource struct {
	name    string
	enabled bool
	APIURL  string
}

func (s SourcesConfig) list() []namedSource {
	return []namedSource{
		{"youtube", s.YouTube.Enabled, s.YouTube.APIURL},
		{"reddit", s.Reddit.Enabled, s.Reddit.APIURL},
		{"hackernews", s.HackerNews.Enabled, s.HackerNews.APIURL},
		{"arxiv", s.Arxiv.Enabled, s.Arxiv.APIURL},
		{"github", s.GitHub.Enabled, s.GitHub.APIURL},
		{"x", s.X.Enabled, s.X.APIURL},
	}
}
