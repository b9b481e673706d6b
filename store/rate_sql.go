package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// rateLockClass is the first key of the PostgreSQL advisory locks that
// serialize the reservations of one user or guild; the second is a hash of
// the key. The value spells "lkbr".
const rateLockClass int32 = 0x6c6b6272

// The limiter's two SQL engines apply the same rule (reserveIn) inside a
// transaction that is exclusive for the keys involved: SQLite's write lock
// (BEGIN IMMEDIATE) and PostgreSQL's advisory locks, taken in a fixed order.
// Below, each engine's statements side by side.

// sqliteLimitTx is SQLite's limitTx; times are Unix microseconds.
type sqliteLimitTx struct{ tx *sql.Tx }

func (t sqliteLimitTx) events(ctx context.Context, keyHash string, since time.Time) ([]time.Time, error) {
	rs, err := t.tx.QueryContext(ctx, `SELECT at FROM rate_events WHERE key_hash = $1 AND at > $2 ORDER BY at`,
		keyHash, micros(since))
	if err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	defer rs.Close()
	var at []time.Time
	for rs.Next() {
		var us int64
		if err := rs.Scan(&us); err != nil {
			return nil, fmt.Errorf("count events: %w", err)
		}
		at = append(at, time.UnixMicro(us))
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	return at, nil
}

func (t sqliteLimitTx) record(ctx context.Context, keyHash, hold string, at, expires time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO rate_events (key_hash, at, n, expires_at, hold)
		VALUES ($1, $2, 1, $3, $4)`, keyHash, micros(at), micros(expires), hold); err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}

func (t sqliteLimitTx) tokens(ctx context.Context, guild, day string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT tokens FROM guild_usage WHERE guild_id = $1 AND day = $2`,
		guild, day).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read tokens: %w", err)
	}
	return n, nil
}

func (t sqliteLimitTx) addTokens(ctx context.Context, guild, day string, delta int64) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO guild_usage (guild_id, day, briefs, tokens)
		VALUES ($1, $2, 0, MAX($3, 0))
		ON CONFLICT (guild_id, day) DO UPDATE SET tokens = MAX(guild_usage.tokens + $3, 0)`,
		guild, day, delta); err != nil {
		return fmt.Errorf("add tokens: %w", err)
	}
	return nil
}

// pgLimitTx is PostgreSQL's limitTx.
type pgLimitTx struct{ tx pgx.Tx }

func (t pgLimitTx) events(ctx context.Context, keyHash string, since time.Time) ([]time.Time, error) {
	rs, err := t.tx.Query(ctx, `SELECT at FROM rate_events WHERE key_hash = $1 AND at > $2 ORDER BY at`,
		keyHash, clampTime(since))
	if err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	at, err := pgx.CollectRows(rs, pgx.RowTo[time.Time])
	if err != nil {
		return nil, fmt.Errorf("count events: %w", err)
	}
	return at, nil
}

func (t pgLimitTx) record(ctx context.Context, keyHash, hold string, at, expires time.Time) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO rate_events (key_hash, at, n, expires_at, hold)
		VALUES ($1, $2, 1, $3, $4)`, keyHash, clampTime(at), clampTime(expires), hold); err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	return nil
}

func (t pgLimitTx) tokens(ctx context.Context, guild, day string) (int64, error) {
	var n int64
	err := t.tx.QueryRow(ctx, `SELECT tokens FROM guild_usage WHERE guild_id = $1 AND day = $2::date`,
		guild, day).Scan(&n)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("read tokens: %w", err)
	}
	return n, nil
}

func (t pgLimitTx) addTokens(ctx context.Context, guild, day string, delta int64) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO guild_usage (guild_id, day, briefs, tokens)
		VALUES ($1, $2::date, 0, GREATEST($3::bigint, 0))
		ON CONFLICT (guild_id, day) DO UPDATE SET tokens = GREATEST(guild_usage.tokens + $3::bigint, 0)`,
		guild, day, delta); err != nil {
		return fmt.Errorf("add tokens: %w", err)
	}
	return nil
}

// sqliteTx runs fn in one write transaction of s: BEGIN IMMEDIATE takes
// SQLite's write lock first, so fn is exclusive across every process
// sharing the file.
func (s *SQLite) sqliteTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Reserve takes q's slots and tokens, or nothing when one of its limits is
// full: the counts and the records are one transaction under SQLite's
// write lock, so concurrent reservations from any number of processes
// sharing the file never admit more than the limits. It also removes up
// to a hundred expired events.
func (s *SQLite) Reserve(ctx context.Context, q Quota) (h Hold, err error) {
	if err := checkQuota(q); err != nil {
		return Hold{}, err
	}
	err = s.sqliteTx(ctx, func(tx *sql.Tx) error {
		now := time.UnixMicro(micros(s.now()))
		if _, err := tx.ExecContext(ctx, `DELETE FROM rate_events WHERE rowid IN (
				SELECT rowid FROM rate_events WHERE expires_at <= $1 LIMIT $2)`,
			micros(now), sweepBatch); err != nil {
			return fmt.Errorf("remove expired events: %w", err)
		}
		h, err = reserveIn(ctx, sqliteLimitTx{tx}, q, now)
		return err
	})
	if err != nil {
		return Hold{}, fmt.Errorf("store: reserve: %w", err)
	}
	return h, nil
}

// Settle keeps h's slots and replaces its estimate by tokens.
func (s *SQLite) Settle(ctx context.Context, h Hold, tokens int64) error {
	if h.Guild == "" || tokens == h.Tokens {
		return nil
	}
	err := s.sqliteTx(ctx, func(tx *sql.Tx) error {
		return sqliteLimitTx{tx}.addTokens(ctx, h.Guild, h.Day, tokens-h.Tokens)
	})
	if err != nil {
		return fmt.Errorf("store: settle: %w", err)
	}
	return nil
}

// Refund gives h's slots and tokens back, in one transaction.
func (s *SQLite) Refund(ctx context.Context, h Hold) error {
	if h.ID == "" {
		return nil
	}
	err := s.sqliteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rate_events WHERE hold = $1`, h.ID); err != nil {
			return err
		}
		if h.Guild == "" || h.Tokens <= 0 {
			return nil
		}
		return sqliteLimitTx{tx}.addTokens(ctx, h.Guild, h.Day, -h.Tokens)
	})
	if err != nil {
		return fmt.Errorf("store: refund: %w", err)
	}
	return nil
}

// Counts returns the live counts of q's user and guild.
func (s *SQLite) Counts(ctx context.Context, q Quota) (c Counts, err error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Counts{}, fmt.Errorf("store: counts: %w", err)
	}
	defer tx.Rollback()
	c, err = countsIn(ctx, sqliteLimitTx{tx}, q, s.now())
	if err != nil {
		return Counts{}, fmt.Errorf("store: counts: %w", err)
	}
	return c, nil
}

// Reserve takes q's slots and tokens, or nothing when one of its limits is
// full. Transaction-scoped advisory locks on the user and the guild, taken
// in a fixed order, serialize the counts and the records across every
// process sharing the database, so they never admit more than the limits.
// Times come from this process's clock, so the hosts of a deployment
// should keep their clocks in sync (NTP). It also removes up to a hundred
// expired events.
func (s *Postgres) Reserve(ctx context.Context, q Quota) (h Hold, err error) {
	if err := checkQuota(q); err != nil {
		return Hold{}, err
	}
	user, guild := rateKeys(q)
	budget := ""
	if q.DailyTokens > 0 && q.Tokens > 0 {
		budget = "linkbrief:budget:" + q.Guild
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The locks come first and are the only thing this transaction
		// waits for: the sweep skips rows others hold, and inserts never
		// conflict.
		for _, k := range lockKeys(user, guild, budget) {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, rateLockClass, k); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		now := clampTime(s.now())
		if _, err := tx.Exec(ctx, `DELETE FROM rate_events WHERE id IN (
				SELECT id FROM rate_events WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			now, sweepBatch); err != nil {
			return fmt.Errorf("remove expired events: %w", err)
		}
		h, err = reserveIn(ctx, pgLimitTx{tx}, q, now)
		return err
	})
	if err != nil {
		return Hold{}, fmt.Errorf("store: reserve: %w", err)
	}
	return h, nil
}

// Settle keeps h's slots and replaces its estimate by tokens.
func (s *Postgres) Settle(ctx context.Context, h Hold, tokens int64) error {
	if h.Guild == "" || tokens == h.Tokens {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return pgLimitTx{tx}.addTokens(ctx, h.Guild, h.Day, tokens-h.Tokens)
	})
	if err != nil {
		return fmt.Errorf("store: settle: %w", err)
	}
	return nil
}

// Refund gives h's slots and tokens back, in one transaction.
func (s *Postgres) Refund(ctx context.Context, h Hold) error {
	if h.ID == "" {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM rate_events WHERE hold = $1`, h.ID); err != nil {
			return err
		}
		if h.Guild == "" || h.Tokens <= 0 {
			return nil
		}
		return pgLimitTx{tx}.addTokens(ctx, h.Guild, h.Day, -h.Tokens)
	})
	if err != nil {
		return fmt.Errorf("store: refund: %w", err)
	}
	return nil
}

// Counts returns the live counts of q's user and guild.
func (s *Postgres) Counts(ctx context.Context, q Quota) (c Counts, err error) {
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		c, err = countsIn(ctx, pgLimitTx{tx}, q, clampTime(s.now()))
		return err
	})
	if err != nil {
		return Counts{}, fmt.Errorf("store: counts: %w", err)
	}
	return c, nil
}
