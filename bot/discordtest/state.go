package discordtest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// state is everything the fake remembers; Server.mu guards it.
type state struct {
	closed bool

	lastSnowflake uint64
	counter       int

	calls []Call
	// frames are the client's gateway payloads, in arrival order.
	frames []GatewayFrame

	users    map[string]User
	guilds   []Guild
	members  map[string]map[string]Member // guild -> user -> member
	channels map[string]*Channel
	order    []string              // channel IDs in creation order
	messages map[string][]*Message // channel -> messages, oldest first
	byID     map[string]*Message
	// nonces indexes messages sent with a nonce by channel, author and
	// nonce, for enforce_nonce.
	nonces map[string]*Message

	commands map[string][]json.RawMessage // guild ("" = global) -> commands
	cmdIDs   map[string]string            // guild + "\x00" + type + name -> id

	interactions map[string]*interaction // by ID
	byToken      map[string]*interaction

	scripts []*script

	sessions    map[string]*session
	conns       map[*conn]struct{}
	identifies  int
	identifyLog []Identify
	resumes     int
	heartbeats  int
	stopACK     bool
}

func newState(o Options, bot User) state {
	st := state{
		users:        map[string]User{bot.ID: bot},
		members:      map[string]map[string]Member{},
		channels:     map[string]*Channel{},
		messages:     map[string][]*Message{},
		byID:         map[string]*Message{},
		nonces:       map[string]*Message{},
		commands:     map[string][]json.RawMessage{},
		cmdIDs:       map[string]string{},
		interactions: map[string]*interaction{},
		byToken:      map[string]*interaction{},
		sessions:     map[string]*session{},
		conns:        map[*conn]struct{}{},
	}
	for _, g := range o.Guilds {
		st.guilds = append(st.guilds, g)
		ms := map[string]Member{}
		for _, m := range g.Members {
			ms[m.User.ID] = m
			st.users[m.User.ID] = m.User
		}
		st.members[g.ID] = ms
		for _, c := range g.Channels {
			c.GuildID = g.ID
			st.addChannel(c)
		}
	}
	return st
}

func (st *state) addChannel(c Channel) *Channel {
	cp := c
	st.channels[c.ID] = &cp
	st.order = append(st.order, c.ID)
	return &cp
}

// discordEpoch is 2015-01-01T00:00:00Z in Unix milliseconds.
const discordEpoch = 1420070400000

// snowflake returns a new, strictly increasing Discord-style ID.
func (st *state) snowflake() string {
	id := uint64(time.Now().UnixMilli()-discordEpoch) << 22
	if id <= st.lastSnowflake {
		id = st.lastSnowflake + 1
	}
	st.lastSnowflake = id
	return strconv.FormatUint(id, 10)
}

// token returns a new opaque token (for interactions and sessions).
func (st *state) token(prefix string) string {
	st.counter++
	return prefix + "." + strconv.Itoa(st.counter) + "." + strconv.FormatInt(time.Now().UnixNano(), 36)
}

func (st *state) guild(id string) (Guild, bool) {
	for _, g := range st.guilds {
		if g.ID == id {
			return g, true
		}
	}
	return Guild{}, false
}

func (st *state) allConns() []*conn {
	out := make([]*conn, 0, len(st.conns))
	for c := range st.conns {
		out = append(out, c)
	}
	return out
}

// addMessage stores m (which must have ID and ChannelID) in its channel.
func (st *state) addMessage(m *Message) {
	st.messages[m.ChannelID] = append(st.messages[m.ChannelID], m)
	st.byID[m.ID] = m
	if m.Nonce != "" {
		st.nonces[nonceKey(m.ChannelID, m.Author.ID, m.Nonce)] = m
	}
	if c := st.channels[m.ChannelID]; c != nil {
		c.LastMessageID = m.ID
		if c.ThreadMetadata != nil {
			c.MessageCount++
		}
	}
}

// liveMessage returns the message id in channel (any channel when channel
// is ""), unless it does not exist or was deleted.
func (st *state) liveMessage(channel, id string) *Message {
	m := st.byID[id]
	if m == nil || m.Deleted || m.Flags&MessageFlagEphemeral != 0 || (channel != "" && m.ChannelID != channel) {
		return nil
	}
	return m
}

// lookupUser returns a known user, or a plausible one for an unknown ID.
func (st *state) lookupUser(id string) User {
	if u, ok := st.users[id]; ok {
		return u
	}
	return User{ID: id, Username: "user" + id, Discriminator: "0"}
}

// mentionsIn finds the <@id> and <@!id> user mentions in content.
func (st *state) mentionsIn(content string) []User {
	var out []User
	seen := map[string]bool{}
	for rest := content; ; {
		i := strings.Index(rest, "<@")
		if i < 0 {
			break
		}
		rest = rest[i+2:]
		rest = strings.TrimPrefix(rest, "!")
		j := strings.IndexByte(rest, '>')
		if j <= 0 {
			continue
		}
		id := rest[:j]
		if _, err := strconv.ParseUint(id, 10, 64); err != nil || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, st.lookupUser(id))
	}
	return out
}

// lookup walks a decoded JSON value along a dotted path.
func lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// nonceMessage returns the newest live message in a channel by author with
// nonce, created after since, or nil.
func (st *state) nonceMessage(channelID, authorID, nonce string, since time.Time) *Message {
	m := st.nonces[nonceKey(channelID, authorID, nonce)]
	if m == nil || m.Deleted || !m.Timestamp.After(since) {
		return nil
	}
	return m
}

func nonceKey(channelID, authorID, nonce string) string {
	return channelID + "\x00" + authorID + "\x00" + nonce
}

// wire returns m ready to marshal for a client: nil lists become [] as
// Discord writes them.
func (m Message) wire() Message {
	if m.Mentions == nil {
		m.Mentions = []User{}
	}
	if m.MentionRoles == nil {
		m.MentionRoles = []string{}
	}
	if m.Attachments == nil {
		m.Attachments = []json.RawMessage{}
	}
	if m.Embeds == nil {
		m.Embeds = []Embed{}
	}
	if m.Components == nil {
		m.Components = []json.RawMessage{}
	}
	return m
}
