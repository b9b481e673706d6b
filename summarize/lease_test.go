package summarize

import (
	"context"
	"errors"
	"strings"
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

// stuckRelease is a lease store whose releases never answer on their
// own: they return when their context ends, noting whether it had a
// deadline.
type stuckRelease struct {
	*memLease
	deadlines chan bool
}

func (l stuckRelease) ReleaseLease(ctx context.Context, key, owner string) error {
	_, ok := ctx.Deadline()
	l.deadlines <- ok
	if !ok {
		return nil // the caller would wait for ever; the test reports it
	}
	<-ctx.Done()
	return ctx.Err()
}

// TestLeaseReleaseIsBounded: releasing the lease after the work runs
// after the caller's context may have ended, but a lease store that does
// not answer holds the work for at most one TTL, when the lease lapses
// anyway.
func TestLeaseReleaseIsBounded(t *testing.T) {
	f := &fakeFetcher{pages: map[string]string{"https://gazette.example/news/bridge": storyHTML}}
	lease := stuckRelease{memLease: newMemLease(), deadlines: make(chan bool, 1)}
	s := New(f, newMemCache(), Options{Lease: lease, LeaseTTL: 300 * time.Millisecond, Extract: extract.Options{MinWords: 20}})
	if _, err := s.Summarize(context.Background(), storyURL, Request{}); err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	if !<-lease.deadlines {
		t.Error("the lease release ran without a deadline: a stuck lease store would hold the work for ever")
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

// TestLeaseRenewedWhileWorking: a holder whose work outlasts several TTLs
// keeps its lease by renewing it, so a second process waits for its brief
// instead of making it again.
func TestLeaseRenewedWhileWorking(t *testing.T) {
	f := &fakeFetcher{pages: map[string]string{"https://gazette.example/news/bridge": storyHTML}}
	l := &fakeLLM{delay: time.Second, summary: func(in llm.Input) (*llm.Summary, error) {
		return &llm.Summary{Summary: "Bridge approved."}, nil
	}}
	c, lease := newMemCache(), newMemLease()
	opts := Options{LLM: l, Model: "m", Lease: lease, LeaseTTL: 200 * time.Millisecond, Extract: extract.Options{MinWords: 20}}
	a, b := New(f, c, opts), New(f, c, opts)
	var wg sync.WaitGroup
	for i, s := range []*Service{a, b} {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 100 * time.Millisecond)
			if got, err := s.Summarize(context.Background(), storyURL, Request{}); err != nil || got.Summary != "Bridge approved." {
				t.Errorf("process %d: %+v, %v", i, got, err)
			}
		})
	}
	wg.Wait()
	if n := l.calls.Load(); n != 1 {
		t.Errorf("model calls = %d with a 1 s call and a 200 ms lease, want 1: the holder renews its lease", n)
	}
}

// TestLeaseWaiterBoundedByItsDeadline: a process waiting for another's
// brief waits as long as its own work may last, and then says the brief
// is still being made rather than failing or making it again.
func TestLeaseWaiterBoundedByItsDeadline(t *testing.T) {
	f := &fakeFetcher{pages: map[string]string{"https://gazette.example/news/bridge": storyHTML}}
	c, lease := newMemCache(), newMemLease()
	s := New(f, c, Options{Lease: lease, LeaseTTL: 100 * time.Millisecond, Extract: extract.Options{MinWords: 20}})
	key := "brief\x1f" + s.cacheKey("https://gazette.example/news/bridge", BackendExtractive, "")
	// A live holder elsewhere, renewing its lease.
	stop := make(chan struct{})
	defer close(stop)
	lease.AcquireLease(context.Background(), key, "other", 100*time.Millisecond)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				lease.AcquireLease(context.Background(), key, "other", 100*time.Millisecond)
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	_, err := s.Summarize(ctx, storyURL, Request{})
	if !errors.Is(err, ErrInProgress) {
		t.Errorf("Summarize while another process holds the page = %v, want ErrInProgress", err)
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("fetches = %d, want 0: the holder is alive", n)
	}
}

// TestModelOutOfTimeGivesOfflineBrief: when the caller's deadline comes
// before the model answers, the brief is the offline summarizer's, with a
// note, not an error.
func TestModelOutOfTimeGivesOfflineBrief(t *testing.T) {
	l := &fakeLLM{delay: 5 * time.Second, summary: func(in llm.Input) (*llm.Summary, error) {
		return &llm.Summary{Summary: "Too late."}, nil
	}}
	s, _, _ := newTestService(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	b, err := s.Summarize(ctx, storyURL, Request{})
	if err != nil {
		t.Fatalf("Summarize with a model slower than the deadline: %v, want the offline brief", err)
	}
	if b.Backend != BackendExtractive || !strings.Contains(b.Note, "did not answer in time") {
		t.Errorf("brief = backend %q note %q, want the offline brief saying the model was out of time", b.Backend, b.Note)
	}
}
