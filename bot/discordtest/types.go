package discordtest

import (
	"encoding/json"
	"time"
)

// Defaults used when the matching Options field is empty. Tests can use them
// directly: a zero Options gives one guild with one text channel and one
// human member.
const (
	DefaultToken     = "fake.bot.token"
	DefaultAppID     = "1100000000000000001"
	DefaultBotUserID = "1100000000000000002"
	DefaultGuildID   = "1100000000000000010"
	DefaultChannelID = "1100000000000000011"
	DefaultUserID    = "1100000000000000020"
)

// Intent bits that matter to the fake (Discord's GatewayIntentBits).
const (
	IntentGuilds         = 1 << 0
	IntentGuildMembers   = 1 << 1
	IntentGuildMessages  = 1 << 9
	IntentGuildReactions = 1 << 10
	IntentDirectMessages = 1 << 12
	IntentMessageContent = 1 << 15
	IntentGuildPresences = 1 << 8
)

// Channel types used by the fake.
const (
	ChannelTypeGuildText     = 0
	ChannelTypeDM            = 1
	ChannelTypePublicThread  = 11
	ChannelTypePrivateThread = 12
)

// AdminPermissions is the permission string of a member who may do
// anything: bits 0 to 49, ADMINISTRATOR (1<<3) and MANAGE_GUILD (1<<5)
// among them.
const AdminPermissions = "1125899906842623"

// MemberPermissions is the permission string of an ordinary member: view
// channels, send messages and messages in threads, embed links, attach
// files, add reactions, read history, use application commands and create
// public threads; no Manage Server.
const MemberPermissions = "311385246784"

// User is a Discord user as the fake writes it on the wire.
type User struct {
	ID            string  `json:"id"`
	Username      string  `json:"username"`
	Discriminator string  `json:"discriminator"`
	GlobalName    string  `json:"global_name,omitempty"`
	Avatar        *string `json:"avatar"`
	Bot           bool    `json:"bot,omitempty"`
}

// Member is a guild member. Permissions is a decimal string, as Discord
// writes it; it is sent in interaction payloads.
type Member struct {
	User        User      `json:"user"`
	Nick        string    `json:"nick,omitempty"`
	Roles       []string  `json:"roles"`
	JoinedAt    time.Time `json:"joined_at"`
	Deaf        bool      `json:"deaf"`
	Mute        bool      `json:"mute"`
	Flags       int       `json:"flags"`
	Permissions string    `json:"permissions,omitempty"`
}

// Role is a guild role; Permissions is a decimal string.
type Role struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Permissions string `json:"permissions"`
	Position    int    `json:"position"`
	Color       int    `json:"color"`
	Hoist       bool   `json:"hoist"`
	Managed     bool   `json:"managed"`
	Mentionable bool   `json:"mentionable"`
}

// ThreadMetadata is the thread-only part of a Channel.
type ThreadMetadata struct {
	Archived            bool      `json:"archived"`
	AutoArchiveDuration int       `json:"auto_archive_duration"`
	ArchiveTimestamp    time.Time `json:"archive_timestamp"`
	Locked              bool      `json:"locked"`
	Invitable           *bool     `json:"invitable,omitempty"`
	CreateTimestamp     time.Time `json:"create_timestamp"`
}

// Channel is a guild channel or a thread.
type Channel struct {
	ID             string          `json:"id"`
	Type           int             `json:"type"`
	GuildID        string          `json:"guild_id,omitempty"`
	Name           string          `json:"name"`
	ParentID       string          `json:"parent_id,omitempty"`
	OwnerID        string          `json:"owner_id,omitempty"`
	Topic          string          `json:"topic,omitempty"`
	Position       int             `json:"position"`
	NSFW           bool            `json:"nsfw"`
	LastMessageID  string          `json:"last_message_id,omitempty"`
	ThreadMetadata *ThreadMetadata `json:"thread_metadata,omitempty"`
	MessageCount   int             `json:"message_count,omitempty"`
	MemberCount    int             `json:"member_count,omitempty"`
	// StarterMessageID is the message a thread was started from ("" for a
	// thread started without one). Not part of Discord's channel object.
	StarterMessageID string `json:"-"`
}

// Guild is a configured guild: its channels, members and roles. Empty
// fields get defaults: a text channel named "general", the default human
// member, an @everyone role.
type Guild struct {
	ID       string
	Name     string
	OwnerID  string
	Channels []Channel
	Members  []Member
	Roles    []Role
}

// EmbedField is one field of an embed.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// EmbedFooter is an embed's footer.
type EmbedFooter struct {
	Text    string `json:"text"`
	IconURL string `json:"icon_url,omitempty"`
}

// EmbedAuthor is an embed's author line.
type EmbedAuthor struct {
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	IconURL string `json:"icon_url,omitempty"`
}

// Embed is a rich embed as sent by the bot and echoed back by the fake.
type Embed struct {
	Type        string       `json:"type,omitempty"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"`
	Color       int          `json:"color,omitempty"`
	Footer      *EmbedFooter `json:"footer,omitempty"`
	Author      *EmbedAuthor `json:"author,omitempty"`
	Fields      []EmbedField `json:"fields,omitempty"`
}

// MessageReference points a reply at the message it answers.
type MessageReference struct {
	MessageID       string `json:"message_id,omitempty"`
	ChannelID       string `json:"channel_id,omitempty"`
	GuildID         string `json:"guild_id,omitempty"`
	FailIfNotExists *bool  `json:"fail_if_not_exists,omitempty"`
}

// AllowedMentions is the allowed_mentions object of a sent message.
type AllowedMentions struct {
	Parse       []string `json:"parse"`
	Users       []string `json:"users,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	RepliedUser bool     `json:"replied_user,omitempty"`
}

// Message is a message in a channel: posted by a test (a user), sent by the
// bot over REST, or created by an interaction response.
type Message struct {
	ID               string            `json:"id"`
	ChannelID        string            `json:"channel_id"`
	GuildID          string            `json:"guild_id,omitempty"`
	Author           User              `json:"author"`
	Member           *Member           `json:"member,omitempty"`
	Content          string            `json:"content"`
	Timestamp        time.Time         `json:"timestamp"`
	EditedTimestamp  *time.Time        `json:"edited_timestamp"`
	TTS              bool              `json:"tts"`
	MentionEveryone  bool              `json:"mention_everyone"`
	Mentions         []User            `json:"mentions"`
	MentionRoles     []string          `json:"mention_roles"`
	Attachments      []json.RawMessage `json:"attachments"`
	Embeds           []Embed           `json:"embeds"`
	Components       []json.RawMessage `json:"components"`
	Pinned           bool              `json:"pinned"`
	Type             int               `json:"type"`
	Flags            int               `json:"flags"`
	WebhookID        string            `json:"webhook_id,omitempty"`
	ApplicationID    string            `json:"application_id,omitempty"`
	MessageReference *MessageReference `json:"message_reference,omitempty"`
	// Nonce is the nonce the sender gave, echoed back as Discord does
	// (a number is kept as its decimal text).
	Nonce string `json:"nonce,omitempty"`

	// AllowedMentions is what the bot sent with the message (nil when it
	// sent none, or for messages posted by tests). Not echoed to clients.
	AllowedMentions *AllowedMentions `json:"-"`
	// InteractionID is the interaction this message answers, if any.
	InteractionID string `json:"-"`
	// Deleted is set when the message was deleted; ChannelMessages omits
	// deleted messages, Message still returns them.
	Deleted bool `json:"-"`
}

// Message flags the fake sets or reads.
const (
	MessageFlagEphemeral = 1 << 6
	MessageFlagLoading   = 1 << 7
)

// Call is one recorded REST request and the fake's answer to it.
type Call struct {
	Time   time.Time
	Method string
	// Path is the decoded request path, for example
	// "/api/v9/channels/1/messages"; Route is the same without the
	// "/api/v<N>" prefix.
	Path   string
	Route  string
	Query  map[string][]string
	Header map[string][]string // Authorization's value replaced by "[redacted]"
	// AuthOK reports whether Authorization was exactly "Bot " + token.
	AuthOK bool
	// Body is the decoded JSON body (payload_json for multipart requests),
	// nil when there was none or it was not JSON; RawBody is as received.
	Body    any
	RawBody []byte
	// Status, ResponseHeader and Response are what the fake answered
	// (ResponseHeader carries the X-RateLimit-* and Retry-After headers).
	Status         int
	ResponseHeader map[string][]string
	Response       []byte
}

// Decode unmarshals the call's JSON body into v.
func (c Call) Decode(v any) error {
	b := c.RawBody
	if c.Body != nil {
		var err error
		if b, err = json.Marshal(c.Body); err != nil {
			return err
		}
	}
	return json.Unmarshal(b, v)
}

// Field returns the value at a dotted path in the decoded JSON body, such as
// "allowed_mentions.parse" or "embeds.0.title", and whether it was present.
func (c Call) Field(path string) (any, bool) {
	return lookup(c.Body, path)
}

// Failure is a scripted error answer: an HTTP status with Discord's JSON
// error code and message.
type Failure struct {
	Status  int
	Code    int
	Message string
}

// Common failures for Fail.
var (
	// MissingPermissions is 403 code 50013.
	MissingPermissions = Failure{Status: 403, Code: 50013, Message: "Missing Permissions"}
	// MissingAccess is 403 code 50001.
	MissingAccess = Failure{Status: 403, Code: 50001, Message: "Missing Access"}
	// UnknownMessage is 404 code 10008.
	UnknownMessage = Failure{Status: 404, Code: 10008, Message: "Unknown Message"}
	// UnknownChannel is 404 code 10003.
	UnknownChannel = Failure{Status: 404, Code: 10003, Message: "Unknown Channel"}
	// UnknownWebhook is 404 code 10015, the answer on an expired
	// interaction token.
	UnknownWebhook = Failure{Status: 404, Code: 10015, Message: "Unknown Webhook"}
	// UnknownInteraction is 404 code 10062.
	UnknownInteraction = Failure{Status: 404, Code: 10062, Message: "Unknown interaction"}
	// ServerError is a bare 500.
	ServerError = Failure{Status: 500, Code: 0, Message: "500: Internal Server Error"}
	// BadGateway is a bare 502, which discordgo retries.
	BadGateway = Failure{Status: 502, Code: 0, Message: "502: Bad Gateway"}
)

// Routes for Fail, RateLimit and CallsTo: a method, a space and a path below
// /api/v<N> in which "*" stands for one path segment.
const (
	RouteSendMessage          = "POST /channels/*/messages"
	RouteEditMessage          = "PATCH /channels/*/messages/*"
	RouteDeleteMessage        = "DELETE /channels/*/messages/*"
	RouteStartThreadOnMessage = "POST /channels/*/messages/*/threads"
	RouteStartThread          = "POST /channels/*/threads"
	RouteInteractionCallback  = "POST /interactions/*/*/callback"
	RouteEditOriginal         = "PATCH /webhooks/*/*/messages/@original"
	RouteFollowup             = "POST /webhooks/*/*"
	RouteGlobalCommands       = "PUT /applications/*/commands"
	RouteGuildCommands        = "PUT /applications/*/guilds/*/commands"
	RouteGateway              = "GET /gateway"
)
