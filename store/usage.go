package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AddUsage adds briefs and tokens to the counters of guildID for the UTC day
// containing day.
func (s *DB) AddUsage(ctx context.Context, guildID string, day time.Time, briefs, tokens int64) error {
	if guildID == "" {
		return errors.New("store: add usage: empty guild ID")
	}
	if briefs < 0 || tokens < 0 {
		return fmt.Errorf("store: add usage: negative counts (briefs %d, tokens %d)", briefs, tokens)
	}
	// The day travels as text ("2006-01-02") on both engines; PostgreSQL
	// reads it into its date column.
	_, err := s.write.ExecContext(ctx, `INSERT INTO guild_usage (guild_id, day, briefs, tokens)
		VALUES ($1, $2, $3, $4)
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
func (s *DB) Usage(ctx context.Context, guildID string, day time.Time) (Usage, error) {
	u := Usage{GuildID: guildID, Day: day.UTC().Format(dayFormat)}
	err := s.read.QueryRowContext(ctx, `SELECT briefs, tokens FROM guild_usage WHERE guild_id = $1 AND day = $2`,
		u.GuildID, clampTime(day).Format(dayFormat)).Scan(&u.Briefs, &u.Tokens)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Usage{}, fmt.Errorf("store: usage: %w", err)
	}
	return u, nil
}
