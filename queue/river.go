package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// jobKind is the River kind of every Linkbrief job; the job's own kind
// travels in its arguments.
const jobKind = "linkbrief_event"

// eventArgs are a job's arguments as River stores them (JSON). Only the
// event ID makes a job unique.
type eventArgs struct {
	JobKind string `json:"kind"`
	EventID string `json:"event_id" river:"unique"`
	Payload []byte `json:"payload"`
}

func (eventArgs) Kind() string { return jobKind }

// River is a Queue kept in a database by River: jobs survive the process
// that enqueued them, any process sharing the database runs them, and the
// leader among those processes rescues the jobs of a process that died. It
// is safe for concurrent use.
type River struct {
	opts   Options
	client riverClient
	depth  func(ctx context.Context) (int, error)
	close  func() error
	work   atomic.Pointer[Work]

	mu       sync.Mutex
	started  bool
	stopping bool
}

// riverClient is the part of *river.Client[TTx] used here, whatever the
// driver's transaction type.
type riverClient interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// waitingStates are the states Depth counts.
const depthQuery = `SELECT count(*) FROM river_job WHERE kind = 'linkbrief_event'
	AND state IN ('available', 'pending', 'retryable', 'scheduled')`

// OpenRiverPostgres connects to PostgreSQL at dsn (a postgres:// URL or
// key=value string; a search_path in it selects the schema), migrates
// River's tables (safely when several processes start at once on an empty
// database) and returns a stopped queue. Close releases the connections.
func OpenRiverPostgres(ctx context.Context, dsn string, opts Options) (*River, error) {
	if dsn == "" {
		return nil, errors.New("queue: empty PostgreSQL DSN")
	}
	opts = opts.withDefaults()
	// pgx redacts the password in its parse errors.
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("queue: PostgreSQL DSN: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// An unreachable server should fail the start, not hang it.
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	// River holds connections for LISTEN, leadership and fetching, on top
	// of one per running job at completion time.
	if cfg.MaxConns < int32(opts.Workers)+4 {
		cfg.MaxConns = int32(opts.Workers) + 4
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("queue: connect to PostgreSQL: %w", err)
	}
	if err := migratePostgres(ctx, pool, opts.Logger); err != nil {
		pool.Close()
		return nil, err
	}
	q := &River{opts: opts}
	client, err := river.NewClient(riverpgxv5.New(pool), q.config())
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.client = client
	q.depth = func(ctx context.Context) (int, error) {
		var n int
		err := pool.QueryRow(ctx, depthQuery).Scan(&n)
		return n, err
	}
	q.close = func() error { pool.Close(); return nil }
	return q, nil
}

// migrationLock is the advisory lock key that serializes River's
// migrations across processes ("lbrq"); hashed with the schema so that
// deployments in different schemas do not wait on each other.
const migrationLock = 0x6c627271

// migratePostgres applies River's migrations while holding a session
// advisory lock on one connection: processes starting together queue up,
// the first migrates, the others find nothing left to do. River's migrator
// runs each step in its own transaction on other connections, as some of
// its steps require.
func migratePostgres(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("queue: connect to PostgreSQL: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, hashtext(current_schema()))`, migrationLock); err != nil {
		return fmt.Errorf("queue: lock River's migrations: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, migrationLock); err != nil {
			// Closing the connection releases the lock for sure.
			_ = conn.Conn().Close(uctx)
		}
	}()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("queue: migrate River's tables: %w", err)
	}
	return nil
}

// sqliteQuery configures River's connection to an SQLite file: wait for
// locks held by other processes, write-ahead logging, and BEGIN IMMEDIATE
// so transactions take the write lock up front instead of failing when
// they upgrade.
const sqliteQuery = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"

// OpenRiverSQLite opens (creating it when missing) the SQLite database at
// path for River's tables, migrates them (processes starting together
// queue up on SQLite's write lock) and returns a stopped queue. Several
// processes may share the file. Close closes it.
func OpenRiverSQLite(ctx context.Context, path string, opts Options) (*River, error) {
	if path == "" {
		return nil, errors.New("queue: empty SQLite path")
	}
	opts = opts.withDefaults()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("queue: SQLite path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("queue: create the queue's directory: %w", err)
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("queue: open the queue's database: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("queue: open the queue's database: %w", err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), OmitHost: true, RawQuery: sqliteQuery}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("queue: open %s: %w", abs, err)
	}
	// riversqlite runs its operations in parallel; SQLite allows one
	// writer, so one connection queues them instead of failing with BUSY.
	db.SetMaxOpenConns(1)
	if err := migrateSQLite(ctx, db, opts.Logger); err != nil {
		db.Close()
		return nil, fmt.Errorf("queue: %s: %w", abs, err)
	}
	q := &River{opts: opts}
	client, err := river.NewClient(riversqlite.New(db), q.config())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.client = client
	q.depth = func(ctx context.Context) (int, error) {
		var n int
		err := db.QueryRowContext(ctx, depthQuery).Scan(&n)
		return n, err
	}
	q.close = db.Close
	return q, nil
}

// migrateSQLite applies River's migrations in one IMMEDIATE transaction:
// it holds SQLite's write lock from the start, so a second process waits
// (busy_timeout) and then finds the tables in place. SQLite's DDL is
// transactional, and River's SQLite steps need no statement outside a
// transaction.
func migrateSQLite(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	m, err := rivermigrate.New(riversqlite.New(db), &rivermigrate.Config{Logger: log})
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("lock for River's migrations: %w", err)
	}
	defer tx.Rollback()
	//lint:ignore SA1019 the one transaction is what makes racing processes safe on SQLite.
	if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate River's tables: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate River's tables: %w", err)
	}
	return nil
}

// config is the River client configuration from q.opts.
func (q *River) config() *river.Config {
	workers := river.NewWorkers()
	river.AddWorker(workers, &eventWorker{q: q})
	return &river.Config{
		Logger:               q.opts.Logger,
		JobTimeout:           q.opts.JobTimeout,
		RescueStuckJobsAfter: q.opts.RescueAfter,
		MaxAttempts:          q.opts.MaxAttempts,
		FetchPollInterval:    q.opts.PollInterval,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.opts.Workers}},
		Workers:              workers,
		// Completed jobs are kept a day, so a duplicate event that late is
		// still refused here before the reply ledger refuses it.
		CompletedJobRetentionPeriod: 24 * time.Hour,
	}
}

// Enqueue inserts a job for eventID; a job for it already waiting,
// running or completed in the last day makes it ErrDuplicate.
func (q *River) Enqueue(ctx context.Context, kind, eventID string, payload []byte) error {
	if err := validate(kind, eventID); err != nil {
		return err
	}
	res, err := q.client.Insert(ctx, eventArgs{JobKind: kind, EventID: eventID, Payload: payload},
		&river.InsertOpts{MaxAttempts: q.opts.MaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}})
	if err != nil {
		return fmt.Errorf("queue: enqueue %s: %w", eventID, err)
	}
	if res.UniqueSkippedAsDuplicate {
		return fmt.Errorf("%w: %s", ErrDuplicate, eventID)
	}
	return nil
}

// Start begins fetching and running jobs with work, including jobs other
// processes enqueued or left behind. ctx only lends its values: Stop ends
// the queue.
func (q *River) Start(ctx context.Context, work Work) error {
	if work == nil {
		return errors.New("queue: no work function")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopping {
		return ErrStopped
	}
	if q.started {
		return errors.New("queue: already started")
	}
	q.work.Store(&work)
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("queue: start: %w", err)
	}
	q.started = true
	return nil
}

// Stop stops fetching jobs, waits for the running ones until ctx ends,
// then cancels them and waits up to three seconds more. A cancelled job
// stays in the database and is retried later, by this process after a
// restart or by another one.
func (q *River) Stop(ctx context.Context) error {
	q.mu.Lock()
	if q.stopping {
		q.mu.Unlock()
		return nil
	}
	q.stopping = true
	started := q.started
	q.mu.Unlock()
	if !started {
		return nil
	}
	if err := q.client.Stop(ctx); err == nil {
		return nil
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopAfter)
	defer cancel()
	if err := q.client.StopAndCancel(hctx); err != nil {
		return fmt.Errorf("queue: jobs still running after cancellation: %w", err)
	}
	return nil
}

// Close releases the database; call it after Stop.
func (q *River) Close() error {
	if err := q.close(); err != nil {
		return fmt.Errorf("queue: close: %w", err)
	}
	return nil
}

// Depth counts the jobs waiting to run in the whole database, whichever
// process enqueued them.
func (q *River) Depth(ctx context.Context) (int, error) {
	n, err := q.depth(ctx)
	if err != nil {
		return 0, fmt.Errorf("queue: depth: %w", err)
	}
	return n, nil
}

// eventWorker runs Linkbrief jobs with the Work given to Start.
type eventWorker struct {
	river.WorkerDefaults[eventArgs]
	q *River
}

func (w *eventWorker) Work(ctx context.Context, job *river.Job[eventArgs]) error {
	work := w.q.work.Load()
	if work == nil {
		return errors.New("queue: not started")
	}
	err := safeRun(ctx, *work, job.Args.JobKind, job.Args.Payload)
	if snooze := (*SnoozeError)(nil); errors.As(err, &snooze) {
		w.q.opts.Logger.Info("queue: job snoozed", "kind", job.Args.JobKind, "event", job.Args.EventID, "wait", snooze.Wait)
		return river.JobSnooze(snooze.Wait)
	}
	if err != nil && errors.Is(err, ErrPermanent) {
		w.q.opts.Logger.Warn("queue: job failed for good", "kind", job.Args.JobKind, "event", job.Args.EventID, "err", err)
		return river.JobCancel(err)
	}
	if err != nil {
		w.q.opts.Logger.Warn("queue: job failed", "kind", job.Args.JobKind, "event", job.Args.EventID,
			"attempt", job.Attempt, "of", job.MaxAttempts, "err", err)
	}
	return err
}
