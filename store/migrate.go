package store

import (
	"context"
	"database/sql"
	"errors"
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

// schema is the store's schema, oldest step first, written once for both
// engines: each dialect fills in its column types ({time}: BIGINT Unix
// microseconds on SQLite, timestamptz on PostgreSQL; {bytes}: BLOB or
// bytea; {day}: TEXT "2006-01-02" or date; {owner}: TEXT or bytea).
// Keys that may be long (cache keys, URLs) are indexed through their
// SHA-256, so PostgreSQL's limit on b-tree entry size never bites. Briefs
// and articles are a cache, but stay logged tables in PostgreSQL so a
// crash does not empty them.
var schema = []migration{
	{version: 1, stmts: []string{
		`CREATE TABLE briefs (
			key_hash   {text} PRIMARY KEY,
			key        {text} NOT NULL,
			data       {bytes} NOT NULL,
			created_at {time} NOT NULL,
			expires_at {time} NOT NULL
		)`,
		`CREATE INDEX briefs_expires_at ON briefs (expires_at)`,
		`CREATE TABLE articles (
			url_hash   {text} PRIMARY KEY,
			url        {text} NOT NULL,
			title      {text} NOT NULL,
			site       {text} NOT NULL,
			byline     {text} NOT NULL,
			lang       {text} NOT NULL,
			body       {text} NOT NULL,
			published  {time},
			created_at {time} NOT NULL,
			expires_at {time} NOT NULL
		)`,
		`CREATE INDEX articles_expires_at ON articles (expires_at)`,
		`CREATE TABLE guild_settings (
			guild_id   {text} PRIMARY KEY,
			language   {text} NOT NULL,
			updated_at {time} NOT NULL
		)`,
		`CREATE TABLE auto_channels (
			guild_id   {text} NOT NULL,
			channel_id {text} NOT NULL,
			created_at {time} NOT NULL,
			PRIMARY KEY (guild_id, channel_id)
		)`,
		`CREATE TABLE threads (
			thread_id  {text} PRIMARY KEY,
			guild_id   {text} NOT NULL,
			channel_id {text} NOT NULL,
			message_id {text} NOT NULL,
			url        {text} NOT NULL,
			url_hash   {text} NOT NULL,
			title      {text} NOT NULL,
			created_at {time} NOT NULL
		)`,
		`CREATE INDEX threads_guild_url ON threads (guild_id, url_hash, created_at)`,
		`CREATE TABLE reply_ledger (
			event_id    {text} PRIMARY KEY,
			reply_id    {text},
			claimed_at  {time} NOT NULL,
			finished_at {time}
		)`,
		`CREATE INDEX reply_ledger_claimed_at ON reply_ledger (claimed_at)`,
		`CREATE TABLE guild_usage (
			guild_id {text} NOT NULL,
			day      {day} NOT NULL,
			briefs   {int} NOT NULL,
			tokens   {int} NOT NULL,
			PRIMARY KEY (guild_id, day)
		)`,
	}},
	// Cross-process coordination (lease.go, limits.go): leases with
	// expiry, and the events of sliding-window rate limits, each row n
	// events recorded at one instant and kept until its window ends. The
	// owner token is compared byte for byte. SQLite names an event by its
	// rowid, PostgreSQL by an identity column ({event_id}).
	{version: 2, stmts: []string{
		`CREATE TABLE leases (
			key_hash   {text} PRIMARY KEY,
			key        {text} NOT NULL,
			owner      {owner} NOT NULL,
			expires_at {time} NOT NULL
		)`,
		`CREATE INDEX leases_expires_at ON leases (expires_at)`,
		`CREATE TABLE rate_events (
			{event_id}
			key_hash   {text} NOT NULL,
			at         {time} NOT NULL,
			n          {int} NOT NULL,
			expires_at {time} NOT NULL
		)`,
		`CREATE INDEX rate_events_key_at ON rate_events (key_hash, at)`,
		`CREATE INDEX rate_events_expires_at ON rate_events (expires_at)`,
	}},
	// The kind of source an article was read from (article, paper, video,
	// discussion, repository, post); "" for rows written before kinds.
	{version: 3, stmts: []string{
		`ALTER TABLE articles ADD COLUMN kind {text} NOT NULL DEFAULT ''`,
	}},
	// Each event belongs to the hold that reserved it (limits.go), so a
	// refund removes exactly that hold's events.
	{version: 4, stmts: []string{
		`ALTER TABLE rate_events ADD COLUMN hold {text} NOT NULL DEFAULT ''`,
		`CREATE INDEX rate_events_hold ON rate_events (hold)`,
	}},
}

// migrate brings db up to the newest schema in one transaction, which
// begins with the dialect's lockSchema: processes racing on an empty
// database take turns, the first applies the steps, the others then find
// nothing left to do. DDL is transactional on both engines, so a failed
// step leaves nothing behind.
func migrate(ctx context.Context, db *sql.DB, d dialect, now time.Time) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := d.lockSchema(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, d.types.Replace(`CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_at {time} NOT NULL
	)`)); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	newest := schema[len(schema)-1].version
	if current > newest {
		return fmt.Errorf("database schema version %d is newer than this build supports (%d): upgrade Linkbrief", current, newest)
	}
	for _, m := range schema {
		if m.version <= current {
			continue
		}
		for _, stmt := range m.stmts {
			if _, err := tx.ExecContext(ctx, d.types.Replace(stmt)); err != nil {
				return fmt.Errorf("migration %d: %w", m.version, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)`,
			m.version, d.time(now)); err != nil {
			return fmt.Errorf("migration %d: record version: %w", m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// The migration transaction's first step, on each engine.

// sqliteLockSchema does nothing: the transaction began IMMEDIATE (the
// DSN's _txlock), so it already holds the file's write lock and a second
// process waits on its busy timeout.
func sqliteLockSchema(context.Context, *sql.Tx) error { return nil }

// migrationLockClass is the first key of the PostgreSQL advisory lock that
// serializes migrations; the second is a hash of the schema being
// migrated, so deployments in different schemas of one database do not
// wait on each other. The value spells "lkbf".
const migrationLockClass int32 = 0x6c6b6266

// pgLockSchema takes a transaction-scoped advisory lock on the schema the
// tables go to, after checking that the search_path names one.
func pgLockSchema(ctx context.Context, tx *sql.Tx) error {
	var schema sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("read current schema: %w", err)
	}
	if !schema.Valid {
		return errors.New("no schema to create tables in: the search_path names no existing schema")
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, migrationLockClass, schema.String); err != nil {
		return fmt.Errorf("lock schema %s: %w", schema.String, err)
	}
	return nil
}
