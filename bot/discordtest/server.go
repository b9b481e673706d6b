// Package discordtest is a protocol-faithful fake of Discord for tests: a
// real server on 127.0.0.1 that speaks Discord's REST API under /api/v<N>/
// and its gateway websocket, so the real discordgo client can be driven
// end to end without a network.
//
// The fake keeps guilds, channels, threads, messages, interactions and
// application commands in memory and records every REST call. Tests drive
// Discord's side (PostMessage, SlashCommand, MessageCommand, Dispatch,
// Reconnect, InvalidSession, DropConnection, CloseWith), script failures
// (Fail, RateLimit, ExpireInteraction) and observe what the bot did (Calls,
// CallsTo, ChannelMessages, Threads, Original, Followups, Commands,
// Identifies, Resumes).
//
// Point a discordgo session at the fake by setting its Client to
// srv.Client(), which sends every REST request to this fake whatever its
// host (safe in parallel tests); the Linkbrief bot does the same through
// discord.api_url (bot.Options.APIURL).
//
// discordgo facts tests must live with (v0.29.0): Session.Close sleeps one
// second; handlers run in their own goroutines, so tests wait (WaitFor)
// instead of sleeping; READY's guild objects are filled concurrently by the
// state, so read them under Session.State's lock; after INVALID_SESSION the
// client re-identifies on the same socket; close codes do not stop its
// reconnect loop; a 429 is retried forever while ShouldRetryOnRateLimit is
// set, and a 502 up to MaxRestRetries times.
//
// The gateway disruptions (Reconnect, InvalidSession, DropConnection,
// CloseWith) first wait, up to 5 s, for every identified connection's
// first heartbeat: a connection that ends before discordgo's heartbeat
// goroutine has run makes that goroutine close the next connection too.
//
// The fake validates what Discord validates where it matters to a
// summarizing bot (message and embed limits, thread names, allowed_mentions,
// the interaction 3-second window and single acknowledgement) and answers
// with Discord's error bodies, so mistakes surface as *discordgo.RESTError
// values with the real codes.
package discordtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Options configures a fake. The zero value is a working Discord with one
// guild, one text channel and one human member.
type Options struct {
	// Token is the bot token without the "Bot " prefix; REST calls must
	// carry "Authorization: Bot <Token>". Default DefaultToken.
	Token string
	// AppID and BotUserID identify the application and its bot user.
	// Defaults DefaultAppID and DefaultBotUserID.
	AppID     string
	BotUserID string
	// BotUsername is the bot user's name. Default "linkbrief".
	BotUsername string
	// Guilds the bot is in. Default: one guild DefaultGuildID with the
	// text channel DefaultChannelID and the member DefaultUserID.
	Guilds []Guild
	// HeartbeatInterval is sent in HELLO. Default 41.25 s, as Discord;
	// tests of heartbeats use a few hundred milliseconds. With a short
	// interval, a heartbeat racing Session.Close can make discordgo
	// v0.29.0 reconnect after Close and retry in the background until the
	// process ends (a client bug), so keep short intervals to the tests
	// that need them.
	HeartbeatInterval time.Duration
	// RefuseIntents are intent bits not enabled for this application: an
	// IDENTIFY asking for any of them is closed with 4014 (Disallowed
	// intents), as for privileged intents not enabled in the portal.
	RefuseIntents int
	// RecommendedShards is the shard count GET /gateway/bot recommends.
	// Default 1.
	RecommendedShards int
	// InteractionDeadline is how long after dispatch an interaction may
	// get its initial response. Default 3 s, as Discord.
	InteractionDeadline time.Duration
	// InteractionTokenTTL is how long an interaction token may edit its
	// response and send follow-ups. Default 15 min, as Discord.
	InteractionTokenTTL time.Duration
	// Logger receives debug logs of calls and gateway frames. Default:
	// discarded.
	Logger *slog.Logger
	// ThreadQuestion, when set, is posted by DefaultUser in every thread
	// the bot starts on a message, right after THREAD_CREATE and before
	// the REST call that started it returns: a member who asks the moment
	// the thread appears.
	ThreadQuestion string
}

// Server is a running fake Discord. All methods are safe for concurrent use.
type Server struct {
	opts    Options
	log     *slog.Logger
	bot     User
	http    *httptest.Server
	upgrade websocket.Upgrader
	routes  []route

	mu sync.Mutex
	st state
}

// New starts a fake on 127.0.0.1 for a test and closes it when the test
// ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("discordtest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake on 127.0.0.1, for use outside a test function (for
// example a binary started by a test). Close it when done.
func Start(opts Options) (*Server, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts: opts,
		log:  opts.Logger,
		bot: User{
			ID: opts.BotUserID, Username: opts.BotUsername, Discriminator: "0",
			GlobalName: opts.BotUsername, Bot: true,
		},
		upgrade: websocket.Upgrader{
			CheckOrigin:       func(*http.Request) bool { return true },
			EnableCompression: false,
		},
	}
	s.st = newState(opts, s.bot)
	s.routes = routeTable()
	s.http = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.http.Config.ReadHeaderTimeout = 10 * time.Second
	s.http.Start()
	return s, nil
}

func withDefaults(o Options) (Options, error) {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&o.Token, DefaultToken)
	def(&o.AppID, DefaultAppID)
	def(&o.BotUserID, DefaultBotUserID)
	def(&o.BotUsername, "linkbrief")
	o.Token = strings.TrimPrefix(o.Token, "Bot ")
	if o.HeartbeatInterval <= 0 {
		o.HeartbeatInterval = 41250 * time.Millisecond
	}
	if o.RecommendedShards <= 0 {
		o.RecommendedShards = 1
	}
	if o.InteractionDeadline <= 0 {
		o.InteractionDeadline = 3 * time.Second
	}
	if o.InteractionTokenTTL <= 0 {
		o.InteractionTokenTTL = 15 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if len(o.Guilds) == 0 {
		o.Guilds = []Guild{{ID: DefaultGuildID}}
	}
	for i := range o.Guilds {
		g := &o.Guilds[i]
		if g.ID == "" {
			return o, fmt.Errorf("discordtest: guild %d has no ID", i)
		}
		def(&g.Name, "Guild "+g.ID)
		def(&g.OwnerID, DefaultUserID)
		if len(g.Channels) == 0 {
			id := DefaultChannelID
			if i > 0 {
				id = g.ID + "1"
			}
			g.Channels = []Channel{{ID: id, Name: "general"}}
		}
		if len(g.Members) == 0 {
			g.Members = []Member{DefaultMember()}
		}
		if len(g.Roles) == 0 {
			g.Roles = []Role{{ID: g.ID, Name: "@everyone", Permissions: MemberPermissions}}
		}
	}
	return o, nil
}

// DefaultUser is the human user tests post as unless they say otherwise.
func DefaultUser() User {
	return User{ID: DefaultUserID, Username: "alice", Discriminator: "0", GlobalName: "Alice"}
}

// DefaultMember is DefaultUser as a guild member with MemberPermissions.
func DefaultMember() Member {
	return Member{
		User: DefaultUser(), Roles: []string{},
		JoinedAt:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Permissions: MemberPermissions,
	}
}

// BotUser is the bot's own user, as READY and its echoed messages carry it.
func (s *Server) BotUser() User { return s.bot }

// Token is the bot token the fake expects, without the "Bot " prefix.
func (s *Server) Token() string { return s.opts.Token }

// AppID is the application ID.
func (s *Server) AppID() string { return s.opts.AppID }

// URL is the fake's root, "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.http.URL }

// APIURL is the REST base to configure as discord.api_url:
// "http://127.0.0.1:PORT/api/v9/".
func (s *Server) APIURL() string { return s.http.URL + "/api/v9/" }

// GatewayURL is the websocket URL GET /gateway answers.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/gateway"
}

// Client returns an HTTP client that sends every request to this fake,
// whatever host its URL names, keeping the path. Setting a discordgo
// Session's Client to it points the session at the fake without touching
// discordgo's process-wide endpoints.
func (s *Server) Client() *http.Client {
	base := s.http.Client().Transport
	return &http.Client{
		Timeout: 20 * time.Second,
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			r = r.Clone(r.Context())
			r.URL.Scheme = "http"
			r.URL.Host = s.http.Listener.Addr().String()
			r.Host = r.URL.Host
			return base.RoundTrip(r)
		}),
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Close stops the server and closes every gateway connection abruptly.
// It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	conns := s.st.allConns()
	s.st.closed = true
	s.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
	s.http.Close()
}

// WaitFor polls cond until it returns true, failing the test with what
// after timeout. discordgo runs handlers in goroutines, so tests wait for
// effects instead of sleeping.
func (s *Server) WaitFor(t testing.TB, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	if err := poll(context.Background(), timeout, cond); err != nil {
		t.Fatalf("discordtest: timed out after %v waiting for %s", timeout, what)
	}
}

// WaitForCalls waits until at least n calls match method and route (see
// CallsTo) and returns them all.
func (s *Server) WaitForCalls(t testing.TB, timeout time.Duration, method, route string, n int) []Call {
	t.Helper()
	var got []Call
	s.WaitFor(t, timeout, func() bool {
		got = s.CallsTo(method, route)
		return len(got) >= n
	}, fmt.Sprintf("%d call(s) to %s %s", n, method, route))
	return got
}

var errTimeout = errors.New("discordtest: timed out")

func poll(ctx context.Context, timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return nil
		}
		if time.Now().After(deadline) {
			return errTimeout
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// serveHTTP routes the gateway websocket and the REST API.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/gateway" || r.URL.Path == "/gateway/":
		s.serveGateway(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveREST(w, r)
	default:
		writeJSON(w, http.StatusNotFound, apiError{Code: 0, Message: "404: Not Found"})
	}
}

// apiVersionPrefix splits "/api/v9/channels/1" into "/api/v9" and
// "/channels/1"; ok is false when the path is not under /api/v<N>.
func apiVersionPrefix(path string) (prefix, rest string, ok bool) {
	p := strings.TrimPrefix(path, "/api/v")
	if p == path {
		return "", "", false
	}
	i := strings.IndexByte(p, '/')
	if i <= 0 {
		return "", "", false
	}
	if _, err := strconv.Atoi(p[:i]); err != nil {
		return "", "", false
	}
	return path[:len("/api/v")+i], p[i:], true
}
