// Package store is Linkbrief's persistence: the cache of briefs and
// articles, guild settings, the thread -> article map, the reply ledger that
// makes replies exactly-once, and usage counters.
//
// It stores plain values and knows nothing of Discord or of the pipeline's
// types. SQLite (pure Go, WAL) is the default implementation; PostgreSQL
// implements the same Store interface for deployments that scale out, and
// OpenDSN picks one from the configuration.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrNotFound is returned for every lookup of a missing or expired entry.
// Lookups never return a zero value with a nil error to mean "absent".
var ErrNotFound = errors.New("store: not found")

// Store is the method set every implementation provides. Consumers should
// declare the smaller interface they need; this one exists so SQLite and
// PostgreSQL share one conformance test suite.
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
