package observe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Check is one health check of /healthz, such as the store's Ping or the
// queue's.
type Check struct {
	// Name is shown in /healthz answers ("store", "queue"); it must not
	// carry secrets.
	Name string
	// Func reports whether the dependency is reachable; it gets a context
	// with HealthOptions.CheckTimeout.
	Func func(ctx context.Context) error
}

// HealthOptions configures Health; the zero value of each field means the
// default noted.
type HealthOptions struct {
	// Checks are run, concurrently, by each request. None: the answer
	// only says the process is up.
	Checks []Check
	// CheckTimeout bounds each check; default 3 seconds.
	CheckTimeout time.Duration
	// Logger receives failed checks with their errors, which the answer
	// does not show; default discards.
	Logger *slog.Logger
}

// Health returns the handler of a health check (main serves it at GET
// /healthz): 200 "ok" when every check passes, else 503 with one line per
// check naming those that failed (never their errors, which may name
// hosts or users: those go to the log).
func Health(opts HealthOptions) http.Handler {
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = 3 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return health{opts: opts}
}

// Handler returns the handler of the metrics (main serves it at GET
// /metrics): every metric in Prometheus' text format. At most maxScrapes
// scrapes run at once; more are answered 503 rather than queued.
func (m *Metrics) Handler() http.Handler {
	return scrapes{m: m, slots: make(chan struct{}, maxScrapes)}
}

// maxScrapes is how many scrapes of the metrics may run at once.
const maxScrapes = 4

// scrapes is the handler Handler returns.
type scrapes struct {
	m     *Metrics
	slots chan struct{}
}

func (s scrapes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		http.Error(w, "too many scrapes at once", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	s.m.write(r.Context(), bw)
	bw.Flush()
}

// health is the handler Health returns.
type health struct{ opts HealthOptions }

func (h health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	results := make([]string, len(h.opts.Checks))
	failed := false
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, c := range h.opts.Checks {
		wg.Go(func() {
			err := runCheck(r.Context(), c, h.opts.CheckTimeout)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				results[i] = c.Name + ": ok"
				return
			}
			failed = true
			results[i] = c.Name + ": failed"
			h.opts.Logger.Warn("observe: health check failed", "check", c.Name, "err", err)
		})
	}
	wg.Wait()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if failed {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "unhealthy\n%s\n", strings.Join(results, "\n"))
		return
	}
	if len(results) == 0 {
		fmt.Fprintln(w, "ok")
		return
	}
	fmt.Fprintf(w, "ok\n%s\n", strings.Join(results, "\n"))
}

// runCheck runs one check within timeout; a check that panics or
// overstays fails instead of taking the endpoint down or hanging it.
func runCheck(ctx context.Context, c Check, timeout time.Duration) (err error) {
	if c.Func == nil {
		return errors.New("observe: no check function")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("observe: check %s panicked: %v", c.Name, p)
			}
		}()
		done <- c.Func(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("observe: check %s: %w", c.Name, ctx.Err())
	}
}

// shutdownTimeout bounds the graceful shutdown of the HTTP server: its
// handlers answer at once (interaction work runs in the bot), so a few
// seconds suffice and the process stays within its 10-second exit.
const shutdownTimeout = 3 * time.Second

// Serve serves h on addr (host:port, http.listen) until ctx is cancelled,
// then shuts the server down gracefully: it stops accepting connections
// and waits briefly for requests in progress. It returns nil after a
// shutdown, or the error that stopped it from listening or serving.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("observe: listening on %s: %w", addr, err)
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener is Serve on a listener the caller opened (for example on
// port 0 in tests); it closes ln.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("observe: serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("observe: shutting down: %w", err)
	}
	return nil
}
