package discordtest

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// unknown builds a 404 with a Discord code, as Failure values do.
func unknown(f Failure) reply { return fail(errorOf(f)) }

func (s *Server) getGateway(rq *request) reply {
	return ok(map[string]any{"url": s.GatewayURL()})
}

func (s *Server) getGatewayBot(rq *request) reply {
	remaining := 1000 - s.st.identifies
	if remaining < 0 {
		remaining = 0
	}
	return ok(map[string]any{
		"url":    s.GatewayURL(),
		"shards": s.opts.RecommendedShards,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": remaining, "reset_after": 86400000, "max_concurrency": 1,
		},
	})
}

func (s *Server) getUser(rq *request) reply {
	id := rq.seg(1)
	if id == "@me" {
		return ok(s.bot)
	}
	u, found := s.st.users[id]
	if !found {
		return unknown(Failure{Status: 404, Code: 10013, Message: "Unknown User"})
	}
	return ok(u)
}

func (s *Server) getApplication(rq *request) reply {
	id := rq.segs[len(rq.segs)-1]
	if id != "@me" && id != s.opts.AppID {
		return unknown(Failure{Status: 404, Code: 10002, Message: "Unknown Application"})
	}
	return ok(map[string]any{
		"id": s.opts.AppID, "name": s.bot.Username, "description": "", "icon": nil,
		"bot_public": true, "bot_require_code_grant": false, "flags": 0, "bot": s.bot,
		"owner": DefaultUser(), "verify_key": "", "team": nil,
	})
}

// wrongApp is Discord's answer to a call naming another application.
var wrongApp = Failure{Status: 403, Code: 20012, Message: "You are not authorized to perform this action on this application"}

// commandsScope returns the guild ID of a commands route ("" for global),
// or a failure for another application or an unknown guild.
func (s *Server) commandsScope(rq *request) (string, *apiError) {
	if rq.seg(1) != s.opts.AppID {
		return "", errorOf(wrongApp)
	}
	if len(rq.segs) == 5 {
		g := rq.seg(3)
		if _, found := s.st.guild(g); !found {
			return "", errorOf(MissingAccess)
		}
		return g, nil
	}
	return "", nil
}

func (s *Server) getCommands(rq *request) reply {
	g, e := s.commandsScope(rq)
	if e != nil {
		return fail(e)
	}
	out := s.st.commands[g]
	if out == nil {
		out = []json.RawMessage{}
	}
	return ok(out)
}

var chatName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

func (s *Server) putCommands(rq *request) reply {
	g, e := s.commandsScope(rq)
	if e != nil {
		return fail(e)
	}
	var cmds []map[string]any
	if e := rq.decode(&cmds); e != nil {
		return fail(e)
	}
	fe := formErrors{}
	seen := map[string]bool{}
	perType := map[int]int{}
	out := make([]json.RawMessage, 0, len(cmds))
	for i, c := range cmds {
		p := strconv.Itoa(i) + "."
		if c == nil {
			fe.add(strconv.Itoa(i), "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
			continue
		}
		typ := 1
		if t, isNum := c["type"].(float64); isNum {
			typ = int(t)
		}
		name, _ := c["name"].(string)
		desc, _ := c["description"].(string)
		perType[typ]++
		switch typ {
		case 1:
			if !chatName.MatchString(name) || strings.ToLower(name) != name {
				fe.add(p+"name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
			}
			if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
				fe.add(p+"description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
			}
			validateOptions(&fe, p+"options", c["options"])
		case 2, 3:
			if n := utf8.RuneCountInString(name); n < 1 || n > 32 {
				fe.add(p+"name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
			}
			if desc != "" {
				fe.add(p+"description", "BASE_TYPE_MAX_LENGTH", "Must be 0 or fewer in length.")
			}
			if opts, _ := c["options"].([]any); len(opts) > 0 {
				fe.add(p+"options", "BASE_TYPE_MAX_LENGTH", "Must be 0 or fewer in length.")
			}
		default:
			fe.add(p+"type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.")
		}
		key := strconv.Itoa(typ) + "\x00" + name
		if seen[key] {
			fe.add(p+"name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true

		idKey := g + "\x00" + key
		id := s.st.cmdIDs[idKey]
		if id == "" {
			id = s.st.snowflake()
			s.st.cmdIDs[idKey] = id
		}
		c["id"] = id
		c["application_id"] = s.opts.AppID
		c["version"] = s.st.snowflake()
		c["type"] = typ
		c["description"] = desc
		if g != "" {
			c["guild_id"] = g
		}
		if _, has := c["default_member_permissions"]; !has {
			c["default_member_permissions"] = nil
		}
		c["nsfw"] = c["nsfw"] == true
		b, _ := json.Marshal(c)
		out = append(out, b)
	}
	if perType[1] > 100 {
		fe.add("", "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of application commands reached (100)")
	}
	if perType[2] > 15 || perType[3] > 15 {
		fe.add("", "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of context menu commands reached (15)")
	}
	if e := fe.apiError(); e != nil {
		return fail(e)
	}
	s.st.commands[g] = out
	return ok(out)
}

// validateOptions checks chat command options: at most 25, each with a
// lower-case name and a 1-100 character description, recursively.
func validateOptions(fe *formErrors, path string, v any) {
	opts, _ := v.([]any)
	if len(opts) > 25 {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	for i, o := range opts {
		m, _ := o.(map[string]any)
		p := path + "." + strconv.Itoa(i) + "."
		name, _ := m["name"].(string)
		desc, _ := m["description"].(string)
		if !chatName.MatchString(name) || strings.ToLower(name) != name {
			fe.add(p+"name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
		}
		if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
			fe.add(p+"description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
		if t, _ := m["type"].(float64); t < 1 || t > 11 {
			fe.add(p+"type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
		}
		if ch, _ := m["choices"].([]any); len(ch) > 25 {
			fe.add(p+"choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		validateOptions(fe, p+"options", m["options"])
	}
}

func (s *Server) getChannel(rq *request) reply {
	c := s.st.channels[rq.seg(1)]
	if c == nil {
		return unknown(UnknownChannel)
	}
	return ok(c)
}

func (s *Server) patchChannel(rq *request) reply {
	c := s.st.channels[rq.seg(1)]
	if c == nil {
		return unknown(UnknownChannel)
	}
	var body struct {
		Name                *string `json:"name"`
		Archived            *bool   `json:"archived"`
		Locked              *bool   `json:"locked"`
		AutoArchiveDuration int     `json:"auto_archive_duration"`
	}
	if e := rq.decode(&body); e != nil {
		return fail(e)
	}
	fe := formErrors{}
	if body.Name != nil {
		if c.ThreadMetadata != nil {
			validateThreadName(&fe, *body.Name)
		} else if n := utf8.RuneCountInString(*body.Name); n < 1 || n > 100 {
			fe.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
	}
	validateArchiveDuration(&fe, body.AutoArchiveDuration)
	if e := fe.apiError(); e != nil {
		return fail(e)
	}
	if body.Name != nil {
		c.Name = *body.Name
	}
	event := "CHANNEL_UPDATE"
	if md := c.ThreadMetadata; md != nil {
		event = "THREAD_UPDATE"
		if body.Archived != nil {
			md.Archived = *body.Archived
			md.ArchiveTimestamp = time.Now().UTC()
		}
		if body.Locked != nil {
			md.Locked = *body.Locked
		}
		if body.AutoArchiveDuration != 0 {
			md.AutoArchiveDuration = body.AutoArchiveDuration
		}
	}
	s.dispatchLocked(event, *c, c.GuildID, IntentGuilds, nil)
	return ok(c)
}

func (s *Server) getMessages(rq *request) reply {
	c := s.st.channels[rq.seg(1)]
	if c == nil {
		return unknown(UnknownChannel)
	}
	limit := 50
	if l := rq.query.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			fe := formErrors{}
			fe.add("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
			return fail(fe.apiError())
		}
		limit = n
	}
	before, after, around := rq.query.Get("before"), rq.query.Get("after"), rq.query.Get("around")
	set := 0
	for _, v := range []string{before, after, around} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		fe := formErrors{}
		fe.add("", "BASE_TYPE_BAD_REQUEST", "Only one of before, after and around may be given.")
		return fail(fe.apiError())
	}
	var live []Message // newest first
	list := s.st.messages[c.ID]
	for i := len(list) - 1; i >= 0; i-- {
		if !list[i].Deleted {
			live = append(live, s.restView(*list[i]))
		}
	}
	less := func(a, b string) bool { return idLess(a, b) }
	var out []Message
	switch {
	case before != "":
		for _, m := range live {
			if less(m.ID, before) && len(out) < limit {
				out = append(out, m)
			}
		}
	case after != "":
		// The `limit` messages right after `after`, newest first.
		var older []Message
		for i := len(live) - 1; i >= 0; i-- {
			if less(after, live[i].ID) && len(older) < limit {
				older = append(older, live[i])
			}
		}
		for i := len(older) - 1; i >= 0; i-- {
			out = append(out, older[i])
		}
	case around != "":
		sort.SliceStable(live, func(i, j int) bool {
			return distance(live[i].ID, around) < distance(live[j].ID, around)
		})
		if len(live) > limit {
			live = live[:limit]
		}
		sort.SliceStable(live, func(i, j int) bool { return idLess(live[j].ID, live[i].ID) })
		out = live
	default:
		if len(live) > limit {
			live = live[:limit]
		}
		out = live
	}
	if out == nil {
		out = []Message{}
	}
	for i := range out {
		out[i] = out[i].wire()
	}
	return ok(out)
}

func idLess(a, b string) bool {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	return x < y
}

func distance(a, b string) uint64 {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	if x > y {
		return x - y
	}
	return y - x
}

// restView applies the MESSAGE_CONTENT rule to messages read over REST:
// without the intent enabled for the application, others' content is blank.
func (s *Server) restView(m Message) Message {
	return s.contentView(m, ^s.opts.RefuseIntents)
}

func (s *Server) getMessage(rq *request) reply {
	m := s.st.liveMessage(rq.seg(1), rq.seg(3))
	if m == nil {
		if s.st.channels[rq.seg(1)] == nil {
			return unknown(UnknownChannel)
		}
		return unknown(UnknownMessage)
	}
	return ok(s.restView(*m).wire())
}

// messageFields are the parts of a message body the fake reads.
type messageFields struct {
	am       *AllowedMentions
	stickers int
}

// applyMessageFields copies the JSON fields present in rq onto m. For an
// edit, only present fields change; null clears.
func applyMessageFields(m *Message, rq *request, create bool) (messageFields, *apiError) {
	var mf messageFields
	f := rq.fields
	if f == nil {
		if rq.body != nil {
			return mf, &apiError{status: 400, Code: 50109, Message: "The request body contains invalid JSON."}
		}
		f = map[string]json.RawMessage{}
	}
	isNull := func(r json.RawMessage) bool { return string(r) == "null" }
	bad := func(field string) *apiError {
		fe := formErrors{}
		fe.add(field, "BASE_TYPE_BAD_TYPE", "Value is of the wrong type.")
		return fe.apiError()
	}
	if r, has := f["content"]; has {
		m.Content = ""
		if !isNull(r) && json.Unmarshal(r, &m.Content) != nil {
			return mf, bad("content")
		}
	}
	if r, has := f["embeds"]; has {
		m.Embeds = nil
		if !isNull(r) && json.Unmarshal(r, &m.Embeds) != nil {
			return mf, bad("embeds")
		}
		for i := range m.Embeds {
			if m.Embeds[i].Type == "" {
				m.Embeds[i].Type = "rich"
			}
		}
	}
	if r, has := f["components"]; has {
		m.Components = nil
		if !isNull(r) && json.Unmarshal(r, &m.Components) != nil {
			return mf, bad("components")
		}
	}
	if r, has := f["attachments"]; has && !isNull(r) {
		if json.Unmarshal(r, &m.Attachments) != nil {
			return mf, bad("attachments")
		}
	}
	if r, has := f["allowed_mentions"]; has && !isNull(r) {
		mf.am = &AllowedMentions{}
		if json.Unmarshal(r, mf.am) != nil {
			return mf, bad("allowed_mentions")
		}
		m.AllowedMentions = mf.am
	}
	if r, has := f["flags"]; has && !isNull(r) {
		if json.Unmarshal(r, &m.Flags) != nil {
			return mf, bad("flags")
		}
	}
	if r, has := f["tts"]; has && !isNull(r) {
		if json.Unmarshal(r, &m.TTS) != nil {
			return mf, bad("tts")
		}
	}
	if r, has := f["sticker_ids"]; has && !isNull(r) {
		var ids []string
		if json.Unmarshal(r, &ids) != nil {
			return mf, bad("sticker_ids")
		}
		mf.stickers = len(ids)
	}
	if r, has := f["message_reference"]; has && !isNull(r) && create {
		m.MessageReference = &MessageReference{}
		if json.Unmarshal(r, m.MessageReference) != nil {
			return mf, bad("message_reference")
		}
	}
	return mf, nil
}

func (s *Server) postMessage(rq *request) reply {
	c := s.st.channels[rq.seg(1)]
	if c == nil {
		return unknown(UnknownChannel)
	}
	now := time.Now().UTC()
	m := &Message{ChannelID: c.ID, GuildID: c.GuildID, Author: s.bot, Timestamp: now}
	mf, e := applyMessageFields(m, rq, true)
	if e != nil {
		return fail(e)
	}
	if isEmptyMessage(m, mf.stickers, rq.files) {
		return fail(errEmptyMessage)
	}
	fe := formErrors{}
	validateMessage(&fe, m, mf.am)
	if ref := m.MessageReference; ref != nil {
		target := s.st.liveMessage("", ref.MessageID)
		switch {
		case target != nil:
			if ref.ChannelID == "" {
				ref.ChannelID = target.ChannelID
			}
			ref.GuildID = target.GuildID
			m.Type = 19
		case ref.FailIfNotExists != nil && !*ref.FailIfNotExists:
			m.MessageReference = nil
		default:
			fe.add("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
		}
	}
	if md := c.ThreadMetadata; md != nil && md.Locked {
		return fail(&apiError{status: 403, Code: 50083, Message: "Thread is locked"})
	}
	nonce, enforce, e := messageNonce(rq.fields)
	if e != nil {
		return fail(e)
	}
	if e := fe.apiError(); e != nil {
		return fail(e)
	}
	m.Nonce = nonce
	if enforce {
		// Discord returns the message already created with this nonce by
		// the same author in the last few minutes instead of a new one.
		if prev := s.st.nonceMessage(c.ID, m.Author.ID, nonce, now.Add(-nonceWindow)); prev != nil {
			return ok(prev.wire())
		}
	}
	if md := c.ThreadMetadata; md != nil && md.Archived {
		md.Archived = false
	}
	m.ID = s.st.snowflake()
	m.Mentions = s.st.mentionsIn(m.Content)
	s.st.addMessage(m)
	s.dispatchMessage("MESSAGE_CREATE", *m)
	return ok(m.wire())
}

// nonceWindow is how long enforce_nonce deduplicates messages; Discord
// says "the past few minutes".
const nonceWindow = 5 * time.Minute

// messageNonce reads a message body's nonce (a string of at most 25
// characters or an integer) and enforce_nonce.
func messageNonce(f map[string]json.RawMessage) (nonce string, enforce bool, e *apiError) {
	bad := func(field, code, msg string) *apiError {
		fe := formErrors{}
		fe.add(field, code, "%s", msg)
		return fe.apiError()
	}
	if r, has := f["nonce"]; has && string(r) != "null" {
		var str string
		var num json.Number
		switch {
		case json.Unmarshal(r, &str) == nil:
			nonce = str
		case json.Unmarshal(r, &num) == nil:
			nonce = num.String()
		default:
			return "", false, bad("nonce", "BASE_TYPE_BAD_TYPE", "Value is of the wrong type.")
		}
		if len(nonce) > 25 {
			return "", false, bad("nonce", "BASE_TYPE_BAD_LENGTH", "Must be 25 or fewer in length.")
		}
	}
	if r, has := f["enforce_nonce"]; has && string(r) != "null" {
		if json.Unmarshal(r, &enforce) != nil {
			return "", false, bad("enforce_nonce", "BASE_TYPE_BAD_TYPE", "Value is of the wrong type.")
		}
	}
	return nonce, enforce && nonce != "", nil
}

func (s *Server) patchMessage(rq *request) reply {
	m := s.st.liveMessage(rq.seg(1), rq.seg(3))
	if m == nil {
		return unknown(UnknownMessage)
	}
	if m.Author.ID != s.bot.ID {
		return fail(&apiError{status: 403, Code: 50005, Message: "Cannot edit a message authored by another user"})
	}
	edited := *m
	mf, e := applyMessageFields(&edited, rq, false)
	if e != nil {
		return fail(e)
	}
	fe := formErrors{}
	validateMessage(&fe, &edited, mf.am)
	if e := fe.apiError(); e != nil {
		return fail(e)
	}
	if isEmptyMessage(&edited, 0, rq.files) {
		return fail(errEmptyMessage)
	}
	now := time.Now().UTC()
	edited.EditedTimestamp = &now
	edited.Mentions = s.st.mentionsIn(edited.Content)
	*m = edited
	s.dispatchMessage("MESSAGE_UPDATE", *m)
	return ok(m.wire())
}

func (s *Server) deleteMessage(rq *request) reply {
	m := s.st.liveMessage(rq.seg(1), rq.seg(3))
	if m == nil {
		return unknown(UnknownMessage)
	}
	s.deleteLocked(m)
	return noContent()
}

// deleteLocked marks m deleted and dispatches MESSAGE_DELETE.
func (s *Server) deleteLocked(m *Message) {
	m.Deleted = true
	payload := map[string]any{"id": m.ID, "channel_id": m.ChannelID}
	if m.GuildID != "" {
		payload["guild_id"] = m.GuildID
	}
	intent := IntentGuildMessages
	if m.GuildID == "" {
		intent = IntentDirectMessages
	}
	s.dispatchLocked("MESSAGE_DELETE", payload, m.GuildID, intent, nil)
}

type threadBody struct {
	Name                string `json:"name"`
	AutoArchiveDuration int    `json:"auto_archive_duration"`
	Type                int    `json:"type"`
	Invitable           *bool  `json:"invitable"`
	RateLimitPerUser    int    `json:"rate_limit_per_user"`
}

func (s *Server) postThreadFromMessage(rq *request) reply {
	return s.startThread(rq, rq.seg(3))
}

func (s *Server) postThread(rq *request) reply {
	return s.startThread(rq, "")
}

// startThread creates a thread in the channel of rq, from message fromID
// when it is not "".
func (s *Server) startThread(rq *request, fromID string) reply {
	parent := s.st.channels[rq.seg(1)]
	if parent == nil {
		return unknown(UnknownChannel)
	}
	if parent.Type != ChannelTypeGuildText && parent.Type != 5 {
		return fail(&apiError{status: 400, Code: 50024, Message: "Cannot execute action on this channel type"})
	}
	if fromID != "" {
		if s.st.liveMessage(parent.ID, fromID) == nil {
			return unknown(UnknownMessage)
		}
		if s.st.channels[fromID] != nil {
			return fail(&apiError{status: 400, Code: 160004, Message: "A thread has already been created for this message"})
		}
	}
	var body threadBody
	if e := rq.decode(&body); e != nil {
		return fail(e)
	}
	fe := formErrors{}
	validateThreadName(&fe, body.Name)
	validateArchiveDuration(&fe, body.AutoArchiveDuration)
	typ := ChannelTypePublicThread
	if fromID == "" {
		typ = ChannelTypePrivateThread
		if body.Type != 0 {
			typ = body.Type
		}
		if typ != ChannelTypePublicThread && typ != ChannelTypePrivateThread && typ != 10 {
			fe.add("type", "BASE_TYPE_CHOICES", "Value must be one of (10, 11, 12).")
		}
	}
	if e := fe.apiError(); e != nil {
		return fail(e)
	}
	id := fromID
	if id == "" {
		id = s.st.snowflake()
	}
	dur := body.AutoArchiveDuration
	if dur == 0 {
		dur = 4320
	}
	now := time.Now().UTC()
	th := s.st.addChannel(Channel{
		ID: id, Type: typ, GuildID: parent.GuildID, Name: body.Name, ParentID: parent.ID,
		OwnerID: s.bot.ID, MemberCount: 1, StarterMessageID: fromID,
		ThreadMetadata: &ThreadMetadata{
			AutoArchiveDuration: dur, ArchiveTimestamp: now, CreateTimestamp: now, Invitable: body.Invitable,
		},
	})
	if typ != ChannelTypePrivateThread {
		th.ThreadMetadata.Invitable = nil
	}
	s.dispatchLocked("THREAD_CREATE", threadCreate(*th, s.bot.ID, now), th.GuildID, IntentGuilds, nil)
	if q := s.opts.ThreadQuestion; q != "" && fromID != "" {
		if _, err := s.postLocked(MessageSpec{ChannelID: th.ID, Content: q}); err != nil {
			s.log.Warn("discordtest: posting the thread question", "err", err)
		}
	}
	return created(th)
}

// threadCreate is the THREAD_CREATE payload of a thread the bot created.
func threadCreate(c Channel, botID string, now time.Time) map[string]any {
	b, _ := json.Marshal(c)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["newly_created"] = true
	m["member"] = map[string]any{"id": c.ID, "user_id": botID, "join_timestamp": now, "flags": 1}
	return m
}

func (s *Server) channelNoContent(rq *request) reply {
	if s.st.channels[rq.seg(1)] == nil {
		return unknown(UnknownChannel)
	}
	return noContent()
}

func (s *Server) reaction(rq *request) reply {
	if s.st.channels[rq.seg(1)] == nil {
		return unknown(UnknownChannel)
	}
	if s.st.liveMessage(rq.seg(1), rq.seg(3)) == nil {
		return unknown(UnknownMessage)
	}
	if rq.seg(5) == "" {
		return unknown(Failure{Status: 400, Code: 10014, Message: "Unknown Emoji"})
	}
	return noContent()
}

func (s *Server) getGuild(rq *request) reply {
	g, found := s.st.guild(rq.seg(1))
	if !found {
		return unknown(Failure{Status: 404, Code: 10004, Message: "Unknown Guild"})
	}
	return ok(map[string]any{
		"id": g.ID, "name": g.Name, "owner_id": g.OwnerID, "icon": nil, "roles": g.Roles,
		"emojis": []any{}, "stickers": []any{}, "features": []string{}, "verification_level": 0,
		"default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
		"premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0,
	})
}

func (s *Server) getGuildChannels(rq *request) reply {
	if _, found := s.st.guild(rq.seg(1)); !found {
		return unknown(Failure{Status: 404, Code: 10004, Message: "Unknown Guild"})
	}
	out := []Channel{}
	for _, id := range s.st.order {
		c := s.st.channels[id]
		if c.GuildID == rq.seg(1) && c.ThreadMetadata == nil {
			out = append(out, *c)
		}
	}
	return ok(out)
}

func (s *Server) getGuildRoles(rq *request) reply {
	g, found := s.st.guild(rq.seg(1))
	if !found {
		return unknown(Failure{Status: 404, Code: 10004, Message: "Unknown Guild"})
	}
	return ok(g.Roles)
}

func (s *Server) getGuildMember(rq *request) reply {
	ms, found := s.st.members[rq.seg(1)]
	if !found {
		return unknown(Failure{Status: 404, Code: 10004, Message: "Unknown Guild"})
	}
	m, found := ms[rq.seg(3)]
	if !found {
		return unknown(Failure{Status: 404, Code: 10007, Message: "Unknown Member"})
	}
	m.Permissions = ""
	return ok(m)
}
