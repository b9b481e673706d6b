package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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

var (
	_ Leases = (*SQLite)(nil)
	_ Leases = (*Postgres)(nil)
	_ Leases = (*Redis)(nil)
)

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
// whether owner now holds key. The check and the take are one statement
// under SQLite's write lock, so exactly one caller wins, across every
// process sharing the file. Expiry follows Options.Now, to the microsecond.
func (s *SQLite) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if err := checkLease(key, owner, ttl); err != nil {
		return false, err
	}
	now := s.now()
	res, err := s.write.ExecContext(ctx, `INSERT INTO leases (key_hash, key, owner, expires_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (key_hash) DO UPDATE SET
			key = excluded.key, owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.expires_at <= $5 OR leases.owner = excluded.owner`,
		hashKey(key), key, owner, micros(now.Add(ttl)), micros(now))
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
// removes up to a hundred expired leases of other keys.
func (s *SQLite) ReleaseLease(ctx context.Context, key, owner string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM leases
		WHERE (key_hash = $1 AND owner = $2)
			OR key_hash IN (SELECT key_hash FROM leases WHERE expires_at <= $3 LIMIT $4)`,
		hashKey(key), owner, micros(s.now()), sweepBatch)
	if err != nil {
		return fmt.Errorf("store: release lease %.80q: %w", key, err)
	}
	return nil
}

// AcquireLease takes key for ttl if it is free, its lease expired, or owner
// already holds it (which extends the lease to ttl from now). It reports
// whether owner now holds key. The check and the take are one INSERT ... ON
// CONFLICT statement, so exactly one caller wins across every process
// sharing the database. Expiry follows this process's clock (Options.Now),
// so the hosts of a deployment should keep their clocks in sync (NTP).
func (s *Postgres) AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if err := checkLease(key, owner, ttl); err != nil {
		return false, err
	}
	now := s.now()
	tag, err := s.pool.Exec(ctx, `INSERT INTO leases (key_hash, key, owner, expires_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (key_hash) DO UPDATE SET
			key = excluded.key, owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.expires_at <= $5 OR leases.owner = excluded.owner`,
		hashKey(key), pgText(key), []byte(owner), clampTime(now.Add(ttl)), clampTime(now))
	if err != nil {
		return false, fmt.Errorf("store: acquire lease %.80q: %w", key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseLease frees key if owner still holds it; releasing a lease that
// expired, went to another owner or never existed is not an error. It also
// removes up to a hundred expired leases of other keys, skipping rows other
// transactions hold, so concurrent releases never wait on each other's
// sweeps.
func (s *Postgres) ReleaseLease(ctx context.Context, key, owner string) error {
	// Two statements in one round trip. The first may wait for a
	// concurrent AcquireLease of the same key, but it holds no other lock
	// while it waits; the sweep never waits. So no two releases can
	// deadlock.
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM leases WHERE key_hash = $1 AND owner = $2`, hashKey(key), []byte(owner))
	b.Queue(`DELETE FROM leases WHERE key_hash IN (
			SELECT key_hash FROM leases WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
		clampTime(s.now()), sweepBatch)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("store: release lease %.80q: %w", key, err)
	}
	return nil
}
