package bot_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/bot/discordtest"
	"github.com/linkbrief/linkbrief/summarize/llm/llmtest"
)

// The tests in this file script Discord's faults through the fake and
// check the bot recovers: one reply per event, and a logged reason when a
// reply is impossible. TestReplayAfterResume, TestDuplicateInteraction and
// TestRateLimited429 in bot_test.go cover RESUME replays, duplicates and a
// per-route 429 followed by success.

// repliesTo returns the bot's messages in channelID that reply to
// message id.
func (h *harness) repliesTo(channelID, id string) []discordtest.Message {
	var out []discordtest.Message
	for _, m := range h.botMessages(channelID) {
		if m.MessageReference != nil && m.MessageReference.MessageID == id {
			out = append(out, m)
		}
	}
	return out
}

// waitLog waits until the bot's log contains every one of parts on one
// line, and returns that line.
func (h *harness) waitLog(parts ...string) string {
	h.t.Helper()
	var line string
	h.dc.WaitFor(h.t, wait, func() bool {
		for l := range strings.SplitSeq(h.logs.String(), "\n") {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(l, p)
			}
			if all {
				line = l
				return true
			}
		}
		return false
	}, "a log line with "+strings.Join(parts, ", "))
	return line
}

// marker posts a link whose brief, once sent, shows the bot has handled
// everything dispatched before it, and waits for that brief.
func (h *harness) marker(path string) discordtest.Message {
	h.t.Helper()
	m := h.post(discordtest.DefaultChannelID, h.url(path))
	h.dc.WaitFor(h.t, wait, func() bool { return len(h.repliesTo(discordtest.DefaultChannelID, m.ID)) == 1 },
		"the reply to the marker "+path)
	return m
}

// TestGatewayFaults breaks the gateway in each way Discord does, with one
// message posted while the connection is down or being replaced and one
// brief still being made; each must get exactly one reply once the bot is
// back.
func TestGatewayFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault func(dc *discordtest.Server)
		// back reports whether the bot has recovered from the fault.
		back func(dc *discordtest.Server, identifies, resumes int) bool
	}{
		{"connection dropped", (*discordtest.Server).DropConnection,
			func(dc *discordtest.Server, _, resumes int) bool { return dc.Resumes() > resumes }},
		{"RECONNECT", (*discordtest.Server).Reconnect,
			func(dc *discordtest.Server, _, resumes int) bool { return dc.Resumes() > resumes }},
		{"INVALID_SESSION not resumable", func(dc *discordtest.Server) { dc.InvalidSession(false) },
			func(dc *discordtest.Server, identifies, _ int) bool { return dc.Identifies() > identifies }},
		{"INVALID_SESSION resumable", func(dc *discordtest.Server) { dc.InvalidSession(true) },
			func(dc *discordtest.Server, identifies, resumes int) bool {
				return dc.Identifies() > identifies || dc.Resumes() > resumes
			}},
		{"close 4000 unknown error", func(dc *discordtest.Server) { dc.CloseWith(4000) },
			func(dc *discordtest.Server, _, resumes int) bool { return dc.Resumes() > resumes }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
			ch := discordtest.DefaultChannelID
			// A brief in the making when the fault strikes.
			h.llm.Enqueue(llmtest.Slow(1500*time.Millisecond, llmtest.Echo()))
			inflight := h.post(ch, h.url("/inflight"))
			h.dc.WaitFor(t, wait, func() bool { return h.llm.Count() == 1 }, "the slow LLM call")

			identifies, resumes := h.dc.Identifies(), h.dc.Resumes()
			tt.fault(h.dc)
			// Posted while the session is down or being replaced: the
			// fake replays it on RESUME, or (after a new IDENTIFY)
			// Discord's behaviour is to lose it; either way the bot
			// must not answer it twice.
			during := h.post(ch, h.url("/during"))
			h.dc.WaitFor(t, wait, func() bool { return tt.back(h.dc, identifies, resumes) && h.dc.Connected() },
				"the gateway session to come back")
			after := h.marker("/after")

			for _, c := range []struct {
				name string
				id   string
				min  int
			}{{"in-flight", inflight.ID, 1}, {"during", during.ID, 0}, {"after", after.ID, 1}} {
				h.dc.WaitFor(t, wait, func() bool { return len(h.repliesTo(ch, c.id)) >= c.min }, "the reply to the "+c.name+" message")
				if n := len(h.repliesTo(ch, c.id)); n < c.min || n > 1 {
					t.Errorf("%d replies to the message posted %s the fault, want %d", n, c.name, max(c.min, 1))
				}
			}
			// Replayed events are dropped by the ledger, so the replay
			// after RESUME costs no second brief either.
			if n := h.llm.Count(); n > 3 {
				t.Errorf("%d LLM calls, want at most 3", n)
			}
		})
	}
}

// TestHeartbeatACKsStop makes Discord stop acknowledging heartbeats: the
// client must treat the connection as a zombie, reconnect, and go on
// answering.
func TestHeartbeatACKsStop(t *testing.T) {
	t.Parallel()
	h := start(t, config{
		autoChannels: []string{discordtest.DefaultChannelID},
		discord:      discordtest.Options{HeartbeatInterval: 100 * time.Millisecond},
	})
	identifies, resumes := h.dc.Identifies(), h.dc.Resumes()
	h.dc.StopHeartbeatACK(true)
	h.dc.WaitFor(t, wait, func() bool { return h.dc.Identifies()+h.dc.Resumes() > identifies+resumes },
		"a new session after the ACKs stopped")
	h.dc.StopHeartbeatACK(false)
	h.dc.WaitFor(t, wait, h.dc.Connected, "the gateway to reconnect")
	m := h.marker("/zombie")
	if n := len(h.repliesTo(discordtest.DefaultChannelID, m.ID)); n != 1 {
		t.Errorf("%d replies after the zombie reconnect, want 1", n)
	}
}

// TestSendServerError answers the reply with a 5xx: the bot retries with
// the same nonce, so the user gets one reply whether or not Discord had
// created the message before failing.
func TestSendServerError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script func(dc *discordtest.Server)
	}{
		{"500 before the message exists", func(dc *discordtest.Server) { dc.Fail(discordtest.RouteSendMessage, 500, 1) }},
		{"503 twice", func(dc *discordtest.Server) { dc.Fail(discordtest.RouteSendMessage, 503, 2) }},
		{"502 three times", func(dc *discordtest.Server) { dc.Fail(discordtest.RouteSendMessage, 502, 3) }},
		{"500 after the message was created", func(dc *discordtest.Server) {
			dc.FailAfter(discordtest.RouteSendMessage, discordtest.ServerError, 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
			tt.script(h.dc)
			src := h.post(discordtest.DefaultChannelID, h.url("/flaky"))
			h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread on the brief")
			if n := len(h.repliesTo(discordtest.DefaultChannelID, src.ID)); n != 1 {
				t.Errorf("%d replies, want 1", n)
			}
			var statuses []int
			for _, c := range h.dc.CallsTo("POST", "/channels/*/messages") {
				statuses = append(statuses, c.Status)
			}
			if statuses[len(statuses)-1] != 200 || len(statuses) < 2 {
				t.Errorf("send statuses = %v, want failures then 200", statuses)
			}
		})
	}
}

// TestSendImpossible makes every attempt at the reply fail: the bot gives
// up after a bounded number of tries and logs why.
func TestSendImpossible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		f      discordtest.Failure
		reason string
	}{
		{"server errors", discordtest.ServerError, "Discord failed"},
		{"missing permissions", discordtest.MissingPermissions, "missing permission"},
		{"missing access", discordtest.MissingAccess, "no access to the channel"},
		{"channel deleted", discordtest.UnknownChannel, "channel no longer exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
			h.dc.FailWith(discordtest.RouteSendMessage, tt.f, -1)
			src := h.post(discordtest.DefaultChannelID, h.url("/refused"))
			line := h.waitLog("sending a reply failed", "message="+src.ID)
			if !strings.Contains(line, "reason=") || !strings.Contains(line, tt.reason) {
				t.Errorf("log line %q, want reason %q", line, tt.reason)
			}
			h.dc.ClearScripts()
			if n := len(h.dc.CallsTo("POST", "/channels/*/messages")); n > 4 {
				t.Errorf("%d send attempts, want at most 4", n)
			}
		})
	}
}

// TestRateLimitedGlobal answers with a global 429: every route waits
// retry_after, then the reply goes out once.
func TestRateLimitedGlobal(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	h.dc.RateLimit("*", 400*time.Millisecond, true, 1)
	src := h.post(discordtest.DefaultChannelID, h.url("/global"))
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread on the brief")
	if n := len(h.repliesTo(discordtest.DefaultChannelID, src.ID)); n != 1 {
		t.Errorf("%d replies, want 1", n)
	}
	calls := h.dc.Calls()
	limited := -1
	for i, c := range calls {
		if c.Status == 429 {
			limited = i
			break
		}
	}
	if limited < 0 {
		t.Fatalf("no 429 answered")
	}
	// Nothing may reach Discord before retry_after has passed.
	for _, c := range calls[limited+1:] {
		if d := c.Time.Sub(calls[limited].Time); d < 350*time.Millisecond {
			t.Errorf("%s %s sent %v after a global 429 with retry_after 400ms", c.Method, c.Route, d)
		}
	}
}

// TestRateLimitedLongerThanShutdown gets a 429 whose retry_after outlasts
// the shutdown grace: shutdown must not wait for it.
func TestRateLimitedLongerThanShutdown(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}, grace: 300 * time.Millisecond})
	h.dc.RateLimit(discordtest.RouteSendMessage, time.Hour, false, 1)
	h.post(discordtest.DefaultChannelID, h.url("/hour"))
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.CallsTo("POST", "/channels/*/messages")) == 1 }, "the rate-limited send")
	began := time.Now()
	if err := h.shutdown(); err != nil {
		t.Fatal(err)
	}
	// DESIGN.md §8: exit within 10 s of the signal, whatever Discord says.
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("shutdown took %v with a reply waiting on an hour-long 429, want under 10 s", d)
	}
	h.waitLog("sending a reply failed", "rate limited")
}

// TestInteractionTokenExpired lets the interaction expire while the brief
// is being made: nothing can be sent any more, and the log says why.
func TestInteractionTokenExpired(t *testing.T) {
	t.Parallel()
	h := start(t, config{})
	h.llm.Enqueue(llmtest.Slow(time.Second, llmtest.Echo()))
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/expired")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitForCalls(t, wait, "POST", "/interactions/*/*/callback", 1)
	h.dc.ExpireInteraction(in.ID)
	line := h.waitLog("sending an interaction reply failed", "interaction="+in.ID)
	if !strings.Contains(line, "interaction expired") {
		t.Errorf("log line %q, want the reason: the interaction expired", line)
	}
	if strings.Contains(h.logs.String(), in.Token) {
		t.Errorf("the interaction token was logged")
	}
	if n := len(h.dc.Threads()); n != 0 {
		t.Errorf("%d threads, want 0", n)
	}
	// One edit attempt, no retries of a dead token.
	if n := len(h.dc.CallsTo("PATCH", "/webhooks/*/*/messages/@original")); n != 1 {
		t.Errorf("%d edits of an expired response, want 1", n)
	}
}

// TestInteractionAckTooLate makes every acknowledgement late: the bot
// logs why and does no work nobody can receive.
func TestInteractionAckTooLate(t *testing.T) {
	t.Parallel()
	h := start(t, config{discord: discordtest.Options{InteractionDeadline: time.Nanosecond}})
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/late")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	line := h.waitLog("acknowledging an interaction failed", "interaction="+in.ID)
	if !strings.Contains(line, "interaction expired") {
		t.Errorf("log line %q, want the reason: the interaction expired", line)
	}
	if n := h.llm.Count(); n != 0 {
		t.Errorf("%d LLM calls for an interaction that could not be acknowledged, want 0", n)
	}
}

// TestThreadRefused refuses the thread (no Create Public Threads
// permission): the brief still arrives once, the log says why, and a
// replay of the event does not post it again.
func TestThreadRefused(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	h.dc.FailWith(discordtest.RouteStartThreadOnMessage, discordtest.MissingPermissions, -1)
	src := h.post(discordtest.DefaultChannelID, h.url("/nothread"))
	line := h.waitLog("starting a thread failed")
	if !strings.Contains(line, "missing permission") {
		t.Errorf("log line %q, want the reason: missing permission", line)
	}
	in, err := h.dc.SlashCommand(discordtest.CommandSpec{Name: "summarize", Options: []discordtest.Option{
		{Name: "url", Type: discordtest.OptionString, Value: h.url("/nothread-slash")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.dc.WaitForCalls(t, wait, "POST", "/channels/*/messages/*/threads", 2)
	h.dc.WaitFor(t, wait, func() bool { m, ok := h.dc.Original(in.ID); return ok && len(m.Embeds) == 1 }, "the slash brief")

	if err := h.dc.Dispatch("MESSAGE_CREATE", src); err != nil {
		t.Fatal(err)
	}
	h.dc.ClearScripts()
	h.marker("/marker")
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the marker's thread")
	if n := len(h.repliesTo(discordtest.DefaultChannelID, src.ID)); n != 1 {
		t.Errorf("%d replies to the message, want 1", n)
	}
}

// TestSourceDeletedBeforeReply deletes the message while its brief is
// being made: the brief is posted once, without a reference to the gone
// message, and the thread still starts on it.
func TestSourceDeletedBeforeReply(t *testing.T) {
	t.Parallel()
	h := start(t, config{autoChannels: []string{discordtest.DefaultChannelID}})
	h.llm.Enqueue(llmtest.Slow(time.Second, llmtest.Echo()))
	src := h.post(discordtest.DefaultChannelID, h.url("/deleted"))
	h.dc.WaitFor(t, wait, func() bool { return h.llm.Count() == 1 }, "the LLM call")
	if err := h.dc.DeleteMessage(src.ChannelID, src.ID); err != nil {
		t.Fatal(err)
	}
	h.dc.WaitFor(t, wait, func() bool { return len(h.dc.Threads()) == 1 }, "the thread on the brief")
	msgs := h.botMessages(discordtest.DefaultChannelID)
	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 || msgs[0].MessageReference != nil {
		t.Errorf("bot messages = %+v, want one brief without a reference", msgs)
	}
	sends := h.dc.CallsTo("POST", "/channels/*/messages")
	if len(sends) != 1 || sends[0].Status != http.StatusOK {
		t.Errorf("%d sends, want 1 that succeeded", len(sends))
	}
}
