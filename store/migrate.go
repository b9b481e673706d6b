package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one numbered step of the schema. Versions start at 1 and
// follow each other without gaps; a step is never edited once released, a
// new one is appended instead.
type migration struct {
	version int
	stmts   []string
}

// sqliteMigrations is the schema of the SQLite store, oldest first.
//
// Times are BIGINT Unix microseconds (the precision of PostgreSQL's
// timestamptz) so the statements that read and write them stay portable.
// Keys that may be long (cache keys, URLs) are indexed through their SHA-256
// so PostgreSQL's limit on b-tree entry size never bites.
func sqliteMigrations() []migration {
	return []migration{
		{version: 1, stmts: []string{
			`CREATE TABLE briefs (
				key_hash   TEXT PRIMARY KEY,
				key        TEXT NOT NULL,
				data       BLOB NOT NULL,
				created_at BIGINT NOT NULL,
				expires_at BIGINT NOT NULL
			)`,
			`CREATE INDEX briefs_expires_at ON briefs (expires_at)`,
			`CREATE TABLE articles (
				url_hash   TEXT PRIMARY KEY,
				url        TEXT NOT NULL,
				title      TEXT NOT NULL,
				site       TEXT NOT NULL,
				byline     TEXT NOT NULL,
				lang       TEXT NOT NULL,
				body       TEXT NOT NULL,
				published  BIGINT,
				created_at BIGINT NOT NULL,
				expires_at BIGINT NOT NULL
			)`,
			`CREATE INDEX articles_expires_at ON articles (expires_at)`,
			`CREATE TABLE guild_settings (
				guild_id   TEXT PRIMARY KEY,
				language   TEXT NOT NULL,
				updated_at BIGINT NOT NULL
			)`,
			`CREATE TABLE auto_channels (
				guild_id   TEXT NOT NULL,
				channel_id TEXT NOT NULL,
				created_at BIGINT NOT NULL,
				PRIMARY KEY (guild_id, channel_id)
			)`,
			`CREATE TABLE threads (
				thread_id  TEXT PRIMARY KEY,
				guild_id   TEXT NOT NULL,
				channel_id TEXT NOT NULL,
				message_id TEXT NOT NULL,
				url        TEXT NOT NULL,
				url_hash   TEXT NOT NULL,
				title      TEXT NOT NULL,
				created_at BIGINT NOT NULL
			)`,
			`CREATE INDEX threads_guild_url ON threads (guild_id, url_hash, created_at)`,
			`CREATE TABLE reply_ledger (
				event_id    TEXT PRIMARY KEY,
				reply_id    TEXT,
				claimed_at  BIGINT NOT NULL,
				finished_at BIGINT
			)`,
			`CREATE INDEX reply_ledger_claimed_at ON reply_ledger (claimed_at)`,
			`CREATE TABLE guild_usage (
				guild_id TEXT NOT NULL,
				day      TEXT NOT NULL,
				briefs   BIGINT NOT NULL,
				tokens   BIGINT NOT NULL,
				PRIMARY KEY (guild_id, day)
			)`,
		}},
		// Cross-process coordination (lease.go, rate.go): leases with
		// expiry, and the events of sliding-window rate limits, each row
		// n events recorded at one instant and kept until its window ends.
		{version: 2, stmts: []string{
			`CREATE TABLE leases (
				key_hash   TEXT PRIMARY KEY,
				key        TEXT NOT NULL,
				owner      TEXT NOT NULL,
				expires_at BIGINT NOT NULL
			)`,
			`CREATE INDEX leases_expires_at ON leases (expires_at)`,
			`CREATE TABLE rate_events (
				key_hash   TEXT NOT NULL,
				at         BIGINT NOT NULL,
				n          BIGINT NOT NULL,
				expires_at BIGINT NOT NULL
			)`,
			`CREATE INDEX rate_events_key_at ON rate_events (key_hash, at)`,
			`CREATE INDEX rate_events_expires_at ON rate_events (expires_at)`,
		}},
		// The kind of source an article was read from (article, paper, video,
		// discussion, repository, post); "" for rows written before kinds.
		{version: 3, stmts: []string{
			`ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT ''`,
		}},
		// Each event belongs to the hold that reserved it (rate.go), so a
		// refund removes exactly that hold's events.
		{version: 4, stmts: []string{
			`ALTER TABLE rate_events ADD COLUMN hold TEXT NOT NULL DEFAULT ''`,
			`CREATE INDEX rate_events_hold ON rate_events (hold)`,
		}},
	}
}

// migrate brings db up to the newest schema in one transaction. The
// transaction takes the write lock first (BEGIN IMMEDIATE through the DSN's
// _txlock), so processes racing on an empty file apply each step once: the
// loser waits on the busy timeout, then finds nothing left to do.
func migrate(ctx context.Context, db *sql.DB, steps []migration, now time.Time) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	newest := 0
	if len(steps) > 0 {
		newest = steps[len(steps)-1].version
	}
	if current > newest {
		return fmt.Errorf("database schema version %d is newer than this build supports (%d): upgrade Linkbrief", current, newest)
	}
	for _, m := range steps {
		if m.version <= current {
			continue
		}
		for _, stmt := range m.stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %d: %w", m.version, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)`,
			m.version, now.UnixMicro()); err != nil {
			return fmt.Errorf("migration %d: record version: %w", m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
