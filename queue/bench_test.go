package queue_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/linkbrief/linkbrief/queue"
)

// BenchmarkReceipt is the work at an event's receipt on each database:
// Accept (the claim and the job's insert in one transaction) beside the
// two steps it replaced (ClaimEvent, then Enqueue). Run with:
//
//	eval "$(scripts/test-services.sh)"
//	go test -run '^$' -bench Receipt ./queue/
func BenchmarkReceipt(b *testing.B) {
	for _, e := range riverDatabases {
		b.Run(e.driver, func(b *testing.B) {
			var target string
			if e.driver == "postgres" {
				target = testSchema(b)
			} else {
				target = filepath.Join(b.TempDir(), "linkbrief.db")
			}
			q, st, closeAll, err := openRiverStore(b.Context(), e.driver, target, queue.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(closeAll)
			b.Run("Accept", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					id := fmt.Sprint("a", i)
					if ok, err := q.Accept(b.Context(), "message", id, []byte(id)); err != nil || !ok {
						b.Fatalf("Accept = %v, %v", ok, err)
					}
				}
			})
			b.Run("ClaimThenEnqueue", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					id := fmt.Sprint("c", i)
					if ok, err := st.ClaimEvent(b.Context(), id); err != nil || !ok {
						b.Fatalf("ClaimEvent = %v, %v", ok, err)
					}
					if err := q.Enqueue(b.Context(), "message", id, []byte(id)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
