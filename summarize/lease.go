package summarize

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"time"
)

// DefaultLeaseTTL is how long a page's lease lasts without a renewal: the
// holder renews it while it works (every third of the TTL), so a holder
// that died blocks the others for at most this.
const DefaultLeaseTTL = 10 * time.Second

// leasePoll is how often a process waiting for another's brief looks in
// the cache.
const leasePoll = 150 * time.Millisecond

// ErrInProgress is what Summarize returns when its deadline came while
// another request, here or in another process, was still making the
// brief: the work is not lost, the brief lands in the cache, and asking
// again later serves it.
var ErrInProgress = errors.New("summarize: the brief of this page is still being made")

// lease makes this process the one that summarizes key across every
// process sharing the cache, or waits for the brief of the process that
// is, as long as ctx lives: a live holder renews its lease, so the wait
// ends with its brief, with the lease when the holder died (within one
// TTL), or with ErrInProgress when ctx ends first. It returns the release
// function to call when the work is done. Without a Lease or a cache, or
// when the lease store fails, it returns at once and the caller does the
// work: a failing lock must cost a duplicate call, not a brief.
func (s *Service) lease(ctx context.Context, key string) (release func(), done *Brief, err error) {
	nothing := func() {}
	if s.opts.Lease == nil || s.cache == nil {
		return nothing, nil, nil
	}
	owner := rand.Text()
	lkey := "brief\x1f" + key
	for {
		ok, err := s.opts.Lease.AcquireLease(ctx, lkey, owner, s.opts.LeaseTTL)
		if err != nil {
			if ctx.Err() != nil {
				return nothing, nil, ErrInProgress
			}
			s.log.Warn("lease unavailable, summarizing without it", "err", err)
			return nothing, nil, nil
		}
		if ok {
			stop := s.heartbeat(context.WithoutCancel(ctx), lkey, owner)
			release = func() {
				stop()
				// Past one TTL the lease has lapsed anyway: a lease
				// store that does not answer must not hold the work.
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.LeaseTTL)
				defer cancel()
				if err := s.opts.Lease.ReleaseLease(rctx, lkey, owner); err != nil {
					s.log.Warn("lease release failed", "err", err)
				}
			}
			// The previous holder may have stored the brief just
			// before letting go.
			if b := s.cachedBrief(ctx, key); b != nil {
				release()
				b.Cached = true
				return nothing, b, nil
			}
			return release, nil, nil
		}
		if b := s.cachedBrief(ctx, key); b != nil {
			b.Cached = true
			return nothing, b, nil
		}
		select {
		case <-ctx.Done():
			return nothing, nil, ErrInProgress
		case <-time.After(leasePoll):
		}
	}
}

// heartbeat renews the lease on lkey every third of its TTL until the
// returned stop is called, so the lease outlives slow work but not a
// dead process.
func (s *Service) heartbeat(ctx context.Context, lkey, owner string) (stop func()) {
	return Heartbeat(ctx, s.opts.Lease, lkey, owner, s.opts.LeaseTTL, s.log)
}

// Heartbeat renews owner's lease on key in l every third of ttl until
// the returned stop is called or ctx ends, so the lease outlives slow
// work but not a dead process: one whose holder died lapses within ttl.
// It stops by itself, with a warning on log, when the lease was lost to
// another owner. stop waits for the renewals to end.
func Heartbeat(ctx context.Context, l Lease, key, owner string, ttl time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			rctx, rcancel := context.WithTimeout(ctx, ttl/3)
			ok, err := l.AcquireLease(rctx, key, owner, ttl)
			rcancel()
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("lease renewal failed", "err", err)
			case err == nil && !ok:
				log.Warn("lease lost to another owner while working", "key", key)
				return
			}
		}
	}()
	return func() { cancel(); <-done }
}
