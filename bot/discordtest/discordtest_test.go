package discordtest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/linkbrief/linkbrief/bot/discordtest"
)

const wait = 10 * time.Second

const intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent

// open connects a real discordgo session to srv through srv.Client(),
// after setup has added handlers, and closes it when the test ends.
func open(t *testing.T, srv *discordtest.Server, in discordgo.Intent, setup func(*discordgo.Session)) *discordgo.Session {
	t.Helper()
	s := newSession(t, srv, in)
	if setup != nil {
		setup(s)
	}
	if err := s.Open(); err != nil {
		t.Fatalf("Open() = %v, want nil", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newSession(t *testing.T, srv *discordtest.Server, in discordgo.Intent) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + srv.Token())
	if err != nil {
		t.Fatalf("discordgo.New: %v", err)
	}
	s.Client = srv.Client()
	s.Identify.Intents = in
	s.LogLevel = -1
	return s
}

// collector gathers handler events for a test to wait on.
type collector[T any] struct {
	mu  sync.Mutex
	got []T
}

func (c *collector[T]) add(v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, v)
}

func (c *collector[T]) all() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]T(nil), c.got...)
}

func (c *collector[T]) find(pred func(T) bool) (T, bool) {
	for _, v := range c.all() {
		if pred(v) {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func ref(m discordtest.Message) *discordgo.MessageReference {
	return &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID}
}

func restCode(t *testing.T, err error) (status, code int) {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v (%T), want a *discordgo.RESTError", err, err)
	}
	if re.Message == nil {
		return re.Response.StatusCode, 0
	}
	return re.Response.StatusCode, re.Message.Code
}

// TestHandshake connects an unmodified discordgo session to the fake.
func TestHandshake(t *testing.T) {
	srv := discordtest.New(t, discordtest.Options{})
	identifies := len(srv.IdentifyPayloads())
	gateways := len(srv.CallsTo("GET", "/gateway"))

	s := newSession(t, srv, intents)
	var ready collector[*discordgo.Ready]
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready.add(r) })
	if err := s.Open(); err != nil {
		t.Fatalf("Open() = %v", err)
	}
	defer s.Close()

	srv.WaitFor(t, wait, func() bool { return len(ready.all()) == 1 }, "the Ready handler")
	r := ready.all()[0]
	if r.User.ID != discordtest.DefaultBotUserID || !r.User.Bot {
		t.Errorf("Ready user = %+v, want bot %s", r.User, discordtest.DefaultBotUserID)
	}
	if r.SessionID == "" || r.Application == nil || r.Application.ID != discordtest.DefaultAppID {
		t.Errorf("Ready session %q application %+v, want a session and app %s", r.SessionID, r.Application, discordtest.DefaultAppID)
	}
	srv.WaitFor(t, wait, func() bool {
		s.State.RLock()
		defer s.State.RUnlock()
		for _, g := range s.State.Guilds {
			if g.ID == discordtest.DefaultGuildID && len(g.Channels) == 1 {
				return true
			}
		}
		return false
	}, "GUILD_CREATE to fill the state")

	ids := srv.IdentifyPayloads()[identifies:]
	if len(ids) != 1 || !ids[0].TokenOK || ids[0].Intents != int(intents) || !ids[0].Compress {
		t.Errorf("IDENTIFY = %+v, want one with the token, intents %d and compress", ids, intents)
	}
	gw := srv.CallsTo("GET", "/gateway")[gateways:]
	if len(gw) != 1 || !strings.HasPrefix(gw[0].Header["User-Agent"][0], "DiscordBot") {
		t.Errorf("GET /gateway calls = %+v, want one from discordgo", gw)
	}
	// discordgo sends its first heartbeat as Open returns; the ACK keeps
	// the connection up.
	srv.WaitFor(t, wait, func() bool {
		for _, f := range srv.GatewayFrames() {
			if f.Op == 1 {
				return true
			}
		}
		return false
	}, "a heartbeat")
	if !srv.Connected() {
		t.Error("Connected() = false after the handshake")
	}
	if _, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "through the fake"); err != nil {
		t.Errorf("send through the fake: %v", err)
	}
}

func TestMessageCreateAndContentIntent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		intents    discordgo.Intent
		content    string
		wantBlank  bool
		wantOneMsg bool
	}{
		{name: "with MESSAGE_CONTENT", intents: intents, content: "read https://example.com/a"},
		{name: "without MESSAGE_CONTENT", intents: intents &^ discordgo.IntentsMessageContent, content: "read https://example.com/a", wantBlank: true},
		{name: "without MESSAGE_CONTENT but mentioning the bot", intents: intents &^ discordgo.IntentsMessageContent, content: "<@" + discordtest.DefaultBotUserID + "> read https://example.com/a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t, discordtest.Options{})
			var got collector[*discordgo.MessageCreate]
			open(t, srv, tc.intents, func(s *discordgo.Session) {
				s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got.add(m) })
			})
			posted, err := srv.PostMessage(discordtest.MessageSpec{Content: tc.content})
			if err != nil {
				t.Fatal(err)
			}
			srv.WaitFor(t, wait, func() bool { return len(got.all()) == 1 }, "MESSAGE_CREATE")
			m := got.all()[0]
			want := tc.content
			if tc.wantBlank {
				want = ""
			}
			if m.ID != posted.ID || m.Content != want || m.Author.ID != discordtest.DefaultUserID || m.GuildID != discordtest.DefaultGuildID {
				t.Errorf("MessageCreate = id %s content %q author %s guild %s, want id %s content %q author %s guild %s",
					m.ID, m.Content, m.Author.ID, m.GuildID, posted.ID, want, discordtest.DefaultUserID, discordtest.DefaultGuildID)
			}
			if m.Member == nil {
				t.Error("MessageCreate has no member")
			}
		})
	}
}

func TestSendMessageRecordedAndEchoed(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var got collector[*discordgo.MessageCreate]
	s := open(t, srv, intents, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got.add(m) })
	})
	user, err := srv.PostMessage(discordtest.MessageSpec{Content: "https://example.com/story"})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{{Title: "A story", Description: "Summary."}},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
		Reference:       ref(user),
	})
	if err != nil {
		t.Fatalf("ChannelMessageSendComplex: %v", err)
	}
	if sent.Type != discordgo.MessageTypeReply || sent.Author.ID != discordtest.DefaultBotUserID {
		t.Errorf("sent message type %d author %s, want a reply (19) from the bot", sent.Type, sent.Author.ID)
	}

	calls := srv.CallsTo("POST", "/channels/*/messages")
	if len(calls) != 1 {
		t.Fatalf("POST messages calls = %d, want 1", len(calls))
	}
	c := calls[0]
	if !c.AuthOK || c.Status != 200 || c.Header["Authorization"][0] != "[redacted]" {
		t.Errorf("call auth %v status %d authorization %q, want true 200 [redacted]", c.AuthOK, c.Status, c.Header["Authorization"])
	}
	if parse, found := c.Field("allowed_mentions.parse"); !found || parse == nil || len(parse.([]any)) != 0 {
		t.Errorf("allowed_mentions.parse = %#v (present %v), want []", parse, found)
	}
	if ref, _ := c.Field("message_reference.message_id"); ref != user.ID {
		t.Errorf("message_reference.message_id = %v, want %s", ref, user.ID)
	}

	msgs := srv.ChannelMessages(discordtest.DefaultChannelID)
	if len(msgs) != 2 || msgs[1].ID != sent.ID || msgs[1].AllowedMentions == nil || msgs[1].AllowedMentions.Parse == nil ||
		len(msgs[1].Embeds) != 1 || msgs[1].Embeds[0].Title != "A story" {
		t.Fatalf("channel messages = %+v, want the user's then the bot's with its embed and allowed_mentions", msgs)
	}
	srv.WaitFor(t, wait, func() bool {
		_, found := got.find(func(m *discordgo.MessageCreate) bool { return m.ID == sent.ID })
		return found
	}, "the bot's own message echoed as MESSAGE_CREATE")
	echo, _ := got.find(func(m *discordgo.MessageCreate) bool { return m.ID == sent.ID })
	if !echo.Author.Bot || echo.Author.ID != s.State.User.ID {
		t.Errorf("echo author = %+v, want the bot user", echo.Author)
	}
}

func TestMessageValidation(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	s := open(t, srv, intents, nil)
	long := func(n int) string { return strings.Repeat("x", n) }
	fields := func(n, size int) []*discordgo.MessageEmbedField {
		var out []*discordgo.MessageEmbedField
		for range n {
			out = append(out, &discordgo.MessageEmbedField{Name: "n", Value: long(size)})
		}
		return out
	}
	user, err := srv.PostMessage(discordtest.MessageSpec{Content: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.DeleteMessage(discordtest.DefaultChannelID, user.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		msg      *discordgo.MessageSend
		wantCode int
		wantIn   string
	}{
		{name: "content at the limit", msg: &discordgo.MessageSend{Content: long(2000)}},
		{name: "content over 2000", msg: &discordgo.MessageSend{Content: long(2001)}, wantCode: 50035, wantIn: "content"},
		{name: "empty", msg: &discordgo.MessageSend{}, wantCode: 50006},
		{name: "title over 256", msg: &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: long(257)}}}, wantCode: 50035, wantIn: "title"},
		{name: "description over 4096", msg: &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: long(4097)}}}, wantCode: 50035, wantIn: "description"},
		{name: "field value over 1024", msg: &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: fields(1, 1025)}}}, wantCode: 50035, wantIn: "value"},
		{name: "26 fields", msg: &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: fields(26, 1)}}}, wantCode: 50035, wantIn: "fields"},
		{name: "embeds over 6000 in total", msg: &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: long(4000), Fields: fields(3, 1000)}}}, wantCode: 50035, wantIn: "MAX_EMBED_SIZE_EXCEEDED"},
		{name: "11 embeds", msg: &discordgo.MessageSend{Embeds: make11()}, wantCode: 50035, wantIn: "embeds"},
		{name: "parse users with a users list", msg: &discordgo.MessageSend{Content: "hi", AllowedMentions: &discordgo.MessageAllowedMentions{
			Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}, Users: []string{"1"}}}, wantCode: 50035, wantIn: "allowed_mentions"},
		{name: "reply to a deleted message", msg: &discordgo.MessageSend{Content: "hi", Reference: ref(user)}, wantCode: 50035, wantIn: "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"},
	} {
		_, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, tc.msg)
		if tc.wantCode == 0 {
			if err != nil {
				t.Errorf("%s: send = %v, want success", tc.name, err)
			}
			continue
		}
		status, code := restCode(t, err)
		if status != 400 || code != tc.wantCode {
			t.Errorf("%s: got status %d code %d, want 400 code %d", tc.name, status, code, tc.wantCode)
		}
		var re *discordgo.RESTError
		if errors.As(err, &re) && !strings.Contains(string(re.ResponseBody), tc.wantIn) {
			t.Errorf("%s: body %s does not name %q", tc.name, re.ResponseBody, tc.wantIn)
		}
	}
	if _, err := s.ChannelMessageSend("404", "hi"); err == nil {
		t.Error("send to an unknown channel succeeded")
	} else if status, code := restCode(t, err); status != 404 || code != 10003 {
		t.Errorf("unknown channel: got %d code %d, want 404 code 10003", status, code)
	}
}

func make11() []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	for range 11 {
		out = append(out, &discordgo.MessageEmbed{Title: "t"})
	}
	return out
}

func TestBulkOverwrite(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	s := newSession(t, srv, intents)
	cmds := []*discordgo.ApplicationCommand{
		{Name: "summarize", Description: "Summarize a link", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The link", Required: true},
		}},
		{Type: discordgo.MessageApplicationCommand, Name: "Summarize links"},
	}
	got, err := s.ApplicationCommandBulkOverwrite(srv.AppID(), "", cmds)
	if err != nil {
		t.Fatalf("global bulk overwrite: %v", err)
	}
	if len(got) != 2 || got[0].ID == "" || got[1].Type != discordgo.MessageApplicationCommand || got[0].ApplicationID != srv.AppID() {
		t.Errorf("bulk overwrite answer = %+v, want 2 commands with IDs", got)
	}
	if n := len(srv.Commands("")); n != 2 {
		t.Errorf("Commands(\"\") = %d commands, want 2", n)
	}
	again, err := s.ApplicationCommandBulkOverwrite(srv.AppID(), discordtest.DefaultGuildID, cmds[:1])
	if err != nil {
		t.Fatalf("guild bulk overwrite: %v", err)
	}
	if len(again) != 1 || again[0].GuildID != discordtest.DefaultGuildID || len(srv.Commands(discordtest.DefaultGuildID)) != 1 {
		t.Errorf("guild overwrite = %+v, want one command in guild %s", again, discordtest.DefaultGuildID)
	}
	if n := len(srv.CallsTo("PUT", discordtest.RouteGlobalCommands[4:])) + len(srv.CallsTo("PUT", "/applications/*/guilds/*/commands")); n != 2 {
		t.Errorf("recorded bulk overwrites = %d, want 2", n)
	}
	_, err = s.ApplicationCommandBulkOverwrite(srv.AppID(), "", []*discordgo.ApplicationCommand{{Name: "Summarize", Description: "upper case"}})
	if status, code := restCode(t, err); status != 400 || code != 50035 {
		t.Errorf("upper-case chat command: got %d code %d, want 400 code 50035", status, code)
	}

	bad, err := discordgo.New("Bot wrong")
	if err != nil {
		t.Fatal(err)
	}
	bad.Client = srv.Client()
	_, err = bad.ApplicationCommandBulkOverwrite(srv.AppID(), "", cmds)
	if status, _ := restCode(t, err); status != 401 {
		t.Errorf("wrong token: got status %d, want 401", status)
	}
}

func TestInteractionRespondEditFollowup(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var got collector[*discordgo.InteractionCreate]
	s := open(t, srv, intents, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got.add(i) })
	})
	in, err := srv.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: "https://example.com/a"},
		{Name: "private", Type: discordtest.OptionBoolean, Value: false},
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, wait, func() bool { return len(got.all()) == 1 }, "INTERACTION_CREATE")
	i := got.all()[0].Interaction
	data := i.ApplicationCommandData()
	if i.ID != in.ID || data.Name != "summarize" || data.Options[0].StringValue() != "https://example.com/a" || data.Options[1].BoolValue() {
		t.Fatalf("interaction = %+v data %+v, want summarize with url and private=false", i, data)
	}
	if i.Member == nil || i.Member.Permissions&discordgo.PermissionManageGuild != 0 {
		t.Errorf("member = %+v, want a member without Manage Server", i.Member)
	}

	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatalf("defer: %v", err)
	}
	err = s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if status, code := restCode(t, err); status != 400 || code != 40060 {
		t.Errorf("second response: got %d code %d, want 400 code 40060", status, code)
	}
	content := "The brief."
	edited, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
		Content: &content, AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	})
	if err != nil {
		t.Fatalf("edit original: %v", err)
	}
	orig, found := srv.Original(in.ID)
	if !found || orig.ID != edited.ID || orig.Content != content || orig.Flags&discordtest.MessageFlagLoading != 0 {
		t.Errorf("original = %+v (found %v), want %q without the loading flag", orig, found, content)
	}
	if typ, _ := srv.Responded(in.ID); typ != 5 {
		t.Errorf("Responded = %d, want 5", typ)
	}
	f, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "Only you see this.", Flags: discordgo.MessageFlagsEphemeral})
	if err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	if fs := srv.Followups(in.ID); len(fs) != 1 || fs[0].ID != f.ID || fs[0].Flags&discordtest.MessageFlagEphemeral == 0 {
		t.Errorf("follow-ups = %+v, want one ephemeral", fs)
	}
	for _, m := range srv.ChannelMessages(discordtest.DefaultChannelID) {
		if m.ID == f.ID {
			t.Error("an ephemeral follow-up shows in the channel")
		}
	}
	if n := len(srv.InteractionResponses(in.ID)); n != 4 {
		t.Errorf("InteractionResponses = %d calls, want 4 (2 callbacks, edit, follow-up)", n)
	}

	srv.ExpireInteraction(in.ID)
	_, err = s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content})
	if status, code := restCode(t, err); status != 404 || code != 10015 {
		t.Errorf("edit after expiry: got %d code %d, want 404 code 10015", status, code)
	}
}

func TestInteractionDeadline(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{InteractionDeadline: 50 * time.Millisecond})
	s := open(t, srv, intents, nil)
	in, err := srv.SlashCommand(discordtest.CommandSpec{Name: "summarize"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	err = s.InteractionRespond(&discordgo.Interaction{ID: in.ID, Token: in.Token, AppID: in.ApplicationID},
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if status, code := restCode(t, err); status != 404 || code != 10062 {
		t.Errorf("late response: got %d code %d, want 404 code 10062", status, code)
	}
}

func TestMessageCommandResolvesTarget(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var got collector[*discordgo.InteractionCreate]
	// Without MESSAGE_CONTENT the target still carries its content.
	open(t, srv, intents&^discordgo.IntentsMessageContent, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got.add(i) })
	})
	target, err := srv.PostMessage(discordtest.MessageSpec{Content: "see https://example.com/x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.MessageCommand(discordtest.MessageCommandSpec{Name: "Summarize links", TargetID: target.ID}); err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, wait, func() bool { return len(got.all()) == 1 }, "INTERACTION_CREATE")
	data := got.all()[0].ApplicationCommandData()
	m := data.Resolved.Messages[data.TargetID]
	if data.TargetID != target.ID || m == nil || m.Content != target.Content {
		t.Errorf("target %s resolved %+v, want %s with content %q", data.TargetID, m, target.ID, target.Content)
	}
	if _, err := srv.MessageCommand(discordtest.MessageCommandSpec{Name: "Summarize links", TargetID: "404"}); err == nil {
		t.Error("MessageCommand on an unknown message succeeded")
	}
}

func TestThreadFromMessage(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var threads collector[*discordgo.ThreadCreate]
	s := open(t, srv, intents, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, c *discordgo.ThreadCreate) { threads.add(c) })
	})
	reply, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "brief")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.MessageThreadStartComplex(discordtest.DefaultChannelID, reply.ID, &discordgo.ThreadStart{Name: strings.Repeat("n", 101), AutoArchiveDuration: 1440})
	if status, code := restCode(t, err); status != 400 || code != 50035 {
		t.Errorf("101-character name: got %d code %d, want 400 code 50035", status, code)
	}
	th, err := s.MessageThreadStartComplex(discordtest.DefaultChannelID, reply.ID, &discordgo.ThreadStart{Name: "A story", AutoArchiveDuration: 1440})
	if err != nil {
		t.Fatalf("start thread: %v", err)
	}
	if th.ID != reply.ID || th.ParentID != discordtest.DefaultChannelID || th.Type != discordgo.ChannelTypeGuildPublicThread {
		t.Errorf("thread = id %s parent %s type %d, want id %s parent %s type 11", th.ID, th.ParentID, th.Type, reply.ID, discordtest.DefaultChannelID)
	}
	srv.WaitFor(t, wait, func() bool { return len(threads.all()) == 1 }, "THREAD_CREATE")
	if tc := threads.all()[0]; !tc.NewlyCreated || tc.Name != "A story" {
		t.Errorf("THREAD_CREATE = %+v, want newly created \"A story\"", tc.Channel)
	}
	_, err = s.MessageThreadStartComplex(discordtest.DefaultChannelID, reply.ID, &discordgo.ThreadStart{Name: "again"})
	if status, code := restCode(t, err); status != 400 || code != 160004 {
		t.Errorf("second thread: got %d code %d, want 400 code 160004", status, code)
	}
	if _, err := s.ChannelMessageSend(th.ID, "follow-up answer"); err != nil {
		t.Errorf("send in thread: %v", err)
	}
	if got := srv.Threads(); len(got) != 1 || got[0].StarterMessageID != reply.ID || got[0].MessageCount != 1 {
		t.Errorf("Threads() = %+v, want one from %s with one message", got, reply.ID)
	}

	srv.FailWith(discordtest.RouteStartThreadOnMessage, discordtest.MissingPermissions, 1)
	other, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "another")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.MessageThreadStartComplex(discordtest.DefaultChannelID, other.ID, &discordgo.ThreadStart{Name: "refused"})
	if status, code := restCode(t, err); status != 403 || code != 50013 {
		t.Errorf("refused thread: got %d code %d, want 403 code 50013", status, code)
	}
}

func TestRateLimitAndFailures(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var limited collector[*discordgo.RateLimit]
	s := newSession(t, srv, intents)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.RateLimit) { limited.add(r) })

	srv.RateLimit(discordtest.RouteSendMessage, 100*time.Millisecond, false, 1)
	if _, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "after a 429"); err != nil {
		t.Fatalf("send after one 429: %v", err)
	}
	calls := srv.CallsTo("POST", "/channels/*/messages")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Errorf("statuses = %v, want 429 then 200", statuses(calls))
	}
	srv.WaitFor(t, wait, func() bool { return len(limited.all()) == 1 }, "the RateLimit event")
	if r := limited.all()[0]; r.RetryAfter != 100*time.Millisecond {
		t.Errorf("RateLimit retry after = %v, want 100ms", r.RetryAfter)
	}

	srv.RateLimit("*", 100*time.Millisecond, true, 1)
	if _, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "after a global 429"); err != nil {
		t.Fatalf("send after a global 429: %v", err)
	}
	last := srv.Calls()
	if g := last[len(last)-2]; g.Status != 429 || !strings.Contains(string(g.Response), `"global":true`) {
		t.Errorf("global 429 call = %d %s, want 429 with global true", g.Status, g.Response)
	}

	s.ShouldRetryOnRateLimit = false
	srv.RateLimit(discordtest.RouteSendMessage, 2*time.Second, false, 1)
	_, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "no retry")
	var rle *discordgo.RateLimitError
	if !errors.As(err, &rle) || rle.RetryAfter != 2*time.Second {
		t.Errorf("without retries: error = %v, want a RateLimitError after 2s", err)
	}

	srv.Fail(discordtest.RouteSendMessage, 502, 1)
	if _, err := s.ChannelMessageSend("1100000000000000011", "after a 502"); err != nil {
		t.Errorf("send after one 502 = %v, want discordgo to retry", err)
	}
	srv.Fail(discordtest.RouteSendMessage, 500, 1)
	_, err = s.ChannelMessageSend(discordtest.DefaultChannelID, "after a 500")
	if status, _ := restCode(t, err); status != 500 {
		t.Errorf("500: got status %d, want 500", status)
	}
}

func statuses(calls []discordtest.Call) []int {
	var out []int
	for _, c := range calls {
		out = append(out, c.Status)
	}
	return out
}

func TestReconnectResumeReplays(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var got collector[*discordgo.MessageCreate]
	var resumed collector[*discordgo.Resumed]
	open(t, srv, intents, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got.add(m) })
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.Resumed) { resumed.add(r) })
	})
	srv.Reconnect()
	srv.WaitFor(t, wait, func() bool { return !srv.Connected() }, "the client to leave after RECONNECT")
	missed, err := srv.PostMessage(discordtest.MessageSpec{Content: "posted while away"})
	if err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, wait, func() bool {
		_, found := got.find(func(m *discordgo.MessageCreate) bool { return m.ID == missed.ID })
		return found && len(resumed.all()) == 1
	}, "the missed message replayed after RESUME")
	if n, r := srv.Identifies(), srv.Resumes(); n != 1 || r != 1 {
		t.Errorf("identifies %d resumes %d, want 1 and 1", n, r)
	}
}

func TestDropConnectionResumes(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	open(t, srv, intents, nil)
	srv.DropConnection()
	srv.WaitFor(t, wait, func() bool { return srv.Resumes() == 1 && srv.Connected() }, "a RESUME after the drop")
	if n := srv.Identifies(); n != 1 {
		t.Errorf("identifies = %d, want 1", n)
	}
}

func TestInvalidSessionReidentifies(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var ready collector[*discordgo.Ready]
	open(t, srv, intents, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready.add(r) })
	})
	srv.InvalidSession(false)
	srv.WaitFor(t, wait, func() bool { return len(ready.all()) == 2 }, "a second READY")
	if n := srv.Identifies(); n != 2 {
		t.Errorf("identifies = %d, want 2", n)
	}
	if r := ready.all(); r[0].SessionID == r[1].SessionID {
		t.Errorf("second READY kept session %s, want a new one", r[0].SessionID)
	}
}

func TestZombieConnection(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{HeartbeatInterval: 100 * time.Millisecond})
	open(t, srv, intents, nil)
	srv.StopHeartbeatACK(true)
	// discordgo closes with 1000 (which ends the session) and reconnects;
	// its RESUME is refused and it identifies again.
	srv.WaitFor(t, wait, func() bool { return srv.Identifies() == 2 }, "a new IDENTIFY after missed ACKs")
	srv.StopHeartbeatACK(false)
	srv.WaitFor(t, wait, srv.Connected, "the connection to come back")
}

func TestDisallowedIntent(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{RefuseIntents: discordtest.IntentMessageContent})
	s := newSession(t, srv, intents)
	s.ShouldReconnectOnError = false
	err := s.Open()
	if err == nil {
		_ = s.Close()
		t.Fatal("Open() = nil, want close 4014")
	}
	if !strings.Contains(err.Error(), "4014") {
		t.Errorf("Open() = %v, want close 4014", err)
	}
	if ids := srv.IdentifyPayloads(); len(ids) != 1 || ids[0].Intents&discordtest.IntentMessageContent == 0 {
		t.Errorf("IDENTIFY = %+v, want one asking for MESSAGE_CONTENT", ids)
	}
	// Without the refused intent the same fake accepts the session.
	open(t, srv, intents&^discordgo.IntentsMessageContent, nil)
}

// TestHostileRequests sends malformed bodies straight to the REST API: the
// fake must answer each with a Discord error, never panic or hang.
func TestHostileRequests(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	msg, err := srv.PostMessage(discordtest.MessageSpec{Content: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := srv.SlashCommand(discordtest.CommandSpec{Name: "summarize"})
	if err != nil {
		t.Fatal(err)
	}
	ch := "/channels/" + discordtest.DefaultChannelID
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", ch + "/messages", `not json`, 400},
		{"POST", ch + "/messages", `[]`, 400},
		{"POST", ch + "/messages", `null`, 400},
		{"POST", ch + "/messages", `{"content":5}`, 400},
		{"POST", ch + "/messages", `{"embeds":{"title":"x"}}`, 400},
		{"POST", ch + "/messages", `{"embeds":[null],"content":"x"}`, 200},
		{"POST", ch + "/messages", `{"content":"x","message_reference":"nope"}`, 400},
		{"PATCH", ch + "/messages/" + msg.ID, `{"content":"x"}`, 403},
		{"POST", ch + "/messages/" + msg.ID + "/threads", `{"name":5}`, 400},
		{"POST", ch + "/messages/404/threads", `{"name":"x"}`, 404},
		{"POST", ch + "/threads", `{"name":"x","type":99}`, 400},
		{"GET", ch + "/messages?limit=0", ``, 400},
		{"GET", ch + "/messages?before=1&after=2", ``, 400},
		{"PUT", "/applications/" + discordtest.DefaultAppID + "/commands", `[null]`, 400},
		{"PUT", "/applications/" + discordtest.DefaultAppID + "/commands", `{"name":"x"}`, 400},
		{"PUT", "/applications/999/commands", `[]`, 403},
		{"POST", "/interactions/" + in.ID + "/" + in.Token + "/callback", `{"type":4,"data":[]}`, 400},
		{"POST", "/interactions/" + in.ID + "/" + in.Token + "/callback", `{"type":1}`, 400},
		{"POST", "/interactions/" + in.ID + "/wrong/callback", `{"type":5}`, 404},
		{"PATCH", "/webhooks/" + discordtest.DefaultAppID + "/" + in.Token + "/messages/@original", `{"content":"x"}`, 404},
		{"POST", "/webhooks/" + discordtest.DefaultAppID + "/nope", `{"content":"x"}`, 404},
		{"DELETE", "/gateway", ``, 405},
		{"GET", "/nowhere", ``, 404},
	} {
		req, err := http.NewRequest(tc.method, strings.TrimSuffix(srv.APIURL(), "/")+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bot "+srv.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		var body struct {
			Code    *int   `json:"code"`
			Message string `json:"message"`
		}
		decodeErr := json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s %s: status %d (%s), want %d", tc.method, tc.path, tc.body, resp.StatusCode, body.Message, tc.want)
		}
		if resp.StatusCode >= 400 && (decodeErr != nil || body.Code == nil || body.Message == "") {
			t.Errorf("%s %s %s: error body without code and message (%v)", tc.method, tc.path, tc.body, decodeErr)
		}
	}
	if n := len(srv.Calls()); n != 23 {
		t.Errorf("recorded %d calls, want 23", n)
	}
}

func TestShardsAndGatewayBot(t *testing.T) {
	t.Parallel()
	// Guild A is on shard 0 of 2, guild B on shard 1 ((id >> 22) % 2).
	a, b := strconv.FormatUint(2<<22, 10), strconv.FormatUint(3<<22, 10)
	srv := discordtest.New(t, discordtest.Options{RecommendedShards: 2, Guilds: []discordtest.Guild{
		{ID: a, Channels: []discordtest.Channel{{ID: "10", Name: "a"}}},
		{ID: b, Channels: []discordtest.Channel{{ID: "20", Name: "b"}}},
	}})
	s := newSession(t, srv, intents)
	gb, err := s.GatewayBot()
	if err != nil {
		t.Fatalf("GatewayBot: %v", err)
	}
	if gb.Shards != 2 || strings.TrimSuffix(gb.URL, "/") != srv.GatewayURL() || gb.SessionStartLimit.MaxConcurrency != 1 {
		t.Errorf("GatewayBot = %+v, want 2 shards at %s", gb, srv.GatewayURL())
	}
	s.ShardID, s.ShardCount = 1, 2
	var got collector[*discordgo.MessageCreate]
	// discordgo's state takes over the guilds of a Ready and fills them
	// from GUILD_CREATE concurrently: read them under the state lock.
	type readyInfo struct {
		guilds []string
		shard  *[2]int
	}
	var ready collector[readyInfo]
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got.add(m) })
	s.AddHandler(func(s *discordgo.Session, r *discordgo.Ready) {
		s.State.RLock()
		defer s.State.RUnlock()
		info := readyInfo{shard: r.Shard}
		for _, g := range r.Guilds {
			info.guilds = append(info.guilds, g.ID)
		}
		ready.add(info)
	})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv.WaitFor(t, wait, func() bool { return len(ready.all()) == 1 }, "READY")
	if r := ready.all()[0]; len(r.guilds) != 1 || r.guilds[0] != b || r.shard == nil || *r.shard != [2]int{1, 2} {
		t.Errorf("READY guilds %v shard %v, want only %s on shard [1 2]", r.guilds, r.shard, b)
	}
	if _, err := srv.PostMessage(discordtest.MessageSpec{ChannelID: "10", Content: "shard 0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.PostMessage(discordtest.MessageSpec{ChannelID: "20", Content: "shard 1"}); err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, wait, func() bool { return len(got.all()) >= 1 }, "MESSAGE_CREATE on shard 1")
	// The shard-0 message was dispatched first, so had it reached this
	// shard it would have arrived by now.
	if all := got.all(); len(all) != 1 || all[0].Content != "shard 1" {
		t.Errorf("shard 1 got %d messages (first %q), want only \"shard 1\"", len(all), all[0].Content)
	}
}

func TestCloseWith(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code                       int
		wantIdentifies, wantResume int
	}{
		{code: 4000, wantIdentifies: 1, wantResume: 1}, // resumable
		{code: 4009, wantIdentifies: 2, wantResume: 0}, // session timed out: identify again
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t, discordtest.Options{})
			var disconnects collector[*discordgo.Disconnect]
			open(t, srv, intents, func(s *discordgo.Session) {
				s.AddHandler(func(_ *discordgo.Session, d *discordgo.Disconnect) { disconnects.add(d) })
			})
			srv.CloseWith(tc.code)
			srv.WaitFor(t, wait, func() bool {
				return srv.Connected() && srv.Identifies() == tc.wantIdentifies && srv.Resumes() == tc.wantResume
			}, fmt.Sprintf("%d identifies and %d resumes", tc.wantIdentifies, tc.wantResume))
			if len(disconnects.all()) == 0 {
				t.Error("no Disconnect event after the close")
			}
		})
	}
}

func TestRawDispatch(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var events collector[*discordgo.Event]
	var components collector[*discordgo.InteractionCreate]
	s := open(t, srv, intents, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) { events.add(e) })
		s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { components.add(i) })
	})
	bot, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "with a button")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Dispatch("TYPING_START", map[string]any{
		"channel_id": discordtest.DefaultChannelID, "guild_id": discordtest.DefaultGuildID,
		"user_id": discordtest.DefaultUserID, "timestamp": 1767225600,
	}); err != nil {
		t.Fatal(err)
	}
	// A component interaction is not built by a helper: dispatch it raw;
	// the fake registers it so the bot can answer it.
	if err := srv.Dispatch("INTERACTION_CREATE", map[string]any{
		"id": "900", "token": "raw-token", "type": 3, "application_id": srv.AppID(), "version": 1,
		"guild_id": discordtest.DefaultGuildID, "channel_id": discordtest.DefaultChannelID,
		"member":  discordtest.DefaultMember(),
		"message": map[string]any{"id": bot.ID, "channel_id": discordtest.DefaultChannelID},
		"data":    map[string]any{"custom_id": "more", "component_type": 2},
	}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Dispatch("BAD", func() {}); err == nil {
		t.Error("Dispatch of an unmarshalable payload = nil, want an error")
	}
	srv.WaitFor(t, wait, func() bool { return len(components.all()) == 1 }, "the component interaction")
	srv.WaitFor(t, wait, func() bool {
		_, found := events.find(func(e *discordgo.Event) bool { return e.Type == "TYPING_START" })
		return found
	}, "TYPING_START")
	i := components.all()[0].Interaction
	content := "updated"
	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseUpdateMessage, Data: &discordgo.InteractionResponseData{Content: content},
	}); err != nil {
		t.Fatalf("update message: %v", err)
	}
	if m, _ := srv.Message(bot.ID); m.Content != content || m.EditedTimestamp == nil {
		t.Errorf("component message = %q (edited %v), want %q edited", m.Content, m.EditedTimestamp, content)
	}
	calls := srv.InteractionResponses("900")
	if len(calls) != 1 || calls[0].Status != 204 {
		t.Errorf("interaction calls = %v, want one 204", statuses(calls))
	}
}

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	s := newSession(t, srv, intents)
	srv.RateLimit(discordtest.RouteSendMessage, 1500*time.Millisecond, false, 1)
	s.ShouldRetryOnRateLimit = false
	if _, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "x"); err == nil {
		t.Fatal("send under a 429 succeeded")
	}
	c := srv.CallsTo("POST", "/channels/*/messages")[0]
	for k, want := range map[string]string{
		"Retry-After": "2", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset-After": "1.500",
		"X-Ratelimit-Scope": "user", "X-Ratelimit-Limit": "50",
	} {
		if got := http.Header(c.ResponseHeader).Get(k); got != want {
			t.Errorf("429 header %s = %q, want %q", k, got, want)
		}
	}
	if v, _ := c.Field("content"); v != "x" {
		t.Errorf("recorded content = %v, want x", v)
	}
}

func TestNoCompression(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var got collector[*discordgo.MessageCreate]
	s := newSession(t, srv, intents)
	s.Compress = false
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got.add(m) })
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := srv.PostMessage(discordtest.MessageSpec{Content: "plain text frames"}); err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, wait, func() bool { return len(got.all()) == 1 }, "MESSAGE_CREATE in a text frame")
	if ids := srv.IdentifyPayloads(); len(ids) != 1 || ids[0].Compress {
		t.Errorf("IDENTIFY = %+v, want compress false", ids)
	}
}

func TestReadEndpoints(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	s := newSession(t, srv, intents)
	if u, err := s.User("@me"); err != nil || u.ID != discordtest.DefaultBotUserID || !u.Bot {
		t.Errorf("User(@me) = %+v, %v, want the bot", u, err)
	}
	if a, err := s.Application("@me"); err != nil || a.ID != srv.AppID() {
		t.Errorf("Application(@me) = %+v, %v, want app %s", a, err, srv.AppID())
	}
	if c, err := s.Channel(discordtest.DefaultChannelID); err != nil || c.GuildID != discordtest.DefaultGuildID || c.Type != discordgo.ChannelTypeGuildText {
		t.Errorf("Channel = %+v, %v, want the default text channel", c, err)
	}
	if m, err := s.GuildMember(discordtest.DefaultGuildID, discordtest.DefaultUserID); err != nil || m.User.ID != discordtest.DefaultUserID {
		t.Errorf("GuildMember = %+v, %v, want the default user", m, err)
	}
	if _, err := s.GuildMember(discordtest.DefaultGuildID, "404"); err == nil {
		t.Error("GuildMember of an unknown user succeeded")
	} else if status, code := restCode(t, err); status != 404 || code != 10007 {
		t.Errorf("unknown member: got %d code %d, want 404 code 10007", status, code)
	}
	if roles, err := s.GuildRoles(discordtest.DefaultGuildID); err != nil || len(roles) != 1 {
		t.Errorf("GuildRoles = %v, %v, want @everyone", roles, err)
	}
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		m, err := srv.PostMessage(discordtest.MessageSpec{Content: text})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	for _, tc := range []struct {
		name                  string
		limit                 int
		before, after, around string
		want                  []string
	}{
		{name: "latest", limit: 2, want: []string{ids[2], ids[1]}},
		{name: "before", limit: 50, before: ids[2], want: []string{ids[1], ids[0]}},
		{name: "after", limit: 1, after: ids[0], want: []string{ids[1]}},
		{name: "around", limit: 3, around: ids[1], want: []string{ids[2], ids[1], ids[0]}},
	} {
		got, err := s.ChannelMessages(discordtest.DefaultChannelID, tc.limit, tc.before, tc.after, tc.around)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var gotIDs []string
		for _, m := range got {
			gotIDs = append(gotIDs, m.ID)
		}
		if fmt.Sprint(gotIDs) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v, want %v (newest first)", tc.name, gotIDs, tc.want)
		}
	}
}

func TestEditAndDeleteBotMessage(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Options{})
	var updates collector[*discordgo.MessageUpdate]
	var deletes collector[*discordgo.MessageDelete]
	s := open(t, srv, intents, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageUpdate) { updates.add(m) })
		s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageDelete) { deletes.add(m) })
	})
	m, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "working on it")
	if err != nil {
		t.Fatal(err)
	}
	edited, err := s.ChannelMessageEdit(discordtest.DefaultChannelID, m.ID, "done")
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	if edited.Content != "done" || edited.EditedTimestamp == nil {
		t.Errorf("edited = %q (edited at %v), want \"done\" with a timestamp", edited.Content, edited.EditedTimestamp)
	}
	srv.WaitFor(t, wait, func() bool { return len(updates.all()) == 1 }, "MESSAGE_UPDATE")
	if err := s.ChannelMessageDelete(discordtest.DefaultChannelID, m.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	srv.WaitFor(t, wait, func() bool { return len(deletes.all()) == 1 }, "MESSAGE_DELETE")
	if got := srv.ChannelMessages(discordtest.DefaultChannelID); len(got) != 0 {
		t.Errorf("channel messages after delete = %d, want 0", len(got))
	}
	if stored, _ := srv.Message(m.ID); !stored.Deleted || stored.Content != "done" {
		t.Errorf("Message(%s) = %+v, want the edited message marked deleted", m.ID, stored)
	}
	_, err = s.ChannelMessageEdit(discordtest.DefaultChannelID, m.ID, "again")
	if status, code := restCode(t, err); status != 404 || code != 10008 {
		t.Errorf("edit after delete: got %d code %d, want 404 code 10008", status, code)
	}
}
