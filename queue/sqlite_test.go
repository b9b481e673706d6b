package queue_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/linkbrief/linkbrief/queue"
)

// TestRiverSQLiteTwoClientsOneFile checks the SQLite driver under load:
// two River clients with their own connections (as two processes would
// have) share one file, eight goroutines enqueue 200 jobs while both
// work, and every job runs exactly once without a database error.
func TestRiverSQLiteTwoClientsOneFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "linkbrief.db")
	var mu sync.Mutex
	runs := map[string]int{}
	work := func(ctx context.Context, kind string, payload []byte) error {
		mu.Lock()
		defer mu.Unlock()
		runs[string(payload)]++
		return nil
	}
	var qs []*queue.River
	for range 2 {
		q := openRiverT(t, "sqlite", path, fast(queue.Options{Workers: 4}))
		started(t, q, work)
		qs = append(qs, q)
	}
	const jobs = 200
	var wg sync.WaitGroup
	errs := make(chan error, jobs)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < jobs; i += 8 {
				id := fmt.Sprintf("m%d", i)
				if err := qs[i%2].Enqueue(t.Context(), "message", id, []byte(id)); err != nil {
					errs <- fmt.Errorf("Enqueue(%s): %w", id, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitFor(t, "every job to run", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(runs) == jobs
	})
	mu.Lock()
	defer mu.Unlock()
	for id, n := range runs {
		if n != 1 {
			t.Errorf("job %s ran %d times, want 1", id, n)
		}
	}
}

// TestOpenRiverRace opens one empty database (an SQLite file, a
// PostgreSQL schema) from several goroutines at once, each with its own
// store and connections, as processes starting together do: the store's
// and River's migrations must run once and every open succeed.
func TestOpenRiverRace(t *testing.T) {
	t.Parallel()
	for _, e := range riverDatabases {
		t.Run(e.driver, func(t *testing.T) {
			t.Parallel()
			target := e.target(t)
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Go(func() {
					_, closeAll, err := openRiver(t.Context(), e.driver, target, queue.Options{})
					if err == nil {
						closeAll()
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("concurrent open of River on %s: %v", e.driver, err)
				}
			}
		})
	}
}
