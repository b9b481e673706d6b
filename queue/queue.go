// Package queue runs Linkbrief's slow work (summarizing a link and sending
// the replies for one Discord event) as jobs: at most one job per source
// event, retried with backoff when it fails for a transient reason, and
// stopped gracefully on shutdown.
//
// Two implementations share one contract. Pool is an in-process worker
// pool: the single-binary default, where jobs live in memory and die with
// the process. River keeps jobs in a database through River
// (riverqueue/river, the only importer of it): on PostgreSQL when Linkbrief
// is scaled across processes, and on SQLite for a single machine. With River
// a job outlives the process that enqueued it: work interrupted by a crash
// is rescued and run by another process once its job timeout has passed
// (see RescueTimings).
//
// A job names the work it stands for with a kind ("message",
// "interaction"...) and an event ID, and carries an opaque payload. The
// Work function given to Start runs it; it must not rely on memory of the
// process that enqueued it, because with River any process may run it.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Work runs one job: the kind and payload given to Enqueue. A nil error
// completes the job. An error wrapping ErrPermanent ends it without
// retrying; a SnoozeError (Snooze) runs it again after its wait without
// counting an attempt; any other error is retried with backoff until the job has run
// MaxAttempts times. ctx ends at the job timeout, or when Stop gives up
// waiting.
type Work func(ctx context.Context, kind string, payload []byte) error

// Queue is the contract both implementations keep; consumers declare the
// part they use.
type Queue interface {
	// Enqueue adds a job for eventID. A second job for the same eventID,
	// while the first is waiting, running or recently done, is refused
	// with an error wrapping ErrDuplicate.
	Enqueue(ctx context.Context, kind, eventID string, payload []byte) error
	// Accept claims eventID in the reply ledger and adds its job, both or
	// neither: false when the event was claimed (or has a job) already,
	// an error when neither could be done.
	Accept(ctx context.Context, kind, eventID string, payload []byte) (claimed bool, err error)
	// Start begins running jobs with work. A queue starts once.
	Start(ctx context.Context, work Work) error
	// Stop stops taking jobs, waits for running ones until ctx ends, then
	// cancels them and waits a little longer for them to return.
	Stop(ctx context.Context) error
	// Depth counts the jobs waiting to run (not those running).
	Depth(ctx context.Context) (int, error)
}

var (
	_ Queue = (*Pool)(nil)
	_ Queue = (*River)(nil)
)

// ErrDuplicate is returned by Enqueue when the event already has a job.
var ErrDuplicate = errors.New("queue: the event already has a job")

// ErrPermanent marks a Work error that retrying cannot fix, such as a
// payload that does not decode; wrap it with Permanent.
var ErrPermanent = errors.New("queue: permanent failure")

// ErrStopped is returned by Enqueue and Start once the queue is stopping.
var ErrStopped = errors.New("queue: stopped")

// Permanent wraps err so that the job ends without further attempts.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

// SnoozeError is a Work error asking for the job to run again after Wait,
// without counting as a failed attempt: its work is still going on (in
// this process or another) and will be ready then. Make it with Snooze.
type SnoozeError struct {
	Wait time.Duration
}

func (e *SnoozeError) Error() string {
	return fmt.Sprintf("queue: job snoozed for %v: its work is still going on", e.Wait)
}

// Snooze asks for the job to run again after wait (at least one second).
func Snooze(wait time.Duration) error {
	return &SnoozeError{Wait: max(wait, time.Second)}
}

// Default tunables; the zero value of each Options field means these.
const (
	// DefaultWorkers is how many jobs run at once in one process.
	DefaultWorkers = 8
	// DefaultMaxAttempts is how many times a job runs before it is given up.
	DefaultMaxAttempts = 3
	// DefaultJobTimeout bounds one run of a job: summarize.Service's
	// default fetch (15 s) and model call (60 s), less the rescue margin
	// RescueTimings takes off.
	DefaultJobTimeout = 68 * time.Second
)

// Options tunes a queue; the zero value of each field means the default
// noted.
type Options struct {
	// Workers caps the jobs this process runs at once; default
	// DefaultWorkers.
	Workers int
	// MaxAttempts caps how many times a job runs; default
	// DefaultMaxAttempts (1 means no retry).
	MaxAttempts int
	// JobTimeout bounds one run of a job: its context ends then; default
	// DefaultJobTimeout.
	JobTimeout time.Duration
	// RescueAfter is how long after a run began River takes the job for
	// stuck (its process died) and runs it again elsewhere; it must be
	// longer than JobTimeout; default JobTimeout plus one second. The
	// pool ignores it: its jobs die with the process.
	RescueAfter time.Duration
	// RetryBackoff is the pool's wait before the second attempt, growing
	// four times with each further one; default one second. River uses
	// its own schedule (1 s, 16 s, 81 s...).
	RetryBackoff time.Duration
	// PollInterval is how often River looks for new jobs besides being
	// notified of them; default one second.
	PollInterval time.Duration
	// Logger receives job failures; default discards.
	Logger *slog.Logger
	// Ledger is where the pool's Accept claims events (River's comes
	// with its database, TxLedger); nil: the pool's own memory of events
	// is the only claim.
	Ledger Ledger
}

// Ledger is a reply ledger claimed outside any transaction; *store.DB is
// one.
type Ledger interface {
	ClaimEvent(ctx context.Context, eventID string) (bool, error)
	ReleaseEvent(ctx context.Context, eventID string) error
}

// River's fixed maintenance cadence (v0.51.2): the leader looks for stuck
// jobs every rescuerInterval, and moves rescued (retryable) jobs back to
// available every schedulerInterval. Neither is configurable, so
// RescueTimings budgets for them.
const (
	rescuerInterval   = 30 * time.Second
	schedulerInterval = 5 * time.Second
	// pickupSlack covers River's first retry delay after a rescue (about
	// one second) and its fetch poll.
	pickupSlack = time.Second
)

// MinRescueBound is the longest pickup of a rescued job whatever the
// timeouts: the shortest JobTimeout (10 s) and RescueAfter (11 s), River's
// rescuer round (30 s), its scheduler round (5 s) and a second of retry
// delay and polling.
const MinRescueBound = 47 * time.Second

// RescueTimings derives a River queue's JobTimeout and RescueAfter from the
// pipeline's own timeouts (fetch.timeout and llm.timeout) so that DESIGN's
// guarantee holds: work interrupted by a crashed process is picked up by
// another within fetchTimeout + llmTimeout + 30 s. River notices a stuck job
// only on its rescuer's round (every 30 s) and requeues it on its
// scheduler's (every 5 s), so a job may run for the sum of the two
// timeouts less about six seconds; a run that takes longer is cancelled
// and retried. JobTimeout is never under ten seconds, so when the two
// timeouts add up to less than 17 s the pickup may take up to
// MinRescueBound instead.
func RescueTimings(fetchTimeout, llmTimeout time.Duration) (jobTimeout, rescueAfter time.Duration) {
	budget := fetchTimeout + llmTimeout + 30*time.Second
	rescueAfter = budget - rescuerInterval - schedulerInterval - pickupSlack
	jobTimeout = rescueAfter - time.Second
	if jobTimeout < 10*time.Second {
		jobTimeout = 10 * time.Second
		rescueAfter = jobTimeout + time.Second
	}
	return jobTimeout, rescueAfter
}

// withDefaults fills the zero fields of o.
func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = DefaultJobTimeout
	}
	if o.RescueAfter <= o.JobTimeout {
		o.RescueAfter = o.JobTimeout + time.Second
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = time.Second
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// validate checks what Enqueue is given.
func validate(kind, eventID string) error {
	if kind == "" {
		return errors.New("queue: empty job kind")
	}
	if eventID == "" {
		return errors.New("queue: empty event ID")
	}
	return nil
}

// releaseTimeout bounds giving back a claim whose job could not be added.
const releaseTimeout = 5 * time.Second

// stopAfter is how long Stop waits for cancelled work to return after the
// caller's context ended.
const stopAfter = 3 * time.Second
