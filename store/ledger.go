package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ClaimEvent atomically records eventID (a message or interaction
// snowflake) in the reply ledger. It reports true to the one caller, in any
// process sharing the database, that claimed it first, and false to every
// later caller. A claim stays until FinishEvent completes it, ReleaseEvent
// removes it, or DeleteExpired drops it after the event retention: work
// interrupted by a crash is for the job queue to resume, not for a
// redelivered event to redo.
func (s *DB) ClaimEvent(ctx context.Context, eventID string) (bool, error) {
	return s.claim(ctx, s.write, eventID)
}

// ClaimEventTx is ClaimEvent inside tx, a transaction on SQL()'s database
// (a *sql.Tx, or the engine's own transaction behind the same
// ExecContext): the claim commits or rolls back with whatever else tx
// writes (a job queue's insert of the event's job, say), and until tx ends
// a concurrent claim of eventID waits for it.
func (s *DB) ClaimEventTx(ctx context.Context, tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, eventID string) (bool, error) {
	return s.claim(ctx, tx, eventID)
}

// SQL returns the database/sql handle the store writes through, for a job
// queue that keeps its tables in the store's database and claims events
// in its own transactions (ClaimEventTx). On SQLite it has one
// connection: a transaction holds it, and the file's write lock, until it
// ends. The store owns it: Close closes it.
func (s *DB) SQL() *sql.DB { return s.write }

// claim claims eventID through ex: the write pool or a transaction.
func (s *DB) claim(ctx context.Context, ex interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, eventID string) (bool, error) {
	if eventID == "" {
		return false, errors.New("store: claim event: empty event ID")
	}
	res, err := ex.ExecContext(ctx, `INSERT INTO reply_ledger (event_id, claimed_at)
		VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING`, eventID, s.d.time(s.now()))
	if err != nil {
		return false, fmt.Errorf("store: claim event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim event: %w", err)
	}
	return n == 1, nil
}

// FinishEvent records replyID, the message that answered the claimed
// eventID. It returns ErrNotFound when eventID was never claimed (or was
// released).
func (s *DB) FinishEvent(ctx context.Context, eventID, replyID string) error {
	res, err := s.write.ExecContext(ctx, `UPDATE reply_ledger SET reply_id = $2, finished_at = $3 WHERE event_id = $1`,
		eventID, replyID, s.d.time(s.now()))
	if err != nil {
		return fmt.Errorf("store: finish event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: finish event: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// ReleaseEvent removes the claim on eventID so a redelivery may retry it.
// Releasing an event that is not claimed is not an error; releasing one
// already finished is, and leaves the claim in place, since its reply was
// sent.
func (s *DB) ReleaseEvent(ctx context.Context, eventID string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM reply_ledger WHERE event_id = $1 AND finished_at IS NULL`, eventID)
	if err != nil {
		return fmt.Errorf("store: release event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: release event: %w", err)
	}
	if n > 0 {
		return nil
	}
	// Nothing unfinished was there. Only a finished claim is an error:
	// the lookup asks for one, so a claim another process makes in the
	// meantime is never mistaken for it.
	finished, err := s.EventFinished(ctx, eventID)
	if err != nil {
		return fmt.Errorf("store: release event: %w", err)
	}
	if finished {
		return fmt.Errorf("store: release event %s: already finished with a reply", eventID)
	}
	return nil
}

// EventFinished reports whether eventID was answered: claimed and then
// finished with FinishEvent, by any process sharing the database. A job
// that may run again after a crash or in another process checks it before
// sending, so a reply is never sent twice. An event never claimed,
// released, or claimed but not finished is not finished.
func (s *DB) EventFinished(ctx context.Context, eventID string) (bool, error) {
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

// EventReply returns the reply recorded for eventID by FinishEvent, or
// ErrNotFound when it is not finished.
func (s *DB) EventReply(ctx context.Context, eventID string) (string, error) {
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
