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
// ones. A job may run in another process than the one that received the
// event, so its payload carries all it needs.
type Queue interface {
	Enqueue(ctx context.Context, kind, eventID string, payload []byte) error
	Start(ctx context.Context, work queue.Work) error
	Stop(ctx context.Context) error
}

// Job kinds.
const (
	jobMessage     = "message"
	jobInteraction = "interaction"
)

// receiveTimeout bounds the work at receipt: the ledger claim and the
// enqueue.
const receiveTimeout = 15 * time.Second

// messageJob is the payload of a message's job.
type messageJob struct {
	Message commands.Message `json:"message"`
	// Received is when the event arrived; zero in jobs enqueued by older
	// versions.
	Received time.Time `json:"received,omitzero"`
}

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

// interactionJob is the payload of an interaction's job: what the REST
// calls need (ID, application ID and token; the token is valid for 15
// minutes), the interaction as commands see it and how it was
// acknowledged.
type interactionJob struct {
	ID          string               `json:"id"`
	AppID       string               `json:"app_id"`
	Token       string               `json:"token"`
	Interaction commands.Interaction `json:"interaction"`
	Ack         commands.Ack         `json:"ack"`
	ViaHTTP     bool                 `json:"via_http,omitempty"`
	// Received is when the interaction arrived; its token dies 15
	// minutes later.
	Received time.Time `json:"received,omitzero"`
}

// defaultQueue is the queue of a Bot given none: an in-process pool of
// Options.Workers running each event once, as the bot always did.
func defaultQueue(opts Options) Queue {
	return queue.NewPool(queue.Options{
		Workers: opts.Workers, MaxAttempts: 1, JobTimeout: opts.EventTimeout, Logger: opts.Logger,
	})
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

// receiveMessage claims a message that needs a reply and enqueues its job.
// The caller holds a begin.
func (b *Bot) receiveMessage(m commands.Message) {
	ctx, cancel := context.WithTimeout(b.work, receiveTimeout)
	defer cancel()
	eventID, ok := b.h.AcceptMessage(ctx, m)
	if !ok {
		return
	}
	b.enqueue(ctx, jobMessage, eventID, messageJob{Message: m, Received: time.Now()})
}

// receiveInteraction claims an acknowledged interaction and enqueues its
// job. The caller holds a begin.
func (b *Bot) receiveInteraction(i *discordgo.Interaction, in commands.Interaction, ack commands.Ack, viaHTTP bool) {
	ctx, cancel := context.WithTimeout(b.work, receiveTimeout)
	defer cancel()
	eventID, ok := b.h.AcceptInteraction(ctx, in)
	if !ok {
		return
	}
	b.enqueue(ctx, jobInteraction, eventID, interactionJob{
		ID: i.ID, AppID: i.AppID, Token: i.Token, Interaction: in, Ack: ack, ViaHTTP: viaHTTP,
		Received: time.Now(),
	})
}

// enqueue adds the job of a claimed event. When the queue refuses it for
// any reason but a duplicate (its database is down), the job runs here and
// now: a late reply beats none.
func (b *Bot) enqueue(ctx context.Context, kind, eventID string, job any) {
	payload, err := json.Marshal(job)
	if err != nil {
		b.log.Error("bot: encoding a job", "event", eventID, "err", err)
		return
	}
	err = b.q.Enqueue(ctx, kind, eventID, payload)
	switch {
	case err == nil:
	case errors.Is(err, queue.ErrDuplicate):
		b.log.Debug("bot: event already queued", "event", eventID)
	default:
		b.log.Warn("bot: the job queue refused an event; handling it here", "event", eventID, "err", redact(err))
		if err := b.runJob(context.WithoutCancel(ctx), kind, payload); err != nil {
			b.log.Error("bot: handling an event failed", "event", eventID, "err", redact(err))
		}
	}
}

// runJob is the queue's Work: it answers one event, in whatever process
// the queue runs it. It returns an error, so the queue retries, only when
// replies were due and none could be sent for a reason that may pass
// (Discord unavailable); a payload that does not decode is permanent.
func (b *Bot) runJob(ctx context.Context, kind string, payload []byte) error {
	ctx, cancel := context.WithTimeout(ctx, b.opts.EventTimeout)
	defer cancel()
	switch kind {
	case jobMessage:
		var j messageJob
		if err := json.Unmarshal(payload, &j); err != nil || j.Message.ID == "" {
			return queue.Permanent(fmt.Errorf("bot: message job: bad payload: %v", err))
		}
		return b.answerMessage(ctx, j.Message, j.Received)
	case jobInteraction:
		var j interactionJob
		if err := json.Unmarshal(payload, &j); err != nil || j.ID == "" || j.Token == "" || j.AppID == "" {
			return queue.Permanent(fmt.Errorf("bot: interaction job: bad payload: %v", err))
		}
		if !j.Received.IsZero() && time.Since(j.Received) >= maxEventAge {
			// Its token is dead: nothing could be sent, so nothing is
			// worked on.
			return queue.Permanent(fmt.Errorf("bot: interaction %s arrived %v ago; its token has expired", j.ID, time.Since(j.Received).Round(time.Second)))
		}
		i := &discordgo.Interaction{ID: j.ID, AppID: j.AppID, Token: j.Token, Type: discordgo.InteractionApplicationCommand}
		return b.runInteraction(ctx, i, j.Interaction, j.Ack, j.ViaHTTP, j.Received)
	}
	return queue.Permanent(fmt.Errorf("bot: unknown job kind %q", kind))
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
func (b *Bot) later(resp *commands.Response, received time.Time) error {
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
	return b.opts.Queue != nil && errors.Is(ctx.Err(), context.Canceled)
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
