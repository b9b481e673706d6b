package summarize

import (
	"context"
	"crypto/rand"
	"time"
)

// leasePoll is how often a process waiting for another's brief looks in
// the cache.
const leasePoll = 150 * time.Millisecond

// lease makes this process the one that summarizes key across every
// process sharing the cache, or waits for the brief of the process that
// is. It returns the release function to call when the work is done and,
// when another process finished first, its brief. Without a Lease or a
// cache, or when the lease store fails, it returns at once and the caller
// does the work: a failing lock must cost a duplicate call, not a brief.
func (s *Service) lease(ctx context.Context, key string) (release func(), done *Brief) {
	nothing := func() {}
	if s.opts.Lease == nil || s.cache == nil {
		return nothing, nil
	}
	owner := rand.Text()
	lkey := "brief\x1f" + key
	deadline := time.Now().Add(s.opts.LeaseTTL + leasePoll)
	for {
		ok, err := s.opts.Lease.AcquireLease(ctx, lkey, owner, s.opts.LeaseTTL)
		if err != nil {
			s.log.Warn("lease unavailable, summarizing without it", "err", err)
			return nothing, nil
		}
		if ok {
			release = func() {
				if err := s.opts.Lease.ReleaseLease(context.WithoutCancel(ctx), lkey, owner); err != nil {
					s.log.Warn("lease release failed", "err", err)
				}
			}
			// The previous holder may have stored the brief just
			// before letting go.
			if b := s.cachedBrief(ctx, key); b != nil {
				release()
				b.Cached = true
				return nothing, b
			}
			return release, nil
		}
		if b := s.cachedBrief(ctx, key); b != nil {
			b.Cached = true
			return nothing, b
		}
		if time.Now().After(deadline) {
			s.log.Warn("waited a whole lease for another process's brief; summarizing here")
			return nothing, nil
		}
		select {
		case <-ctx.Done():
			return nothing, nil
		case <-time.After(leasePoll):
		}
	}
}
