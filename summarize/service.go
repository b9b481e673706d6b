package summarize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/singleflight"

	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/extractive"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/llm"
	"github.com/linkbrief/linkbrief/summarize/pdf"
	"github.com/linkbrief/linkbrief/summarize/sites"
)

// PromptVersion is part of every cache key: raise it whenever the prompts
// or the offline summarizer change what a brief says, so stale briefs are
// not served.
const PromptVersion = "2"

// Backend names, as they appear in Brief.Backend and summary.backend.
const (
	BackendAuto       = "auto"
	BackendLLM        = "llm"
	BackendExtractive = "extractive"
)

// ErrNotCached is what Summarize returns for a Request with CacheOnly
// when the cache holds no brief.
var ErrNotCached = errors.New("summarize: no cached brief")

// ErrNoModel is what a Service whose Backend is "llm" returns when it
// has no language model.
var ErrNoModel = errors.New("summarize: the llm backend was asked for, but no language model is configured (llm.base_url and llm.model)")

// ErrMiss is what a Cache returns for a key it does not hold (or holds
// only expired).
var ErrMiss = errors.New("summarize: not in cache")

// Fetcher downloads one untrusted URL; *fetch.Client is the real one.
type Fetcher interface {
	Fetch(ctx context.Context, rawURL string) (*fetch.Page, error)
}

// URLPolicy tells, without fetching, whether a URL may be fetched under
// the policy in force; *fetch.Client is the real one.
type URLPolicy interface {
	Check(ctx context.Context, rawURL string) error
}

// Cache keeps briefs (as JSON) and article texts. It returns ErrMiss for
// what it does not hold.
type Cache interface {
	Brief(ctx context.Context, key string) ([]byte, error)
	PutBrief(ctx context.Context, key string, data []byte, ttl time.Duration) error
	Article(ctx context.Context, url string) (*extract.Article, error)
	PutArticle(ctx context.Context, url string, a *extract.Article, ttl time.Duration) error
}

// LLM is a language-model client; *llm.Client is the real one.
type LLM interface {
	Summarize(ctx context.Context, in llm.Input) (*llm.Summary, error)
	Answer(ctx context.Context, in llm.Input, question string) (*llm.Answer, error)
}

// Options tunes a Service; the zero value means the defaults noted.
type Options struct {
	// LLM is the language model; nil means the offline summarizer only.
	LLM LLM
	// Model names the model in cache keys and briefs.
	Model string
	// Backend is "auto" (default: the LLM when there is one, and the
	// offline summarizer, with a note, when the LLM fails), "llm" (the
	// LLM only: its failure is the request's error) or "extractive".
	Backend string
	// Language is the default output language; "" is the article's own.
	Language string
	// MaxClaims caps the claims of a brief; default 5.
	MaxClaims int
	// TTL is how long briefs and articles stay cached; default 168h.
	TTL time.Duration
	// Extract tunes article extraction.
	Extract extract.Options
	// Sites are the site adapters tried before the HTML path, in order;
	// nil reads every link as a web page.
	Sites sites.Set
	// Lease, when set, makes processes that share the cache agree on
	// which one summarizes a page; the others wait for its brief in the
	// cache. Nil: single flight within this process only.
	Lease Lease
	// LeaseTTL is how long a page's lease lasts unless renewed; its holder
	// renews it while it works, so a crashed process delays the others by
	// at most this; default DefaultLeaseTTL.
	LeaseTTL time.Duration
	// Logger receives one line per failure worth knowing; default discards.
	Logger *slog.Logger
	// Policy, when set, is asked before a cached brief or article of a
	// link is served (summaries, questions, follow-ups): a link the
	// fetcher would refuse now (a private address once
	// fetch.allow_private_networks is off) is refused, not served from
	// what was fetched under the old policy. Links a site adapter reads
	// are not asked about: the adapter never connects to their host.
	Policy URLPolicy
}

// Lease is a lock with expiry shared by every process using one cache.
type Lease interface {
	AcquireLease(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, key, owner string) error
}

// fallbackTTL is how long a brief made by the fallback backend is served
// in place of the one asked for.
const fallbackTTL = 10 * time.Minute

// Service runs the pipeline. It is safe for concurrent use.
type Service struct {
	fetcher Fetcher
	cache   Cache
	opts    Options
	log     *slog.Logger
	flight  singleflight.Group
	// recent keeps what site adapters read for a short while.
	recent siteMemo
}

// New returns a Service that fetches with f and caches in c. A nil c
// disables caching.
func New(f Fetcher, c Cache, opts Options) *Service {
	if opts.Backend == "" {
		opts.Backend = BackendAuto
	}
	if opts.MaxClaims <= 0 {
		opts.MaxClaims = 5
	}
	if opts.TTL <= 0 {
		opts.TTL = 168 * time.Hour
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = DefaultLeaseTTL
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{fetcher: f, cache: c, opts: opts, log: log}
}

// backend returns the backend that a request will use.
func (s *Service) backend() string {
	switch s.opts.Backend {
	case BackendLLM, BackendExtractive:
		return s.opts.Backend
	}
	if s.opts.LLM != nil {
		return BackendLLM
	}
	return BackendExtractive
}

func (s *Service) language(req Request) string {
	if req.Language != "" {
		return req.Language
	}
	return s.opts.Language
}

// cacheKey is DESIGN §3 step 1: canonical URL + backend + model + prompt
// version + output language.
func (s *Service) cacheKey(canon, backend, lang string) string {
	model := ""
	if backend == BackendLLM {
		model = s.opts.Model
	}
	return strings.Join([]string{canon, backend, model, PromptVersion, lang}, "\x1f")
}

// Summarize returns the brief of the page at rawURL, from the cache when
// it holds one. Concurrent calls for the same page share one fetch and
// one backend call.
func (s *Service) Summarize(ctx context.Context, rawURL string, req Request) (*Brief, error) {
	canon, err := s.Canonical(rawURL)
	if err != nil {
		return nil, err
	}
	backend, lang := s.backend(), s.language(req)
	key := s.cacheKey(canon, backend, lang)
	if !req.NoCache {
		if b := s.cachedBrief(ctx, key); b != nil {
			// A miss needs no check: the fetch applies the policy itself.
			if err := s.allowed(ctx, canon); err != nil {
				return nil, err
			}
			b.Source, b.Cached = rawURL, true
			return b, nil
		}
	}
	if req.CacheOnly {
		return nil, ErrNotCached
	}
	flightKey := key
	if req.NoCache {
		flightKey = "fresh\x1f" + key
	}
	// Only the caller whose function runs did the work; the others
	// joined it and get a cache hit: the brief cost them nothing.
	leader := false
	ch := s.flight.DoChan(flightKey, func() (any, error) {
		leader = true
		// The work is shared by every caller waiting on this key, so
		// one caller going away must not cancel it. Its deadline stays:
		// the model call gets the time left, and the offline summarizer
		// writes the brief when that runs out.
		wctx := context.WithoutCancel(ctx)
		if dl, ok := ctx.Deadline(); ok {
			// A little before the caller's, so the offline brief is
			// written while the caller still waits for it.
			dl = dl.Add(-min(2*time.Second, time.Until(dl)/10))
			var cancel context.CancelFunc
			wctx, cancel = context.WithDeadline(wctx, dl)
			defer cancel()
		}
		if !req.NoCache {
			release, b, err := s.lease(wctx, key)
			if err != nil {
				return nil, err
			}
			defer release()
			if b != nil {
				return b, nil
			}
		}
		src, err := s.source(wctx, canon, lang, req.NoCache)
		if err != nil {
			return nil, err
		}
		b, err := s.sourceBrief(wctx, src, canon, lang)
		if err != nil {
			return nil, err
		}
		ttl := s.opts.TTL
		if b.Backend != backend {
			// A fallback brief stands in for the model's for a short
			// while only, so the model is asked again later, yet a burst
			// of requests during an outage costs one attempt.
			ttl = min(ttl, fallbackTTL)
		}
		s.storeBrief(wctx, key, b, ttl)
		return b, nil
	})
	select {
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The work goes on for another caller and lands in the
			// cache.
			return nil, ErrInProgress
		}
		return nil, fmt.Errorf("summarize: %w", ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		b := *r.Val.(*Brief)
		b.Claims = append([]Claim(nil), b.Claims...)
		b.Source = rawURL
		if !leader {
			b.Cached, b.Usage = true, Usage{}
		}
		return &b, nil
	}
}

// Document is a page that is already at hand: a local file or standard
// input.
type Document struct {
	// Source is how the user named it ("-", a path).
	Source string
	// URL is the page's address when known, for relative links; may be "".
	URL string
	// Body is the page, HTML or plain text, or a PDF file.
	Body []byte
	// ContentType is "text/html", "text/plain", "application/pdf" or ""
	// to sniff.
	ContentType string
}

// SummarizeDocument returns the brief of a document at hand. Its brief
// and article are cached by the document's content (a "sha256:" key), not
// by its path: the same path may hold another text tomorrow, and the same
// text under another name is the same brief.
func (s *Service) SummarizeDocument(ctx context.Context, doc Document, req Request) (*Brief, error) {
	doc, err := readable(doc)
	if err != nil {
		return nil, err
	}
	addr := documentKey(doc)
	backend, lang := s.backend(), s.language(req)
	key := s.cacheKey(addr, backend, lang)
	if !req.NoCache {
		if b := s.cachedBrief(ctx, key); b != nil {
			b.Source, b.URL, b.Cached = doc.Source, doc.URL, true
			return b, nil
		}
	}
	if req.CacheOnly {
		return nil, ErrNotCached
	}
	art, err := s.documentArticle(ctx, doc, addr, req.NoCache)
	if err != nil {
		return nil, err
	}
	b, err := s.brief(ctx, art, doc.URL, lang)
	if err != nil {
		return nil, err
	}
	ttl := s.opts.TTL
	if b.Backend != backend {
		ttl = min(ttl, fallbackTTL)
	}
	s.storeBrief(ctx, key, b, ttl)
	b.Source = doc.Source
	return b, nil
}

// AskDocument answers a question about a document at hand, from the
// article cached by its content when a brief of it was made before.
func (s *Service) AskDocument(ctx context.Context, doc Document, question string) (*Answer, error) {
	doc, err := readable(doc)
	if err != nil {
		return nil, err
	}
	art, err := s.documentArticle(ctx, doc, documentKey(doc), false)
	if err != nil {
		return nil, err
	}
	a, err := s.AskArticle(ctx, art, question)
	if err != nil {
		return nil, err
	}
	a.URL = doc.URL
	return a, nil
}

// documentArticle returns the article of a readable document, from the
// cache at addr unless fresh, and caches what it extracts.
func (s *Service) documentArticle(ctx context.Context, doc Document, addr string, fresh bool) (*extract.Article, error) {
	if a := s.cachedArticle(ctx, addr, fresh); a != nil {
		return a, nil
	}
	art, err := s.ExtractDocument(ctx, doc)
	if err != nil {
		return nil, err
	}
	s.putArticle(ctx, addr, art)
	return art, nil
}

// Extract fetches rawURL and returns its article, without caching.
func (s *Service) Extract(ctx context.Context, rawURL string) (*extract.Article, string, error) {
	canon, err := s.Canonical(rawURL)
	if err != nil {
		return nil, "", err
	}
	if _, _, ok := s.opts.Sites.Match(canon); ok {
		src, err := s.readSite(ctx, canon, s.opts.Language)
		if err != nil {
			return nil, canon, err
		}
		return src.art, canon, nil
	}
	art, err := s.fetchArticle(ctx, rawURL)
	if err != nil {
		return nil, canon, err
	}
	return art, canon, nil
}

// ExtractDocument returns the article of a document at hand: an HTML
// page, plain text or a PDF. A document without a ContentType that is
// none of these (a program, an image, an archive) is refused with a
// *FileTypeError.
func (s *Service) ExtractDocument(ctx context.Context, doc Document) (*extract.Article, error) {
	doc, err := readable(doc)
	if err != nil {
		return nil, err
	}
	var art *extract.Article
	switch doc.ContentType {
	case fetch.PDFType:
		art, err = pdf.Read(ctx, doc.Body, pdf.Options{MinWords: s.opts.Extract.MinWords})
		if err == nil {
			art.Site = siteOf(doc.URL)
		}
	case "text/plain":
		art, err = extract.FromText(doc.Body, s.opts.Extract)
	default:
		art, err = extract.FromHTML(toUTF8(doc.Body), doc.URL, s.opts.Extract)
	}
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	return art, nil
}

// siteOf names the site of a document's URL by its host ("arxiv.org"),
// for documents such as PDFs that do not name their site; "" for files.
func siteOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// sniff tells a PDF (by its magic), HTML and plain text apart by the
// file name and then the content.
func sniff(name string, body []byte) string {
	if pdf.IsPDF(body) {
		return fetch.PDFType
	}
	switch strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.ToLower(name), ".gz"))) {
	case ".pdf":
		return fetch.PDFType
	case ".txt", ".text", ".md":
		return "text/plain"
	case ".html", ".htm", ".xhtml":
		return "text/html"
	}
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	if strings.HasPrefix(http.DetectContentType(head), "text/html") {
		return "text/html"
	}
	lower := strings.ToLower(string(head))
	if strings.Contains(lower, "<html") || strings.Contains(lower, "<body") || strings.Contains(lower, "<p>") ||
		strings.Contains(lower, "<!doctype") {
		return "text/html"
	}
	return "text/plain"
}

// toUTF8 leaves valid UTF-8 alone and reads anything else as Latin-1, the
// usual encoding of a local file that is not UTF-8.
func toUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	r := make([]rune, 0, len(b))
	for _, c := range b {
		r = append(r, rune(c))
	}
	return []byte(string(r))
}

// article returns the article at canon, from the cache when it holds one.
func (s *Service) article(ctx context.Context, canon string, fresh bool) (*extract.Article, error) {
	return s.articleIn(ctx, canon, s.opts.Language, fresh)
}

// articleIn is article for a brief in lang, which may choose what a site
// adapter reads (a video's captions).
func (s *Service) articleIn(ctx context.Context, canon, lang string, fresh bool) (*extract.Article, error) {
	if a := s.cachedArticle(ctx, canon, fresh); a != nil {
		return a, nil
	}
	src, err := s.source(ctx, canon, lang, true)
	if err != nil {
		return nil, err
	}
	return src.art, nil
}

// source reads what canon says: through its site adapter when one
// matches, else from the article cache or the HTML path. What it reads is
// cached for follow-up questions. An item of a site is read again for
// each brief rather than taken from the article cache, which keeps its
// text but not its note and moments.
func (s *Service) source(ctx context.Context, canon, lang string, fresh bool) (*source, error) {
	if _, _, ok := s.opts.Sites.Match(canon); ok {
		key := canon + "\x1f" + lang
		if src := s.recent.get(key); src != nil && !fresh {
			return src, nil
		}
		src, err := s.readSite(ctx, canon, lang)
		if err != nil {
			return nil, err
		}
		s.recent.put(key, src)
		s.putArticle(ctx, canon, src.art)
		return src, nil
	}
	if a := s.cachedArticle(ctx, canon, fresh); a != nil {
		return &source{art: a}, nil
	}
	a, err := s.fetchArticle(ctx, canon)
	if err != nil {
		return nil, err
	}
	s.putArticle(ctx, canon, a)
	return &source{art: a}, nil
}

// allowed asks Options.Policy whether canon may be fetched now, before
// anything cached from it is served. Without a cache nothing is served
// that the fetcher does not check itself.
func (s *Service) allowed(ctx context.Context, canon string) error {
	if s.opts.Policy == nil || s.cache == nil {
		return nil
	}
	if _, _, ok := s.opts.Sites.Match(canon); ok {
		return nil
	}
	if err := s.opts.Policy.Check(ctx, canon); err != nil {
		return fmt.Errorf("summarize: %w", err)
	}
	return nil
}

// cachedArticle returns the cached article of canon, or nil.
func (s *Service) cachedArticle(ctx context.Context, canon string, fresh bool) *extract.Article {
	if s.cache == nil || fresh {
		return nil
	}
	a, err := s.cache.Article(ctx, canon)
	if err == nil {
		return a
	}
	if !errors.Is(err, ErrMiss) {
		s.log.Warn("article cache read failed", "url", canon, "err", err)
	}
	return nil
}

func (s *Service) putArticle(ctx context.Context, canon string, a *extract.Article) {
	if s.cache == nil {
		return
	}
	if err := s.cache.PutArticle(ctx, canon, a, s.opts.TTL); err != nil {
		s.log.Warn("article cache write failed", "url", canon, "err", err)
	}
}

func (s *Service) fetchArticle(ctx context.Context, rawURL string) (*extract.Article, error) {
	page, err := s.fetcher.Fetch(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	doc := Document{Source: rawURL, URL: page.URL, Body: page.Body, ContentType: "text/html"}
	switch page.ContentType {
	case "text/plain", fetch.PDFType:
		doc.ContentType = page.ContentType
	}
	return s.ExtractDocument(ctx, doc)
}

func (s *Service) cachedBrief(ctx context.Context, key string) *Brief {
	if s.cache == nil {
		return nil
	}
	data, err := s.cache.Brief(ctx, key)
	if err != nil {
		if !errors.Is(err, ErrMiss) {
			s.log.Warn("brief cache read failed", "err", err)
		}
		return nil
	}
	var b Brief
	if err := json.Unmarshal(data, &b); err != nil {
		s.log.Warn("unreadable cached brief ignored", "err", err)
		return nil
	}
	b.Usage = Usage{}
	if b.Kind == "" {
		b.Kind = extract.KindArticle
	}
	return &b
}

func (s *Service) storeBrief(ctx context.Context, key string, b *Brief, ttl time.Duration) {
	if s.cache == nil {
		return
	}
	data, err := json.Marshal(b)
	if err != nil {
		return
	}
	if err := s.cache.PutBrief(ctx, key, data, ttl); err != nil {
		s.log.Warn("brief cache write failed", "url", b.URL, "err", err)
	}
}

// brief runs the backend on art and verifies the result.
func (s *Service) brief(ctx context.Context, art *extract.Article, canon, lang string) (*Brief, error) {
	b := &Brief{
		URL:    canon,
		Title:  cleanText(art.Title),
		Site:   cleanText(art.Site),
		Byline: cleanText(art.Byline),
		Lang:   art.Lang,
		Kind:   art.KindOrDefault(),
		Words:  extractive.Words(art.Text),
	}
	if !art.Published.IsZero() {
		b.Published = art.Published.UTC().Format(time.RFC3339)
	}
	if s.opts.Backend == BackendLLM && s.opts.LLM == nil {
		return nil, ErrNoModel
	}
	if s.backend() == BackendLLM && s.opts.LLM != nil {
		err := s.llmBrief(ctx, art, lang, b)
		if err == nil {
			return b, nil
		}
		if s.opts.Backend == BackendLLM {
			// The model was asked for by name: an offline brief in its
			// place would hide that it cannot be used.
			if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("summarize: %w", ctx.Err())
			}
			return nil, fmt.Errorf("summarize: %w", err)
		}
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			// Out of time: a brief now beats "that took too long".
			s.log.Warn("language model out of time, using the offline summarizer", "url", canon, "err", err)
			b.Note = "The language model did not answer in time, so the offline summarizer wrote this brief."
		case ctx.Err() != nil:
			return nil, fmt.Errorf("summarize: %w", ctx.Err())
		default:
			s.log.Warn("language model failed, using the offline summarizer", "url", canon, "err", err)
			b.Note = "The language model could not be used (" + llmSentence(err) +
				"), so the offline summarizer wrote this brief."
		}
	}
	s.extractiveBrief(art, lang, b)
	return b, nil
}

func (s *Service) llmBrief(ctx context.Context, art *extract.Article, lang string, b *Brief) error {
	out, err := s.opts.LLM.Summarize(ctx, llm.Input{
		Title: art.Title, Site: art.Site, URL: b.URL, Text: art.Text,
		Language: outputLanguage(lang, art.Lang), MaxClaims: s.opts.MaxClaims,
	})
	if err != nil {
		return err
	}
	claims := make([]Claim, len(out.Claims))
	for i, c := range out.Claims {
		claims[i] = Claim{Text: c.Claim, Quote: c.Quote}
	}
	kept, dropped := verifyClaims(art.Text, claims, s.opts.MaxClaims)
	if dropped > 0 {
		s.log.Info("claims dropped: quote not in the article", "url", b.URL, "dropped", dropped)
	}
	b.Summary = cleanText(out.Summary)
	if b.Summary == "" {
		return &llm.Error{Kind: llm.BadResponse}
	}
	b.Claims = kept
	b.Backend = BackendLLM
	b.Model = out.Model
	if b.Model == "" {
		b.Model = s.opts.Model
	}
	b.Truncated = out.Truncated
	b.Usage = Usage{PromptTokens: out.Usage.PromptTokens, CompletionTokens: out.Usage.CompletionTokens}
	return nil
}

func (s *Service) extractiveBrief(art *extract.Article, lang string, b *Brief) {
	sum := extractive.Summarize(art.Title, art.Text, extractive.Options{MaxClaims: s.opts.MaxClaims, Lang: art.Lang})
	b.Summary = extractive.Join(sum.Sentences)
	claims := make([]Claim, len(sum.Claims))
	for i, c := range sum.Claims {
		claims[i] = Claim{Text: c, Quote: c}
	}
	b.Claims, _ = verifyClaims(art.Text, claims, s.opts.MaxClaims)
	b.Backend = BackendExtractive
	b.Model = ""
	if lang != "" && art.Lang != "" && !strings.EqualFold(lang, art.Lang) {
		note := "The offline summarizer cannot translate, so this brief is in the article's language."
		if b.Note != "" {
			note = b.Note + " " + note
		}
		b.Note = note
	}
}

// outputLanguage is the language a model is told to write in: the one
// asked for (the request's, else the server's setting), else the article's
// detected language, so that the prompt can name it.
func outputLanguage(asked, article string) string {
	if asked != "" {
		return asked
	}
	return article
}

// llmSentence turns an LLM failure into words safe to show a user: what
// failed and the server's host, never the key.
func llmSentence(err error) string {
	var le *llm.Error
	if errors.As(err, &le) {
		return le.Sentence()
	}
	return "it did not answer"
}
