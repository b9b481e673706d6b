package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultPoolCapacity is how many jobs a Pool holds waiting before Enqueue
// refuses more.
const DefaultPoolCapacity = 1024

// recentEvents is how many finished event IDs a Pool remembers to refuse
// duplicates of; the reply ledger covers older ones.
const recentEvents = 4096

// Pool is the in-process queue: a bounded set of workers and a bounded
// backlog, with retries and per-event uniqueness kept in memory. Jobs do not
// survive the process. It is safe for concurrent use.
type Pool struct {
	opts  Options
	jobs  chan poolJob
	quit  chan struct{}
	wg    sync.WaitGroup
	retry sync.WaitGroup

	mu       sync.Mutex
	started  bool
	stopping bool
	work     Work
	run      context.Context
	cancel   context.CancelFunc
	known    map[string]bool // event ID -> true while queued or running, false once done
	done     []string        // finished event IDs, oldest first, at most recentEvents
	timers   map[*time.Timer]struct{}
}

type poolJob struct {
	kind, eventID string
	payload       []byte
	attempt       int // runs so far
}

// NewPool returns a stopped Pool; Start runs it. Options.RescueAfter and
// PollInterval do not apply.
func NewPool(opts Options) *Pool {
	opts = opts.withDefaults()
	return &Pool{
		opts:   opts,
		jobs:   make(chan poolJob, DefaultPoolCapacity),
		quit:   make(chan struct{}),
		known:  map[string]bool{},
		timers: map[*time.Timer]struct{}{},
	}
}

// Enqueue adds a job, or refuses it: ErrDuplicate when eventID has one
// already, ErrStopped once Stop began, and an error when the backlog is
// full. It never blocks.
func (p *Pool) Enqueue(ctx context.Context, kind, eventID string, payload []byte) error {
	if err := validate(kind, eventID); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return ErrStopped
	}
	if _, ok := p.known[eventID]; ok {
		return fmt.Errorf("%w: %s", ErrDuplicate, eventID)
	}
	select {
	case p.jobs <- poolJob{kind: kind, eventID: eventID, payload: payload}:
		p.known[eventID] = true
		return nil
	default:
		return fmt.Errorf("queue: %d jobs are already waiting; refusing event %s", cap(p.jobs), eventID)
	}
}

// Accept claims eventID in Options.Ledger, then enqueues its job; when the
// enqueue fails, or finds a job for the event already, it releases the
// claim. Unlike River's, the two steps are not one transaction: the
// pool's jobs die with the process anyway.
func (p *Pool) Accept(ctx context.Context, kind, eventID string, payload []byte) (bool, error) {
	if err := validate(kind, eventID); err != nil {
		return false, err
	}
	if p.opts.Ledger != nil {
		ok, err := p.opts.Ledger.ClaimEvent(ctx, eventID)
		if err != nil {
			return false, fmt.Errorf("queue: accept %s: %w", eventID, err)
		}
		if !ok {
			return false, nil
		}
	}
	err := p.Enqueue(ctx, kind, eventID, payload)
	if err == nil {
		return true, nil
	}
	if p.opts.Ledger != nil {
		// Even when ctx ended, but within a deadline of its own: a ledger
		// that does not answer must not hang the event's receipt.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		if rerr := p.opts.Ledger.ReleaseEvent(rctx, eventID); rerr != nil {
			p.opts.Logger.Warn("queue: releasing a claim failed", "event", eventID, "err", rerr)
		}
		cancel()
	}
	if errors.Is(err, ErrDuplicate) {
		return false, nil
	}
	return false, err
}

// Start runs the workers. ctx only lends its values to the jobs: Stop, not
// cancelling ctx, ends the pool.
func (p *Pool) Start(ctx context.Context, work Work) error {
	if work == nil {
		return errors.New("queue: no work function")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return ErrStopped
	}
	if p.started {
		return errors.New("queue: already started")
	}
	p.started, p.work = true, work
	p.run, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	for range p.opts.Workers {
		p.wg.Add(1)
		go p.worker()
	}
	return nil
}

// Stop stops taking jobs (those still waiting are dropped), waits for the
// running ones until ctx ends, then cancels them and waits up to three
// seconds more. It reports an error when some did not return.
func (p *Pool) Stop(ctx context.Context) error {
	p.mu.Lock()
	if p.stopping {
		p.mu.Unlock()
		return nil
	}
	p.stopping = true
	close(p.quit)
	for t := range p.timers {
		if t.Stop() {
			p.retry.Done()
		}
	}
	clear(p.timers)
	started := p.started
	p.mu.Unlock()
	if !started {
		return nil
	}
	idle := make(chan struct{})
	go func() {
		p.wg.Wait()
		p.retry.Wait()
		close(idle)
	}()
	defer p.cancel()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
	}
	p.cancel()
	select {
	case <-idle:
		return nil
	case <-time.After(stopAfter):
		return errors.New("queue: jobs still running after cancellation")
	}
}

// Depth counts the jobs waiting for a worker.
func (p *Pool) Depth(ctx context.Context) (int, error) {
	return len(p.jobs), nil
}

func (p *Pool) worker() {
	defer p.wg.Done()
	for {
		// Quit takes precedence over waiting jobs.
		select {
		case <-p.quit:
			return
		default:
		}
		select {
		case <-p.quit:
			return
		case j := <-p.jobs:
			p.runJob(j)
		}
	}
}

// runJob runs one attempt of j and decides what follows.
func (p *Pool) runJob(j poolJob) {
	j.attempt++
	ctx, cancel := context.WithTimeout(p.run, p.opts.JobTimeout)
	err := safeRun(ctx, p.work, j.kind, j.payload)
	cancel()
	var snooze *SnoozeError
	switch {
	case err == nil:
		p.finish(j.eventID)
	case errors.As(err, &snooze):
		j.attempt--
		p.opts.Logger.Info("queue: job snoozed", "kind", j.kind, "event", j.eventID, "wait", snooze.Wait)
		p.after(j, snooze.Wait)
	case errors.Is(err, ErrPermanent):
		p.opts.Logger.Warn("queue: job failed for good", "kind", j.kind, "event", j.eventID, "err", err)
		p.finish(j.eventID)
	case j.attempt >= p.opts.MaxAttempts:
		p.opts.Logger.Warn("queue: job failed; giving up", "kind", j.kind, "event", j.eventID, "attempts", j.attempt, "err", err)
		p.forget(j.eventID)
	default:
		p.opts.Logger.Warn("queue: job failed; retrying", "kind", j.kind, "event", j.eventID, "attempt", j.attempt, "err", err)
		p.later(j)
	}
}

// later requeues j after its backoff, unless the pool stops first.
func (p *Pool) later(j poolJob) {
	wait := p.opts.RetryBackoff
	for range j.attempt - 1 {
		wait *= 4
	}
	p.after(j, wait)
}

// after requeues j after wait, unless the pool stops first.
func (p *Pool) after(j poolJob, wait time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return
	}
	p.retry.Add(1)
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
		defer p.retry.Done()
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.timers, t)
		if p.stopping {
			return
		}
		select {
		case p.jobs <- j:
		default:
			p.opts.Logger.Warn("queue: backlog full; dropping a retry", "kind", j.kind, "event", j.eventID)
			delete(p.known, j.eventID)
		}
	})
	p.timers[t] = struct{}{}
}

// finish remembers eventID as done, so a duplicate is still refused.
func (p *Pool) finish(eventID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.known[eventID] = false
	p.done = append(p.done, eventID)
	if len(p.done) > recentEvents {
		old := p.done[0]
		p.done = p.done[1:]
		if running, ok := p.known[old]; ok && !running {
			delete(p.known, old)
		}
	}
}

// forget drops eventID, so the event may be enqueued again.
func (p *Pool) forget(eventID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.known, eventID)
}

// safeRun runs work, turning a panic into an error: a bad job must not take
// the process down.
func safeRun(ctx context.Context, work Work, kind string, payload []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("queue: job %s panicked: %v", kind, r)
		}
	}()
	return work(ctx, kind, payload)
}
