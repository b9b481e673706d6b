package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/linkbrief/linkbrief/commands"
	"github.com/linkbrief/linkbrief/queue"
)

// Queue runs the slow part of each event (summarizing, sending the replies,
// starting the thread) as a job; *queue.Pool and *queue.River are the real
// ones. Accept claims the event in the reply ledger and adds its job
// together (River: in one transaction), so a crash between the two cannot
// lose an event. A job may run in another process than the one that
// received the event, so its payload carries all it needs.
type Queue interface {
	Accept(ctx context.Context, kind, eventID string, payload []byte) (claimed bool, err error)
	Start(ctx context.Context, work queue.Work) error
	Stop(ctx context.Context) error
}

// Job kinds: an event's job carries its commands.Plan as JSON, whatever
// the kind; the kind names the event for the queue's logs and metrics.
const (
	jobMessage     = "message"
	jobInteraction = "interaction"
)

// receiveTimeout bounds the work at receipt: the plan, the ledger claim
// and the enqueue.
const receiveTimeout = 15 * time.Second

// maxEventAge bounds how long an event is worked on: an interaction's
// token lasts 15 minutes, after which nothing can be sent for it, and a
// brief still not made by then will not be awaited longer for a message
// either.
const maxEventAge = 15 * time.Minute

// replyReserve is the part of a job's time kept for sending the replies
// once the work is done: the work's deadline is this much before the
// job's.
func replyReserve(left time.Duration) time.Duration {
	return min(5*time.Second, left/5)
}

// startQueue starts the queue's workers; Run and RunWithoutGateway call it.
func (b *Bot) startQueue() error {
	if err := b.q.Start(context.Background(), b.runJob); err != nil {
		return fmt.Errorf("bot: starting the job queue: %w", err)
	}
	return nil
}

// stopQueue stops the queue: running jobs may finish until deadline, then
// they are cancelled (a River job is retried later, here or elsewhere).
func (b *Bot) stopQueue(deadline time.Time) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := b.q.Stop(ctx); err != nil {
		b.log.Error("bot: stopping the job queue", "err", err)
	}
}

// receive plans a message or a reaction and accepts the plan when the
// event needs a reply. The caller holds a begin.
func (b *Bot) receive(ev commands.Event) {
	ctx, cancel := context.WithTimeout(b.work, receiveTimeout)
	defer cancel()
	p, ok := b.h.Plan(ctx, ev)
	if !ok {
		return
	}
	b.accept(ctx, p)
}

// accept claims a planned event in the reply ledger and enqueues its job
// in one step (Queue.Accept), so a copy of the event (a replay, or a
// second process during a shard hand-off) is dropped here. When the queue
// fails (its database is down), the job runs here and now: a late reply
// beats none. The caller holds a begin.
func (b *Bot) accept(ctx context.Context, p commands.Plan) {
	kind := jobMessage
	if p.Callback != nil {
		kind = jobInteraction
	}
	payload, err := json.Marshal(p)
	if err != nil {
		b.log.Error("bot: encoding a job", "event", p.EventID, "err", err)
		return
	}
	claimed, err := b.q.Accept(ctx, kind, p.EventID, payload)
	switch {
	case err == nil && claimed:
	case err == nil:
		b.log.Debug("bot: event already accepted", "event", p.EventID)
	default:
		b.log.Warn("bot: the job queue refused an event; handling it here", "event", p.EventID, "err", redact(err))
		b.runHere(ctx, p.EventID, kind, payload)
	}
}

// runHere runs the job of an event the queue could not take, in this
// process. A job asking to be snoozed (its brief still being made
// elsewhere) runs again after its wait, as the queue would have run it,
// until it is answered: runJob gives up on its own 15 minutes after the
// event. A shutdown ends the waiting.
func (b *Bot) runHere(ctx context.Context, eventID, kind string, payload []byte) {
	for {
		err := b.runJob(context.WithoutCancel(ctx), kind, payload)
		var snooze *queue.SnoozeError
		if !errors.As(err, &snooze) {
			if err != nil {
				b.log.Error("bot: handling an event failed", "event", eventID, "err", redact(err))
			}
			return
		}
		t := time.NewTimer(snooze.Wait)
		select {
		case <-b.work.Done():
			t.Stop()
			b.log.Warn("bot: shutdown before an event handled here was answered", "event", eventID)
			return
		case <-t.C:
		}
	}
}

// runJob is the queue's Work: it answers one event, in whatever process
// the queue runs it, unless the reply ledger shows it answered already. It
// returns an error, so the queue retries, only when replies were due and
// none could be sent for a reason that may pass (Discord unavailable); a
// payload that does not decode, or an interaction whose token has
// expired, is permanent.
func (b *Bot) runJob(ctx context.Context, kind string, payload []byte) error {
	ctx, cancel := context.WithTimeout(ctx, b.opts.EventTimeout)
	defer cancel()
	var p commands.Plan
	if err := json.Unmarshal(payload, &p); err != nil {
		return queue.Permanent(fmt.Errorf("bot: %s job: bad payload: %w", kind, err))
	}
	if p.EventID == "" {
		// Not a Plan: a job enqueued by a version before Plans.
		return queue.Permanent(fmt.Errorf("bot: %s job: the payload is no plan of an event", kind))
	}
	if c := p.Callback; c != nil {
		if c.ID == "" || c.AppID == "" || c.Token == "" {
			return queue.Permanent(fmt.Errorf("bot: %s job: no interaction to answer", kind))
		}
		if !p.Received.IsZero() && time.Since(p.Received) >= maxEventAge {
			// Its token is dead: nothing could be sent, so nothing is
			// worked on.
			return queue.Permanent(fmt.Errorf("bot: interaction %s arrived %v ago; its token has expired", c.ID, time.Since(p.Received).Round(time.Second)))
		}
	}
	if b.h.Answered(ctx, p.EventID) {
		return nil
	}
	wctx, cancelWork := workContext(ctx)
	resp := b.h.Run(wctx, p)
	cancelWork()
	if b.interrupted(ctx) {
		return errInterrupted
	}
	if resp.Retry > 0 {
		if p.Callback == nil {
			// Still being made: show it, and look again later. An
			// interaction's deferred response shows "thinking..." meanwhile.
			if err := b.s.ChannelTyping(p.ChannelID, discordgo.WithContext(ctx)); err != nil {
				b.log.Debug("bot: typing indicator failed", "channel", p.ChannelID, "err", redact(err))
			}
		}
		err := b.later(resp, p.Received)
		if !errors.Is(err, errStale) {
			return err
		}
		resp.Replies = []commands.Reply{{Ephemeral: p.Ephemeral, Content: commands.Text("Sorry, that brief is taking far too long; please try again later.")}}
	}
	return b.reply(ctx, p, resp)
}

// workContext returns the context of an event's work: ctx with its
// deadline brought forward by the replies' reserve, so that work that runs
// out of time (the model's brief becoming the offline one) still leaves
// time to send.
func workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-replyReserve(time.Until(dl))))
}

// later decides what follows a Response asking to be handled again
// (Response.Retry): a snooze of the job while the event is young enough;
// errStale past maxEventAge.
func (b *Bot) later(resp commands.Response, received time.Time) error {
	if !received.IsZero() && time.Since(received)+resp.Retry >= maxEventAge {
		return errStale
	}
	return queue.Snooze(resp.Retry)
}

// errStale says an event's brief was still not made maxEventAge after it
// arrived.
var errStale = errors.New("bot: the brief was still not made 15 minutes after the event")

// interrupted reports whether the work of a job was cancelled by a
// shutdown while its queue keeps jobs (River): the job then goes back to
// the queue for a live process instead of answering "interrupted".
func (b *Bot) interrupted(ctx context.Context) bool {
	return b.opts.Durable && errors.Is(ctx.Err(), context.Canceled)
}

// errInterrupted is the error of a job interrupted by a shutdown: River
// runs it again, here after a restart or in another process.
var errInterrupted = errors.New("bot: interrupted by a shutdown; the job goes back to the queue")

// sendFailure is the error runJob returns when no reply of an event could
// be sent: retryable unless Discord refused for good (a 4xx other than
// 429: missing access, unknown channel, expired token).
func sendFailure(eventID string, err error) error {
	if err == nil {
		return nil
	}
	e := fmt.Errorf("bot: no reply to event %s could be sent: %s", eventID, redact(err))
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		if s := re.Response.StatusCode; s >= 400 && s < 500 && s != http.StatusTooManyRequests {
			return queue.Permanent(e)
		}
	}
	return e
}
