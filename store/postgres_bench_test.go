package store

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// Run with a test server:
//
//	eval "$(scripts/test-services.sh)"
//	go test -run '^$' -bench Postgres ./store/

func BenchmarkPostgresClaimEvent(b *testing.B) {
	s := openPostgres(b, testSchema(b), Options{})
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		if _, err := s.ClaimEvent(ctx, fmt.Sprint(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPostgresClaimEventParallel(b *testing.B) {
	s := openPostgres(b, testSchema(b), Options{})
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
}

func BenchmarkPostgresPutBrief(b *testing.B) {
	s := openPostgres(b, testSchema(b), Options{})
	ctx := b.Context()
	data := make([]byte, 4<<10)
	for i := 0; b.Loop(); i++ {
		if err := s.PutBrief(ctx, fmt.Sprint("https://example.com/", i%1000), data, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPostgresGetBriefParallel(b *testing.B) {
	s := openPostgres(b, testSchema(b), Options{})
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
}
