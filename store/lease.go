package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Leases is a cross-process lock with expiry, so the same canonical URL
// requested from several processes costs one fetch and one backend call.
// owner is a random per-process-and-call token.
//
// A lease is an efficiency lock, not a correctness lock: when it expires
// while its holder still works, a second process may take it and do the
// same work again. Callers pick a ttl above the longest time the work may
// take (fetch and LLM timeouts), and keep the guarded writes idempotent.
type Leases interface {
	// AcquireLease takes key for ttl if it is free or its lease expired;
	// reports whether owner now holds it.
	AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	// ReleaseLease frees key if owner still holds it (no error if not).
	ReleaseLease(ctx context.Context, key, owner string) error
}

var _ Leases = (*Redis)(nil)

// sweepBatch bounds how many expired lease or rate rows one call removes on
// the side, so a backlog is cleared over several calls instead of stalling
// one.
const sweepBatch = 100

// checkLease validates the arguments of AcquireLease.
func checkLease(key, owner string, ttl time.Duration) error {
	switch {
	case key == "":
		return errors.New("store: acquire lease: empty key")
	case owner == "":
		return fmt.Errorf("store: acquire lease %.80q: empty owner", key)
	case ttl < time.Microsecond:
		return fmt.Errorf("store: acquire lease %.80q: ttl must be at least 1µs, got %v", key, ttl)
	}
	return nil
}

// AcquireLease takes key for ttl if it is free, its lease expired, or owner
// already holds it (which extends the lease to ttl from now). It reports
// whether owner now holds key. The check and the take are one INSERT ... ON
// CONFLICT statement, so exactly one caller wins across every process
// sharing the database. Expiry follows this process's clock (Options.Now),
// to the microsecond, so the hosts of a PostgreSQL deployment should keep
// their clocks in sync (NTP).
func (s *DB) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if err := checkLease(key, owner, ttl); err != nil {
		return false, err
	}
	now := s.now()
	res, err := s.write.ExecContext(ctx, `INSERT INTO leases (key_hash, key, owner, expires_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (key_hash) DO UPDATE SET
			key = excluded.key, owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.expires_at <= $5 OR leases.owner = excluded.owner`,
		hashKey(key), s.d.text(key), s.d.owner(owner), s.d.time(now.Add(ttl)), s.d.time(now))
	if err != nil {
		return false, fmt.Errorf("store: acquire lease %.80q: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: acquire lease %.80q: %w", key, err)
	}
	return n == 1, nil
}

// ReleaseLease frees key if owner still holds it; releasing a lease that
// expired, went to another owner or never existed is not an error. It also
// removes up to a hundred expired leases of other keys, so leases need no
// janitor.
func (s *DB) ReleaseLease(ctx context.Context, key, owner string) error {
	if err := s.d.releaseLease(ctx, s, hashKey(key), s.d.owner(owner), s.d.time(s.now())); err != nil {
		return fmt.Errorf("store: release lease %.80q: %w", key, err)
	}
	return nil
}

// ReleaseLease on each engine.

// sqliteReleaseLease frees the lease and sweeps in one statement: writes
// take turns on SQLite's one write lock, so nothing waits inside it.
func sqliteReleaseLease(ctx context.Context, s *DB, keyHash string, owner, now any) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM leases
		WHERE (key_hash = $1 AND owner = $2)
			OR key_hash IN (SELECT key_hash FROM leases WHERE expires_at <= $3 LIMIT $4)`,
		keyHash, owner, now, sweepBatch)
	return err
}

// pgReleaseLease frees the lease and sweeps in one round trip: a pgx
// batch on the connection under database/sql, which PostgreSQL runs as
// one implicit transaction, its key first. The first statement may wait
// for a concurrent AcquireLease of the same key, but holds no other lock
// while it waits; the sweep skips rows other transactions hold and never
// waits. So no two releases can deadlock, as they could if the sweep
// held rows while waiting for its key.
func pgReleaseLease(ctx context.Context, s *DB, keyHash string, owner, now any) error {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM leases WHERE key_hash = $1 AND owner = $2`, keyHash, owner)
		b.Queue(`DELETE FROM leases WHERE key_hash IN (
				SELECT key_hash FROM leases WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			now, sweepBatch)
		return c.Conn().SendBatch(ctx, b).Close()
	})
}
