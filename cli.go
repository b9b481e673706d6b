package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/linkbrief/linkbrief/summarize"
	"github.com/linkbrief/linkbrief/summarize/extract"
	"github.com/linkbrief/linkbrief/summarize/fetch"
	"github.com/linkbrief/linkbrief/summarize/pdf"
)

// parseFlags parses args with fs, allowing flags after SOURCEs as well as
// before them; "--" ends the flags. It returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// fs.Parse stops at the first non-flag, or after "--".
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns an empty flag set for a verb. The flag package
// prints nothing: parseArgs prints the usage (--help on standard output)
// and the caller the error, once.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("linkbrief "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// errHelp means --help (or -h) was asked for and the usage printed: the
// command ends there with status 0.
var errHelp = errors.New("help requested")

// parseArgs parses a verb's arguments with parseFlags. For -h or --help
// it prints the verb's usage on standard output and returns errHelp; for
// a bad flag it prints the usage on standard error and returns the
// usage error.
func parseArgs(e *env, fs *flag.FlagSet, synopsis string, args []string) ([]string, error) {
	pos, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		writeUsage(e.stdout, fs, synopsis)
		return nil, errHelp
	case err != nil:
		writeUsage(e.stderr, fs, synopsis)
	}
	return pos, err
}

// writeUsage prints a verb's synopsis and its flags.
func writeUsage(w io.Writer, fs *flag.FlagSet, synopsis string) {
	fmt.Fprintf(w, "Usage: %s\n\nFlags:\n", synopsis)
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// cliApp wires what summarize, ask and extract share: the config, a
// logger of warnings, the store as a cache when useStore, and the pipeline
// with backend (summary.backend when ""). A store that cannot be opened
// costs the cache, not the command: it is logged and skipped.
func cliApp(ctx context.Context, e *env, configPath, backend string, useStore bool) (*app, *summarize.Service, error) {
	a, err := wire(e, configPath, slog.LevelWarn)
	if err != nil {
		return nil, nil, err
	}
	if useStore {
		if err := a.openStore(ctx); err != nil {
			a.log.Warn("cache unavailable, going on without it", "err", err)
		}
	}
	svc, err := a.service(backend)
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, svc, nil
}

// source is one SOURCE argument, resolved.
type source struct {
	name string // as given
	url  string // set for http(s) URLs
	doc  *summarize.Document
}

// isURL reports whether a SOURCE names a web page rather than a file.
func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// sizeLimits are the caps of a SOURCE read from a file or standard input:
// fetch.max_bytes for a page, fetch.max_pdf_bytes for a PDF.
type sizeLimits struct{ page, pdf int64 }

func (c *Config) sizeLimits() sizeLimits {
	return sizeLimits{page: int64(c.Fetch.MaxBytes), pdf: int64(c.Fetch.MaxPDFBytes)}
}

// readSource turns a SOURCE into a URL or a document read from a file or
// standard input (HTML, plain text or PDF; .gz allowed), at most the
// limit of its kind after decompression.
func readSource(e *env, name string, lim sizeLimits) (source, error) {
	if isURL(name) {
		return source{name: name, url: name}, nil
	}
	if scheme, _, ok := strings.Cut(name, ":"); ok && !strings.ContainsAny(scheme, "/\\.") && len(scheme) > 1 {
		if _, err := os.Stat(name); err != nil {
			return source{}, errors.New("only http and https links can be fetched")
		}
	}
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return source{}, errors.New("no such file (a URL must start with http:// or https://)")
			}
			return source{}, unwrapPathError(err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return source{}, errors.New("is a directory, not a file: give an .html, .txt or .pdf file, a URL, or -")
		}
		if err := summarize.CheckFileName(name); err != nil {
			return source{}, err
		}
		r = f
	}
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return source{}, fmt.Errorf("bad gzip data: %w", err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	body, err := io.ReadAll(io.LimitReader(r, lim.page+1))
	limit := lim.page
	if err == nil && int64(len(body)) > limit && pdf.IsPDF(body) {
		// A PDF has its own, larger cap, as when fetched.
		limit = max(lim.pdf, lim.page)
		var rest []byte
		rest, err = io.ReadAll(io.LimitReader(r, limit+1-int64(len(body))))
		body = append(body, rest...)
	}
	if err != nil {
		return source{}, fmt.Errorf("cannot read: %w", err)
	}
	if int64(len(body)) > limit {
		if err := summarize.CheckText(body); err != nil {
			return source{}, err // a large program or image is refused for what it is
		}
		return source{}, &fetch.SizeError{Limit: limit}
	}
	doc := &summarize.Document{Source: name, Body: body}
	if name != "-" {
		if abs, err := filepath.Abs(name); err == nil {
			doc.URL = "file://" + filepath.ToSlash(abs)
		}
	}
	return source{name: name, doc: doc}, nil
}

// forEach runs work on every SOURCE, at most limit at a time, and hands
// each result to emit in the order of the SOURCEs. Standard input can be
// read only once, so "-" may appear once.
func forEach[T any](ctx context.Context, names []string, limit int, work func(context.Context, string) (T, error), emit func(i int, v T, err error)) {
	type result struct {
		v   T
		err error
	}
	done := make([]chan result, len(names))
	for i := range done {
		done[i] = make(chan result, 1)
	}
	sem := make(chan struct{}, max(1, limit))
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, n := range names {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				var zero T
				for j := i; j < len(names); j++ {
					done[j] <- result{zero, ctx.Err()}
				}
				return
			}
			wg.Go(func() {
				defer func() { <-sem }()
				v, err := work(ctx, n)
				done[i] <- result{v, err}
			})
		}
	})
	for i := range names {
		r := <-done[i]
		emit(i, r.v, r.err)
	}
	wg.Wait()
}

// progress prints "[i/n] name" on stderr for long batches when stderr is
// a terminal.
type progress struct {
	w     io.Writer
	n     int
	on    bool
	count int
}

func newProgress(w io.Writer, n int) *progress {
	p := &progress{w: w, n: n}
	if f, ok := w.(*os.File); ok && n > 1 {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) step(name string) {
	p.count++
	if p.on {
		fmt.Fprintf(p.w, "\r\x1b[K[%d/%d] %s", p.count, p.n, truncate(name, 60))
		if p.count == p.n {
			fmt.Fprint(p.w, "\r\x1b[K")
		}
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// explain is the one line printed for a failed SOURCE.
func explain(err error) string {
	if errors.Is(err, context.Canceled) {
		return "interrupted before it was done" // SIGINT or SIGTERM
	}
	s := summarize.Explain(err)
	if s == "" {
		return err.Error()
	}
	s = strings.TrimSuffix(s, ".")
	if errors.Is(err, fetch.ErrPrivateAddress) || errors.Is(err, fetch.ErrPort) {
		// Only the operator at the terminal can lift it; a Discord user
		// is never told about the config.
		s += " (fetch.allow_private_networks = true in the config allows it, for trusted networks only)"
	}
	return s
}

func checkStdinOnce(names []string) error {
	n := 0
	for _, s := range names {
		if s == "-" {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("%w: standard input (-) can be read only once", errUsage)
	}
	return nil
}

func cmdSummarize(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("summarize")
	configPath := fs.String("config", "", "config file (default: $LINKBRIEF_CONFIG, else built-in defaults)")
	backend := fs.String("backend", "", "auto, llm or extractive (default: summary.backend)")
	format := fs.String("format", "text", "text, markdown or json")
	lang := fs.String("lang", "", "output language code (default: summary.language, else the article's)")
	noCache := fs.Bool("no-cache", false, "do not use cached briefs")
	names, err := parseArgs(e, fs, "linkbrief summarize [flags] SOURCE...", args)
	if err == nil {
		err = checkArgs(names, *format, "text", "markdown", "json")
	}
	if err == nil && *backend != "" && *backend != "auto" && *backend != "llm" && *backend != "extractive" {
		err = fmt.Errorf("%w: --backend wants auto, llm or extractive, got %q", errUsage, *backend)
	}
	if err == nil && *lang != "" && !langCode().MatchString(*lang) {
		err = fmt.Errorf("%w: --lang wants a language code such as \"en\", got %q", errUsage, *lang)
	}
	if err != nil {
		return err
	}
	a, svc, err := cliApp(ctx, e, *configPath, *backend, true)
	if err != nil {
		return err
	}
	defer a.close()

	req := summarize.Request{Language: *lang, NoCache: *noCache}
	failed := false
	prog := newProgress(e.stderr, len(names))
	lim := a.cfg.sizeLimits()
	forEach(ctx, names, 4, func(ctx context.Context, name string) (*summarize.Brief, error) {
		src, err := readSource(e, name, lim)
		if err != nil {
			return nil, err
		}
		if src.url != "" {
			return svc.Summarize(ctx, src.url, req)
		}
		return svc.SummarizeDocument(ctx, *src.doc, req)
	}, func(i int, b *summarize.Brief, err error) {
		prog.step(names[i])
		if err != nil {
			failed = true
			reportFailure(e, *format, names[i], err)
			return
		}
		switch *format {
		case "json":
			if b.Claims == nil {
				b.Claims = []summarize.Claim{} // "claims" is always an array
			}
			writeJSON(e.stdout, b)
		case "markdown":
			fmt.Fprint(e.stdout, renderMarkdown(b))
		default:
			fmt.Fprint(e.stdout, renderText(b))
		}
	})
	if failed {
		return errFailed
	}
	return nil
}

// checkArgs checks that there is at least one SOURCE, at most one "-",
// and that format is one of allowed.
func checkArgs(names []string, format string, allowed ...string) error {
	if len(names) == 0 {
		return fmt.Errorf("%w: give at least one SOURCE (a URL, a file or -)", errUsage)
	}
	ok := false
	for _, a := range allowed {
		ok = ok || format == a
	}
	if !ok {
		return fmt.Errorf("%w: --format wants %s, got %q", errUsage, strings.Join(allowed, ", "), format)
	}
	return checkStdinOnce(names)
}

// reportFailure prints one clear line on stderr and, for JSON output, the
// {"source","error"} object on stdout.
func reportFailure(e *env, format, name string, err error) {
	msg := explain(err)
	fmt.Fprintf(e.stderr, "linkbrief: %s: %s\n", name, msg)
	if format == "json" {
		writeJSON(e.stdout, failedSource{Source: name, Error: msg})
	}
}

// failedSource is the JSON line of a SOURCE that failed.
type failedSource struct {
	Source string `json:"source"`
	Error  string `json:"error"`
}

// answerJSON is the JSON of ask: the Answer, with "quotes" always there,
// [] when the article holds no answer.
type answerJSON struct {
	*summarize.Answer
	Quotes []string `json:"quotes"`
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func cmdAsk(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("ask")
	configPath := fs.String("config", "", "config file")
	question := fs.String("question", "", "the question about the SOURCE")
	format := fs.String("format", "text", "text or json")
	names, err := parseArgs(e, fs, "linkbrief ask [--config FILE] [--format text|json] --question TEXT SOURCE", args)
	if err == nil && strings.TrimSpace(*question) == "" {
		err = fmt.Errorf("%w: --question is required", errUsage)
	}
	if err == nil && len(names) != 1 {
		err = fmt.Errorf("%w: ask takes exactly one SOURCE", errUsage)
	}
	if err == nil && *format != "text" && *format != "json" {
		err = fmt.Errorf("%w: --format wants text or json, got %q", errUsage, *format)
	}
	if err != nil {
		return err
	}
	app, svc, err := cliApp(ctx, e, *configPath, "", true)
	if err != nil {
		return err
	}
	defer app.close()
	src, err := readSource(e, names[0], app.cfg.sizeLimits())
	var a *summarize.Answer
	if err == nil {
		if src.url != "" {
			a, err = svc.Ask(ctx, src.url, *question)
		} else {
			a, err = svc.AskDocument(ctx, *src.doc, *question)
		}
	}
	if err != nil {
		reportFailure(e, *format, names[0], err)
		return errFailed
	}
	if *format == "json" {
		writeJSON(e.stdout, answerJSON{Answer: a, Quotes: append([]string{}, a.Quotes...)})
		return nil
	}
	fmt.Fprintln(e.stdout, a.Text)
	if a.Note != "" {
		fmt.Fprintln(e.stdout, "\n"+a.Note)
	}
	return nil
}

// extracted is the JSON object of `linkbrief extract --format json`.
type extracted struct {
	Source    string `json:"source"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Site      string `json:"site"`
	Byline    string `json:"byline"`
	Published string `json:"published"`
	Lang      string `json:"lang"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
}

func cmdExtract(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("extract")
	configPath := fs.String("config", "", "config file")
	format := fs.String("format", "text", "text or json")
	names, err := parseArgs(e, fs, "linkbrief extract [--config FILE] [--format text|json] SOURCE...", args)
	if err == nil {
		err = checkArgs(names, *format, "text", "json")
	}
	if err != nil {
		return err
	}
	a, svc, err := cliApp(ctx, e, *configPath, summarize.BackendExtractive, false)
	if err != nil {
		return err
	}
	defer a.close()
	failed := false
	prog := newProgress(e.stderr, len(names))
	lim := a.cfg.sizeLimits()
	forEach(ctx, names, runtime.GOMAXPROCS(0), func(ctx context.Context, name string) (*extracted, error) {
		src, err := readSource(e, name, lim)
		if err != nil {
			return nil, err
		}
		var (
			art *extract.Article
			u   string
		)
		if src.url != "" {
			art, u, err = svc.Extract(ctx, src.url)
		} else {
			art, err = svc.ExtractDocument(ctx, *src.doc)
			u = src.doc.URL
		}
		if err != nil {
			return nil, err
		}
		x := &extracted{Source: name, URL: u, Title: art.Title, Site: art.Site, Byline: art.Byline, Lang: art.Lang, Kind: art.KindOrDefault(), Text: art.Text}
		if !art.Published.IsZero() {
			x.Published = art.Published.UTC().Format("2006-01-02T15:04:05Z07:00")
		}
		return x, nil
	}, func(i int, x *extracted, err error) {
		prog.step(names[i])
		if err != nil {
			failed = true
			reportFailure(e, *format, names[i], err)
			return
		}
		if *format == "json" {
			writeJSON(e.stdout, x)
			return
		}
		if len(names) > 1 {
			fmt.Fprintf(e.stdout, "==> %s <==\n", x.Source)
		}
		if x.Title != "" {
			fmt.Fprintf(e.stdout, "%s\n\n", x.Title)
		}
		fmt.Fprintf(e.stdout, "%s\n", x.Text)
		if len(names) > 1 && i < len(names)-1 {
			fmt.Fprintln(e.stdout)
		}
	})
	if failed {
		return errFailed
	}
	return nil
}
