package store

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// Run with: go test -run '^$' -bench 'Lease|Reserve' ./store/
// PostgreSQL and Redis join when their test servers are configured.

// benchCoord runs f against every available backend.
func benchCoord(b *testing.B, f func(b *testing.B, s coordStore, prefix string)) {
	backends := []struct {
		name string
		open func(b *testing.B) coordStore
	}{
		{"Miniredis", func(b *testing.B) coordStore { return openRedis(b, "redis://"+miniredis.RunT(b).Addr()) }},
		{"Redis", func(b *testing.B) coordStore {
			url := os.Getenv(redisEnv)
			if url == "" {
				b.Skipf("%s is not set", redisEnv)
			}
			return openRedis(b, url)
		}},
	}
	for _, e := range engines() {
		backends = append(backends, struct {
			name string
			open func(b *testing.B) coordStore
		}{e.name, func(b *testing.B) coordStore { return e.openAt(b, e.fresh(b), Options{}) }})
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			f(b, be.open(b), "linkbrief-bench:"+randomHex(b, 6)+":")
		})
	}
}

// BenchmarkLease is one single-flight round: acquire a fresh key, release it.
func BenchmarkLease(b *testing.B) {
	benchCoord(b, func(b *testing.B, s coordStore, prefix string) {
		ctx := b.Context()
		for i := 0; b.Loop(); i++ {
			key := fmt.Sprint(prefix, "url-", i)
			if ok, err := s.AcquireLease(ctx, key, "owner", time.Minute); !ok || err != nil {
				b.Fatalf("AcquireLease = %v, %v", ok, err)
			}
			if err := s.ReleaseLease(ctx, key, "owner"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLeaseContended has 4 goroutines fight over 16 keys.
func BenchmarkLeaseContended(b *testing.B) {
	benchCoord(b, func(b *testing.B, s coordStore, prefix string) {
		ctx := b.Context()
		var n atomic.Int64
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			owner := fmt.Sprint("owner-", n.Add(1))
			for i := 0; pb.Next(); i++ {
				key := fmt.Sprint(prefix, "url-", i%16)
				ok, err := s.AcquireLease(ctx, key, owner, time.Minute)
				if err != nil {
					b.Error(err)
					return
				}
				if ok {
					if err := s.ReleaseLease(ctx, key, owner); err != nil {
						b.Error(err)
						return
					}
				}
			}
		})
	})
}

// BenchmarkReserve reserves and refunds on a guild kept near its limit of
// 60, as a busy guild's hourly limit would be.
func BenchmarkReserve(b *testing.B) {
	benchCoord(b, func(b *testing.B, s coordStore, prefix string) {
		ctx := b.Context()
		q := Quota{Guild: prefix + "guild", GuildPerHour: 60, DailyTokens: 1 << 40, Tokens: 500}
		for b.Loop() {
			h, err := s.Reserve(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Refund(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	})
}
