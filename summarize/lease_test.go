package summarize

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/llm"
)

// memLease is an in-memory Lease shared by the Services of a test, as a
// database or Redis is shared by processes.
type memLease struct {
	mu      sync.Mutex
	holders map[string]string
	expires map[string]time.Time
	fail    error
}

func newMemLease() *memLease {
	return &memLease{holders: map[string]string{}, expires: map[string]time.Time{}}
}

func (l *memLease) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return false, l.fail
	}
	if h, ok := l.holders[key]; ok && h != owner && time.Now().Before(l.expires[key]) {
		return false, nil
	}
	l.holders[key], l.expires[key] = owner, time.Now().Add(ttl)
	return true, nil
}

func (l *memLease) ReleaseLease(ctx context.Context, key, owner string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holders[key] == owner {
		delete(l.holders, key)
	}
	return nil
}

// TestLeaseAcrossProcesses stands two Services, as two processes, on one
// cache and one lease: concurrent requests for one page cost one fetch and
// one model call, and every caller gets the brief.
func TestLeaseAcrossProcesses(t *testing.T) {
	f := &fakeFetcher{pages: map[string]string{"https://gazette.example/news/bridge": storyHTML}, delay: 100 * time.Millisecond}
	l := &fakeLLM{summary: func(in llm.Input) (*llm.Summary, error) {
		return &llm.Summary{Summary: "Bridge approved.", Claims: []llm.Claim{{Claim: "7-2", Quote: "voted seven to two on Tuesday"}}}, nil
	}}
	c, lease := newMemCache(), newMemLease()
	var procs []*Service
	for range 3 {
		procs = append(procs, New(f, c, Options{LLM: l, Model: "m", Lease: lease, Extract: extract.Options{MinWords: 20}}))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Go(func() {
			b, err := procs[i%3].Summarize(context.Background(), storyURL, Request{})
			if err == nil && b.Summary != "Bridge approved." {
				err = errors.New("wrong summary " + b.Summary)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("fetches = %d across 3 processes, want 1", n)
	}
	if n := l.calls.Load(); n != 1 {
		t.Errorf("model calls = %d across 3 processes, want 1", n)
	}
	if len(lease.holders) != 0 {
		t.Errorf("leases left held: %v", lease.holders)
	}
}

// TestLeaseFailureStillSummarizes: a broken lease store costs a duplicate
// call at worst, never a brief.
func TestLeaseFailureStillSummarizes(t *testing.T) {
	f := &fakeFetcher{pages: map[string]string{"https://gazette.example/news/bridge": storyHTML}}
	lease := newMemLease()
	lease.fail = errors.New("redis down")
	s := New(f, newMemCache(), Options{Lease: lease, Extract: extract.Options{MinWords: 20}})
	if _, err := s.Summarize(context.Background(), storyURL, Request{}); err != nil {
		t.Fatalf("Summarize with a failing lease: %v", err)
	}
}

// TestLeaseHolderGone: when the holder dies without releasing, a waiter
// takes over once the lease expires.
func TestLeaseHolderGone(t *testing.T) {
	f := &fakeFetcher{pages: map[string]string{"https://gazette.example/news/bridge": storyHTML}}
	c, lease := newMemCache(), newMemLease()
	s := New(f, c, Options{Lease: lease, LeaseTTL: 300 * time.Millisecond, Extract: extract.Options{MinWords: 20}})
	key := s.cacheKey("https://gazette.example/news/bridge", BackendExtractive, "")
	if ok, _ := lease.AcquireLease(context.Background(), "brief\x1f"+key, "crashed-process", 300*time.Millisecond); !ok {
		t.Fatal("could not plant the crashed holder's lease")
	}
	b, err := s.Summarize(context.Background(), storyURL, Request{})
	if err != nil || b.Summary == "" {
		t.Fatalf("Summarize after the holder died: %v", err)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("fetches = %d, want 1 (the waiter did the work itself)", n)
	}
}
