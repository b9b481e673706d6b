package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The limiter (rate.go's rule, reserveIn) on both SQL engines runs inside a
// write transaction that the dialect's lockLimits makes exclusive for the
// keys involved: on SQLite the transaction's write lock (BEGIN IMMEDIATE),
// on PostgreSQL advisory locks taken in a fixed order.

// sqlLimitTx is the limitTx of one SQL transaction.
type sqlLimitTx struct {
	tx *sql.Tx
	d  dialect
}

func (t sqlLimitTx) events(ctx context.Context, keyHash string, since time.Time) ([]time.Time, error) {
	rs, err := t.tx.QueryContext(ctx, `SELECT at FROM rate_events WHERE key_hash = $1 AND at > $2 ORDER BY at`,
		keyHash, t.d.time(since))
	if err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	defer rs.Close()
	var at []time.Time
	for rs.Next() {
		var v dbTime
		if err := rs.Scan(&v); err != nil {
			return nil, fmt.Errorf("count events: %w", err)
		}
		at = append(at, v.Time)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	return at, nil
}

func (t sqlLimitTx) record(ctx context.Context, keyHash, hold string, at, expires time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO rate_events (key_hash, at, n, expires_at, hold)
		VALUES ($1, $2, 1, $3, $4)`, keyHash, t.d.time(at), t.d.time(expires), hold); err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}

func (t sqlLimitTx) tokens(ctx context.Context, guild, day string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT tokens FROM guild_usage WHERE guild_id = $1 AND day = $2`,
		guild, day).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read tokens: %w", err)
	}
	return n, nil
}

func (t sqlLimitTx) addTokens(ctx context.Context, guild, day string, delta int64) error {
	// Never below zero: a refund after midnight's reset, or of a settle
	// that lowered the estimate, must not leave a debt.
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO guild_usage (guild_id, day, briefs, tokens)
		VALUES ($1, $2, 0, CASE WHEN CAST($3 AS BIGINT) > 0 THEN CAST($3 AS BIGINT) ELSE 0 END)
		ON CONFLICT (guild_id, day) DO UPDATE SET tokens = CASE
			WHEN guild_usage.tokens + CAST($3 AS BIGINT) > 0 THEN guild_usage.tokens + CAST($3 AS BIGINT)
			ELSE 0 END`,
		guild, day, delta); err != nil {
		return fmt.Errorf("add tokens: %w", err)
	}
	return nil
}

// limitTx runs fn in one write transaction made exclusive for keys.
func (s *DB) limitTx(ctx context.Context, keys []int32, fn func(tx sqlLimitTx) error) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := s.d.lockLimits(ctx, tx, keys); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		return fn(sqlLimitTx{tx: tx, d: s.d})
	})
}

// The limiter's locks and sweep on each engine.

// sqliteLockLimits does nothing: the write transaction began IMMEDIATE,
// so it already holds the file's one write lock.
func sqliteLockLimits(context.Context, *sql.Tx, []int32) error { return nil }

// rateLockClass is the first key of the PostgreSQL advisory locks that
// serialize the reservations of one user or guild; the second is a hash of
// the key. The value spells "lkbr".
const rateLockClass int32 = 0x6c6b6272

// pgLockLimits takes a transaction-scoped advisory lock per key, in the
// sorted order lockKeys gives, so transactions never deadlock: one
// statement whose select list PostgreSQL evaluates left to right. The
// locks are the only thing a limiter transaction waits for: its sweep
// skips rows others hold, and its inserts never conflict.
func pgLockLimits(ctx context.Context, tx *sql.Tx, keys []int32) error {
	if len(keys) == 0 {
		return nil
	}
	var q strings.Builder
	args := []any{rateLockClass}
	q.WriteString("SELECT ")
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		args = append(args, k)
		fmt.Fprintf(&q, "pg_advisory_xact_lock($1, $%d)", len(args))
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// sqliteSweepEvents names rate events by rowid; pgSweepEvents by their
// identity column, skipping rows other transactions hold.
const (
	sqliteSweepEvents = `DELETE FROM rate_events WHERE rowid IN (
		SELECT rowid FROM rate_events WHERE expires_at <= $1 LIMIT $2)`
	pgSweepEvents = `DELETE FROM rate_events WHERE id IN (
		SELECT id FROM rate_events WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`
)

// Reserve takes q's slots and tokens, or nothing when one of its limits is
// full: the counts and the records are one transaction, exclusive for q's
// user, guild and budget across every process sharing the database, so
// concurrent reservations never admit more than the limits. Times come
// from this process's clock, so the hosts of a PostgreSQL deployment
// should keep their clocks in sync (NTP). It also removes up to a hundred
// expired events.
func (s *DB) Reserve(ctx context.Context, q Quota) (h Hold, err error) {
	if err := checkQuota(q); err != nil {
		return Hold{}, err
	}
	user, guild := rateKeys(q)
	budget := ""
	if q.DailyTokens > 0 && q.Tokens > 0 {
		budget = "linkbrief:budget:" + q.Guild
	}
	err = s.limitTx(ctx, lockKeys(user, guild, budget), func(tx sqlLimitTx) error {
		now := clampTime(s.now())
		if _, err := tx.tx.ExecContext(ctx, s.d.sweepEvents, s.d.time(now), sweepBatch); err != nil {
			return fmt.Errorf("remove expired events: %w", err)
		}
		h, err = reserveIn(ctx, tx, q, now)
		return err
	})
	if err != nil {
		return Hold{}, fmt.Errorf("store: reserve: %w", err)
	}
	return h, nil
}

// Settle keeps h's slots and replaces its estimate by tokens.
func (s *DB) Settle(ctx context.Context, h Hold, tokens int64) error {
	if h.Guild == "" || tokens == h.Tokens {
		return nil
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		return sqlLimitTx{tx: tx, d: s.d}.addTokens(ctx, h.Guild, h.Day, tokens-h.Tokens)
	})
	if err != nil {
		return fmt.Errorf("store: settle: %w", err)
	}
	return nil
}

// Refund gives h's slots and tokens back, in one transaction.
func (s *DB) Refund(ctx context.Context, h Hold) error {
	if h.ID == "" {
		return nil
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rate_events WHERE hold = $1`, h.ID); err != nil {
			return err
		}
		if h.Guild == "" || h.Tokens <= 0 {
			return nil
		}
		return sqlLimitTx{tx: tx, d: s.d}.addTokens(ctx, h.Guild, h.Day, -h.Tokens)
	})
	if err != nil {
		return fmt.Errorf("store: refund: %w", err)
	}
	return nil
}

// Counts returns the live counts of q's user and guild, read in one
// read-only transaction.
func (s *DB) Counts(ctx context.Context, q Quota) (c Counts, err error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Counts{}, fmt.Errorf("store: counts: %w", err)
	}
	defer tx.Rollback()
	c, err = countsIn(ctx, sqlLimitTx{tx: tx, d: s.d}, q, clampTime(s.now()))
	if err != nil {
		return Counts{}, fmt.Errorf("store: counts: %w", err)
	}
	return c, nil
}
