package bot_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/bot"
	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/observe"
	"github.com/linkbrief/linkbrief/store"
	"github.com/linkbrief/linkbrief/store/briefcache"
	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// httpHarness runs an HTTP-only Bot (no gateway connection) behind an
// httptest server, against the fake Discord's REST API, the fake LLM and
// local pages. Discord's side of the HTTP protocol is played by deliver:
// it signs and posts the interaction, then records the acknowledgement
// found in the HTTP response with the fake, as Discord would.
type httpHarness struct {
	t     *testing.T
	dc    *discordtest.Server
	llm   *llmtest.Server
	pages *httptest.Server
	ep    *httptest.Server
	priv  ed25519.PrivateKey
	b     *bot.Bot
	logs  *syncBuffer
	stop  context.CancelFunc
	done  chan error
	seq   atomic.Int64
}

func startHTTP(t *testing.T) *httpHarness {
	t.Helper()
	return startHTTPWith(t, nil)
}

// startHTTPWith is startHTTP with a bot.Options.WrapTransport.
func startHTTPWith(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper) *httpHarness {
	t.Helper()
	h := &httpHarness{t: t, logs: &syncBuffer{}}
	h.dc = discordtest.New(t, discordtest.Options{})
	h.llm = llmtest.New(t)
	h.pages = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		title := "Rain returns to the valley " + strings.Trim(r.URL.Path, "/")
		if r.URL.Path == "/mentions" {
			title = "@everyone and @here and <@" + discordtest.DefaultUserID + "> read this"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, articleHTML(title))
	}))
	t.Cleanup(h.pages.Close)

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h.priv = priv
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "linkbrief.db"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := llm.New(llm.Options{BaseURL: h.llm.URL(), Model: "test-model", Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	svc := summarize.New(fetch.New(fetch.Options{AllowPrivateNetworks: true}), briefcache.New(st),
		summarize.Options{LLM: c, Model: "test-model"})
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.b, err = bot.New(bot.Options{Token: h.dc.Token(), APIURL: h.dc.APIURL(), Queue: pool(st), Logger: log, WrapTransport: wrap},
		commands.New(svc, st, commands.Options{Logger: log}))
	if err != nil {
		t.Fatal(err)
	}
	h.ep = httptest.NewServer(h.b.InteractionsHandler(pub))
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.b.RunWithoutGateway(ctx) }()
	t.Cleanup(func() {
		if err := h.shutdown(); err != nil {
			t.Errorf("RunWithoutGateway returned %v, want nil", err)
		}
		h.ep.Close()
		st.Close()
		checkMentions(t, h.dc)
		if t.Failed() {
			t.Logf("bot logs:\n%s", h.logs.String())
		}
	})
	return h
}

// shutdown stops the bot once and returns what RunWithoutGateway returned.
func (h *httpHarness) shutdown() error {
	h.stop()
	select {
	case err, ok := <-h.done:
		if ok {
			close(h.done)
		}
		return err
	case <-time.After(15 * time.Second):
		return fmt.Errorf("RunWithoutGateway did not return within 15 s of cancellation")
	}
}

func (h *httpHarness) url(path string) string { return h.pages.URL + path }

// command is an application command interaction payload as Discord posts
// it to an interactions endpoint.
func (h *httpHarness) command(name string, channelType int, options ...map[string]any) map[string]any {
	n := h.seq.Add(1)
	return map[string]any{
		"id": strconv.FormatInt(1300000000000000000+n, 10), "application_id": h.dc.AppID(), "type": 2,
		"token": "http-itoken-" + strconv.FormatInt(n, 10), "version": 1,
		"guild_id": discordtest.DefaultGuildID, "channel_id": discordtest.DefaultChannelID,
		"channel": map[string]any{"id": discordtest.DefaultChannelID, "type": channelType},
		"member": map[string]any{"user": discordtest.DefaultUser(), "roles": []string{},
			"joined_at": "2026-01-01T00:00:00Z", "permissions": discordtest.MemberPermissions,
			"deaf": false, "mute": false, "flags": 0},
		"locale": "en-US",
		"data":   map[string]any{"id": "1200000000000000001", "name": name, "type": 1, "options": options},
	}
}

// sign returns the signature headers of body, as Discord sends them.
func sign(priv ed25519.PrivateKey, timestamp string, body []byte) http.Header {
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("X-Signature-Timestamp", timestamp)
	hdr.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(timestamp), body...))))
	return hdr
}

// post sends body with hdr to the endpoint and returns the status and the
// response body.
func (h *httpHarness) post(hdr http.Header, body []byte) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.ep.URL, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header = hdr
	resp, err := h.ep.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// response is an interaction response as the endpoint answers it.
type response struct {
	Type int `json:"type"`
	Data *struct {
		Content         string           `json:"content"`
		Flags           int              `json:"flags"`
		AllowedMentions *json.RawMessage `json:"allowed_mentions"`
	} `json:"data"`
}

// deliver plays Discord: it registers the interaction with the fake,
// posts it signed to the endpoint within the 3-second window, and records
// the acknowledgement from the HTTP response with the fake.
func (h *httpHarness) deliver(payload map[string]any) response {
	h.t.Helper()
	return h.deliverAfter(payload, 0)
}

// deliverAfter is deliver with Discord taking delay to record the
// acknowledgement.
func (h *httpHarness) deliverAfter(payload map[string]any, delay time.Duration) response {
	h.t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.dc.Dispatch("INTERACTION_CREATE", payload); err != nil {
		h.t.Fatal(err)
	}
	start := time.Now()
	status, out := h.post(sign(h.priv, strconv.FormatInt(start.Unix(), 10), body), body)
	if status != http.StatusOK {
		h.t.Fatalf("endpoint answered %d %s, want 200", status, out)
	}
	var r response
	if err := json.Unmarshal(out, &r); err != nil {
		h.t.Fatalf("endpoint answered %s: %v", out, err)
	}
	var am struct {
		Parse       *[]string `json:"parse"`
		RepliedUser bool      `json:"replied_user"`
	}
	if r.Data == nil || r.Data.AllowedMentions == nil || json.Unmarshal(*r.Data.AllowedMentions, &am) != nil ||
		am.Parse == nil || len(*am.Parse) != 0 || am.RepliedUser {
		h.t.Errorf("HTTP response %s, want allowed_mentions {\"parse\":[]}", out)
	}
	time.Sleep(delay)
	cb := fmt.Sprintf("%s/api/v9/interactions/%s/%s/callback", h.dc.URL(), payload["id"], payload["token"])
	resp, err := http.Post(cb, "application/json", bytes.NewReader(out))
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if time.Since(start) > 3*time.Second {
		h.t.Logf("acknowledgement took %v (a loaded machine); the fake may refuse it", time.Since(start))
	}
	return r
}

func TestInteractionsSignature(t *testing.T) {
	t.Parallel()
	h := startHTTP(t)
	ping := []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := sign(h.priv, ts, ping)
	tests := []struct {
		name string
		hdr  http.Header
		body []byte
		want int
	}{
		{"no headers", http.Header{}, ping, http.StatusUnauthorized},
		{"signature of another key", sign(otherKey, ts, ping), ping, http.StatusUnauthorized},
		{"tampered body", good, []byte(`{"id":"1","application_id":"2","type":2,"token":"t","version":1}`), http.StatusUnauthorized},
		{"other timestamp", func() http.Header {
			hd := good.Clone()
			hd.Set("X-Signature-Timestamp", "1")
			return hd
		}(), ping, http.StatusUnauthorized},
		{"signature not hex", func() http.Header {
			hd := good.Clone()
			hd.Set("X-Signature-Ed25519", "zz"+hd.Get("X-Signature-Ed25519")[2:])
			return hd
		}(), ping, http.StatusUnauthorized},
		{"short signature", func() http.Header {
			hd := good.Clone()
			hd.Set("X-Signature-Ed25519", hd.Get("X-Signature-Ed25519")[:64])
			return hd
		}(), ping, http.StatusUnauthorized},
		{"no timestamp", func() http.Header {
			hd := good.Clone()
			hd.Del("X-Signature-Timestamp")
			return hd
		}(), ping, http.StatusUnauthorized},
		{"body over 1 MiB", http.Header{}, bytes.Repeat([]byte("x"), 1<<20+1), http.StatusRequestEntityTooLarge},
		{"signed but not JSON", sign(h.priv, ts, []byte("hello")), []byte("hello"), http.StatusBadRequest},
		{"signed command without token", sign(h.priv, ts, []byte(`{"id":"1","type":2,"data":{"name":"summarize"}}`)),
			[]byte(`{"id":"1","type":2,"data":{"name":"summarize"}}`), http.StatusBadRequest},
		{"signed command with data of the wrong shape", sign(h.priv, ts, []byte(`{"id":"1","application_id":"2","token":"t","type":2,"data":[1]}`)),
			[]byte(`{"id":"1","application_id":"2","token":"t","type":2,"data":[1]}`), http.StatusBadRequest},
		{"signed component interaction", sign(h.priv, ts, []byte(`{"id":"1","type":3}`)), []byte(`{"id":"1","type":3}`), http.StatusBadRequest},
		{"valid ping", good, ping, http.StatusOK},
	}
	for _, tt := range tests {
		status, out := h.post(tt.hdr, tt.body)
		if status != tt.want {
			t.Errorf("%s: status %d (%s), want %d", tt.name, status, bytes.TrimSpace(out), tt.want)
		}
		if tt.want == http.StatusOK && string(out) != `{"type":1}` {
			t.Errorf("%s: body %s, want {\"type\":1}", tt.name, out)
		}
	}
	resp, err := h.ep.Client().Get(h.ep.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", resp.StatusCode)
	}
	if n := len(h.dc.Calls()); n != 0 {
		t.Errorf("%d REST calls for requests that were refused or pings, want 0: %+v", n, h.dc.Calls())
	}
}

func TestInteractionsBadPublicKey(t *testing.T) {
	t.Parallel()
	h := startHTTP(t)
	for _, key := range []ed25519.PublicKey{nil, ed25519.PublicKey("short")} {
		srv := httptest.NewServer(h.b.InteractionsHandler(key))
		body := []byte(`{"type":1}`)
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header = sign(h.priv, "1", body)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("key of %d bytes: status %d, want 401", len(key), resp.StatusCode)
		}
	}
}

func TestParsePublicKey(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := hex.EncodeToString(pub)
	tests := []struct {
		in     string
		wantOK bool
	}{
		{good, true},
		{" " + strings.ToUpper(good) + "\n", true},
		{"", false},
		{good[:62], false},
		{good + "00", false},
		{"zz" + good[2:], false},
	}
	for _, tt := range tests {
		k, err := bot.ParsePublicKey(tt.in)
		if (err == nil) != tt.wantOK {
			t.Errorf("ParsePublicKey(%q) error = %v, want ok %v", tt.in, err, tt.wantOK)
		}
		if err == nil && !bytes.Equal(k, pub) {
			t.Errorf("ParsePublicKey(%q) = %x, want %x", tt.in, k, pub)
		}
	}
}

func TestInteractionsSummarize(t *testing.T) {
	t.Parallel()
	h := startHTTP(t)
	p := h.command("summarize", discordtest.ChannelTypeGuildText, map[string]any{"name": "url", "type": 3, "value": h.url("/http")})
	r := h.deliver(p)
	if r.Type != 5 || r.Data.Flags&discordtest.MessageFlagEphemeral != 0 {
		t.Errorf("HTTP response = %+v, want a public deferred response (type 5)", r)
	}
	id := p["id"].(string)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "a thread on the brief")
	orig, ok := h.dc.Original(id)
	if !ok || len(orig.Embeds) != 1 || orig.Embeds[0].Title != "Rain returns to the valley http" {
		t.Fatalf("original response = %+v, want the brief's embed", orig)
	}
	if th := h.dc.Threads()[0]; th.StarterMessageID != orig.ID {
		t.Errorf("thread started on %s, want the original response %s", th.StarterMessageID, orig.ID)
	}
	if n := len(h.dc.CallsTo("POST", "/interactions/*/*/callback")); n != 1 {
		t.Errorf("%d callback calls, want only the one Discord records (the bot acknowledges in the HTTP response)", n)
	}
}

func TestInteractionsPrivateAndAsk(t *testing.T) {
	t.Parallel()
	h := startHTTP(t)
	p := h.command("summarize", discordtest.ChannelTypeGuildText,
		map[string]any{"name": "url", "type": 3, "value": h.url("/private")},
		map[string]any{"name": "private", "type": 5, "value": true})
	if r := h.deliver(p); r.Type != 5 || r.Data.Flags&discordtest.MessageFlagEphemeral == 0 {
		t.Errorf("private /summarize: HTTP response %+v, want an ephemeral deferred response", r)
	}
	h.dc.WaitForCalls(t, wait, "PATCH", "/webhooks/*/"+p["token"].(string)+"/messages/@original", 1)
	if orig, _ := h.dc.Original(p["id"].(string)); orig.Flags&discordtest.MessageFlagEphemeral == 0 || len(orig.Embeds) != 1 {
		t.Errorf("private brief = %+v, want an ephemeral embed", orig)
	}

	// /ask in a thread is public from the first response; the thread is
	// known from the payload's channel, as no gateway state exists.
	ask := h.command("ask", discordtest.ChannelTypePublicThread, map[string]any{"name": "question", "type": 3, "value": "Did it rain?"})
	if r := h.deliver(ask); r.Type != 5 || r.Data.Flags&discordtest.MessageFlagEphemeral != 0 {
		t.Errorf("/ask in a thread: HTTP response %+v, want a public deferred response", r)
	}
	h.dc.WaitFor(t, wait, func() bool { m, ok := h.dc.Original(ask["id"].(string)); return ok && m.Content != "" }, "the /ask reply")
	askOut := h.command("ask", discordtest.ChannelTypeGuildText, map[string]any{"name": "question", "type": 3, "value": "Did it rain?"})
	if r := h.deliver(askOut); r.Data.Flags&discordtest.MessageFlagEphemeral == 0 {
		t.Errorf("/ask outside a thread: HTTP response %+v, want ephemeral", r)
	}
	h.dc.WaitFor(t, wait, func() bool { m, ok := h.dc.Original(askOut["id"].(string)); return ok && m.Content != "" }, "the /ask refusal")
	if m, _ := h.dc.Original(askOut["id"].(string)); !strings.Contains(m.Content, "inside a thread") {
		t.Errorf("/ask outside a thread = %q, want the hint to use it in a thread", m.Content)
	}
}

func TestInteractionsReplay(t *testing.T) {
	t.Parallel()
	h := startHTTP(t)
	p := h.command("summarize", discordtest.ChannelTypeGuildText, map[string]any{"name": "url", "type": 3, "value": h.url("/replay")})
	h.deliver(p)
	// The same signed request again, as a retry or a replay would send it.
	body, _ := json.Marshal(p)
	status, _ := h.post(sign(h.priv, strconv.FormatInt(time.Now().Unix(), 10), body), body)
	if status != http.StatusOK {
		t.Errorf("replay: status %d, want 200", status)
	}
	// A marker interaction tells when the bot has had time to act on the
	// replay: both run on the same worker pool.
	marker := h.command("summarize", discordtest.ChannelTypeGuildText, map[string]any{"name": "url", "type": 3, "value": h.url("/marker")})
	h.deliver(marker)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 2 }, "both threads")
	if n := len(h.dc.CallsTo("PATCH", "/webhooks/*/"+p["token"].(string)+"/messages/@original")); n != 1 {
		t.Errorf("%d edits of the replayed interaction's response, want 1", n)
	}
	if n := h.llm.Count(); n != 2 {
		t.Errorf("%d LLM calls, want 2", n)
	}
}

func TestInteractionsMentionSafety(t *testing.T) {
	t.Parallel()
	h := startHTTP(t)
	p := h.command("summarize", discordtest.ChannelTypeGuildText, map[string]any{"name": "url", "type": 3, "value": h.url("/mentions")})
	h.deliver(p)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread")
	orig, _ := h.dc.Original(p["id"].(string))
	if orig.MentionEveryone || len(orig.Mentions) != 0 {
		t.Errorf("brief pinged: everyone %v, mentions %v", orig.MentionEveryone, orig.Mentions)
	}
	// checkMentions, run at cleanup, asserts allowed_mentions on every
	// REST send path; deliver asserts it on every HTTP response.
}

func TestInteractionsAfterShutdown(t *testing.T) {
	t.Parallel()
	h := startHTTP(t)
	if err := h.shutdown(); err != nil {
		t.Fatal(err)
	}
	p := h.command("summarize", discordtest.ChannelTypeGuildText, map[string]any{"name": "url", "type": 3, "value": h.url("/late")})
	r := h.deliver(p)
	if r.Type != 4 || r.Data.Flags&discordtest.MessageFlagEphemeral == 0 || !strings.Contains(r.Data.Content, "restarting") {
		t.Errorf("HTTP response after shutdown = %+v, want an ephemeral message saying Linkbrief is restarting", r)
	}
	if n := h.llm.Count(); n != 0 {
		t.Errorf("%d LLM calls after shutdown, want 0", n)
	}
}

func TestInteractionsAckRecordedLate(t *testing.T) {
	t.Parallel()
	h := startHTTP(t)
	// /linkbrief usage answers without any fetch, so the bot edits the
	// original response before Discord has recorded the acknowledgement:
	// the edit must be retried, not lost.
	p := h.command("linkbrief", discordtest.ChannelTypeGuildText, map[string]any{"name": "usage", "type": 1})
	h.deliverAfter(p, 400*time.Millisecond)
	id := p["id"].(string)
	h.dc.WaitFor(t, wait, func() bool { m, ok := h.dc.Original(id); return ok && m.Content != "" }, "the usage reply")
	if m, _ := h.dc.Original(id); !strings.Contains(m.Content, "Today (UTC)") || m.Flags&discordtest.MessageFlagEphemeral == 0 {
		t.Errorf("usage reply = %+v, want today's usage, ephemeral", m)
	}
	edits := h.dc.CallsTo("PATCH", "/webhooks/*/"+p["token"].(string)+"/messages/@original")
	if len(edits) < 2 || edits[0].Status != http.StatusNotFound || edits[len(edits)-1].Status != http.StatusOK {
		var st []int
		for _, c := range edits {
			st = append(st, c.Status)
		}
		t.Errorf("edit statuses %v, want a 404 before the acknowledgement was recorded, then 200", st)
	}
}

// TestRESTTransportMetrics checks that bot.Options.WrapTransport sees
// every REST answer: observe's transport counts Discord's 429s.
func TestRESTTransportMetrics(t *testing.T) {
	t.Parallel()
	m := observe.New()
	h := startHTTPWith(t, m.RoundTripper)
	h.dc.RateLimit(discordtest.RouteEditOriginal, 50*time.Millisecond, false, 1)
	p := h.command("summarize", discordtest.ChannelTypeGuildText, map[string]any{"name": "url", "type": 3, "value": h.url("/limited")})
	h.deliver(p)
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the brief after a 429")
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "\nlinkbrief_discord_rest_429_total 1\n") {
		t.Errorf("metrics do not count the one 429:\n%s", grepLines(string(body), "linkbrief_discord"))
	}
}

// grepLines returns the lines of s that contain substr.
func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
