package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Interaction types (the top-level "type" of an interaction).
const (
	InteractionPing               = 1
	InteractionApplicationCommand = 2
	InteractionMessageComponent   = 3
	InteractionAutocomplete       = 4
	InteractionModalSubmit        = 5
)

// Application command option types.
const (
	OptionSubCommand      = 1
	OptionSubCommandGroup = 2
	OptionString          = 3
	OptionInteger         = 4
	OptionBoolean         = 5
	OptionUser            = 6
	OptionChannel         = 7
	OptionRole            = 8
	OptionMentionable     = 9
	OptionNumber          = 10
	OptionAttachment      = 11
)

// Interaction is an interaction the fake dispatched.
type Interaction struct {
	ID            string
	Token         string
	ApplicationID string
	Type          int
	ChannelID     string
	GuildID       string
	User          User
	DispatchedAt  time.Time
}

// interaction is the fake's record of one interaction.
type interaction struct {
	Interaction
	commandType  int // data.type of an application command
	responded    bool
	responseType int
	originalID   string
	followups    []string
	expired      bool
}

// Option is one option of a slash command invocation; subcommands carry
// their own Options and no Value.
type Option struct {
	Name    string
	Type    int
	Value   any
	Focused bool
	Options []Option
}

func (o Option) wire() map[string]any {
	m := map[string]any{"name": o.Name, "type": o.Type}
	if o.Type == OptionSubCommand || o.Type == OptionSubCommandGroup {
		opts := make([]map[string]any, 0, len(o.Options))
		for _, sub := range o.Options {
			opts = append(opts, sub.wire())
		}
		m["options"] = opts
	} else {
		m["value"] = o.Value
	}
	if o.Focused {
		m["focused"] = true
	}
	return m
}

// CommandSpec describes a slash command invocation.
type CommandSpec struct {
	// Name is the command's name; CommandID defaults to the ID of the
	// registered command of that name (guild, then global), else a new ID.
	Name      string
	CommandID string
	Options   []Option
	// GuildID and ChannelID default to the first guild and its first
	// channel.
	GuildID   string
	ChannelID string
	// Member is who invokes it. Default DefaultMember(), whose
	// Permissions (MemberPermissions) lack Manage Server.
	Member *Member
	Locale string
}

// MessageCommandSpec describes a message context-menu invocation on a
// message the fake holds.
type MessageCommandSpec struct {
	Name      string
	CommandID string
	// TargetID is the message the menu was opened on; its channel and
	// guild are the interaction's.
	TargetID string
	Member   *Member
	Locale   string
}

// SlashCommand dispatches INTERACTION_CREATE for a chat-input command
// (type 2, data.type 1) and returns the interaction, whose 3-second
// response window starts now. Channel, user and role options are resolved
// from the fake's state.
func (s *Server) SlashCommand(spec CommandSpec) (Interaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, c, err := s.placeLocked(spec.GuildID, spec.ChannelID)
	if err != nil {
		return Interaction{}, err
	}
	opts := make([]map[string]any, 0, len(spec.Options))
	for _, o := range spec.Options {
		opts = append(opts, o.wire())
	}
	data := map[string]any{
		"id": s.commandIDLocked(spec.CommandID, g.ID, 1, spec.Name), "name": spec.Name, "type": 1,
		"options": opts,
	}
	if r := s.resolvedLocked(g.ID, spec.Options); r != nil {
		data["resolved"] = r
	}
	return s.dispatchInteractionLocked(g.ID, c, spec.Member, spec.Locale, 1, data), nil
}

// MessageCommand dispatches INTERACTION_CREATE for a message context-menu
// command (type 2, data.type 3) on the message TargetID, resolved in full
// (context-menu targets keep their content without MESSAGE_CONTENT).
func (s *Server) MessageCommand(spec MessageCommandSpec) (Interaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.liveMessage("", spec.TargetID)
	if m == nil {
		return Interaction{}, fmt.Errorf("discordtest: message command: unknown target message %q", spec.TargetID)
	}
	c := s.st.channels[m.ChannelID]
	if c == nil {
		return Interaction{}, fmt.Errorf("discordtest: message command: unknown channel %q", m.ChannelID)
	}
	data := map[string]any{
		"id": s.commandIDLocked(spec.CommandID, m.GuildID, 3, spec.Name), "name": spec.Name, "type": 3,
		"target_id": m.ID,
		"resolved":  map[string]any{"messages": map[string]any{m.ID: m.wire()}},
	}
	return s.dispatchInteractionLocked(m.GuildID, c, spec.Member, spec.Locale, 3, data), nil
}

// placeLocked resolves a guild and channel, defaulting to the first guild
// and its first channel.
func (s *Server) placeLocked(guildID, channelID string) (Guild, *Channel, error) {
	if guildID == "" {
		guildID = s.st.guilds[0].ID
	}
	g, found := s.st.guild(guildID)
	if !found {
		return Guild{}, nil, fmt.Errorf("discordtest: unknown guild %q", guildID)
	}
	if channelID == "" {
		channelID = g.Channels[0].ID
	}
	c := s.st.channels[channelID]
	if c == nil || c.GuildID != g.ID {
		return Guild{}, nil, fmt.Errorf("discordtest: unknown channel %q in guild %q", channelID, g.ID)
	}
	return g, c, nil
}

// commandIDLocked returns id, or the registered command's ID, or a new one.
func (s *Server) commandIDLocked(id, guildID string, typ int, name string) string {
	if id != "" {
		return id
	}
	key := strconv.Itoa(typ) + "\x00" + name
	for _, g := range []string{guildID, ""} {
		if got := s.st.cmdIDs[g+"\x00"+key]; got != "" {
			return got
		}
	}
	return s.st.snowflake()
}

// resolvedLocked builds data.resolved for channel, user and role options.
func (s *Server) resolvedLocked(guildID string, opts []Option) map[string]any {
	channels, users, members, roles := map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}
	var walk func([]Option)
	walk = func(opts []Option) {
		for _, o := range opts {
			id, _ := o.Value.(string)
			switch o.Type {
			case OptionSubCommand, OptionSubCommandGroup:
				walk(o.Options)
			case OptionChannel:
				if c := s.st.channels[id]; c != nil {
					channels[id] = channelWithPermissions(*c)
				}
			case OptionUser, OptionMentionable:
				users[id] = s.st.lookupUser(id)
				if m, found := s.st.members[guildID][id]; found {
					m.User = User{}
					b, _ := json.Marshal(m)
					var mm map[string]any
					_ = json.Unmarshal(b, &mm)
					delete(mm, "user")
					members[id] = mm
				}
			case OptionRole:
				g, _ := s.st.guild(guildID)
				for _, r := range g.Roles {
					if r.ID == id {
						roles[id] = r
					}
				}
			}
		}
	}
	walk(opts)
	out := map[string]any{}
	for k, v := range map[string]map[string]any{"channels": channels, "users": users, "members": members, "roles": roles} {
		if len(v) > 0 {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func channelWithPermissions(c Channel) map[string]any {
	b, _ := json.Marshal(c)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["permissions"] = AdminPermissions
	return m
}

// dispatchInteractionLocked registers and dispatches an application command
// interaction.
func (s *Server) dispatchInteractionLocked(guildID string, c *Channel, member *Member, locale string, cmdType int, data map[string]any) Interaction {
	mem := DefaultMember()
	if member != nil {
		mem = *member
		if mem.Permissions == "" {
			mem.Permissions = MemberPermissions
		}
		if mem.Roles == nil {
			mem.Roles = []string{}
		}
		if mem.JoinedAt.IsZero() {
			mem.JoinedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	if locale == "" {
		locale = "en-US"
	}
	if s.st.guildHasCommand(guildID, data["name"], cmdType) {
		data["guild_id"] = guildID
	}
	in := &interaction{
		Interaction: Interaction{
			ID: s.st.snowflake(), Token: s.st.token("itoken"), ApplicationID: s.opts.AppID,
			Type: InteractionApplicationCommand, ChannelID: c.ID, GuildID: guildID, User: mem.User,
			DispatchedAt: time.Now(),
		},
		commandType: cmdType,
	}
	s.st.interactions[in.ID] = in
	s.st.byToken[in.Token] = in
	payload := map[string]any{
		"id": in.ID, "application_id": s.opts.AppID, "type": InteractionApplicationCommand,
		"token": in.Token, "version": 1, "guild_id": guildID, "channel_id": c.ID,
		"channel": channelWithPermissions(*c), "member": mem, "app_permissions": AdminPermissions,
		"locale": locale, "guild_locale": "en-US", "entitlements": []any{},
		"authorizing_integration_owners": map[string]any{"0": guildID}, "context": 0, "data": data,
	}
	s.dispatchLocked("INTERACTION_CREATE", payload, guildID, 0, nil)
	return in.Interaction
}

// guildHasCommand reports whether a guild-scoped command of that name and
// type is registered.
func (st *state) guildHasCommand(guildID string, name any, typ int) bool {
	n, _ := name.(string)
	return guildID != "" && st.cmdIDs[guildID+"\x00"+strconv.Itoa(typ)+"\x00"+n] != ""
}

// registerRawInteraction registers an INTERACTION_CREATE sent with
// Dispatch, so callbacks and webhooks work for it.
func (s *Server) registerRawInteraction(b []byte) {
	var p struct {
		ID        string `json:"id"`
		Token     string `json:"token"`
		Type      int    `json:"type"`
		ChannelID string `json:"channel_id"`
		GuildID   string `json:"guild_id"`
		Member    *struct {
			User User `json:"user"`
		} `json:"member"`
		User    *User `json:"user"`
		Message *struct {
			ID string `json:"id"`
		} `json:"message"`
		Data struct {
			Type int `json:"type"`
		} `json:"data"`
	}
	if json.Unmarshal(b, &p) != nil || p.ID == "" || p.Token == "" {
		return
	}
	in := &interaction{Interaction: Interaction{
		ID: p.ID, Token: p.Token, ApplicationID: s.opts.AppID, Type: p.Type,
		ChannelID: p.ChannelID, GuildID: p.GuildID, DispatchedAt: time.Now(),
	}, commandType: p.Data.Type}
	if p.Member != nil {
		in.User = p.Member.User
	} else if p.User != nil {
		in.User = *p.User
	}
	if p.Message != nil {
		in.originalID = p.Message.ID
	}
	s.st.interactions[in.ID] = in
	s.st.byToken[in.Token] = in
}

// ExpireInteraction invalidates an interaction's token now, as if its
// window had passed: the callback answers 404 code 10062 and the webhook
// routes (edit original, follow-ups) 404 code 10015 Unknown Webhook.
func (s *Server) ExpireInteraction(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.st.interactions[id]; in != nil {
		in.expired = true
	}
}

// allowedResponses lists the callback types valid for an interaction type.
func allowedResponses(interactionType int) []int {
	switch interactionType {
	case InteractionPing:
		return []int{1}
	case InteractionApplicationCommand:
		return []int{4, 5, 9, 12}
	case InteractionMessageComponent:
		return []int{4, 5, 6, 7, 9}
	case InteractionAutocomplete:
		return []int{8}
	case InteractionModalSubmit:
		return []int{4, 5, 6, 7}
	}
	return nil
}

func (s *Server) interactionCallback(rq *request) reply {
	in := s.st.interactions[rq.seg(1)]
	if in == nil || in.Token != rq.seg(2) {
		return unknown(UnknownInteraction)
	}
	if in.responded {
		return fail(&apiError{status: 400, Code: 40060, Message: "Interaction has already been acknowledged."})
	}
	if in.expired || time.Since(in.DispatchedAt) > s.opts.InteractionDeadline {
		return unknown(UnknownInteraction)
	}
	var body struct {
		Type *int            `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if e := rq.decode(&body); e != nil {
		return fail(e)
	}
	fe := formErrors{}
	if body.Type == nil {
		fe.add("type", "BASE_TYPE_REQUIRED", "This field is required")
		return fail(fe.apiError())
	}
	typ := *body.Type
	valid := false
	for _, t := range allowedResponses(in.Type) {
		valid = valid || t == typ
	}
	if !valid {
		fe.add("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type %d is not valid for interaction type %d", typ, in.Type)
		return fail(fe.apiError())
	}
	data, e := subRequest(body.Data)
	if e != nil {
		return fail(e)
	}
	var msg *Message
	switch typ {
	case 4, 5:
		m := s.interactionMessage(in)
		mf, e := applyMessageFields(m, data, true)
		if e != nil {
			return fail(e)
		}
		m.MessageReference = nil
		m.Flags &= MessageFlagEphemeral | 1<<2 | 1<<12
		if typ == 5 {
			m.Content, m.Embeds, m.Components = "", nil, nil
			m.Flags = m.Flags&MessageFlagEphemeral | MessageFlagLoading
		} else {
			validateMessage(&fe, m, mf.am)
			if e := fe.apiError(); e != nil {
				return fail(e)
			}
			if isEmptyMessage(m, mf.stickers, rq.files) {
				return fail(errEmptyMessage)
			}
		}
		s.storeInteractionMessage(in, m)
		in.originalID = m.ID
		msg = m
	case 7:
		m := s.st.byID[in.originalID]
		if m == nil || m.Deleted {
			return unknown(UnknownMessage)
		}
		edited := *m
		mf, e := applyMessageFields(&edited, data, false)
		if e != nil {
			return fail(e)
		}
		validateMessage(&fe, &edited, mf.am)
		if e := fe.apiError(); e != nil {
			return fail(e)
		}
		now := time.Now().UTC()
		edited.EditedTimestamp = &now
		*m = edited
		s.dispatchMessage("MESSAGE_UPDATE", *m)
		msg = m
	}
	in.responded, in.responseType = true, typ
	if rq.query.Get("with_response") == "true" {
		res := map[string]any{"type": typ}
		if msg != nil {
			res["message"] = msg.wire()
		}
		return ok(map[string]any{
			"interaction": map[string]any{"id": in.ID, "type": in.Type, "response_message_id": in.originalID},
			"resource":    res,
		})
	}
	return noContent()
}

// subRequest wraps a nested JSON object (an interaction response's data)
// as a request so message field parsing can be shared.
func subRequest(raw json.RawMessage) (*request, *apiError) {
	rq := &request{raw: raw}
	if len(raw) == 0 || string(raw) == "null" {
		return rq, nil
	}
	if err := json.Unmarshal(raw, &rq.body); err != nil {
		return nil, invalidJSON(err)
	}
	if _, isObj := rq.body.(map[string]any); !isObj {
		fe := formErrors{}
		fe.add("data", "BASE_TYPE_BAD_TYPE", "Value is of the wrong type.")
		return nil, fe.apiError()
	}
	_ = json.Unmarshal(raw, &rq.fields)
	return rq, nil
}

// interactionMessage is a new message from the bot answering in.
func (s *Server) interactionMessage(in *interaction) *Message {
	typ := 20 // CHAT_INPUT_COMMAND
	if in.commandType == 2 || in.commandType == 3 {
		typ = 23 // CONTEXT_MENU_COMMAND
	}
	if in.Type != InteractionApplicationCommand {
		typ = 0
	}
	return &Message{
		ChannelID: in.ChannelID, GuildID: in.GuildID, Author: s.bot, Timestamp: time.Now().UTC(),
		Type: typ, WebhookID: s.opts.AppID, ApplicationID: s.opts.AppID, InteractionID: in.ID,
	}
}

// storeInteractionMessage gives m an ID and stores it: in its channel
// (dispatched as MESSAGE_CREATE) unless ephemeral, which only its user sees.
func (s *Server) storeInteractionMessage(in *interaction, m *Message) {
	m.ID = s.st.snowflake()
	m.Mentions = s.st.mentionsIn(m.Content)
	if m.Flags&MessageFlagEphemeral != 0 {
		s.st.byID[m.ID] = m
		return
	}
	s.st.addMessage(m)
	s.dispatchMessage("MESSAGE_CREATE", *m)
}

// webhookInteraction finds the interaction of a /webhooks/{app}/{token}
// route, or the Unknown Webhook failure.
func (s *Server) webhookInteraction(rq *request) (*interaction, *apiError) {
	in := s.st.byToken[rq.seg(2)]
	if rq.seg(1) != s.opts.AppID || in == nil || in.expired || time.Since(in.DispatchedAt) > s.opts.InteractionTokenTTL {
		return nil, errorOf(UnknownWebhook)
	}
	return in, nil
}

// webhookMessage finds the message a /webhooks/{app}/{token}/messages/{id}
// route names: @original or one of the interaction's follow-ups.
func (s *Server) webhookMessage(rq *request) (*interaction, *Message, *apiError) {
	in, e := s.webhookInteraction(rq)
	if e != nil {
		return nil, nil, e
	}
	id := rq.seg(4)
	if id == "@original" {
		id = in.originalID
	} else {
		found := id == in.originalID
		for _, f := range in.followups {
			found = found || f == id
		}
		if !found {
			id = ""
		}
	}
	m := s.st.byID[id]
	if id == "" || m == nil || m.Deleted {
		return nil, nil, errorOf(UnknownMessage)
	}
	return in, m, nil
}

func (s *Server) getWebhookMessage(rq *request) reply {
	_, m, e := s.webhookMessage(rq)
	if e != nil {
		return fail(e)
	}
	return ok(m.wire())
}

func (s *Server) patchWebhookMessage(rq *request) reply {
	_, m, e := s.webhookMessage(rq)
	if e != nil {
		return fail(e)
	}
	edited := *m
	flags := m.Flags
	mf, e := applyMessageFields(&edited, rq, false)
	if e != nil {
		return fail(e)
	}
	edited.Flags = flags &^ MessageFlagLoading
	fe := formErrors{}
	validateMessage(&fe, &edited, mf.am)
	if e := fe.apiError(); e != nil {
		return fail(e)
	}
	if isEmptyMessage(&edited, mf.stickers, rq.files) {
		return fail(errEmptyMessage)
	}
	if m.Flags&MessageFlagLoading == 0 {
		now := time.Now().UTC()
		edited.EditedTimestamp = &now
	}
	edited.Mentions = s.st.mentionsIn(edited.Content)
	*m = edited
	s.dispatchMessage("MESSAGE_UPDATE", *m)
	return ok(m.wire())
}

func (s *Server) deleteWebhookMessage(rq *request) reply {
	_, m, e := s.webhookMessage(rq)
	if e != nil {
		return fail(e)
	}
	if m.Flags&MessageFlagEphemeral != 0 {
		m.Deleted = true
		return noContent()
	}
	s.deleteLocked(m)
	return noContent()
}

func (s *Server) postFollowup(rq *request) reply {
	in, e := s.webhookInteraction(rq)
	if e != nil {
		return fail(e)
	}
	if !in.responded {
		return fail(errorOf(UnknownWebhook))
	}
	m := s.interactionMessage(in)
	if th := rq.query.Get("thread_id"); th != "" {
		c := s.st.channels[th]
		if c == nil || c.ThreadMetadata == nil {
			return unknown(UnknownChannel)
		}
		m.ChannelID = th
	}
	mf, e := applyMessageFields(m, rq, true)
	if e != nil {
		return fail(e)
	}
	m.MessageReference = nil
	m.Flags &= MessageFlagEphemeral | 1<<2 | 1<<12
	fe := formErrors{}
	validateMessage(&fe, m, mf.am)
	if e := fe.apiError(); e != nil {
		return fail(e)
	}
	if isEmptyMessage(m, mf.stickers, rq.files) {
		return fail(errEmptyMessage)
	}
	s.storeInteractionMessage(in, m)
	in.followups = append(in.followups, m.ID)
	if rq.query.Get("wait") != "true" {
		return reply{status: http.StatusNoContent}
	}
	return ok(m.wire())
}
