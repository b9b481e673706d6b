package discordtest

import (
	"encoding/json"
	"fmt"
	"time"
)

// MessageSpec describes a message a user posts.
type MessageSpec struct {
	// ChannelID defaults to the first guild's first channel; a thread's
	// ID posts in the thread.
	ChannelID string
	Content   string
	Embeds    []Embed
	// Author defaults to DefaultUser(). A Bot author, or a WebhookID,
	// makes a message a bot must not answer.
	Author    *User
	WebhookID string
	// ReplyTo makes the message a reply to that message.
	ReplyTo string
	// Attachments are files attached to the message.
	Attachments []Attachment
}

// Attachment is a file attached to a message, as Discord describes it.
type Attachment struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type,omitempty"`
	Size        int    `json:"size"`
	URL         string `json:"url"`
	ProxyURL    string `json:"proxy_url"`
}

// React adds user's reaction emoji (a Unicode emoji) to a message and
// dispatches MESSAGE_REACTION_ADD to the sessions with the
// GUILD_MESSAGE_REACTIONS intent.
func (s *Server) React(channelID, messageID string, user User, emoji string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.liveMessage(channelID, messageID)
	if m == nil {
		return fmt.Errorf("discordtest: react: unknown message %q in channel %q", messageID, channelID)
	}
	if _, known := s.st.users[user.ID]; !known && user.ID != "" {
		s.st.users[user.ID] = user
	}
	d := map[string]any{
		"user_id": user.ID, "channel_id": channelID, "message_id": messageID, "message_author_id": m.Author.ID,
		"emoji": map[string]any{"id": nil, "name": emoji}, "burst": false, "type": 0,
	}
	if m.GuildID != "" {
		d["guild_id"] = m.GuildID
		d["member"] = map[string]any{"user": user, "roles": []string{}, "joined_at": "2026-01-01T00:00:00Z", "deaf": false, "mute": false, "flags": 0}
	}
	s.dispatchLocked("MESSAGE_REACTION_ADD", d, m.GuildID, IntentGuildReactions, nil)
	return nil
}

// PostMessage stores a user's message and dispatches MESSAGE_CREATE, with
// its <@id> mentions resolved and the MESSAGE_CONTENT rules applied per
// session.
func (s *Server) PostMessage(spec MessageSpec) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.postLocked(spec)
}

// postLocked is PostMessage for a caller holding mu.
func (s *Server) postLocked(spec MessageSpec) (Message, error) {
	chID := spec.ChannelID
	if chID == "" {
		chID = s.st.guilds[0].Channels[0].ID
	}
	c := s.st.channels[chID]
	if c == nil {
		return Message{}, fmt.Errorf("discordtest: post message: unknown channel %q", chID)
	}
	author := DefaultUser()
	if spec.Author != nil {
		author = *spec.Author
	}
	if _, known := s.st.users[author.ID]; !known && author.ID != "" {
		s.st.users[author.ID] = author
	}
	m := &Message{
		ID: s.st.snowflake(), ChannelID: c.ID, GuildID: c.GuildID, Author: author,
		Content: spec.Content, Embeds: spec.Embeds, Timestamp: time.Now().UTC(), WebhookID: spec.WebhookID,
	}
	if c.GuildID != "" && spec.WebhookID == "" {
		mem, found := s.st.members[c.GuildID][author.ID]
		if !found {
			mem = Member{Roles: []string{}, JoinedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		}
		mem.User, mem.Permissions = User{}, ""
		m.Member = &mem
	}
	if spec.ReplyTo != "" {
		target := s.st.liveMessage("", spec.ReplyTo)
		if target == nil {
			return Message{}, fmt.Errorf("discordtest: post message: reply to unknown message %q", spec.ReplyTo)
		}
		m.Type = 19
		m.MessageReference = &MessageReference{MessageID: target.ID, ChannelID: target.ChannelID, GuildID: target.GuildID}
	}
	for i, a := range spec.Attachments {
		if a.ID == "" {
			a.ID = s.st.snowflake()
		}
		if a.ProxyURL == "" {
			a.ProxyURL = a.URL
		}
		raw, err := json.Marshal(a)
		if err != nil {
			return Message{}, fmt.Errorf("discordtest: post message: attachment %d: %w", i, err)
		}
		m.Attachments = append(m.Attachments, raw)
	}
	m.Mentions = s.st.mentionsIn(m.Content)
	s.st.addMessage(m)
	s.dispatchMessage("MESSAGE_CREATE", *m)
	return *m, nil
}

// DeleteMessage deletes a message as its author or a moderator would, and
// dispatches MESSAGE_DELETE. Replies to it then fail as on Discord.
func (s *Server) DeleteMessage(channelID, messageID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.liveMessage(channelID, messageID)
	if m == nil {
		return fmt.Errorf("discordtest: delete message: unknown message %q in channel %q", messageID, channelID)
	}
	s.deleteLocked(m)
	return nil
}

// AddChannel adds a text channel to a guild at run time and dispatches
// CHANNEL_CREATE.
func (s *Server) AddChannel(guildID string, c Channel) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, found := s.st.guild(guildID); !found {
		return fmt.Errorf("discordtest: add channel: unknown guild %q", guildID)
	}
	if c.ID == "" {
		c.ID = s.st.snowflake()
	}
	if s.st.channels[c.ID] != nil {
		return fmt.Errorf("discordtest: add channel: channel %q exists", c.ID)
	}
	c.GuildID = guildID
	added := s.st.addChannel(c)
	s.dispatchLocked("CHANNEL_CREATE", *added, guildID, IntentGuilds, nil)
	return nil
}

// Calls returns every REST call so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.st.calls...)
}

// CallsTo returns the calls whose method matches method ("" or "*" for any)
// and whose route (the path below /api/v<N>) matches route, in which "*"
// stands for one segment: CallsTo("POST", "/channels/*/messages").
func (s *Server) CallsTo(method, route string) []Call {
	p := parsePattern(method, route)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.st.calls {
		if p.match(c.Method, c.Route) {
			out = append(out, c)
		}
	}
	return out
}

// ChannelMessages returns the live messages of a channel or thread, oldest
// first: users', the bot's and non-ephemeral interaction responses.
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.st.messages[channelID] {
		if !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// Message returns any message by ID, deleted and ephemeral ones included.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.byID[id]
	if m == nil {
		return Message{}, false
	}
	return *m, true
}

// Channel returns a channel or thread by ID.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.channels[id]
	if c == nil {
		return Channel{}, false
	}
	return *c, true
}

// Threads returns every thread created so far, oldest first.
func (s *Server) Threads() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Channel
	for _, id := range s.st.order {
		if c := s.st.channels[id]; c.ThreadMetadata != nil {
			out = append(out, *c)
		}
	}
	return out
}

// Commands returns the application commands registered by the last bulk
// overwrite for a guild ("" for global ones), as the fake answered them
// (with id, application_id, version).
func (s *Server) Commands(guildID string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.st.commands[guildID]...)
}

// InteractionResponses returns the REST calls made for an interaction: its
// callback and every call on its webhook (edits, follow-ups, deletes).
func (s *Server) InteractionResponses(id string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.interactions[id]
	if in == nil {
		return nil
	}
	var out []Call
	for _, c := range s.st.calls {
		segs := split(c.Route)
		switch {
		case len(segs) >= 3 && segs[0] == "interactions" && segs[1] == in.ID:
			out = append(out, c)
		case len(segs) >= 3 && segs[0] == "webhooks" && segs[2] == in.Token:
			out = append(out, c)
		}
	}
	return out
}

// Responded reports the initial response type of an interaction (4, 5, 6,
// 7...) and whether it got one.
func (s *Server) Responded(id string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.interactions[id]
	if in == nil || !in.responded {
		return 0, false
	}
	return in.responseType, true
}

// Original returns an interaction's original response message (as edited
// so far), ephemeral or not.
func (s *Server) Original(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.interactions[id]
	if in == nil || in.originalID == "" {
		return Message{}, false
	}
	m := s.st.byID[in.originalID]
	if m == nil {
		return Message{}, false
	}
	return *m, true
}

// Followups returns an interaction's follow-up messages, oldest first.
func (s *Server) Followups(id string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.interactions[id]
	if in == nil {
		return nil
	}
	var out []Message
	for _, fid := range in.followups {
		if m := s.st.byID[fid]; m != nil {
			out = append(out, *m)
		}
	}
	return out
}

// Identifies counts the IDENTIFY payloads received, refused ones included.
func (s *Server) Identifies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.identifies
}

// IdentifyPayloads returns every IDENTIFY received, oldest first.
func (s *Server) IdentifyPayloads() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Identify(nil), s.st.identifyLog...)
}

// Resumes counts successful RESUMEs.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.resumes
}

// Heartbeats counts the heartbeats (op 1) received on all connections.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.heartbeats
}

// Connected reports whether some gateway connection holds an identified or
// resumed session.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.st.conns {
		if c.sess != nil {
			return true
		}
	}
	return false
}

// GatewayFrames returns every payload clients sent on the gateway, oldest
// first (heartbeats included).
func (s *Server) GatewayFrames() []GatewayFrame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]GatewayFrame(nil), s.st.frames...)
}
