package store

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// postgresEnv names the variable holding the DSN of a PostgreSQL database
// the tests may create schemas in; scripts/test-services.sh prints it.
const postgresEnv = "LINKBRIEF_TEST_POSTGRES"

// TestPostgresHostileText stores what PostgreSQL text cannot hold: NUL
// bytes and invalid UTF-8 come back as U+FFFD, and lookups by key or URL
// still use the exact bytes.
func TestPostgresHostileText(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openPostgres(t, testSchema(t), Options{})
	url := "https://example.com/a\x00b\xff"
	a := Article{URL: url, Title: "nul\x00title", Site: "bad \xc3\x28 utf8", Byline: "ok", Lang: "en\x00", Text: "para\x00one\n\n\xffpara two"}
	if err := s.PutArticle(ctx, a, time.Hour); err != nil {
		t.Fatalf("PutArticle(hostile text): %v", err)
	}
	got, err := s.GetArticle(ctx, url)
	if err != nil {
		t.Fatalf("GetArticle(hostile URL): %v", err)
	}
	want := Article{URL: "https://example.com/a\uFFFDb\uFFFD", Title: "nul\uFFFDtitle", Site: "bad \uFFFD( utf8", Byline: "ok", Lang: "en\uFFFD", Text: "para\uFFFDone\n\n\uFFFDpara two"}
	if got != want {
		t.Errorf("GetArticle(hostile) = %+q, want %+q", got, want)
	}
	// The sanitized URL is another key: lookups are exact.
	if _, err := s.GetArticle(ctx, want.URL); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetArticle(sanitized URL) = %v, want ErrNotFound", err)
	}
	if err := s.PutThread(ctx, Thread{ThreadID: "1", GuildID: "g", URL: url, Title: "t\x00"}); err != nil {
		t.Fatalf("PutThread(hostile title): %v", err)
	}
	if th, err := s.RecentThread(ctx, "g", url, time.Time{}); err != nil || th.Title != "t\uFFFD" || th.URL != want.URL {
		t.Errorf("RecentThread(hostile URL) = %+q, %v; want title %q and URL %q", th, err, "t\uFFFD", want.URL)
	}
	if err := s.SetLanguage(ctx, "g", "fr\x00"); err != nil {
		t.Fatalf("SetLanguage(hostile): %v", err)
	}
	if g, err := s.GuildSettings(ctx, "g"); err != nil || g.Language != "fr\uFFFD" {
		t.Errorf("GuildSettings(g) = %+q, %v; want language %q", g, err, "fr\uFFFD")
	}
	// IDs are snowflakes: one PostgreSQL cannot store is an error, never
	// another ID.
	if _, err := s.ClaimEvent(ctx, "1\x002"); err == nil || !strings.HasPrefix(err.Error(), "store: ") {
		t.Errorf("ClaimEvent(ID with NUL) = %v; want a store error", err)
	}
}

// TestPostgresOpenErrors needs no server: each DSN fails before or at
// connecting, quickly, with a store error that never shows the password.
func TestPostgresOpenErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, dsn, want string
	}{
		{"empty", "", "empty PostgreSQL DSN"},
		{"bad URL", "postgres://user:s3cret@127.0.0.1:notaport/db", "DSN"},
		{"bad option", "postgres://user:s3cret@127.0.0.1/db?sslmode=sometimes", "DSN"},
		{"refused", "postgres://user:s3cret@127.0.0.1:1/db?sslmode=disable&connect_timeout=5", "127.0.0.1:1/db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := OpenPostgres(t.Context(), c.dsn)
			if err == nil {
				s.Close()
				t.Fatalf("OpenPostgres(%q) = nil error, want one mentioning %q", c.dsn, c.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "store: ") || !strings.Contains(msg, c.want) || strings.Contains(msg, "s3cret") {
				t.Errorf("OpenPostgres(%q) = %q; want a \"store: \" error mentioning %q, without the password", c.dsn, msg, c.want)
			}
		})
	}
}

func TestPostgresMissingSchema(t *testing.T) {
	t.Parallel()
	dsn := withSearchPath(t, testSchema(t), "linkbrief_no_such_schema")
	_, err := OpenPostgres(t.Context(), dsn)
	if err == nil || !strings.Contains(err.Error(), "search_path") {
		t.Errorf("OpenPostgres with a search_path naming no schema = %v; want an error about the search_path", err)
	}
}

// withSearchPath sets search_path=schema on a URL or key=value DSN.
func withSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
