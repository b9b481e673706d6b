package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PutThread records a thread the bot created, replacing any record with the
// same ThreadID. A zero CreatedAt means now; one outside years 1 to 9999 is
// clamped into that range.
func (s *DB) PutThread(ctx context.Context, t Thread) error {
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
		t.ThreadID, t.GuildID, t.ChannelID, t.MessageID, s.d.text(t.URL), hashKey(t.URL), s.d.text(t.Title), s.d.time(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: put thread: %w", err)
	}
	return nil
}

// DeleteThread removes the record of threadID, a thread that could not be
// started after all; removing one that is not recorded is not an error.
func (s *DB) DeleteThread(ctx context.Context, threadID string) error {
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
		created dbTime
	)
	if err := row.Scan(&t.ThreadID, &t.GuildID, &t.ChannelID, &t.MessageID, &t.URL, &t.Title, &created); err != nil {
		return Thread{}, err
	}
	t.CreatedAt = created.Time
	return t, nil
}

// Thread returns the thread with threadID, or ErrNotFound. CreatedAt comes
// back in UTC, to the microsecond.
func (s *DB) Thread(ctx context.Context, threadID string) (Thread, error) {
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
func (s *DB) RecentThread(ctx context.Context, guildID, url string, since time.Time) (Thread, error) {
	t, err := scanThread(s.read.QueryRowContext(ctx,
		`SELECT `+threadColumns+` FROM threads
		WHERE guild_id = $1 AND url_hash = $2 AND created_at >= $3
		ORDER BY created_at DESC, thread_id DESC LIMIT 1`,
		guildID, hashKey(url), s.d.time(since)))
	if errors.Is(err, sql.ErrNoRows) {
		return Thread{}, ErrNotFound
	}
	if err != nil {
		return Thread{}, fmt.Errorf("store: recent thread: %w", err)
	}
	return t, nil
}
