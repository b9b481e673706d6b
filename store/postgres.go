package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var _ Store = (*Postgres)(nil)

// defaultConnectTimeout bounds each connection attempt when the DSN sets no
// connect_timeout.
const defaultConnectTimeout = 10 * time.Second

// migrationLockClass is the first key of the advisory lock that serializes
// migrations; the second is a hash of the schema being migrated, so
// deployments in different schemas of one database do not wait on each
// other. The value spells "lkbf".
const migrationLockClass int32 = 0x6c6b6266

// Postgres is the Store kept in a PostgreSQL database, for deployments with
// several processes. It is safe for concurrent use, and any number of
// processes may share one database: ClaimEvent is exactly-once across all
// of them, and several processes may start at once on an empty database.
//
// Tables live in the first schema of the connection's search_path; put
// search_path in the DSN to keep Linkbrief apart from other applications.
//
// PostgreSQL text cannot hold NUL bytes or invalid UTF-8: such bytes in
// free text (titles, article text, bylines, URLs as stored) come back as
// U+FFFD. Lookups by key or URL use the exact bytes given.
type Postgres struct {
	pool      *pgxpool.Pool
	now       func() time.Time
	retention time.Duration
}

// OpenPostgres connects to the PostgreSQL database at dsn (a URL such as
// "postgres://user@host:5432/db?sslmode=disable" or key=value pairs; pool
// settings such as pool_max_conns are accepted too) and migrates it to the
// newest schema. Behind PgBouncer in transaction mode, add
// default_query_exec_mode=exec to the DSN: pgx's default caches prepared
// statements per connection.
func OpenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	return OpenPostgresWith(ctx, dsn, Options{})
}

// OpenPostgresWith is OpenPostgres with options.
func OpenPostgresWith(ctx context.Context, dsn string, opts Options) (*Postgres, error) {
	if dsn == "" {
		return nil, errors.New("store: empty PostgreSQL DSN")
	}
	// pgx redacts the password in its parse errors.
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: PostgreSQL DSN: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// An unreachable server should fail the start, not hang it.
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	s := &Postgres{now: opts.Now, retention: opts.EventRetention}
	if s.now == nil {
		s.now = time.Now
	}
	if s.retention <= 0 {
		s.retention = defaultEventRetention
	}
	s.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open PostgreSQL %s: %w", pgTarget(cfg), err)
	}
	if err := migratePostgres(ctx, s.pool, postgresMigrations(), s.now()); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("store: migrate PostgreSQL %s: %w", pgTarget(cfg), err)
	}
	return s, nil
}

// pgTarget names the server and database of cfg for error messages,
// without the password.
func pgTarget(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// OpenDSN opens the store that the configuration names: driver "sqlite"
// (or "") with dsn the database file path ("" = DefaultPath), or
// "postgres" (or "postgresql") with dsn the connection URL.
func OpenDSN(ctx context.Context, driver, dsn string) (Store, error) {
	switch driver {
	case "", "sqlite":
		if dsn == "" {
			p, err := DefaultPath()
			if err != nil {
				return nil, err
			}
			dsn = p
		}
		s, err := Open(ctx, dsn)
		if err != nil {
			return nil, err // not a typed nil in a non-nil Store
		}
		return s, nil
	case "postgres", "postgresql":
		if dsn == "" {
			return nil, errors.New("store: driver postgres needs a DSN (store.dsn), e.g. postgres://user@host:5432/linkbrief")
		}
		s, err := OpenPostgres(ctx, dsn)
		if err != nil {
			return nil, err
		}
		return s, nil
	default:
		return nil, fmt.Errorf("store: unknown driver %q: want sqlite or postgres", driver)
	}
}

// postgresMigrations is the schema of the PostgreSQL store, oldest first.
// It keeps the SQLite layout (long keys indexed through their SHA-256) with
// PostgreSQL's types: times are timestamptz (microseconds), bytes bytea,
// days date. Briefs and articles are a cache, but stay logged tables so a
// crash does not empty them.
func postgresMigrations() []migration {
	return []migration{
		{version: 1, stmts: []string{
			`CREATE TABLE briefs (
				key_hash   text PRIMARY KEY,
				key        text NOT NULL,
				data       bytea NOT NULL,
				created_at timestamptz NOT NULL,
				expires_at timestamptz NOT NULL
			)`,
			`CREATE INDEX briefs_expires_at ON briefs (expires_at)`,
			`CREATE TABLE articles (
				url_hash   text PRIMARY KEY,
				url        text NOT NULL,
				title      text NOT NULL,
				site       text NOT NULL,
				byline     text NOT NULL,
				lang       text NOT NULL,
				body       text NOT NULL,
				published  timestamptz,
				created_at timestamptz NOT NULL,
				expires_at timestamptz NOT NULL
			)`,
			`CREATE INDEX articles_expires_at ON articles (expires_at)`,
			`CREATE TABLE guild_settings (
				guild_id   text PRIMARY KEY,
				language   text NOT NULL,
				updated_at timestamptz NOT NULL
			)`,
			`CREATE TABLE auto_channels (
				guild_id   text NOT NULL,
				channel_id text NOT NULL,
				created_at timestamptz NOT NULL,
				PRIMARY KEY (guild_id, channel_id)
			)`,
			`CREATE TABLE threads (
				thread_id  text PRIMARY KEY,
				guild_id   text NOT NULL,
				channel_id text NOT NULL,
				message_id text NOT NULL,
				url        text NOT NULL,
				url_hash   text NOT NULL,
				title      text NOT NULL,
				created_at timestamptz NOT NULL
			)`,
			`CREATE INDEX threads_guild_url ON threads (guild_id, url_hash, created_at)`,
			`CREATE TABLE reply_ledger (
				event_id    text PRIMARY KEY,
				reply_id    text,
				claimed_at  timestamptz NOT NULL,
				finished_at timestamptz
			)`,
			`CREATE INDEX reply_ledger_claimed_at ON reply_ledger (claimed_at)`,
			`CREATE TABLE guild_usage (
				guild_id text NOT NULL,
				day      date NOT NULL,
				briefs   bigint NOT NULL,
				tokens   bigint NOT NULL,
				PRIMARY KEY (guild_id, day)
			)`,
		}},
		// Cross-process coordination (lease.go, rate.go), as in SQLite.
		// The owner token is compared byte for byte, so it is bytea.
		{version: 2, stmts: []string{
			`CREATE TABLE leases (
				key_hash   text PRIMARY KEY,
				key        text NOT NULL,
				owner      bytea NOT NULL,
				expires_at timestamptz NOT NULL
			)`,
			`CREATE INDEX leases_expires_at ON leases (expires_at)`,
			`CREATE TABLE rate_events (
				id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				key_hash   text NOT NULL,
				at         timestamptz NOT NULL,
				n          bigint NOT NULL,
				expires_at timestamptz NOT NULL
			)`,
			`CREATE INDEX rate_events_key_at ON rate_events (key_hash, at)`,
			`CREATE INDEX rate_events_expires_at ON rate_events (expires_at)`,
		}},
		// The kind of source an article was read from, as in SQLite.
		{version: 3, stmts: []string{
			`ALTER TABLE articles ADD COLUMN kind text NOT NULL DEFAULT ''`,
		}},
		// Each event belongs to the hold that reserved it, as in SQLite.
		{version: 4, stmts: []string{
			`ALTER TABLE rate_events ADD COLUMN hold text NOT NULL DEFAULT ''`,
			`CREATE INDEX rate_events_hold ON rate_events (hold)`,
		}},
	}
}

// migratePostgres brings the current schema up to the newest version in
// one transaction. A transaction-scoped advisory lock, taken before anything
// else, makes processes racing on an empty database queue up: the first
// applies the steps, the others then find nothing left to do. DDL is
// transactional in PostgreSQL, so a failed step leaves nothing behind.
func migratePostgres(ctx context.Context, pool *pgxpool.Pool, steps []migration, now time.Time) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var schema *string
		if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return fmt.Errorf("read current schema: %w", err)
		}
		if schema == nil {
			return errors.New("no schema to create tables in: the search_path names no existing schema")
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, migrationLockClass, *schema); err != nil {
			return fmt.Errorf("lock schema %s: %w", *schema, err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_version: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
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
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("migration %d: %w", m.version, err)
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)`,
				m.version, now); err != nil {
				return fmt.Errorf("migration %d: record version: %w", m.version, err)
			}
		}
		return nil
	})
}

// Close closes every connection, waiting for in-flight calls to return
// theirs. Closing twice is not an error; calls after Close fail.
func (s *Postgres) Close() error {
	s.pool.Close()
	return nil
}

// clampTime returns t in UTC, clamped to years 1 to 9999 like the SQLite
// store, so both stores agree on hostile dates.
func clampTime(t time.Time) time.Time {
	return time.UnixMicro(micros(t)).UTC()
}

// pgText makes s storable in a text column: invalid UTF-8 and NUL bytes,
// which PostgreSQL rejects, become U+FFFD.
func pgText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// expiry returns the expiry of an entry stored now.
func (s *Postgres) expiry(ttl time.Duration) (time.Time, error) {
	if ttl <= 0 {
		return time.Time{}, fmt.Errorf("store: ttl must be positive, got %v", ttl)
	}
	return clampTime(s.now().Add(ttl)), nil
}

// GetBrief returns the brief stored under key, or ErrNotFound when there is
// none or it has expired.
func (s *Postgres) GetBrief(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM briefs WHERE key_hash = $1 AND expires_at > $2`,
		hashKey(key), clampTime(s.now())).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
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
func (s *Postgres) PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error {
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
	_, err = s.pool.Exec(ctx, `INSERT INTO briefs (key_hash, key, data, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key_hash) DO UPDATE SET
			key = excluded.key, data = excluded.data,
			created_at = excluded.created_at, expires_at = excluded.expires_at`,
		hashKey(key), pgText(key), data, clampTime(s.now()), exp)
	if err != nil {
		return fmt.Errorf("store: put brief: %w", err)
	}
	return nil
}

// GetArticle returns the article stored for the canonical url, or
// ErrNotFound when there is none or it has expired. Published comes back in
// UTC, to the microsecond.
func (s *Postgres) GetArticle(ctx context.Context, url string) (Article, error) {
	var (
		a         Article
		published *time.Time
	)
	err := s.pool.QueryRow(ctx,
		`SELECT url, title, site, byline, lang, body, published, kind FROM articles
		WHERE url_hash = $1 AND expires_at > $2`,
		hashKey(url), clampTime(s.now())).Scan(&a.URL, &a.Title, &a.Site, &a.Byline, &a.Lang, &a.Text, &published, &a.Kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return Article{}, ErrNotFound
	}
	if err != nil {
		return Article{}, fmt.Errorf("store: get article: %w", err)
	}
	if published != nil {
		a.Published = published.UTC()
	}
	return a, nil
}

// PutArticle stores a under a.URL for ttl, replacing any earlier copy. A
// Published date outside years 1 to 9999 is stored as unknown.
func (s *Postgres) PutArticle(ctx context.Context, a Article, ttl time.Duration) error {
	if a.URL == "" {
		return errors.New("store: put article: empty URL")
	}
	exp, err := s.expiry(ttl)
	if err != nil {
		return err
	}
	var published *time.Time
	if !a.Published.IsZero() && inRange(a.Published) {
		p := clampTime(a.Published)
		published = &p
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO articles
		(url_hash, url, title, site, byline, lang, body, published, created_at, expires_at, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (url_hash) DO UPDATE SET
			url = excluded.url, title = excluded.title, site = excluded.site,
			byline = excluded.byline, lang = excluded.lang, body = excluded.body,
			published = excluded.published, created_at = excluded.created_at,
			expires_at = excluded.expires_at, kind = excluded.kind`,
		hashKey(a.URL), pgText(a.URL), pgText(a.Title), pgText(a.Site), pgText(a.Byline), pgText(a.Lang),
		pgText(a.Text), published, clampTime(s.now()), exp, pgText(a.Kind))
	if err != nil {
		return fmt.Errorf("store: put article: %w", err)
	}
	return nil
}

// DeleteExpired removes expired briefs and articles, and reply-ledger
// entries older than the event retention (Options.EventRetention), in one
// statement. It returns how many rows went.
func (s *Postgres) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.now()
	var n int64
	err := s.pool.QueryRow(ctx, `WITH
			b AS (DELETE FROM briefs WHERE expires_at <= $1 RETURNING 1),
			a AS (DELETE FROM articles WHERE expires_at <= $1 RETURNING 1),
			l AS (DELETE FROM reply_ledger WHERE claimed_at < $2 RETURNING 1)
		SELECT (SELECT count(*) FROM b) + (SELECT count(*) FROM a) + (SELECT count(*) FROM l)`,
		clampTime(now), clampTime(now.Add(-s.retention))).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired: %w", err)
	}
	return n, nil
}

// GuildSettings returns the settings of guildID. An unknown guild has the
// zero settings (with GuildID set), not ErrNotFound.
func (s *Postgres) GuildSettings(ctx context.Context, guildID string) (GuildSettings, error) {
	if guildID == "" {
		return GuildSettings{}, errors.New("store: guild settings: empty guild ID")
	}
	g := GuildSettings{GuildID: guildID}
	// One statement: the language and the channels come from one snapshot.
	err := s.pool.QueryRow(ctx, `SELECT
			COALESCE((SELECT language FROM guild_settings WHERE guild_id = $1), ''),
			ARRAY(SELECT channel_id FROM auto_channels WHERE guild_id = $1)`,
		guildID).Scan(&g.Language, &g.AutoChannels)
	if err != nil {
		return GuildSettings{}, fmt.Errorf("store: guild settings: %w", err)
	}
	if len(g.AutoChannels) == 0 {
		g.AutoChannels = nil
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
func (s *Postgres) SetAutoChannel(ctx context.Context, guildID, channelID string, enabled bool) error {
	if guildID == "" || channelID == "" {
		return fmt.Errorf("store: set auto channel: empty guild ID (%q) or channel ID (%q)", guildID, channelID)
	}
	var err error
	if enabled {
		_, err = s.pool.Exec(ctx, `INSERT INTO auto_channels (guild_id, channel_id, created_at)
			VALUES ($1, $2, $3) ON CONFLICT (guild_id, channel_id) DO NOTHING`,
			guildID, channelID, clampTime(s.now()))
	} else {
		_, err = s.pool.Exec(ctx, `DELETE FROM auto_channels WHERE guild_id = $1 AND channel_id = $2`,
			guildID, channelID)
	}
	if err != nil {
		return fmt.Errorf("store: set auto channel: %w", err)
	}
	return nil
}

// SetLanguage sets the output language of guildID; "" means the article's.
func (s *Postgres) SetLanguage(ctx context.Context, guildID, lang string) error {
	if guildID == "" {
		return errors.New("store: set language: empty guild ID")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO guild_settings (guild_id, language, updated_at)
		VALUES ($1, $2, $3)
		ON CONFLICT (guild_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`,
		guildID, pgText(lang), clampTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: set language: %w", err)
	}
	return nil
}

// PutThread records a thread the bot created, replacing any record with the
// same ThreadID. A zero CreatedAt means now; one outside years 1 to 9999 is
// clamped into that range.
func (s *Postgres) PutThread(ctx context.Context, t Thread) error {
	if t.ThreadID == "" {
		return errors.New("store: put thread: empty thread ID")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO threads
		(thread_id, guild_id, channel_id, message_id, url, url_hash, title, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (thread_id) DO UPDATE SET
			guild_id = excluded.guild_id, channel_id = excluded.channel_id,
			message_id = excluded.message_id, url = excluded.url, url_hash = excluded.url_hash,
			title = excluded.title, created_at = excluded.created_at`,
		t.ThreadID, t.GuildID, t.ChannelID, t.MessageID, pgText(t.URL), hashKey(t.URL), pgText(t.Title), clampTime(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: put thread: %w", err)
	}
	return nil
}

// DeleteThread removes the record of threadID, a thread that could not be
// started after all; removing one that is not recorded is not an error.
func (s *Postgres) DeleteThread(ctx context.Context, threadID string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM threads WHERE thread_id = $1`, threadID); err != nil {
		return fmt.Errorf("store: delete thread: %w", err)
	}
	return nil
}

func scanPgThread(row pgx.Row) (Thread, error) {
	var t Thread
	if err := row.Scan(&t.ThreadID, &t.GuildID, &t.ChannelID, &t.MessageID, &t.URL, &t.Title, &t.CreatedAt); err != nil {
		return Thread{}, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// Thread returns the thread with threadID, or ErrNotFound. CreatedAt comes
// back in UTC, to the microsecond.
func (s *Postgres) Thread(ctx context.Context, threadID string) (Thread, error) {
	t, err := scanPgThread(s.pool.QueryRow(ctx,
		`SELECT `+threadColumns+` FROM threads WHERE thread_id = $1`, threadID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Thread{}, ErrNotFound
	}
	if err != nil {
		return Thread{}, fmt.Errorf("store: thread: %w", err)
	}
	return t, nil
}

// RecentThread returns the newest thread for url in guildID created at or
// after since, or ErrNotFound.
func (s *Postgres) RecentThread(ctx context.Context, guildID, url string, since time.Time) (Thread, error) {
	t, err := scanPgThread(s.pool.QueryRow(ctx,
		`SELECT `+threadColumns+` FROM threads
		WHERE guild_id = $1 AND url_hash = $2 AND created_at >= $3
		ORDER BY created_at DESC, thread_id DESC LIMIT 1`,
		guildID, hashKey(url), clampTime(since)))
	if errors.Is(err, pgx.ErrNoRows) {
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
// removes it, or DeleteExpired drops it after the event retention.
func (s *Postgres) ClaimEvent(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return false, errors.New("store: claim event: empty event ID")
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO reply_ledger (event_id, claimed_at)
		VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING`, eventID, clampTime(s.now()))
	if err != nil {
		return false, fmt.Errorf("store: claim event: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// FinishEvent records replyID, the message that answered the claimed
// eventID. It returns ErrNotFound when eventID was never claimed (or was
// released).
func (s *Postgres) FinishEvent(ctx context.Context, eventID, replyID string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE reply_ledger SET reply_id = $2, finished_at = $3 WHERE event_id = $1`,
		eventID, replyID, clampTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: finish event: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// ReleaseEvent removes the claim on eventID so a redelivery may retry it.
// Releasing an event that is not claimed is not an error; releasing one
// already finished is, and leaves the claim in place, since its reply was
// sent.
func (s *Postgres) ReleaseEvent(ctx context.Context, eventID string) error {
	// One statement, so a claim made by another process in between cannot
	// be mistaken for a finished one.
	var deleted, finished int64
	err := s.pool.QueryRow(ctx, `WITH d AS (
			DELETE FROM reply_ledger WHERE event_id = $1 AND finished_at IS NULL RETURNING 1
		)
		SELECT (SELECT count(*) FROM d),
			(SELECT count(*) FROM reply_ledger WHERE event_id = $1 AND finished_at IS NOT NULL)`,
		eventID).Scan(&deleted, &finished)
	if err != nil {
		return fmt.Errorf("store: release event: %w", err)
	}
	if deleted == 0 && finished > 0 {
		return fmt.Errorf("store: release event %s: already finished with a reply", eventID)
	}
	return nil
}

// AddUsage adds briefs and tokens to the counters of guildID for the UTC day
// containing day.
func (s *Postgres) AddUsage(ctx context.Context, guildID string, day time.Time, briefs, tokens int64) error {
	if guildID == "" {
		return errors.New("store: add usage: empty guild ID")
	}
	if briefs < 0 || tokens < 0 {
		return fmt.Errorf("store: add usage: negative counts (briefs %d, tokens %d)", briefs, tokens)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO guild_usage (guild_id, day, briefs, tokens)
		VALUES ($1, $2::text::date, $3, $4)
		ON CONFLICT (guild_id, day) DO UPDATE SET
			briefs = guild_usage.briefs + excluded.briefs,
			tokens = guild_usage.tokens + excluded.tokens`,
		guildID, clampTime(day).Format(dayFormat), briefs, tokens)
	if err != nil {
		return fmt.Errorf("store: add usage: %w", err)
	}
	return nil
}

// Usage returns the counters of guildID for the UTC day containing day;
// counts are zero when nothing was recorded.
func (s *Postgres) Usage(ctx context.Context, guildID string, day time.Time) (Usage, error) {
	u := Usage{GuildID: guildID, Day: day.UTC().Format(dayFormat)}
	err := s.pool.QueryRow(ctx, `SELECT briefs, tokens FROM guild_usage WHERE guild_id = $1 AND day = $2::text::date`,
		u.GuildID, clampTime(day).Format(dayFormat)).Scan(&u.Briefs, &u.Tokens)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Usage{}, fmt.Errorf("store: usage: %w", err)
	}
	return u, nil
}
