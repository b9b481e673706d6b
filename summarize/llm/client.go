package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/tiktoken-go/tokenizer"
)

// Defaults for the zero values of Options.
const (
	DefaultTimeout        = 60 * time.Second
	DefaultMaxInputTokens = 12000
	DefaultMaxRetries     = 3
	DefaultBackoff        = time.Second
	DefaultMaxChunks      = 8
	DefaultMaxClaims      = 5

	// maxRetries bounds Options.MaxRetries whatever it says.
	maxRetries = 10
	// maxRetryWait caps one wait between attempts, Retry-After included.
	maxRetryWait = 30 * time.Second
	// minInputTokens is the smallest article budget that leaves room for
	// a useful chunk.
	minInputTokens = 200
	// maxReplyBytes caps the HTTP body read from the server.
	maxReplyBytes = 8 << 20
	// mapParallel is how many chunk summaries run at once.
	mapParallel = 3
)

// JSON modes for Options.JSONMode.
const (
	JSONModeAuto   = "auto"
	JSONModeSchema = "json_schema"
	JSONModeObject = "json_object"
	JSONModePrompt = "prompt"
)

// Options configures a Client; zero values mean defaults.
type Options struct {
	BaseURL        string        // required, e.g. https://api.openai.com/v1 or http://localhost:11434/v1
	APIKey         string        // may be empty (local servers); never logged, never in errors
	Model          string        // required
	JSONMode       string        // "auto" (default), "json_schema", "json_object", "prompt"
	Timeout        time.Duration // per call; default 60s
	MaxInputTokens int           // article budget per call; default 12000
	MaxRetries     int           // default 3 (at most 10); negative means no retries
	HTTPClient     *http.Client  // optional; its Timeout, if any, also applies
	Logger         *slog.Logger  // optional; default discards

	// Backoff is the first wait before retrying a failed call; it doubles
	// on each retry, with jitter, capped at 30s. Default 1s. A Retry-After
	// header from the server takes precedence (also capped at 30s).
	Backoff time.Duration
	// MaxChunks caps how many chunks of a long article are summarized;
	// text beyond them is left out and the Summary is marked Truncated.
	// Default 8.
	MaxChunks int
}

// LogValue lets an Options be logged without its API key.
func (o Options) LogValue() slog.Value {
	key := ""
	if o.APIKey != "" {
		key = "[redacted]"
	}
	return slog.GroupValue(
		slog.String("base_url", redactURL(o.BaseURL)),
		slog.String("api_key", key),
		slog.String("model", o.Model),
		slog.String("json_mode", o.JSONMode),
		slog.Duration("timeout", o.Timeout),
		slog.Int("max_input_tokens", o.MaxInputTokens),
	)
}

// String describes the options without the API key.
func (o Options) String() string { return o.LogValue().String() }

// redactURL drops user information and the query from a URL for logs.
func redactURL(u string) string {
	if i := strings.Index(u, "?"); i >= 0 {
		u = u[:i]
	}
	if scheme, rest, ok := strings.Cut(u, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 && at < strings.IndexByte(rest+"/", '/') {
			rest = rest[at+1:]
		}
		return scheme + "://" + rest
	}
	return u
}

// Client talks to one model on one OpenAI-compatible server. It is safe
// for concurrent use.
type Client struct {
	api        *openai.Client
	opts       Options
	log        *slog.Logger
	tok        tokenizer.Codec
	fixedMode  bool
	mode       atomic.Int32 // index into modes of the first mode to try
	backoff    time.Duration
	maxRetries int
	host       string // the server's host[:port], for errors
}

// numModes is how many JSON modes auto mode can try.
const numModes = 3

// modeAt gives the order in which auto mode tries response formats.
func modeAt(i int32) string {
	switch i {
	case 0:
		return JSONModeSchema
	case 1:
		return JSONModeObject
	}
	return JSONModePrompt
}

// New returns a Client for opts. The error names the missing or invalid
// option.
func New(opts Options) (*Client, error) {
	opts.BaseURL = strings.TrimSpace(opts.BaseURL)
	opts.Model = strings.TrimSpace(opts.Model)
	if opts.BaseURL == "" {
		return nil, errors.New("llm: Options.BaseURL is required")
	}
	if !strings.HasPrefix(opts.BaseURL, "http://") && !strings.HasPrefix(opts.BaseURL, "https://") {
		return nil, errors.New("llm: Options.BaseURL must start with http:// or https://")
	}
	if opts.Model == "" {
		return nil, errors.New("llm: Options.Model is required")
	}
	if opts.JSONMode == "" {
		opts.JSONMode = JSONModeAuto
	}
	c := &Client{opts: opts}
	if u, err := url.Parse(opts.BaseURL); err == nil {
		c.host = u.Host // never the user information
	}
	switch opts.JSONMode {
	case JSONModeAuto:
	case JSONModeSchema, JSONModeObject, JSONModePrompt:
		c.fixedMode = true
		for i := range int32(numModes) {
			if modeAt(i) == opts.JSONMode {
				c.mode.Store(i)
			}
		}
	default:
		return nil, fmt.Errorf("llm: Options.JSONMode must be auto, json_schema, json_object or prompt, not %q", opts.JSONMode)
	}
	if c.opts.Timeout <= 0 {
		c.opts.Timeout = DefaultTimeout
	}
	if c.opts.MaxInputTokens <= 0 {
		c.opts.MaxInputTokens = DefaultMaxInputTokens
	}
	if c.opts.MaxInputTokens < minInputTokens {
		c.opts.MaxInputTokens = minInputTokens
	}
	if c.opts.MaxChunks <= 0 {
		c.opts.MaxChunks = DefaultMaxChunks
	}
	switch {
	case opts.MaxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		c.maxRetries = 0
	default:
		c.maxRetries = min(opts.MaxRetries, maxRetries)
	}
	c.backoff = opts.Backoff
	if c.backoff <= 0 {
		c.backoff = DefaultBackoff
	}
	c.log = opts.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	tok, err := tokenizer.ForModel(tokenizer.Model(opts.Model))
	if err != nil {
		tok, err = tokenizer.Get(tokenizer.O200kBase)
		if err != nil {
			return nil, fmt.Errorf("llm: token counter: %w", err)
		}
	}
	c.tok = tok

	hc := &http.Client{}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		hc = &copied
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &recorder{base: base}
	cfg := openai.DefaultConfig(opts.APIKey)
	cfg.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	cfg.HTTPClient = hc
	c.api = openai.NewClientWithConfig(cfg)
	return c, nil
}

// withHost names the server in an *Error that does not name it yet.
func (c *Client) withHost(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Host == "" {
		e.Host = c.host
	}
	return err
}

// Model is the model name the Client asks for.
func (c *Client) Model() string { return c.opts.Model }

// callInfo is what the transport saw of one HTTP exchange. Each attempt
// has its own, carried in the request context.
type callInfo struct {
	status     int
	retryAfter time.Duration
	hasRetry   bool
	readErr    error // a failure reading the body other than its clean end
}

type callInfoKey struct{}

// recorder is an http.RoundTripper that notes the status and Retry-After
// of each reply (go-openai's errors carry neither header) and caps the
// size of reply bodies.
type recorder struct{ base http.RoundTripper }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	info, _ := req.Context().Value(callInfoKey{}).(*callInfo)
	if info != nil {
		info.status = resp.StatusCode
		info.retryAfter, info.hasRetry = retryAfter(resp.Header, time.Now())
	}
	resp.Body = &cappedBody{rc: resp.Body, left: maxReplyBytes, info: info}
	return resp, nil
}

// cappedBody fails a read past its limit instead of buffering without
// end, and notes a connection that broke while the body was read.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
	info *callInfo
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF && b.info != nil && b.info.readErr == nil {
		b.info.readErr = err
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// retryAfter reads the wait a server asked for: retry-after-ms (OpenAI),
// then Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < 1e9 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || s > 1e6 {
			return maxRetryWait, true
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// complete sends one chat completion, retrying rate limits and server
// failures with backoff.
func (c *Client) complete(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	for attempt := 0; ; attempt++ {
		info := &callInfo{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, callInfoKey{}, info), c.opts.Timeout)
		resp, err := c.api.CreateChatCompletion(actx, req)
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		if err == nil {
			return resp, nil
		}
		e := classify(err, info, timedOut, ctx)
		if !e.retryable() || attempt >= c.maxRetries {
			c.log.LogAttrs(ctx, slog.LevelWarn, "llm call failed",
				slog.String("kind", e.Kind.String()), slog.Int("status", e.Status), slog.Int("attempts", attempt+1))
			return resp, e
		}
		wait := c.wait(attempt, info)
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			c.log.LogAttrs(ctx, slog.LevelWarn, "llm call failed, no time left to retry",
				slog.String("kind", e.Kind.String()), slog.Int("status", e.Status), slog.Int("attempts", attempt+1))
			return resp, e
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "llm call will be retried",
			slog.String("kind", e.Kind.String()), slog.Int("status", e.Status),
			slog.Int("attempt", attempt+1), slog.Duration("wait", wait))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return resp, &Error{Kind: e.Kind, Status: e.Status, Err: fmt.Errorf("llm: %w: %w", ctx.Err(), e.Err)}
		case <-t.C:
		}
	}
}

// wait is how long to sleep before retry number attempt+1.
func (c *Client) wait(attempt int, info *callInfo) time.Duration {
	if info.hasRetry {
		return min(info.retryAfter, maxRetryWait)
	}
	d := c.backoff << min(attempt, 16)
	if d <= 0 || d > maxRetryWait {
		d = maxRetryWait
	}
	// Full jitter on the upper half spreads concurrent retries apart.
	half := d / 2
	return half + rand.N(half+1)
}
