package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// GuildSettings returns the settings of guildID. An unknown guild has the
// zero settings (with GuildID set), not ErrNotFound.
func (s *DB) GuildSettings(ctx context.Context, guildID string) (GuildSettings, error) {
	if guildID == "" {
		return GuildSettings{}, errors.New("store: guild settings: empty guild ID")
	}
	g := GuildSettings{GuildID: guildID}
	// One statement, so the language and the channels come from one
	// snapshot: a row for the language, then one per channel.
	rows, err := s.read.QueryContext(ctx, `SELECT language, NULL FROM guild_settings WHERE guild_id = $1
		UNION ALL SELECT NULL, channel_id FROM auto_channels WHERE guild_id = $1`, guildID)
	if err != nil {
		return GuildSettings{}, fmt.Errorf("store: guild settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var lang, channel sql.NullString
		if err := rows.Scan(&lang, &channel); err != nil {
			return GuildSettings{}, fmt.Errorf("store: guild settings: %w", err)
		}
		if lang.Valid {
			g.Language = lang.String
		}
		if channel.Valid {
			g.AutoChannels = append(g.AutoChannels, channel.String)
		}
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
func (s *DB) SetAutoChannel(ctx context.Context, guildID, channelID string, enabled bool) error {
	if guildID == "" || channelID == "" {
		return fmt.Errorf("store: set auto channel: empty guild ID (%q) or channel ID (%q)", guildID, channelID)
	}
	var err error
	if enabled {
		_, err = s.write.ExecContext(ctx, `INSERT INTO auto_channels (guild_id, channel_id, created_at)
			VALUES ($1, $2, $3) ON CONFLICT (guild_id, channel_id) DO NOTHING`,
			guildID, channelID, s.d.time(s.now()))
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
func (s *DB) SetLanguage(ctx context.Context, guildID, lang string) error {
	if guildID == "" {
		return errors.New("store: set language: empty guild ID")
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO guild_settings (guild_id, language, updated_at)
		VALUES ($1, $2, $3)
		ON CONFLICT (guild_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`,
		guildID, s.d.text(lang), s.d.time(s.now()))
	if err != nil {
		return fmt.Errorf("store: set language: %w", err)
	}
	return nil
}
