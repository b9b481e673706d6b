package discordtest

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// writeTimeout bounds one websocket write, so a stuck client cannot hang
// the fake.
const writeTimeout = 5 * time.Second

// maxReplay is how many dispatches a session keeps for RESUME.
const maxReplay = 5000

// GatewayFrame is one payload the client sent on the gateway.
type GatewayFrame struct {
	Time time.Time
	Op   int
	Data json.RawMessage
}

// Identify is a recorded IDENTIFY.
type Identify struct {
	// TokenOK reports whether the token was the bot token (with or
	// without the "Bot " prefix).
	TokenOK  bool
	Intents  int
	Shard    *[2]int
	Compress bool
	// Raw is the whole "d" object as sent.
	Raw json.RawMessage
}

// conn is one gateway websocket connection.
type conn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
	// The fields below are guarded by Server.mu.
	compress bool
	sess     *session
	beats    int // heartbeats received
	// closing is set when the fake closes the connection: the client's
	// answering close frame (often 1000) must not end the session then.
	closing bool
}

// session is a gateway session: what RESUME continues.
type session struct {
	id       string
	seq      int64
	intents  int
	shard    [2]int
	compress bool
	log      []logged
	conn     *conn
}

type logged struct {
	seq   int64
	frame []byte
}

type payload struct {
	Op int     `json:"op"`
	D  any     `json:"d"`
	S  *int64  `json:"s"`
	T  *string `json:"t"`
}

// send writes v as one frame: zlib in a binary frame when the client asked
// for payload compression, text otherwise.
func (c *conn) send(frame []byte, compress bool) error {
	typ := websocket.TextMessage
	if compress {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		_, _ = zw.Write(frame)
		_ = zw.Close()
		frame, typ = b.Bytes(), websocket.BinaryMessage
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(typ, frame)
}

// closeWith sends a close frame with code and reason, then drops the
// connection.
func (c *conn) closeWith(code int, reason string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeTimeout))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

// closeLocked is closeWith for a caller holding Server.mu.
func (c *conn) closeLocked(code int, reason string) {
	c.closing = true
	c.closeWith(code, reason)
}

// kill drops the TCP connection without a close frame.
func (c *conn) kill() { _ = c.ws.Close() }

// closeReason is Discord's text for a gateway close code.
func closeReason(code int) string {
	switch code {
	case 4000:
		return "Unknown error."
	case 4001:
		return "Unknown opcode."
	case 4002:
		return "Decode error."
	case 4003:
		return "Not authenticated."
	case 4004:
		return "Authentication failed."
	case 4005:
		return "Already authenticated."
	case 4007:
		return "Invalid seq."
	case 4008:
		return "Rate limited."
	case 4009:
		return "Session timed out."
	case 4010:
		return "Invalid shard."
	case 4011:
		return "Sharding required."
	case 4012:
		return "Invalid API version."
	case 4013:
		return "Invalid intent(s)."
	case 4014:
		return "Disallowed intent(s)."
	}
	return ""
}

// resumableClose reports whether a client may RESUME after the fake closes
// with code (Discord's documented reconnect rules; 4007 and 4009 need a new
// IDENTIFY).
func resumableClose(code int) bool {
	switch code {
	case 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014:
		return false
	}
	return true
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ws, err := s.upgrade.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws}
	ws.SetReadLimit(1 << 20)
	s.mu.Lock()
	if s.st.closed {
		s.mu.Unlock()
		c.kill()
		return
	}
	s.st.conns[c] = struct{}{}
	s.mu.Unlock()
	defer s.dropConn(c)

	if enc := q.Get("encoding"); enc != "" && enc != "json" {
		c.closeWith(4002, "Decode error.")
		return
	}
	if z := q.Get("compress"); z != "" {
		// discordgo never asks for transport compression; the fake
		// does not speak it.
		c.closeWith(4000, "Unknown error.")
		return
	}
	hello := payload{Op: 10, D: map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}}
	b, _ := json.Marshal(hello)
	if c.send(b, false) != nil {
		return
	}
	for {
		typ, msg, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) {
				// Discord invalidates a session its client closed with
				// 1000 or 1001.
				s.mu.Lock()
				if c.sess != nil && !c.closing {
					delete(s.st.sessions, c.sess.id)
				}
				s.mu.Unlock()
			}
			return
		}
		if typ != websocket.TextMessage {
			s.mu.Lock()
			c.closeLocked(4002, "Decode error.")
			s.mu.Unlock()
			return
		}
		if !s.handleFrame(c, msg) {
			return
		}
	}
}

// dropConn forgets c; its session stays resumable unless already deleted.
func (s *Server) dropConn(c *conn) {
	s.mu.Lock()
	delete(s.st.conns, c)
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	s.mu.Unlock()
	c.kill()
}

// handleFrame handles one client payload; false ends the connection.
func (s *Server) handleFrame(c *conn, msg []byte) bool {
	var p struct {
		Op *int            `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := json.Unmarshal(msg, &p); err != nil || p.Op == nil {
		c.closeLocked(4002, "Decode error.")
		return false
	}
	s.st.frames = append(s.st.frames, GatewayFrame{Time: time.Now(), Op: *p.Op, Data: append(json.RawMessage(nil), p.D...)})
	s.log.Debug("discordtest: gateway frame", "op", *p.Op)
	switch *p.Op {
	case 1:
		c.beats++
		s.st.heartbeats++
		if !s.st.stopACK {
			return c.send([]byte(`{"op":11,"d":null}`), c.compress) == nil
		}
		return true
	case 2:
		return s.identify(c, p.D)
	case 6:
		return s.resume(c, p.D)
	case 3, 4, 8:
		if c.sess == nil {
			c.closeLocked(4003, "Not authenticated.")
			return false
		}
		return true
	default:
		c.closeLocked(4001, "Unknown opcode.")
		return false
	}
}

func (s *Server) identify(c *conn, d json.RawMessage) bool {
	var id struct {
		Token    string  `json:"token"`
		Intents  *int    `json:"intents"`
		Shard    *[2]int `json:"shard"`
		Compress bool    `json:"compress"`
	}
	if err := json.Unmarshal(d, &id); err != nil {
		c.closeLocked(4002, "Decode error.")
		return false
	}
	rec := Identify{
		TokenOK: strings.TrimPrefix(id.Token, "Bot ") == s.opts.Token, Shard: id.Shard,
		Compress: id.Compress, Raw: append(json.RawMessage(nil), d...),
	}
	if id.Intents != nil {
		rec.Intents = *id.Intents
	}
	s.st.identifyLog = append(s.st.identifyLog, rec)
	s.st.identifies++
	switch {
	case c.sess != nil:
		c.closeLocked(4005, "Already authenticated.")
		return false
	case !rec.TokenOK:
		c.closeLocked(4004, "Authentication failed.")
		return false
	case id.Intents == nil || *id.Intents < 0 || *id.Intents >= 1<<26:
		c.closeLocked(4013, "Invalid intent(s).")
		return false
	case *id.Intents&s.opts.RefuseIntents != 0:
		c.closeLocked(4014, "Disallowed intent(s).")
		return false
	}
	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
		if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
			c.closeLocked(4010, "Invalid shard.")
			return false
		}
	}
	sess := &session{
		id: strings.ReplaceAll(s.st.token("session"), ".", ""), intents: *id.Intents,
		shard: shard, compress: id.Compress, conn: c,
	}
	s.st.sessions[sess.id] = sess
	c.sess, c.compress = sess, id.Compress

	var guilds []map[string]any
	for _, g := range s.st.guilds {
		if onShard(g.ID, shard) {
			guilds = append(guilds, map[string]any{"id": g.ID, "unavailable": true})
		}
	}
	if guilds == nil {
		guilds = []map[string]any{}
	}
	ready := map[string]any{
		"v": 9, "user": s.bot, "guilds": guilds, "session_id": sess.id, "session_type": "normal",
		"resume_gateway_url": s.GatewayURL(), "application": map[string]any{"id": s.opts.AppID, "flags": 0},
		"private_channels": []any{}, "relationships": []any{}, "presences": []any{},
	}
	if id.Shard != nil {
		ready["shard"] = shard
	}
	if !s.sendTo(sess, "READY", ready) {
		return false
	}
	for _, g := range s.st.guilds {
		if onShard(g.ID, shard) && !s.sendTo(sess, "GUILD_CREATE", s.guildCreate(g)) {
			return false
		}
	}
	return true
}

func (s *Server) resume(c *conn, d json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(d, &r); err != nil {
		c.closeLocked(4002, "Decode error.")
		return false
	}
	sess := s.st.sessions[r.SessionID]
	if sess == nil || strings.TrimPrefix(r.Token, "Bot ") != s.opts.Token {
		return c.send([]byte(`{"op":9,"d":false,"s":null,"t":null}`), false) == nil
	}
	if r.Seq > sess.seq {
		delete(s.st.sessions, sess.id)
		c.closeLocked(4007, "Invalid seq.")
		return false
	}
	if old := sess.conn; old != nil && old != c {
		old.sess = nil
		old.kill()
	}
	s.st.resumes++
	sess.conn, c.sess, c.compress = c, sess, sess.compress
	for _, l := range sess.log {
		if l.seq > r.Seq {
			if c.send(l.frame, c.compress) != nil {
				return false
			}
		}
	}
	sess.seq++
	t := "RESUMED"
	b, _ := json.Marshal(payload{Op: 0, S: &sess.seq, T: &t, D: map[string]any{}})
	return c.send(b, c.compress) == nil
}

// onShard reports whether guildID belongs to shard [id, count].
func onShard(guildID string, shard [2]int) bool {
	if shard[1] <= 1 {
		return true
	}
	g, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return shard[0] == 0
	}
	return int((g>>22)%uint64(shard[1])) == shard[0]
}

// sendTo dispatches one event to one session: the next seq, the replay
// log, and the live connection if any. It reports whether the write (if
// any) succeeded.
func (s *Server) sendTo(sess *session, event string, d any) bool {
	sess.seq++
	seq := sess.seq
	b, err := json.Marshal(payload{Op: 0, S: &seq, T: &event, D: d})
	if err != nil {
		s.log.Error("discordtest: marshal dispatch", "event", event, "err", err)
		return false
	}
	sess.log = append(sess.log, logged{seq: seq, frame: b})
	if len(sess.log) > maxReplay {
		sess.log = sess.log[len(sess.log)-maxReplay:]
	}
	if sess.conn == nil {
		return true
	}
	if err := sess.conn.send(b, sess.compress); err != nil {
		s.log.Debug("discordtest: dispatch write failed", "event", event, "err", err)
		return false
	}
	return true
}

// dispatchLocked sends an event to every session that should see it: on
// the guild's shard, with intent (0 for none needed). view, when not nil,
// shapes the payload per session or drops it.
func (s *Server) dispatchLocked(event string, d any, guildID string, intent int, view func(*session) (any, bool)) {
	for _, sess := range s.sortedSessions() {
		if !onShard(guildID, sess.shard) {
			continue
		}
		if intent != 0 && sess.intents&intent == 0 {
			continue
		}
		v := d
		if view != nil {
			var keep bool
			if v, keep = view(sess); !keep {
				continue
			}
		}
		s.sendTo(sess, event, v)
	}
}

func (s *Server) sortedSessions() []*session {
	out := make([]*session, 0, len(s.st.sessions))
	for _, sess := range s.st.sessions {
		out = append(out, sess)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// dispatchMessage sends MESSAGE_CREATE or MESSAGE_UPDATE for m, applying
// the GUILD_MESSAGES/DIRECT_MESSAGES and MESSAGE_CONTENT intent rules.
func (s *Server) dispatchMessage(event string, m Message) {
	intent := IntentGuildMessages
	if m.GuildID == "" {
		intent = IntentDirectMessages
	}
	if m.Flags&MessageFlagEphemeral != 0 {
		return
	}
	s.dispatchLocked(event, nil, m.GuildID, intent, func(sess *session) (any, bool) {
		return s.contentView(m, sess.intents).wire(), true
	})
}

// contentView blanks what Discord withholds without MESSAGE_CONTENT: the
// content, embeds, attachments and components of messages that are not the
// bot's own, not in DMs and do not mention the bot.
func (s *Server) contentView(m Message, intents int) Message {
	if intents&IntentMessageContent != 0 || m.Author.ID == s.bot.ID || m.GuildID == "" {
		return m
	}
	for _, u := range m.Mentions {
		if u.ID == s.bot.ID {
			return m
		}
	}
	m.Content, m.Embeds, m.Attachments, m.Components = "", nil, nil, nil
	return m
}

// guildCreate is the GUILD_CREATE payload of g.
func (s *Server) guildCreate(g Guild) map[string]any {
	var channels, threads []Channel
	for _, id := range s.st.order {
		c := s.st.channels[id]
		if c.GuildID != g.ID {
			continue
		}
		if c.ThreadMetadata != nil {
			if !c.ThreadMetadata.Archived {
				threads = append(threads, *c)
			}
			continue
		}
		channels = append(channels, *c)
	}
	if threads == nil {
		threads = []Channel{}
	}
	members := make([]Member, 0, len(g.Members)+1)
	for _, m := range g.Members {
		m.Permissions = ""
		members = append(members, m)
	}
	members = append(members, Member{User: s.bot, Roles: []string{}, JoinedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	return map[string]any{
		"id": g.ID, "name": g.Name, "owner_id": g.OwnerID, "icon": nil, "unavailable": false,
		"joined_at": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "large": false,
		"member_count": len(members), "channels": channels, "threads": threads, "members": members,
		"roles": g.Roles, "emojis": []any{}, "stickers": []any{}, "presences": []any{},
		"voice_states": []any{}, "features": []string{}, "stage_instances": []any{},
		"guild_scheduled_events": []any{}, "preferred_locale": "en-US", "verification_level": 0,
		"default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
		"premium_tier": 0, "nsfw_level": 0, "system_channel_id": nil, "afk_channel_id": nil,
	}
}

// Dispatch sends a raw gateway event to every session on the right shard
// (by the payload's guild_id), with no intent filtering: the payload is
// marshalled as given. An INTERACTION_CREATE with id and token is
// registered, so the bot can answer it. The error is a payload that does
// not marshal.
func (s *Server) Dispatch(event string, d any) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("discordtest: dispatch %s: %w", event, err)
	}
	var head struct {
		GuildID string `json:"guild_id"`
	}
	_ = json.Unmarshal(b, &head)
	s.mu.Lock()
	defer s.mu.Unlock()
	if event == "INTERACTION_CREATE" {
		s.registerRawInteraction(b)
	}
	s.dispatchLocked(event, json.RawMessage(b), head.GuildID, 0, nil)
	return nil
}

// SendOp sends a raw gateway payload {"op":op,"d":d} on every live
// connection, outside the dispatch sequence (for example op 1, a server
// heartbeat request). The error is a payload that does not marshal.
func (s *Server) SendOp(op int, d any) error {
	b, err := json.Marshal(payload{Op: op, D: d})
	if err != nil {
		return fmt.Errorf("discordtest: send op %d: %w", op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.st.conns {
		_ = c.send(b, c.compress)
	}
	return nil
}

// Reconnect sends op 7 RECONNECT on every live connection. Sessions stay
// resumable: the client should reconnect and RESUME, and gets the events
// dispatched meanwhile replayed.
func (s *Server) Reconnect() {
	s.awaitFirstBeats()
	_ = s.SendOp(7, nil)
}

// firstBeatWait bounds how long a disruptive action waits for the first
// heartbeat of each identified connection.
const firstBeatWait = 5 * time.Second

// awaitFirstBeats waits (at most firstBeatWait) until every identified
// connection has sent a heartbeat. discordgo v0.29.0 starts its heartbeat
// goroutine as Open returns; if the connection ends before that
// goroutine's first beat, the goroutine later fails its write, closes the
// new connection with 1000 (ending the session) and reconnects a second
// time. Real Discord never disconnects that fast, so the fake lets the
// client settle first instead of producing that client race.
func (s *Server) awaitFirstBeats() {
	_ = poll(context.Background(), firstBeatWait, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for c := range s.st.conns {
			if c.sess != nil && c.beats == 0 {
				return false
			}
		}
		return true
	})
}

// InvalidSession sends op 9 INVALID_SESSION with d = resumable on every
// identified connection. The connections become unidentified (discordgo
// v0.29.0 then re-IDENTIFYs on the same socket); unless resumable, the
// sessions are forgotten and a later RESUME of them fails.
func (s *Server) InvalidSession(resumable bool) {
	s.awaitFirstBeats()
	b, _ := json.Marshal(payload{Op: 9, D: resumable})
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.st.conns {
		if c.sess == nil {
			continue
		}
		if !resumable {
			delete(s.st.sessions, c.sess.id)
		}
		c.sess.conn = nil
		c.sess = nil
		_ = c.send(b, c.compress)
	}
}

// DropConnection closes every gateway connection abruptly, with no close
// frame, as a network failure would. Sessions stay resumable.
func (s *Server) DropConnection() {
	s.awaitFirstBeats()
	s.mu.Lock()
	conns := s.st.allConns()
	s.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
}

// CloseWith closes every gateway connection with a close frame carrying
// code and Discord's reason text. Sessions stay resumable only for codes
// Discord allows resuming after (not 4004, 4007, 4009-4014).
func (s *Server) CloseWith(code int) {
	s.awaitFirstBeats()
	s.mu.Lock()
	conns := s.st.allConns()
	for _, c := range conns {
		c.closing = true
		if c.sess != nil && !resumableClose(code) {
			delete(s.st.sessions, c.sess.id)
		}
	}
	s.mu.Unlock()
	reason := closeReason(code)
	for _, c := range conns {
		c.closeWith(code, reason)
	}
}

// StopHeartbeatACK stops (true) or resumes (false) answering heartbeats
// with op 11. discordgo treats a connection without ACKs for five
// intervals as a zombie: it closes it (1000, which invalidates the
// session) and reconnects.
func (s *Server) StopHeartbeatACK(stop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.stopACK = stop
}
