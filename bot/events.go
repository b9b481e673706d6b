package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/queue"
)

// onMessageCreate handles a message: auto mode in opted-in channels and
// follow-up questions in Linkbrief threads.
func (b *Bot) onMessageCreate(s *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Message == nil || m.Author == nil || m.GuildID == "" {
		return
	}
	if m.Author.ID == b.botUserID() || m.Author.Bot || m.WebhookID != "" {
		return // cheap filter before any work; commands checks again
	}
	if !b.begin() {
		return
	}
	defer b.wg.Done()
	b.receive(commands.Event{Received: time.Now(), Message: &commands.Message{
		ID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, AuthorID: m.Author.ID,
		Bot: m.Author.Bot, Webhook: m.WebhookID != "", Content: m.Content,
		AutoChannel: b.autoChannel(m.ChannelID), InThread: b.isThread(m.ChannelID),
		Attachments: attachments(m.Attachments),
	}})
}

// attachments converts a message's attachments to the commands' form.
func attachments(as []*discordgo.MessageAttachment) []commands.Attachment {
	var out []commands.Attachment
	for _, a := range as {
		if a != nil {
			out = append(out, commands.Attachment{URL: a.URL, Filename: a.Filename, ContentType: a.ContentType})
		}
	}
	return out
}

// onReactionAdd handles a reaction: the summary emoji (Options.Reaction)
// on a message summarizes its links for the person who reacted, through
// the same path as auto mode, with the message's own ledger entry, so the
// message gets one reply however many react.
func (b *Bot) onReactionAdd(r *discordgo.MessageReactionAdd) {
	if r.MessageReaction == nil || r.GuildID == "" || r.UserID == "" || r.UserID == b.botUserID() {
		return
	}
	if r.Emoji.Name != b.opts.Reaction && r.Emoji.APIName() != b.opts.Reaction {
		return
	}
	if r.Member != nil && r.Member.User != nil && r.Member.User.Bot {
		return
	}
	if !b.begin() {
		return
	}
	defer b.wg.Done()
	ctx, cancel := context.WithTimeout(b.work, receiveTimeout)
	defer cancel()
	if b.h.Answered(ctx, commands.MessageEventID(r.MessageID)) {
		// Answered already (auto mode, or an earlier reaction): a flood
		// of reactions costs no REST call.
		return
	}
	m, err := b.s.ChannelMessage(r.ChannelID, r.MessageID, discordgo.WithContext(ctx))
	if err != nil {
		b.log.Warn("bot: reading a message reacted to failed", "channel", r.ChannelID, "message", r.MessageID, "reason", reason(err), "err", redact(err))
		return
	}
	if m.Author == nil || m.Author.ID == b.botUserID() {
		return
	}
	b.receive(commands.Event{Received: time.Now(), Reaction: &commands.Reaction{UserID: r.UserID, Message: commands.Message{
		ID: m.ID, ChannelID: r.ChannelID, GuildID: r.GuildID, AuthorID: m.Author.ID,
		Bot: m.Author.Bot, Webhook: m.WebhookID != "", Content: m.Content,
		InThread: b.isThread(r.ChannelID), Attachments: attachments(m.Attachments),
	}}})
}

// reply sends the replies Run returned for plan p: for a message or a
// reaction each as a reply to the message, for an interaction the first
// as an edit of the deferred response and the others as follow-ups;
// threads are started where a reply asks for one. Replies an earlier run
// of the job sent are not sent again. It then closes the event.
func (b *Bot) reply(ctx context.Context, p commands.Plan, resp commands.Response) error {
	ctx, cancelSend := sendContext(ctx)
	defer cancelSend()
	var lastErr error
	first := ""
	for n, r := range resp.Replies {
		if id, ok := b.sent(ctx, resp, n); ok {
			// Sent by an earlier run of this job.
			first = cmp.Or(first, id)
			continue
		}
		id, err := b.send(ctx, p, n, r)
		if err != nil {
			if p.Callback != nil {
				b.log.Error("bot: sending an interaction reply failed", "interaction", p.Callback.ID, "reply", n, "reason", reason(err), "err", redact(err))
			} else {
				b.log.Error("bot: sending a reply failed", "channel", p.ChannelID, "message", p.MessageID, "reply", n, "reason", reason(err), "err", redact(err))
			}
			lastErr = err
			continue
		}
		first = cmp.Or(first, id)
		if r.Thread != nil {
			b.startThread(ctx, p.GuildID, p.ChannelID, id, r.Thread)
		}
		b.recordSent(ctx, resp, n, id)
	}
	return b.closeEvent(ctx, resp.EventID, first, lastErr)
}

// send sends reply n of plan p and returns the ID of the message sent.
func (b *Bot) send(ctx context.Context, p commands.Plan, n int, r commands.Reply) (string, error) {
	var (
		msg *discordgo.Message
		err error
	)
	switch c := p.Callback; {
	case c == nil:
		msg, err = b.sendMessage(ctx, p.ChannelID, replyNonce(p.MessageID, n), &discordgo.MessageSend{
			Content:         r.Content,
			Embeds:          embeds(r.Embeds),
			AllowedMentions: safeMentions(),
			Reference:       &discordgo.MessageReference{MessageID: p.MessageID, ChannelID: p.ChannelID, GuildID: p.GuildID, FailIfNotExists: new(bool)},
		})
	case n == 0:
		content, es := r.Content, embeds(r.Embeds)
		msg, err = b.editOriginal(ctx, callback(c), &discordgo.WebhookEdit{
			Content: &content, Embeds: &es, AllowedMentions: safeMentions(),
		}, c.ViaHTTP)
	default:
		var f discordgo.MessageFlags
		if r.Ephemeral {
			f = discordgo.MessageFlagsEphemeral
		}
		msg, err = b.s.FollowupMessageCreate(callback(c), true, &discordgo.WebhookParams{
			Content: r.Content, Embeds: embeds(r.Embeds), AllowedMentions: safeMentions(), Flags: f,
		}, discordgo.WithContext(ctx))
	}
	if err != nil {
		return "", err
	}
	return msg.ID, nil
}

// callback is the interaction a Plan's replies go to, as discordgo's REST
// calls want it.
func callback(c *commands.Callback) *discordgo.Interaction {
	return &discordgo.Interaction{ID: c.ID, AppID: c.AppID, Token: c.Token, Type: discordgo.InteractionApplicationCommand}
}

// sent reports whether reply n of resp was sent by an earlier run of its
// job. An event with one reply needs no record of its own: the event's
// ledger entry is finished with it.
func (b *Bot) sent(ctx context.Context, resp commands.Response, n int) (string, bool) {
	if len(resp.Replies) < 2 {
		return "", false
	}
	return b.h.Sent(ctx, resp.EventID, n)
}

// recordSent records that reply n of resp was sent, when resp has several.
func (b *Bot) recordSent(ctx context.Context, resp commands.Response, n int, id string) {
	if len(resp.Replies) > 1 {
		b.h.RecordSent(ctx, resp.EventID, n, id)
	}
}

// closeEvent ends an event's job once its replies were sent, first being
// the first reply's message ID ("" when none could be sent) and lastErr
// the last failure. When a reply failed for a reason that may pass and
// the queue keeps jobs (Options.Durable), the event stays open and the job
// is retried: each reply sent is recorded, so the retry sends only what
// is missing. Otherwise the event is finished (or released when nothing
// was sent).
func (b *Bot) closeEvent(ctx context.Context, eventID, first string, lastErr error) error {
	if lastErr != nil && b.opts.Durable && first != "" {
		if err := sendFailure(eventID, lastErr); !errors.Is(err, queue.ErrPermanent) {
			return err
		}
	}
	b.finish(ctx, eventID, first)
	if first == "" {
		return sendFailure(eventID, lastErr)
	}
	return nil
}

// onInteractionCreate handles an application command: it plans it,
// acknowledges it at once (deferred, ephemeral when the plan says so),
// then accepts the plan; the job edits the original response, sending
// further replies as follow-ups.
func (b *Bot) onInteractionCreate(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic.Interaction == nil || ic.Type != discordgo.InteractionApplicationCommand {
		return
	}
	if !b.begin() {
		return
	}
	defer b.wg.Done()
	received := time.Now()
	i := ic.Interaction
	in := b.interaction(i)
	ackCtx, cancelAck := context.WithTimeout(b.work, discordgo.InteractionDeadline)
	p, ok := b.h.Plan(ackCtx, commands.Event{Interaction: &in, Received: received})
	if !ok {
		cancelAck()
		return
	}
	var flags discordgo.MessageFlags
	if p.Ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	err := b.s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags, AllowedMentions: safeMentions()},
	}, discordgo.WithContext(ackCtx))
	cancelAck()
	if err != nil {
		// Already acknowledged (a replayed event) or too late: nothing
		// more can be sent for it.
		b.log.Warn("bot: acknowledging an interaction failed", "interaction", i.ID, "command", in.Command, "reason", reason(err), "err", redact(err))
		return
	}
	b.acceptInteraction(p)
}

// acceptInteraction accepts the plan of an interaction already
// acknowledged. The gateway and the HTTP endpoint share it. The caller
// holds a begin.
func (b *Bot) acceptInteraction(p commands.Plan) {
	ctx, cancel := context.WithTimeout(b.work, receiveTimeout)
	defer cancel()
	b.accept(ctx, p)
}

// interaction converts a discordgo interaction to the commands' form.
func (b *Bot) interaction(i *discordgo.Interaction) commands.Interaction {
	in := commands.Interaction{
		ID: i.ID, AppID: i.AppID, Token: i.Token, GuildID: i.GuildID, ChannelID: i.ChannelID, Options: map[string]any{},
	}
	switch {
	case i.Member != nil && i.Member.User != nil:
		in.UserID, in.Permissions = i.Member.User.ID, i.Member.Permissions
	case i.User != nil:
		in.UserID = i.User.ID
	}
	in.InThread = b.isThread(i.ChannelID)
	data := i.ApplicationCommandData()
	in.Command = data.Name
	opts := data.Options
	if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		in.Subcommand = opts[0].Name
		opts = opts[0].Options
	}
	for _, o := range opts {
		switch o.Type {
		case discordgo.ApplicationCommandOptionBoolean:
			if v, ok := o.Value.(bool); ok {
				in.Options[o.Name] = v
			}
		case discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionChannel:
			if v, ok := o.Value.(string); ok {
				in.Options[o.Name] = v
			}
		default:
			in.Options[o.Name] = fmt.Sprint(o.Value)
		}
	}
	if data.TargetID != "" && data.Resolved != nil {
		if m := data.Resolved.Messages[data.TargetID]; m != nil {
			in.TargetContent = m.Content
			in.TargetAttachments = attachments(m.Attachments)
		}
	}
	return in
}

// sendContext returns the context to send replies with: ctx itself while
// it lives, or, when the work was cancelled (shutdown), a short-lived one,
// so the user still learns that the request was interrupted instead of
// watching "thinking..." until the interaction expires.
func sendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
}
