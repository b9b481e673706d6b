// Package store is Linkbrief's persistence: the cache of briefs and
// articles, guild settings, the thread -> article map, the reply ledger that
// makes replies exactly-once, and usage counters.
//
// It stores plain values and knows nothing of Discord or of the pipeline's
// types. DB is the one implementation, over database/sql: on SQLite (pure
// Go, WAL), the default, or on PostgreSQL (pgx's database/sql driver) for
// deployments that scale out; OpenDSN picks one from the configuration.
// What differs between the two engines is a dialect value (dialect.go);
// the code of each concern (cache.go, settings.go, threads.go, ledger.go,
// usage.go, lease.go, limits.go, migrate.go) is shared, with each engine's
// concurrency code side by side where it must differ.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrNotFound is returned for every lookup of a missing or expired entry.
// Lookups never return a zero value with a nil error to mean "absent".
var ErrNotFound = errors.New("store: not found")

// Store is the method set of the store. Consumers should declare the
// smaller interface they need; this one is what the conformance suite
// checks on both engines.
type Store interface {
	Close() error

	GetBrief(ctx context.Context, key string) ([]byte, error)
	PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error
	GetArticle(ctx context.Context, url string) (Article, error)
	PutArticle(ctx context.Context, a Article, ttl time.Duration) error
	DeleteExpired(ctx context.Context) (int64, error)

	GuildSettings(ctx context.Context, guildID string) (GuildSettings, error)
	SetAutoChannel(ctx context.Context, guildID, channelID string, enabled bool) error
	SetLanguage(ctx context.Context, guildID, lang string) error

	PutThread(ctx context.Context, t Thread) error
	DeleteThread(ctx context.Context, threadID string) error
	Thread(ctx context.Context, threadID string) (Thread, error)
	RecentThread(ctx context.Context, guildID, url string, since time.Time) (Thread, error)

	ClaimEvent(ctx context.Context, eventID string) (bool, error)
	FinishEvent(ctx context.Context, eventID, replyID string) error
	ReleaseEvent(ctx context.Context, eventID string) error
	EventFinished(ctx context.Context, eventID string) (bool, error)
	EventReply(ctx context.Context, eventID string) (string, error)

	AddUsage(ctx context.Context, guildID string, day time.Time, briefs, tokens int64) error
	Usage(ctx context.Context, guildID string, day time.Time) (Usage, error)
}

// Article is an extracted article kept for follow-up questions, keyed by its
// canonical URL.
type Article struct {
	URL, Title, Site, Byline, Lang, Text string
	Published                            time.Time // zero when unknown
	// Kind is the kind of source ("article", "paper", "video",
	// "discussion", "repository", "post"); "" reads as "article".
	Kind string
}

// GuildSettings are the per-server settings changed by admins.
type GuildSettings struct {
	GuildID      string
	AutoChannels []string // channel IDs with auto mode enabled by admins, sorted
	Language     string   // "" = the article's language
}

// Thread is a Discord thread the bot created for an article.
type Thread struct {
	ThreadID, GuildID, ChannelID, MessageID string
	URL                                     string // canonical URL of the article
	Title                                   string
	CreatedAt                               time.Time
}

// Usage holds the counters of one guild for one UTC day.
type Usage struct {
	GuildID        string
	Day            string // "2006-01-02" UTC
	Briefs, Tokens int64
}

// dayFormat is the layout of Usage.Day.
const dayFormat = "2006-01-02"

// DefaultPath returns the default database file:
// <os.UserCacheDir()>/linkbrief/linkbrief.db, or
// <os.TempDir()>/linkbrief/linkbrief.db when there is no user cache
// directory (no $HOME, for example).
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		dir = os.TempDir()
	}
	if dir == "" {
		return "", fmt.Errorf("store: no user cache directory and no temporary directory")
	}
	return filepath.Join(dir, "linkbrief", "linkbrief.db"), nil
}

// defaultEventRetention is how long reply-ledger entries are kept: well past
// any gateway replay or job-queue retry window.
const defaultEventRetention = 30 * 24 * time.Hour

// Options tunes a store. The zero value means the defaults.
type Options struct {
	// Now is the clock used for expiry, creation times and the ledger.
	// Nil means time.Now.
	Now func() time.Time
	// EventRetention is how long a reply-ledger entry is kept before
	// DeleteExpired removes it. Zero or less means 30 days.
	EventRetention time.Duration
}

var (
	_ Store   = (*DB)(nil)
	_ Leases  = (*DB)(nil)
	_ Limiter = (*DB)(nil)
	_ Pinger  = (*DB)(nil)
)

// DB is the Store kept in an SQL database: one SQLite file (Open) or a
// PostgreSQL database (OpenPostgres). It is safe for concurrent use, and
// any number of processes may share the database: ClaimEvent is
// exactly-once across all of them, and several processes may start at
// once on an empty database.
type DB struct {
	d dialect
	// write runs every write. On SQLite it has one connection, so writes
	// queue here instead of fighting over the file's lock, and its
	// transactions begin IMMEDIATE (they take the lock first). On
	// PostgreSQL it is the one pool.
	write *sql.DB
	// read runs lookups: on SQLite, query_only connections that WAL lets
	// run beside the writer; on PostgreSQL, write again.
	read      *sql.DB
	target    string // the file, or user@host:port/db without a password, for errors
	now       func() time.Time
	retention time.Duration
}

// newDB fills the parts of a DB common to both engines.
func newDB(d dialect, target string, opts Options) *DB {
	s := &DB{d: d, target: target, now: opts.Now, retention: opts.EventRetention}
	if s.now == nil {
		s.now = time.Now
	}
	if s.retention <= 0 {
		s.retention = defaultEventRetention
	}
	return s
}

// Close closes the database; in-flight calls finish first. Closing twice is
// not an error; calls after Close fail.
func (s *DB) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(s.read.Close(), err)
	}
	if err != nil {
		return fmt.Errorf("store: close %s: %w", s.target, err)
	}
	return nil
}

// Pinger is a store that can tell whether its database answers. Health
// checks (/healthz) use it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Ping runs a trivial query on a read connection, so a write in progress
// does not make the store look down.
func (s *DB) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// writeTx runs fn in one transaction on the write connections: on SQLite
// it holds the file's write lock from the start (BEGIN IMMEDIATE), so fn
// is exclusive across every process sharing the file; on PostgreSQL it is
// an ordinary READ COMMITTED transaction, which takes locks as it goes.
func (s *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
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

// hashKey is the indexed form of a key or URL of any length: PostgreSQL
// limits the size of a b-tree entry.
func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// inRange reports whether t lies in years 1 to 9999, the times stored as
// they are. Dates from hostile pages may lie anywhere.
func inRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// micros converts t to Unix microseconds, clamped to years 1 to 9999 so
// times far out of range cannot overflow. Both engines keep times to the
// microsecond.
func micros(t time.Time) int64 {
	switch t = t.UTC(); {
	case t.Year() < 1:
		t = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	case t.Year() > 9999:
		t = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	}
	return t.UnixMicro()
}

// clampTime returns t in UTC, to the microsecond, clamped to years 1 to
// 9999.
func clampTime(t time.Time) time.Time {
	return time.UnixMicro(micros(t)).UTC()
}

// expiry returns the expiry of an entry stored now for ttl, as stored.
func (s *DB) expiry(ttl time.Duration) (any, error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("store: ttl must be positive, got %v", ttl)
	}
	return s.d.time(s.now().Add(ttl)), nil
}

// dbTime scans a time column of either engine: Unix microseconds from
// SQLite, a timestamptz from PostgreSQL, or NULL (Valid false). Times come
// back in UTC.
type dbTime struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = dbTime{}
	case int64:
		*t = dbTime{Time: time.UnixMicro(v).UTC(), Valid: true}
	case time.Time:
		*t = dbTime{Time: v.UTC(), Valid: true}
	default:
		return fmt.Errorf("store: a time stored as %T", src)
	}
	return nil
}
