package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// EventFinished reports whether eventID was answered: claimed and then
// finished with FinishEvent. A job that may run again after a crash or in
// another process checks it before sending, so a reply is never sent
// twice. An event never claimed, released, or claimed but not finished is
// not finished.
func (s *SQLite) EventFinished(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return false, errors.New("store: event finished: empty event ID")
	}
	var n int
	err := s.read.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM reply_ledger WHERE event_id = $1 AND finished_at IS NOT NULL`, eventID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: event finished: %w", err)
	}
	return n > 0, nil
}

// EventFinished reports whether eventID was answered: claimed and then
// finished with FinishEvent, by any process sharing the database.
func (s *Postgres) EventFinished(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return false, errors.New("store: event finished: empty event ID")
	}
	var finished bool
	err := s.pool.QueryRow(ctx,
		`SELECT finished_at IS NOT NULL FROM reply_ledger WHERE event_id = $1`, eventID).Scan(&finished)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: event finished: %w", err)
	}
	return finished, nil
}

// EventReply returns the reply recorded for eventID by FinishEvent, or
// ErrNotFound when it is not finished.
func (s *SQLite) EventReply(ctx context.Context, eventID string) (string, error) {
	var reply sql.NullString
	err := s.read.QueryRowContext(ctx,
		`SELECT reply_id FROM reply_ledger WHERE event_id = $1 AND finished_at IS NOT NULL`, eventID).Scan(&reply)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: event reply: %w", err)
	}
	return reply.String, nil
}

// EventReply returns the reply recorded for eventID by FinishEvent, or
// ErrNotFound when it is not finished.
func (s *Postgres) EventReply(ctx context.Context, eventID string) (string, error) {
	var reply *string
	err := s.pool.QueryRow(ctx,
		`SELECT reply_id FROM reply_ledger WHERE event_id = $1 AND finished_at IS NOT NULL`, eventID).Scan(&reply)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: event reply: %w", err)
	}
	if reply == nil {
		return "", nil
	}
	return *reply, nil
}
