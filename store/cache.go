package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// GetBrief returns the brief stored under key, or ErrNotFound when there is
// none or it has expired.
func (s *DB) GetBrief(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	err := s.read.QueryRowContext(ctx, `SELECT data FROM briefs WHERE key_hash = $1 AND expires_at > $2`,
		hashKey(key), s.d.time(s.now())).Scan(&data)
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
func (s *DB) PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error {
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
		hashKey(key), s.d.text(key), data, s.d.time(s.now()), exp)
	if err != nil {
		return fmt.Errorf("store: put brief: %w", err)
	}
	return nil
}

// GetArticle returns the article stored for the canonical url, or
// ErrNotFound when there is none or it has expired. Published comes back in
// UTC, to the microsecond.
func (s *DB) GetArticle(ctx context.Context, url string) (Article, error) {
	var (
		a         Article
		published dbTime
	)
	err := s.read.QueryRowContext(ctx,
		`SELECT url, title, site, byline, lang, body, published, kind FROM articles
		WHERE url_hash = $1 AND expires_at > $2`,
		hashKey(url), s.d.time(s.now())).Scan(&a.URL, &a.Title, &a.Site, &a.Byline, &a.Lang, &a.Text, &published, &a.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return Article{}, ErrNotFound
	}
	if err != nil {
		return Article{}, fmt.Errorf("store: get article: %w", err)
	}
	a.Published = published.Time
	return a, nil
}

// PutArticle stores a under a.URL for ttl, replacing any earlier copy. A
// Published date outside years 1 to 9999 is stored as unknown.
func (s *DB) PutArticle(ctx context.Context, a Article, ttl time.Duration) error {
	if a.URL == "" {
		return errors.New("store: put article: empty URL")
	}
	exp, err := s.expiry(ttl)
	if err != nil {
		return err
	}
	var published any // NULL: unknown
	if !a.Published.IsZero() && inRange(a.Published) {
		published = s.d.time(a.Published)
	}
	t := s.d.text
	_, err = s.write.ExecContext(ctx, `INSERT INTO articles
		(url_hash, url, title, site, byline, lang, body, published, created_at, expires_at, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (url_hash) DO UPDATE SET
			url = excluded.url, title = excluded.title, site = excluded.site,
			byline = excluded.byline, lang = excluded.lang, body = excluded.body,
			published = excluded.published, created_at = excluded.created_at,
			expires_at = excluded.expires_at, kind = excluded.kind`,
		hashKey(a.URL), t(a.URL), t(a.Title), t(a.Site), t(a.Byline), t(a.Lang), t(a.Text),
		published, s.d.time(s.now()), exp, t(a.Kind))
	if err != nil {
		return fmt.Errorf("store: put article: %w", err)
	}
	return nil
}

// DeleteExpired removes expired briefs and articles, and reply-ledger
// entries older than the event retention (Options.EventRetention), in one
// transaction. It returns how many rows went.
func (s *DB) DeleteExpired(ctx context.Context) (n int64, err error) {
	now := s.now()
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			stmt string
			arg  any
		}{
			{`DELETE FROM briefs WHERE expires_at <= $1`, s.d.time(now)},
			{`DELETE FROM articles WHERE expires_at <= $1`, s.d.time(now)},
			{`DELETE FROM reply_ledger WHERE claimed_at < $1`, s.d.time(now.Add(-s.retention))},
		} {
			res, err := tx.ExecContext(ctx, q.stmt, q.arg)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired: %w", err)
	}
	return n, nil
}
