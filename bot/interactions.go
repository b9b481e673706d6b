package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/linkbrief/linkbrief/commands"
)

// maxInteractionBody bounds the body of one HTTP interaction. Discord's
// payloads are a few kilobytes; a context-menu command carries its target
// message resolved in full (up to 2000 characters of text and 10 embeds of
// 6000), far below this.
const maxInteractionBody = 1 << 20

// Interaction and response types the endpoint handles (Discord's
// InteractionType and InteractionResponseType).
const (
	interactionPing    = 1
	interactionCommand = 2
	responsePong       = 1
)

// ParsePublicKey decodes an application's public key as the Developer
// Portal shows it (discord.public_key): 64 hex digits.
func ParsePublicKey(hexKey string) (ed25519.PublicKey, error) {
	k, err := hex.DecodeString(strings.TrimSpace(hexKey))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, errors.New("bot: discord.public_key: want the application's public key, 64 hex digits")
	}
	return ed25519.PublicKey(k), nil
}

// InteractionsHandler returns the handler of Discord's HTTP interactions
// (the application's Interactions Endpoint URL, served at /interactions).
// It checks every request's Ed25519 signature against publicKey (401 when
// it fails, or when publicKey is not a valid key), answers PING with PONG,
// and acknowledges application commands at once in the HTTP response with
// a deferred message (ephemeral when the commands.Plan says so); the work
// then runs in the background, exactly as for a gateway interaction: the
// reply ledger drops a request delivered twice, the original response is
// edited over REST, further replies are follow-ups, and every message sends
// allowed_mentions {"parse": []}.
//
// The handler needs no gateway connection: an HTTP-only replica calls
// RunWithoutGateway instead of Run, and any replica can answer any
// interaction. In-flight work is drained when Run or RunWithoutGateway
// returns; interactions that arrive after shutdown began get a short
// ephemeral "restarting" answer.
func (b *Bot) InteractionsHandler(publicKey ed25519.PublicKey) http.Handler {
	if len(publicKey) != ed25519.PublicKeySize {
		b.log.Error("bot: the interactions endpoint has no valid public key and refuses every request", "key_bytes", len(publicKey))
	}
	return &interactions{b: b, key: publicKey}
}

// RunWithoutGateway runs the bot for the HTTP interactions endpoint only,
// with no gateway connection: it waits until ctx is cancelled, then stops
// taking interactions, lets in-flight work finish for the shutdown grace,
// cancels what is left and returns nil. Auto mode and thread follow-ups
// need the gateway and do not run. A Bot runs once, with Run or with
// RunWithoutGateway.
func (b *Bot) RunWithoutGateway(ctx context.Context) error {
	if err := b.startQueue(); err != nil {
		b.cancelWork()
		return err
	}
	b.log.Info("bot: serving HTTP interactions without a gateway connection")
	<-ctx.Done()
	b.shutdown()
	return nil
}

// interactions is the http.Handler InteractionsHandler returns.
type interactions struct {
	b   *Bot
	key ed25519.PublicKey
}

// ServeHTTP implements http.Handler.
func (h *interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	if !verifySignature(h.key, r.Header, body) {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var head struct {
		Type    int `json:"type"`
		Channel *struct {
			Type int `json:"type"`
		} `json:"channel"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	switch head.Type {
	case interactionPing:
		writeJSON(w, map[string]int{"type": responsePong})
	case interactionCommand:
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil || i.ID == "" || i.Token == "" || i.AppID == "" {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		inThread := head.Channel != nil && isThreadType(head.Channel.Type)
		h.command(w, &i, inThread)
	default:
		// Components, autocomplete and modals: Linkbrief registers none.
		http.Error(w, "unsupported interaction type", http.StatusBadRequest)
	}
}

// command acknowledges an application command in the HTTP response and
// starts its work in the background.
func (h *interactions) command(w http.ResponseWriter, i *discordgo.Interaction, inThread bool) {
	b := h.b
	if !b.begin() {
		writeJSON(w, httpResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: httpResponseData{
			Content: "Linkbrief is restarting; please try again in a moment.",
			Flags:   discordgo.MessageFlagsEphemeral, AllowedMentions: safeMentions(),
		}})
		return
	}
	received := time.Now()
	in := b.interaction(i)
	in.ViaHTTP = true
	// Without a gateway the state knows no channels: the payload's
	// channel object says whether this is a thread.
	in.InThread = in.InThread || inThread
	ackCtx, cancelAck := context.WithTimeout(b.work, time.Second)
	p, ok := b.h.Plan(ackCtx, commands.Event{Interaction: &in, Received: received})
	cancelAck()
	if !ok {
		b.wg.Done()
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	var flags discordgo.MessageFlags
	if p.Ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	writeJSON(w, httpResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: httpResponseData{
		Flags: flags, AllowedMentions: safeMentions(),
	}})
	go func() {
		defer b.wg.Done()
		b.acceptInteraction(p)
	}()
}

// httpResponse is an interaction response in an HTTP answer: only the
// fields Linkbrief sets, so no null components or embeds are sent.
type httpResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data httpResponseData                  `json:"data"`
}

type httpResponseData struct {
	Content         string                            `json:"content,omitempty"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
}

// verifySignature reports whether sig (hex, X-Signature-Ed25519) signs
// the timestamp (X-Signature-Timestamp) followed by the body.
func verifySignature(key ed25519.PublicKey, hdr http.Header, body []byte) bool {
	if len(key) != ed25519.PublicKeySize {
		return false // ed25519.Verify panics on a key of another size
	}
	sig, err := hex.DecodeString(hdr.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	ts := hdr.Get("X-Signature-Timestamp")
	if ts == "" {
		return false
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	return ed25519.Verify(key, msg, sig)
}

// isThreadType reports whether a channel type is a thread (announcement,
// public or private).
func isThreadType(t int) bool {
	switch discordgo.ChannelType(t) {
	case discordgo.ChannelTypeGuildNewsThread, discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread:
		return true
	}
	return false
}

// writeJSON writes v as the JSON response body with a Content-Length, so
// Discord has the whole answer as soon as it is written.
func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	_, _ = w.Write(data)
}

// Discord's JSON error codes meaning the original response is not there
// (yet).
const (
	unknownMessage = 10008
	unknownWebhook = 10015
)

// editOriginal edits an interaction's original response. With retry, it
// tries again for about three seconds while Discord answers that the
// response does not exist: an acknowledgement sent in an HTTP response
// may still be on its way when quick work (a cached brief, a refusal)
// is done.
func (b *Bot) editOriginal(ctx context.Context, i *discordgo.Interaction, edit *discordgo.WebhookEdit, retry bool) (*discordgo.Message, error) {
	delay := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		msg, err := b.s.InteractionResponseEdit(i, edit, discordgo.WithContext(ctx))
		if err == nil || !retry || attempt == 5 {
			return msg, err
		}
		if c := restCode(err); c != unknownMessage && c != unknownWebhook {
			return msg, err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return msg, err
		case <-t.C:
		}
		delay *= 2
	}
}

// The handler is stateless apart from the Bot: any replica can serve any
// request.
var _ http.Handler = (*interactions)(nil)
