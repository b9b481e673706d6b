package summarize

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/extractive"
	"github.com/linkbrief/linkbrief/summarize/sites"
)

// source is what was read for a brief: the article, and what a site
// adapter adds to it.
type source struct {
	art *extract.Article
	// note says what a reader should know about the text.
	note string
	// moments link places of art.Text (a video's captions).
	moments []sites.Moment
	// site is true when a site adapter read the text.
	site bool
	// ownAt is where the item's own text (a discussion) starts in
	// art.Text, after a linked article; 0 when there is none before it.
	ownAt int
}

func (src *source) addNote(n string) {
	n = strings.TrimSpace(n)
	switch {
	case n == "":
	case src.note == "":
		src.note = n
	default:
		src.note += " " + n
	}
}

// Canonical returns the cache key form of rawURL: CanonicalURL, then the
// item's own address when a site adapter knows the link, so that
// "https://youtu.be/ID" and "https://www.youtube.com/watch?v=ID&t=9" are
// one entry.
func (s *Service) Canonical(rawURL string) (string, error) {
	canon, err := CanonicalURL(rawURL)
	if err != nil {
		return "", err
	}
	if _, c, ok := s.opts.Sites.Match(canon); ok {
		return c, nil
	}
	return canon, nil
}

// pipeline is the sites.Reader the adapters get: the HTML (and PDF) path,
// never a site adapter, so that no adapter can reach itself.
type pipeline struct{ s *Service }

// ReadURL fetches rawURL and extracts its article.
func (p pipeline) ReadURL(ctx context.Context, rawURL string) (*extract.Article, error) {
	return p.s.fetchArticle(ctx, rawURL)
}

// readSite reads canon through the adapter that matches it, and the page
// the item links to when it names one. When the adapter fails in a way
// the web page can stand in for, the page is read through the HTML path
// and the note says so.
func (s *Service) readSite(ctx context.Context, canon, lang string) (*source, error) {
	a, c, ok := s.opts.Sites.Match(canon)
	if !ok {
		return nil, fmt.Errorf("summarize: no site adapter for %s", canon)
	}
	item, err := s.readItem(ctx, a, c, lang)
	if err != nil {
		var se *sites.Error
		if !errors.As(err, &se) || !se.Fallback {
			return nil, err
		}
		s.log.Info("site adapter failed, reading the web page instead", "site", a.Name(), "url", c, "err", err)
		art, ferr := s.fetchArticle(ctx, c)
		if ferr != nil {
			s.log.Info("the web page could not stand in", "url", c, "err", ferr)
			return nil, err
		}
		src := &source{art: art}
		src.addNote(sentence(se.Reason) + " This brief is made from the web page instead.")
		return src, nil
	}
	src := &source{art: item.Article, note: strings.TrimSpace(item.Note), moments: item.Moments, site: true}
	if item.Linked != "" {
		s.addLinked(ctx, src, item.Linked, lang)
	}
	return src, nil
}

// readItem runs one adapter and checks what it gave back.
func (s *Service) readItem(ctx context.Context, a sites.Adapter, canon, lang string) (*sites.Item, error) {
	item, err := a.Read(ctx, canon, sites.Request{Reader: pipeline{s}, Language: lang})
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	if item == nil || item.Article == nil || strings.TrimSpace(item.Article.Text) == "" {
		return nil, fmt.Errorf("summarize: %w", &sites.Error{Site: a.Name(), Reason: "the " + a.Name() + " item has no text to summarize"})
	}
	art := *item.Article
	item.Article = &art
	return item, nil
}

// addLinked reads the page an item links to and puts its text before
// the item's own. A page that cannot be read is named in the note.
func (s *Service) addLinked(ctx context.Context, src *source, link, lang string) {
	art, note, err := s.readLinked(ctx, link, lang)
	if err != nil {
		s.log.Info("linked page not read", "url", link, "err", err)
		why := Explain(err)
		if why == "" {
			why = "It could not be read."
		}
		src.addNote("The linked page (" + hostName(link) + ") was not read: " + why +
			" This brief covers the discussion only.")
		return
	}
	head := "Linked article"
	if t := cleanText(art.Title); t != "" {
		head += ": " + t
	}
	prefix := head + "\n\n" + strings.TrimSpace(art.Text) + "\n\n"
	src.art.Text = prefix + src.art.Text
	src.ownAt = len(prefix)
	for i := range src.moments {
		src.moments[i].Offset += len(prefix)
	}
	if src.art.Lang == "" {
		src.art.Lang = art.Lang
	}
	src.addNote(note)
}

// readLinked reads a linked page: through its site adapter when one
// matches (without following that item's own link), else through the
// article cache and the HTML path.
func (s *Service) readLinked(ctx context.Context, link, lang string) (*extract.Article, string, error) {
	canon, err := CanonicalURL(link)
	if err != nil {
		return nil, "", err
	}
	if a, c, ok := s.opts.Sites.Match(canon); ok {
		item, err := s.readItem(ctx, a, c, lang)
		if err != nil {
			return nil, "", err
		}
		return item.Article, item.Note, nil
	}
	if a := s.cachedArticle(ctx, canon, false); a != nil {
		// A miss needs no check: the fetch applies the policy itself.
		if err := s.allowed(ctx, canon); err != nil {
			return nil, "", err
		}
		return a, "", nil
	}
	a, err := s.fetchArticle(ctx, canon)
	if err != nil {
		return nil, "", err
	}
	s.putArticle(ctx, canon, a)
	return a, "", nil
}

// sourceBrief makes the brief of what was read: the backend's, or for an
// item of a site too short to summarize (a post of a few lines) the item
// itself, quoted. Claims whose quote lies in a linked moment carry its
// URL, and the note of the source comes first.
func (s *Service) sourceBrief(ctx context.Context, src *source, canon, lang string) (*Brief, error) {
	if src.site && len(strings.Fields(src.art.Text)) < s.minWords() {
		return s.verbatimBrief(src, canon), nil
	}
	b, err := s.brief(ctx, src.art, canon, lang)
	if err != nil {
		return nil, err
	}
	if src.ownAt > 0 {
		b.Claims = s.withOwnClaim(src, b.Claims)
	}
	if len(src.moments) > 0 {
		for i := range b.Claims {
			first, _, _ := strings.Cut(b.Claims[i].Quote, " … ")
			if off := strings.Index(src.art.Text, first); off >= 0 && first != "" {
				b.Claims[i].URL = sites.At(src.moments, off)
			}
		}
	}
	if src.note != "" {
		if b.Note != "" {
			b.Note = src.note + " " + b.Note
		} else {
			b.Note = src.note
		}
	}
	return b, nil
}

// withOwnClaim makes sure a brief of a discussion about a linked article
// has a claim quoting the discussion itself: when every claim quotes the
// article, the discussion's most informative sentence replaces the last
// claim (or joins them when there is room).
func (s *Service) withOwnClaim(src *source, claims []Claim) []Claim {
	text := src.art.Text
	for _, c := range claims {
		first, _, _ := strings.Cut(c.Quote, " … ")
		if i := strings.LastIndex(text, first); first != "" && i >= src.ownAt {
			return claims
		}
	}
	own := text[src.ownAt:]
	sum := extractive.Summarize("", own, extractive.Options{MaxClaims: 1})
	if len(sum.Claims) == 0 {
		return claims
	}
	extra, _ := verifyClaims(own, []Claim{{Text: sum.Claims[0], Quote: sum.Claims[0]}}, 1)
	if len(extra) == 0 {
		return claims
	}
	if len(claims) >= s.opts.MaxClaims {
		claims = claims[:s.opts.MaxClaims-1]
	}
	return append(claims, extra...)
}

func (s *Service) minWords() int {
	if s.opts.Extract.MinWords > 0 {
		return s.opts.Extract.MinWords
	}
	return extract.DefaultMinWords
}

// verbatimBrief shows a short item as it was written.
func (s *Service) verbatimBrief(src *source, canon string) *Brief {
	b := &Brief{
		URL: canon, Title: cleanText(src.art.Title), Site: cleanText(src.art.Site),
		Byline: cleanText(src.art.Byline), Lang: src.art.Lang, Kind: src.art.KindOrDefault(),
		Words: len(strings.Fields(src.art.Text)), Backend: BackendExtractive, Claims: []Claim{},
		Summary: "“" + cleanText(src.art.Text) + "”",
	}
	if !src.art.Published.IsZero() {
		b.Published = src.art.Published.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	b.Note = "It is too short to summarize, so it is shown as written."
	if src.note != "" {
		b.Note = src.note + " " + b.Note
	}
	return b
}

// hostName returns the host of a URL for a note, or "link".
func hostName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return "link"
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// Recent site reads are kept this long, at most this many: the estimate
// made before a brief and the brief itself then cost one read of the
// site, and a source is still re-read for every brief made later.
const (
	siteMemoTTL = 2 * time.Minute
	siteMemoMax = 256
)

// siteMemo keeps recent site reads; the zero value is ready. What it
// holds is shared: nothing may change a source once it is read.
type siteMemo struct {
	mu sync.Mutex
	m  map[string]siteMemoEntry
}

type siteMemoEntry struct {
	src *source
	at  time.Time
}

func (m *siteMemo) get(key string) *source {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[key]
	if !ok || time.Since(e.at) > siteMemoTTL {
		return nil
	}
	return e.src
}

func (m *siteMemo) put(key string, src *source) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[string]siteMemoEntry)
	}
	if len(m.m) >= siteMemoMax {
		for k, e := range m.m {
			if time.Since(e.at) > siteMemoTTL {
				delete(m.m, k)
			}
		}
		for k := range m.m {
			if len(m.m) < siteMemoMax {
				break
			}
			delete(m.m, k)
		}
	}
	m.m[key] = siteMemoEntry{src: src, at: time.Now()}
}
