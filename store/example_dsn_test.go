package store_test

import (
	"context"
	"log"

	"github.com/linkbrief/linkbrief/store"
)

// OpenDSN opens the store the configuration names: store.driver and
// store.dsn. Processes sharing one PostgreSQL database share the cache, the
// settings and the reply ledger, so an event delivered to two of them is
// claimed by one only.
func ExampleOpenDSN() {
	ctx := context.Background()
	s, err := store.OpenDSN(ctx, "postgres", "postgres://linkbrief@127.0.0.1:5432/linkbrief?sslmode=disable&search_path=linkbrief")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	if ok, err := s.ClaimEvent(ctx, "1300000000000000001"); err != nil {
		log.Fatal(err)
	} else if !ok {
		return // another process already answers this event
	}
	// ... reply, then s.FinishEvent(ctx, "1300000000000000001", replyID)
}
