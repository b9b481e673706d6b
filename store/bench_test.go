package store

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// Run with: go test -run '^$' -bench . ./store/
// PostgreSQL joins when its test server is configured:
//
//	eval "$(scripts/test-services.sh)"

// benchEngines runs f on a fresh database of each engine.
func benchEngines(b *testing.B, f func(b *testing.B, s *DB)) {
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			f(b, e.openAt(b, e.fresh(b), Options{}))
		})
	}
}

func BenchmarkClaimEvent(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *DB) {
		ctx := b.Context()
		for i := 0; b.Loop(); i++ {
			if _, err := s.ClaimEvent(ctx, fmt.Sprint(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkClaimEventParallel(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *DB) {
		ctx := b.Context()
		var n atomic.Int64
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.ClaimEvent(ctx, fmt.Sprint(n.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkPutBrief(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *DB) {
		ctx := b.Context()
		data := make([]byte, 4<<10)
		for i := 0; b.Loop(); i++ {
			if err := s.PutBrief(ctx, fmt.Sprint("https://example.com/", i%1000), data, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGetBriefParallel(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *DB) {
		ctx := b.Context()
		data := make([]byte, 4<<10)
		for i := range 1000 {
			if err := s.PutBrief(ctx, fmt.Sprint("https://example.com/", i), data, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		var n atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.GetBrief(ctx, fmt.Sprint("https://example.com/", n.Add(1)%1000)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
