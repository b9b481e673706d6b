package store_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/linkbrief/linkbrief/store"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "linkbrief-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(dir, "linkbrief.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// The reply ledger: only the first delivery of an event gets to reply.
	first, _ := s.ClaimEvent(ctx, "1300000000000000001")
	again, _ := s.ClaimEvent(ctx, "1300000000000000001")
	fmt.Println("claimed:", first, again)

	// The brief cache: a miss is ErrNotFound, never a nil value.
	if _, err := s.GetBrief(ctx, "https://example.com/a|extractive"); errors.Is(err, store.ErrNotFound) {
		fmt.Println("miss")
	}
	if err := s.PutBrief(ctx, "https://example.com/a|extractive", []byte(`{"summary":"..."}`), 168*time.Hour); err != nil {
		log.Fatal(err)
	}
	b, _ := s.GetBrief(ctx, "https://example.com/a|extractive")
	fmt.Println(string(b))
	// Output:
	// claimed: true false
	// miss
	// {"summary":"..."}
}
