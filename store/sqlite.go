package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

var _ Store = (*SQLite)(nil)

// dsnQuery configures every connection: wait up to 10 s for a lock held by
// another connection or process, write-ahead logging so readers never block
// the writer, and BEGIN IMMEDIATE so a transaction takes the write lock up
// front instead of failing with SQLITE_BUSY when it upgrades later.
const dsnQuery = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"

// readConns caps the read pool. WAL readers run in parallel with each other
// and with the writer; the machine is small, so a few are plenty.
const readConns = 4

// defaultEventRetention is how long reply-ledger entries are kept: well past
// any gateway replay or job-queue retry window.
const defaultEventRetention = 30 * 24 * time.Hour

// Options tunes a SQLite or PostgreSQL store. The zero value means the
// defaults.
type Options struct {
	// Now is the clock used for expiry, creation times and the ledger.
	// Nil means time.Now.
	Now func() time.Time
	// EventRetention is how long a reply-ledger entry is kept before
	// DeleteExpired removes it. Zero or less means 30 days.
	EventRetention time.Duration
}

// SQLite is the Store kept in one SQLite database file. It is safe for
// concurrent use, and several processes may share the file.
type SQLite struct {
	path      string
	write     *sql.DB // one connection: writes queue here instead of fighting over the lock
	read      *sql.DB // query_only connections for lookups
	now       func() time.Time
	retention time.Duration
}

// Open opens the SQLite database at path, creating its directory and the
// file when missing, and migrates it to the newest schema. Errors name the
// path (a read-only or full directory, a file that is not a database).
func Open(ctx context.Context, path string) (*SQLite, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*SQLite, error) {
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

	s := &SQLite{path: abs, now: opts.Now, retention: opts.EventRetention}
	if s.now == nil {
		s.now = time.Now
	}
	if s.retention <= 0 {
		s.retention = defaultEventRetention
	}
	s.write, err = sql.Open("sqlite", dsn(abs, ""))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	s.write.SetMaxOpenConns(1)
	if err := migrate(ctx, s.write, sqliteMigrations(), s.now()); err != nil {
		_ = s.write.Close()
		if dir := filepath.Dir(abs); !dirWritable(dir) {
			return nil, fmt.Errorf("store: open %s: directory %s is not writable, and SQLite creates its -wal and -shm files there: %w", abs, dir, err)
		}
		return nil, fmt.Errorf("store: migrate %s: %w", abs, err)
	}
	s.read, err = sql.Open("sqlite", dsn(abs, "&_pragma=query_only(1)"))
	if err != nil {
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

// dsn returns the driver's URI for the file at abs. Building it as a URL
// escapes '?', '#' and '%' in the path, which would otherwise be read as
// the start of the query.
func dsn(abs, extra string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), OmitHost: true, RawQuery: dsnQuery + extra}
	return u.String()
}

// Close closes the database. In-flight calls finish first.
func (s *SQLite) Close() error {
	err := errors.Join(s.read.Close(), s.write.Close())
	if err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// hashKey is the indexed form of a key or URL of any length.
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

// micros converts t to stored Unix microseconds, clamped to years 1 to 9999
// so times far out of range cannot overflow.
func micros(t time.Time) int64 {
	switch t = t.UTC(); {
	case t.Year() < 1:
		t = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	case t.Year() > 9999:
		t = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	}
	return t.UnixMicro()
}

// expiry returns the Unix-microsecond expiry of an entry stored now.
func (s *SQLite) expiry(ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("store: ttl must be positive, got %v", ttl)
	}
	return s.now().Add(ttl).UnixMicro(), nil
}

// GetBrief returns the brief stored under key, or ErrNotFound when there is
// none or it has expired.
func (s *SQLite) GetBrief(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	err := s.read.QueryRowContext(ctx,
		`SELECT data FROM briefs WHERE key_hash = $1 AND expires_at > $2`,
		hashKey(key), s.now().UnixMicro()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get brief: %w", err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// PutBrief stores data under key for ttl, replacing any earlier brief.
func (s *SQLite) PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	if key == "" {
		return errors.New("store: put brief: empty key")
	}
	exp, err := s.expiry(ttl)
	if err != nil {
		return err
	}
	if data == nil {
		data = []byte{}
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO briefs (key_hash, key, data, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key_hash) DO UPDATE SET
			key = excluded.key, data = excluded.data,
			created_at = excluded.created_at, expires_at = excluded.expires_at`,
		hashKey(key), key, data, s.now().UnixMicro(), exp)
	if err != nil {
		return fmt.Errorf("store: put brief: %w", err)
	}
	return nil
}

// GetArticle returns the article stored for the canonical url, or
// ErrNotFound when there is none or it has expired. Published comes back in
// UTC, to the microsecond.
func (s *SQLite) GetArticle(ctx context.Context, url string) (Article, error) {
	var (
		a         Article
		published sql.NullInt64
	)
	err := s.read.QueryRowContext(ctx,
		`SELECT url, title, site, byline, lang, body, published, kind FROM articles
		WHERE url_hash = $1 AND expires_at > $2`,
		hashKey(url), s.now().UnixMicro()).Scan(&a.URL, &a.Title, &a.Site, &a.Byline, &a.Lang, &a.Text, &published, &a.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return Article{}, ErrNotFound
	}
	if err != nil {
		return Article{}, fmt.Errorf("store: get article: %w", err)
	}
	if published.Valid {
		a.Published = time.UnixMicro(published.Int64).UTC()
	}
	return a, nil
}

// PutArticle stores a under a.URL for ttl, replacing any earlier copy. A
// Published date outside years 1 to 9999 is stored as unknown.
func (s *SQLite) PutArticle(ctx context.Context, a Article, ttl time.Duration) error {
	if a.URL == "" {
		return errors.New("store: put article: empty URL")
	}
	exp, err := s.expiry(ttl)
	if err != nil {
		return err
	}
	var published sql.NullInt64
	if !a.Published.IsZero() && inRange(a.Published) {
		published = sql.NullInt64{Int64: micros(a.Published), Valid: true}
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO articles
		(url_hash, url, title, site, byline, lang, body, published, created_at, expires_at, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (url_hash) DO UPDATE SET
			url = excluded.url, title = excluded.title, site = excluded.site,
			byline = excluded.byline, lang = excluded.lang, body = excluded.body,
			published = excluded.published, created_at = excluded.created_at,
			expires_at = excluded.expires_at, kind = excluded.kind`,
		hashKey(a.URL), a.URL, a.Title, a.Site, a.Byline, a.Lang, a.Text, published, s.now().UnixMicro(), exp, a.Kind)
	if err != nil {
		return fmt.Errorf("store: put article: %w", err)
	}
	return nil
}

// DeleteExpired removes expired briefs and articles, and reply-ledger
// entries older than the event retention (Options.EventRetention). It
// returns how many rows went.
func (s *SQLite) DeleteExpired(ctx context.Context) (n int64, err error) {
	now := s.now()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for _, q := range []struct {
		stmt string
		arg  int64
	}{
		{`DELETE FROM briefs WHERE expires_at <= $1`, now.UnixMicro()},
		{`DELETE FROM articles WHERE expires_at <= $1`, now.UnixMicro()},
		{`DELETE FROM reply_ledger WHERE claimed_at < $1`, now.Add(-s.retention).UnixMicro()},
	} {
		res, err := tx.ExecContext(ctx, q.stmt, q.arg)
		if err != nil {
			return 0, fmt.Errorf("store: delete expired: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("store: delete expired: %w", err)
		}
		n += k
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: delete expired: %w", err)
	}
	return n, nil
}

// GuildSettings returns the settings of guildID. An unknown guild has the
// zero settings (with GuildID set), not ErrNotFound.
func (s *SQLite) GuildSettings(ctx context.Context, guildID string) (GuildSettings, error) {
	if guildID == "" {
		return GuildSettings{}, errors.New("store: guild settings: empty guild ID")
	}
	g := GuildSettings{GuildID: guildID}
	err := s.read.QueryRowContext(ctx, `SELECT language FROM guild_settings WHERE guild_id = $1`, guildID).Scan(&g.Language)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return GuildSettings{}, fmt.Errorf("store: guild settings: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT channel_id FROM auto_channels WHERE guild_id = $1`, guildID)
	if err != nil {
		return GuildSettings{}, fmt.Errorf("store: guild settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ch string
		if err := rows.Scan(&ch); err != nil {
			return GuildSettings{}, fmt.Errorf("store: guild settings: %w", err)
		}
		g.AutoChannels = append(g.AutoChannels, ch)
	}
	if err := rows.Err(); err != nil {
		return GuildSettings{}, fmt.Errorf("store: guild settings: %w", err)
	}
	// Snowflakes of different lengths sort wrongly as text; callers see
	// them in numeric order, which is also creation order.
	slices.SortFunc(g.AutoChannels, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
	return g, nil
}

// SetAutoChannel enables or disables auto mode in channelID of guildID.
// Enabling twice or disabling a channel that is not enabled is not an error.
func (s *SQLite) SetAutoChannel(ctx context.Context, guildID, channelID string, enabled bool) error {
	if guildID == "" || channelID == "" {
		return fmt.Errorf("store: set auto channel: empty guild ID (%q) or channel ID (%q)", guildID, channelID)
	}
	var err error
	if enabled {
		_, err = s.write.ExecContext(ctx, `INSERT INTO auto_channels (guild_id, channel_id, created_at)
			VALUES ($1, $2, $3) ON CONFLICT (guild_id, channel_id) DO NOTHING`,
			guildID, channelID, s.now().UnixMicro())
	} else {
		_, err = s.write.ExecContext(ctx, `DELETE FROM auto_channels WHERE guild_id = $1 AND channel_id = $2`,
			guildID, channelID)
	}
	if err != nil {
		return fmt.Errorf("store: set auto channel: %w", err)
	}
	return nil
}

// SetLanguage sets the output language of guildID; "" means the article's.
func (s *SQLite) SetLanguage(ctx context.Context, guildID, lang string) error {
	if guildID == "" {
		return errors.New("store: set language: empty guild ID")
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO guild_settings (guild_id, language, updated_at)
		VALUES ($1, $2, $3)
		ON CONFLICT (guild_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`,
		guildID, lang, s.now().UnixMicro())
	if err != nil {
		return fmt.Errorf("store: set language: %w", err)
	}
	return nil
}

// PutThread records a thread the bot created, replacing any record with the
// same ThreadID. A zero CreatedAt means now; one outside years 1 to 9999 is
// clamped into that range.
func (s *SQLite) PutThread(ctx context.Context, t Thread) error {
	if t.ThreadID == "" {
		return errors.New("store: put thread: empty thread ID")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO threads
		(thread_id, guild_id, channel_id, message_id, url, url_hash, title, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (thread_id) DO UPDATE SET
			guild_id = excluded.guild_id, channel_id = excluded.channel_id,
			message_id = excluded.message_id, url = excluded.url, url_hash = excluded.url_hash,
			title = excluded.title, created_at = excluded.created_at`,
		t.ThreadID, t.GuildID, t.ChannelID, t.MessageID, t.URL, hashKey(t.URL), t.Title, micros(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: put thread: %w", err)
	}
	return nil
}

// DeleteThread removes the record of threadID, a thread that could not be
// started after all; removing one that is not recorded is not an error.
func (s *SQLite) DeleteThread(ctx context.Context, threadID string) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM threads WHERE thread_id = $1`, threadID); err != nil {
		return fmt.Errorf("store: delete thread: %w", err)
	}
	return nil
}

// threadColumns are the columns scanThread reads, in order.
const threadColumns = `thread_id, guild_id, channel_id, message_id, url, title, created_at`

func scanThread(row *sql.Row) (Thread, error) {
	var (
		t       Thread
		created int64
	)
	if err := row.Scan(&t.ThreadID, &t.GuildID, &t.ChannelID, &t.MessageID, &t.URL, &t.Title, &created); err != nil {
		return Thread{}, err
	}
	t.CreatedAt = time.UnixMicro(created).UTC()
	return t, nil
}

// Thread returns the thread with threadID, or ErrNotFound. CreatedAt comes
// back in UTC, to the microsecond.
func (s *SQLite) Thread(ctx context.Context, threadID string) (Thread, error) {
	t, err := scanThread(s.read.QueryRowContext(ctx,
		`SELECT `+threadColumns+` FROM threads WHERE thread_id = $1`, threadID))
	if errors.Is(err, sql.ErrNoRows) {
		return Thread{}, ErrNotFound
	}
	if err != nil {
		return Thread{}, fmt.Errorf("store: thread: %w", err)
	}
	return t, nil
}

// RecentThread returns the newest thread for url in guildID created at or
// after since, or ErrNotFound.
func (s *SQLite) RecentThread(ctx context.Context, guildID, url string, since time.Time) (Thread, error) {
	t, err := scanThread(s.read.QueryRowContext(ctx,
		`SELECT `+threadColumns+` FROM threads
		WHERE guild_id = $1 AND url_hash = $2 AND created_at >= $3
		ORDER BY created_at DESC, thread_id DESC LIMIT 1`,
		guildID, hashKey(url), micros(since)))
	if errors.Is(err, sql.ErrNoRows) {
		return Thread{}, ErrNotFound
	}
	if err != nil {
		return Thread{}, fmt.Errorf("store: recent thread: %w", err)
	}
	return t, nil
}

// ClaimEvent atomically records eventID (a message or interaction
// snowflake) in the reply ledger. It reports true to the one caller, in any
// process sharing the database, that claimed it first, and false to every
// later caller. A claim stays until FinishEvent completes it, ReleaseEvent
// removes it, or DeleteExpired drops it after the event retention: work
// interrupted by a crash is for the job queue to resume, not for a
// redelivered event to redo.
func (s *SQLite) ClaimEvent(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return false, errors.New("store: claim event: empty event ID")
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO reply_ledger (event_id, claimed_at)
		VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING`, eventID, s.now().UnixMicro())
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
func (s *SQLite) FinishEvent(ctx context.Context, eventID, replyID string) error {
	res, err := s.write.ExecContext(ctx, `UPDATE reply_ledger SET reply_id = $2, finished_at = $3 WHERE event_id = $1`,
		eventID, replyID, s.now().UnixMicro())
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
func (s *SQLite) ReleaseEvent(ctx context.Context, eventID string) error {
	// The delete and the check are one write transaction, so a claim made
	// by another process in between cannot be mistaken for a finished one.
	var finished int
	err := s.sqliteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM reply_ledger WHERE event_id = $1 AND finished_at IS NULL`, eventID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reply_ledger WHERE event_id = $1 AND finished_at IS NOT NULL`,
			eventID).Scan(&finished)
	})
	if err != nil {
		return fmt.Errorf("store: release event: %w", err)
	}
	if finished > 0 {
		return fmt.Errorf("store: release event %s: already finished with a reply", eventID)
	}
	return nil
}

// AddUsage adds briefs and tokens to the counters of guildID for the UTC day
// containing day.
func (s *SQLite) AddUsage(ctx context.Context, guildID string, day time.Time, briefs, tokens int64) error {
	if guildID == "" {
		return errors.New("store: add usage: empty guild ID")
	}
	if briefs < 0 || tokens < 0 {
		return fmt.Errorf("store: add usage: negative counts (briefs %d, tokens %d)", briefs, tokens)
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO guild_usage (guild_id, day, briefs, tokens)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (guild_id, day) DO UPDATE SET
			briefs = guild_usage.briefs + excluded.briefs,
			tokens = guild_usage.tokens + excluded.tokens`,
		guildID, day.UTC().Format(dayFormat), briefs, tokens)
	if err != nil {
		return fmt.Errorf("store: add usage: %w", err)
	}
	return nil
}

// Usage returns the counters of guildID for the UTC day containing day;
// counts are zero when nothing was recorded.
func (s *SQLite) Usage(ctx context.Context, guildID string, day time.Time) (Usage, error) {
	u := Usage{GuildID: guildID, Day: day.UTC().Format(dayFormat)}
	err := s.read.QueryRowContext(ctx, `SELECT briefs, tokens FROM guild_usage WHERE guild_id = $1 AND day = $2`,
		u.GuildID, u.Day).Scan(&u.Briefs, &u.Tokens)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Usage{}, fmt.Errorf("store: usage: %w", err)
	}
	return u, nil
}

// integrityCheck runs PRAGMA integrity_check and returns an error unless
// SQLite reports "ok".
func (s *SQLite) integrityCheck(ctx context.Context) error {
	rows, err := s.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: integrity check of %s: %q", s.path, problems)
	}
	return nil
}
