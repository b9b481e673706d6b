package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Limits counts events per key in a sliding window shared by every process.
type Limits interface {
	// Take records n events (n may be 0 to only check) for key if fewer
	// than limit events happened in the last window (counting the n); it
	// returns allowed=false and how long until one slot frees otherwise.
	Take(ctx context.Context, key string, limit int, window time.Duration, n int) (allowed bool, retryAfter time.Duration, err error)
}

var (
	_ Limits = (*SQLite)(nil)
	_ Limits = (*Postgres)(nil)
	_ Limits = (*Redis)(nil)
)

// rateLockClass is the first key of the PostgreSQL advisory lock that
// serializes the Takes of one key; the second is a hash of the key. The
// value spells "lkbr".
const rateLockClass int32 = 0x6c6b6272

// checkTake validates the arguments of Take. n may not exceed limit: such a
// Take could never be allowed, and saying "retry later" would be a lie.
func checkTake(key string, limit int, window time.Duration, n int) error {
	switch {
	case key == "":
		return errors.New("store: take: empty key")
	case limit < 1:
		return fmt.Errorf("store: take %.80q: limit must be at least 1, got %d", key, limit)
	case window < time.Microsecond:
		return fmt.Errorf("store: take %.80q: window must be at least 1µs, got %v", key, window)
	case n < 0:
		return fmt.Errorf("store: take %.80q: negative count %d", key, n)
	case n > limit:
		return fmt.Errorf("store: take %.80q: count %d exceeds the limit %d and can never be allowed", key, n, limit)
	}
	return nil
}

// rateRow is one stored record of n events at one instant.
type rateRow struct {
	at time.Time
	n  int64
}

// decideTake applies the sliding-window rule to rows, the key's records
// inside the window (at > now-window), oldest first. A Take of n needs
// max(n, 1) free slots: a check (n = 0) asks whether one more event would
// be allowed. When refused, retryAfter is how long until enough of the
// oldest events leave the window for the Take to fit, in (0, window].
func decideTake(rows []rateRow, limit int, window time.Duration, n int, now time.Time) (allowed bool, retryAfter time.Duration) {
	var count int64
	for _, r := range rows {
		count += r.n
	}
	need := int64(max(n, 1))
	if count+need <= int64(limit) {
		return true, 0
	}
	// The Take fits once the excess oldest events have left the window.
	excess := count + need - int64(limit)
	for _, r := range rows {
		excess -= r.n
		if excess <= 0 {
			return false, min(max(r.at.Add(window).Sub(now), time.Microsecond), window)
		}
	}
	return false, window // unreachable: the rows hold at least excess events
}

// Take records n events for key at the current time (Options.Now) if the
// events recorded for key in the window before now, plus max(n, 1), do not
// exceed limit. n = 0 only checks whether one more event would be allowed
// and never records. When refused, retryAfter is how long until enough of
// the oldest events leave the window for the same Take to fit, in
// (0, window]. The count and the record are one transaction under SQLite's
// write lock, so concurrent Takes from any number of processes sharing the
// file never admit more than limit events per window. A key should always
// be used with the same window: events are kept only as long as the window
// they were recorded with.
func (s *SQLite) Take(ctx context.Context, key string, limit int, window time.Duration, n int) (allowed bool, retryAfter time.Duration, err error) {
	if err := checkTake(key, limit, window, n); err != nil {
		return false, 0, err
	}
	now := time.UnixMicro(micros(s.now()))
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, 0, fmt.Errorf("store: take %.80q: %w", key, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `DELETE FROM rate_events WHERE rowid IN (
			SELECT rowid FROM rate_events WHERE expires_at <= $1 LIMIT $2)`,
		now.UnixMicro(), sweepBatch); err != nil {
		return false, 0, fmt.Errorf("store: take %.80q: remove expired events: %w", key, err)
	}
	rows, err := sqliteRateRows(ctx, tx, hashKey(key), now.Add(-window).UnixMicro())
	if err != nil {
		return false, 0, fmt.Errorf("store: take %.80q: %w", key, err)
	}
	allowed, retryAfter = decideTake(rows, limit, window, n, now)
	if allowed && n > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rate_events (key_hash, at, n, expires_at)
			VALUES ($1, $2, $3, $4)`,
			hashKey(key), now.UnixMicro(), n, now.Add(window).UnixMicro()); err != nil {
			return false, 0, fmt.Errorf("store: take %.80q: record events: %w", key, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, 0, fmt.Errorf("store: take %.80q: %w", key, err)
	}
	return allowed, retryAfter, nil
}

// sqliteRateRows returns the records of keyHash after cutoff (Unix
// microseconds), oldest first.
func sqliteRateRows(ctx context.Context, tx *sql.Tx, keyHash string, cutoff int64) ([]rateRow, error) {
	rs, err := tx.QueryContext(ctx, `SELECT at, n FROM rate_events
		WHERE key_hash = $1 AND at > $2 ORDER BY at`, keyHash, cutoff)
	if err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	defer rs.Close()
	var rows []rateRow
	for rs.Next() {
		var at, n int64
		if err := rs.Scan(&at, &n); err != nil {
			return nil, fmt.Errorf("count events: %w", err)
		}
		rows = append(rows, rateRow{at: time.UnixMicro(at), n: n})
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	return rows, nil
}

// Take records n events for key at the current time (Options.Now) if the
// events recorded for key in the window before now, plus max(n, 1), do not
// exceed limit. n = 0 only checks whether one more event would be allowed
// and never records. When refused, retryAfter is how long until enough of
// the oldest events leave the window for the same Take to fit, in
// (0, window]. A transaction-scoped advisory lock on the key serializes
// the count and the record across every process sharing the database, so
// they never admit more than limit events per window. Times come from this
// process's clock, so the hosts of a deployment should keep their clocks in
// sync (NTP). A key should always be used with the same window: events are
// kept only as long as the window they were recorded with.
func (s *Postgres) Take(ctx context.Context, key string, limit int, window time.Duration, n int) (allowed bool, retryAfter time.Duration, err error) {
	if err := checkTake(key, limit, window, n); err != nil {
		return false, 0, err
	}
	now := clampTime(s.now())
	keyHash := hashKey(key)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The lock comes first and is the only thing this transaction
		// waits for: the sweep skips rows others hold, and inserts never
		// conflict. So Takes of different keys never deadlock.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, rateLockClass, keyHash); err != nil {
			return fmt.Errorf("lock key: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rate_events WHERE id IN (
				SELECT id FROM rate_events WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			now, sweepBatch); err != nil {
			return fmt.Errorf("remove expired events: %w", err)
		}
		rs, err := tx.Query(ctx, `SELECT at, n FROM rate_events
			WHERE key_hash = $1 AND at > $2 ORDER BY at`, keyHash, now.Add(-window))
		if err != nil {
			return fmt.Errorf("count events: %w", err)
		}
		rows, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) (rateRow, error) {
			var row rateRow
			err := r.Scan(&row.at, &row.n)
			return row, err
		})
		if err != nil {
			return fmt.Errorf("count events: %w", err)
		}
		allowed, retryAfter = decideTake(rows, limit, window, n, now)
		if allowed && n > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO rate_events (key_hash, at, n, expires_at)
				VALUES ($1, $2, $3, $4)`, keyHash, now, n, clampTime(now.Add(window))); err != nil {
				return fmt.Errorf("record events: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return false, 0, fmt.Errorf("store: take %.80q: %w", key, err)
	}
	return allowed, retryAfter, nil
}
