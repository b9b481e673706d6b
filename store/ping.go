package store

import (
	"context"
	"fmt"
)

// Pinger is a store that can tell whether its database answers; SQLite and
// Postgres are. Health checks (/healthz) use it.
type Pinger interface {
	Ping(ctx context.Context) error
}

var (
	_ Pinger = (*SQLite)(nil)
	_ Pinger = (*Postgres)(nil)
)

// Ping runs a trivial query on a read connection, so a write in progress
// does not make the store look down.
func (s *SQLite) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Ping checks that the database answers on a pooled connection.
func (s *Postgres) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
