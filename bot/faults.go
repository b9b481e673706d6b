package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Discord's JSON error codes the bot explains in its logs.
const (
	codeUnknownChannel      = 10003
	codeUnknownMessage      = 10008
	codeUnknownWebhook      = 10015
	codeUnknownInteraction  = 10062
	codeMissingAccess       = 50001
	codeMissingPermissions  = 50013
	codeAlreadyAcknowledged = 40060
	codeThreadLocked        = 50083
	codeArchivedThread      = 50068
)

// reason says in a few words why a Discord call failed, for the log line
// that reports a reply, an acknowledgement or a thread that could not be
// made: operators read it to fix permissions or find an outage without
// decoding Discord's error codes.
func reason(err error) string {
	var re *discordgo.RESTError
	var rl *discordgo.RateLimitError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrRateLimited), errors.As(err, &rl):
		return "rate limited by Discord for longer than the event may wait"
	case errors.Is(err, context.Canceled):
		return "cancelled by shutdown"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &re):
		code := 0
		if re.Message != nil {
			code = re.Message.Code
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		switch code {
		case codeUnknownWebhook, codeUnknownInteraction:
			return "the interaction expired (Discord allows 3 s to acknowledge and 15 min to reply)"
		case codeAlreadyAcknowledged:
			return "the interaction was already acknowledged (a replayed event)"
		case codeMissingPermissions:
			return "missing permission: the bot's role needs Send Messages, Send Messages in Threads, Embed Links and Create Public Threads here"
		case codeMissingAccess:
			return "no access to the channel: the bot cannot view it"
		case codeUnknownChannel:
			return "the channel no longer exists"
		case codeUnknownMessage:
			return "the message no longer exists"
		case codeThreadLocked, codeArchivedThread:
			return "the thread is locked or archived"
		}
		switch {
		case status >= 500:
			return "Discord failed (HTTP " + strconv.Itoa(status) + ") on every attempt"
		case status == http.StatusUnauthorized:
			return "the bot token was refused"
		case status == http.StatusBadRequest:
			return "Discord refused the payload"
		}
		return "HTTP " + strconv.Itoa(status)
	case strings.Contains(err.Error(), "HTTP 5"):
		return "Discord failed (server error) on every attempt"
	}
	return "network error"
}

// messageSend is discordgo's MessageSend with the nonce fields v0.29.0
// lacks. With enforce_nonce Discord returns the message already created
// with the same nonce in the last few minutes instead of posting another,
// which makes a retried send, or a redelivered event, post once.
type messageSend struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// sendMessage posts data in channelID with nonce (at most 25 characters)
// enforced, retrying server errors.
func (b *Bot) sendMessage(ctx context.Context, channelID, nonce string, data *discordgo.MessageSend) (*discordgo.Message, error) {
	for _, e := range data.Embeds {
		if e.Type == "" {
			e.Type = discordgo.EmbedTypeRich
		}
	}
	endpoint := discordgo.EndpointChannelMessages(channelID)
	body := messageSend{MessageSend: data, Nonce: nonce, EnforceNonce: nonce != ""}
	if nonce != "" {
		ctx = retrySafe(ctx)
	}
	resp, err := b.s.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	if err := json.Unmarshal(resp, &m); err != nil {
		return nil, fmt.Errorf("bot: decoding a sent message: %w", err)
	}
	return &m, nil
}

// replyNonce is the nonce of reply n to message messageID: the same on
// every attempt and every delivery of the event. Snowflakes have at most
// 20 digits, so it fits Discord's 25 characters.
func replyNonce(messageID string, n int) string {
	nonce := messageID + "." + strconv.Itoa(n)
	if len(nonce) > 25 {
		return ""
	}
	return nonce
}

// onDisconnect and onResumed log the gateway's state changes; discordgo
// reconnects by itself, the log says when and that it did.
func (b *Bot) onDisconnect(_ *discordgo.Session, _ *discordgo.Disconnect) {
	if b.stopping() {
		return
	}
	b.log.Warn("bot: gateway connection lost; reconnecting")
}

func (b *Bot) onResumed(_ *discordgo.Session, _ *discordgo.Resumed) {
	b.log.Info("bot: gateway session resumed")
}

// stopping reports whether shutdown has begun.
func (b *Bot) stopping() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closing
}
