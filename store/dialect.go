package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// dialect is what differs between the two engines; every statement not
// named here is the same on both (numbered $n parameters, INSERT ... ON
// CONFLICT, CAST). The concurrency code that must differ (lockSchema,
// lockLimits, releaseLease) is written in its concern's file, each
// engine's version beside the other's.
type dialect struct {
	// name is the engine's name, for messages.
	name string
	// types fills the column types of the one schema (migrate.go).
	types *strings.Replacer
	// time encodes a time as stored: Unix microseconds on SQLite,
	// timestamptz on PostgreSQL, both clamped to years 1 to 9999. dbTime
	// decodes either.
	time func(t time.Time) any
	// text makes free text storable: PostgreSQL text holds no NUL byte
	// and no invalid UTF-8; SQLite keeps any bytes.
	text func(s string) string
	// owner encodes a lease owner, compared byte for byte.
	owner func(owner string) any
	// lockSchema is the first statement of the migration transaction: it
	// makes processes starting together on an empty database take turns.
	lockSchema func(ctx context.Context, tx *sql.Tx) error
	// lockLimits makes a limiter transaction exclusive for the keys of
	// one reservation (fnv hashes, sorted).
	lockLimits func(ctx context.Context, tx *sql.Tx, keys []int32) error
	// sweepEvents removes up to $2 rate events expired at $1, without
	// waiting for rows other transactions hold.
	sweepEvents string
	// releaseLease frees a lease and sweeps expired ones.
	releaseLease func(ctx context.Context, s *DB, keyHash string, owner any, now any) error
}

// sqliteDialect is SQLite through modernc.org/sqlite (pure Go).
var sqliteDialect = dialect{
	name: "SQLite",
	types: strings.NewReplacer(
		"{text}", "TEXT", "{time}", "BIGINT", "{bytes}", "BLOB", "{day}", "TEXT",
		"{owner}", "TEXT", "{int}", "BIGINT", "{event_id}", ""),
	time:         func(t time.Time) any { return micros(t) },
	text:         func(s string) string { return s },
	owner:        func(o string) any { return o },
	lockSchema:   sqliteLockSchema,
	lockLimits:   sqliteLockLimits,
	sweepEvents:  sqliteSweepEvents,
	releaseLease: sqliteReleaseLease,
}

// postgresDialect is PostgreSQL through pgx's database/sql driver.
var postgresDialect = dialect{
	name: "PostgreSQL",
	types: strings.NewReplacer(
		"{text}", "text", "{time}", "timestamptz", "{bytes}", "bytea", "{day}", "date",
		"{owner}", "bytea", "{int}", "bigint",
		"{event_id}", "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"),
	time:         func(t time.Time) any { return clampTime(t) },
	text:         pgText,
	owner:        func(o string) any { return []byte(o) },
	lockSchema:   pgLockSchema,
	lockLimits:   pgLockLimits,
	sweepEvents:  pgSweepEvents,
	releaseLease: pgReleaseLease,
}

// pgText makes s storable in a PostgreSQL text column: invalid UTF-8 and
// NUL bytes, which PostgreSQL rejects, become U+FFFD.
func pgText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// sqliteQuery configures every SQLite connection: wait up to 10 s for a
// lock held by another connection or process, write-ahead logging so
// readers never block the writer, and BEGIN IMMEDIATE so a write
// transaction takes the lock up front instead of failing with SQLITE_BUSY
// when it upgrades later (read-only transactions begin DEFERRED).
const sqliteQuery = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"

// readConns caps SQLite's read pool. WAL readers run in parallel with each
// other and with the writer; the machine is small, so a few are plenty.
const readConns = 4

// Open opens the SQLite database at path, creating its directory and the
// file when missing, and migrates it to the newest schema. Errors name the
// path (a read-only or full directory, a file that is not a database).
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: database path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: create database directory: %w", err)
	}
	// Create the file ourselves: the error names the path and says why
	// ("permission denied", "no space left on device"), and the article
	// cache stays private to its owner (SQLite would use 0644).
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("store: open database file: %w", err)
	}
	s := newDB(sqliteDialect, abs, opts)
	if s.write, err = sql.Open("sqlite", sqliteDSN(abs, "")); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	s.write.SetMaxOpenConns(1)
	if err := migrate(ctx, s.write, sqliteDialect, s.now()); err != nil {
		_ = s.write.Close()
		if dir := filepath.Dir(abs); !dirWritable(dir) {
			return nil, fmt.Errorf("store: open %s: directory %s is not writable, and SQLite creates its -wal and -shm files there: %w", abs, dir, err)
		}
		return nil, fmt.Errorf("store: migrate %s: %w", abs, err)
	}
	if s.read, err = sql.Open("sqlite", sqliteDSN(abs, "&_pragma=query_only(1)")); err != nil {
		_ = s.write.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	s.read.SetMaxOpenConns(readConns)
	s.read.SetMaxIdleConns(readConns)
	return s, nil
}

// dirWritable reports whether files can be created in dir. It explains a
// failed open better than SQLite's "attempt to write a readonly database"
// when the database exists but its directory is read-only.
func dirWritable(dir string) bool {
	f, err := os.CreateTemp(dir, ".linkbrief-probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// sqliteDSN returns the driver's URI for the file at abs. Building it as a
// URL escapes '?', '#' and '%' in the path, which would otherwise be read
// as the start of the query.
func sqliteDSN(abs, extra string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), OmitHost: true, RawQuery: sqliteQuery + extra}
	return u.String()
}

// defaultConnectTimeout bounds each PostgreSQL connection attempt when the
// DSN sets no connect_timeout.
const defaultConnectTimeout = 10 * time.Second

// OpenPostgres connects to the PostgreSQL database at dsn (a URL such as
// "postgres://user@host:5432/db?sslmode=disable" or key=value pairs;
// pool_max_conns, pool_max_conn_lifetime and pool_max_conn_idle_time size
// the pool) and migrates it to the newest schema. Tables live in the first
// schema of the connection's search_path; put search_path in the DSN to
// keep Linkbrief apart from other applications. Behind PgBouncer in
// transaction mode, add default_query_exec_mode=exec to the DSN: pgx's
// default caches prepared statements per connection.
//
// PostgreSQL text cannot hold NUL bytes or invalid UTF-8: such bytes in
// free text (titles, article text, bylines, URLs as stored) come back as
// U+FFFD. Lookups by key or URL use the exact bytes given.
func OpenPostgres(ctx context.Context, dsn string) (*DB, error) {
	return OpenPostgresWith(ctx, dsn, Options{})
}

// OpenPostgresWith is OpenPostgres with options.
func OpenPostgresWith(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("store: empty PostgreSQL DSN")
	}
	// pgxpool's parser takes the pool_* settings too; pgx redacts the
	// password in its parse errors.
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: PostgreSQL DSN: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// An unreachable server should fail the start, not hang it.
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	c := cfg.ConnConfig
	s := newDB(postgresDialect, fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database), opts)
	s.write = stdlib.OpenDB(*cfg.ConnConfig)
	s.write.SetMaxOpenConns(int(cfg.MaxConns))
	s.write.SetMaxIdleConns(int(cfg.MaxConns))
	s.write.SetConnMaxLifetime(cfg.MaxConnLifetime)
	s.write.SetConnMaxIdleTime(cfg.MaxConnIdleTime)
	s.read = s.write
	if err := migrate(ctx, s.write, postgresDialect, s.now()); err != nil {
		_ = s.write.Close()
		return nil, fmt.Errorf("store: migrate PostgreSQL %s: %w", s.target, err)
	}
	return s, nil
}

// OpenDSN opens the store that the configuration names: driver "sqlite"
// (or "") with dsn the database file path ("" = DefaultPath), or
// "postgres" (or "postgresql") with dsn the connection URL.
func OpenDSN(ctx context.Context, driver, dsn string) (*DB, error) {
	switch driver {
	case "", "sqlite":
		if dsn == "" {
			p, err := DefaultPath()
			if err != nil {
				return nil, err
			}
			dsn = p
		}
		return Open(ctx, dsn)
	case "postgres", "postgresql":
		if dsn == "" {
			return nil, errors.New("store: driver postgres needs a DSN (store.dsn), e.g. postgres://user@host:5432/linkbrief")
		}
		return OpenPostgres(ctx, dsn)
	default:
		return nil, fmt.Errorf("store: unknown driver %q: want sqlite or postgres", driver)
	}
}
