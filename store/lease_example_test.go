package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/linkbrief/linkbrief/store"
)

// Two workers, in one process or in several sharing the database, ask for
// the same URL: the lease lets one do the work while the other waits for
// the cache.
func ExampleDB_AcquireLease() {
	s, done := exampleStore()
	defer done()
	ctx := context.Background()

	var leases store.Leases = s
	const key = "summarize:https://example.com/article"
	// The TTL outlasts the fetch and LLM timeouts, so a crashed worker's
	// lease frees itself without ever cutting a live one short.
	first, _ := leases.AcquireLease(ctx, key, "worker-1", 2*time.Minute)
	second, _ := leases.AcquireLease(ctx, key, "worker-2", 2*time.Minute)
	fmt.Println("worker-1:", first, "worker-2:", second)

	// worker-1 stores the brief, then lets go.
	if err := leases.ReleaseLease(ctx, key, "worker-1"); err != nil {
		log.Fatal(err)
	}
	again, _ := leases.AcquireLease(ctx, key, "worker-2", 2*time.Minute)
	fmt.Println("worker-2 after release:", again)
	// Output:
	// worker-1: true worker-2: false
	// worker-2 after release: true
}

// limits.user_per_minute = 2: the third brief a user asks for within a
// minute is refused, with the time to wait; a reservation that turns out
// not to count (a cache hit) is refunded.
func ExampleDB_Reserve() {
	s, done := exampleStore()
	defer done()
	ctx := context.Background()

	var limits store.Limiter = s
	q := store.Quota{User: "80351110224678912", UserPerMinute: 2}
	for i := range 3 {
		h, err := limits.Reserve(ctx, q)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("brief %d allowed: %v (retry within a minute: %v)\n", i+1, h.OK(), h.RetryAfter > 0 && h.RetryAfter <= time.Minute)
		if i == 0 {
			// The first was a cache hit after all: it does not count.
			if err := limits.Refund(ctx, h); err != nil {
				log.Fatal(err)
			}
		}
	}
	// Output:
	// brief 1 allowed: true (retry within a minute: false)
	// brief 2 allowed: true (retry within a minute: false)
	// brief 3 allowed: true (retry within a minute: false)
}

// exampleStore opens a store in a new temporary directory; done closes it
// and removes the directory.
func exampleStore() (s *store.DB, done func()) {
	dir, err := os.MkdirTemp("", "linkbrief-example")
	if err != nil {
		log.Fatal(err)
	}
	s, err = store.Open(context.Background(), filepath.Join(dir, "linkbrief.db"))
	if err != nil {
		log.Fatal(err)
	}
	return s, func() {
		s.Close()
		os.RemoveAll(dir)
	}
}
