package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
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

// TxLedger is the reply ledger of the store whose database a River queue
// shares: Accept claims an event in it inside the transaction that inserts
// the event's job. *store.DB is one.
type TxLedger interface {
	// SQL is the store's database: Accept's transactions run on it, and
	// on SQLite River keeps its tables there too.
	SQL() *sql.DB
	// ClaimEventTx claims eventID inside tx, reporting false when it
	// was claimed already; the claim commits or rolls back with tx.
	ClaimEventTx(ctx context.Context, tx Execer, eventID string) (bool, error)
}

// Execer is a transaction as TxLedger.ClaimEventTx writes in it: a
// *sql.Tx on SQLite, pgx's own transaction on PostgreSQL.
type Execer = interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// inserter inserts a job inside the transaction of a withTx call.
type inserter func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)

// River is a Queue kept in a database by River: jobs survive the process
// that enqueued them, any process sharing the database runs them, and the
// leader among those processes rescues the jobs of a process that died. It
// is safe for concurrent use.
type River struct {
	opts   Options
	client riverClient
	// ledger and withTx make Accept: withTx runs fn in one transaction of
	// the ledger's database, giving it the transaction to claim in and a
	// way to insert jobs in the same transaction (through the worker
	// client itself on SQLite; on PostgreSQL through an insert-only client
	// on pgx's transaction over the store's own connection). It commits
	// when fn returns nil.
	ledger TxLedger
	withTx func(ctx context.Context, fn func(tx Execer, insert inserter) error) error
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
// database) and returns a stopped queue. ledger is the store on the same
// database and schema (the same dsn): Accept inserts jobs in its
// transactions. Close releases the queue's own connections.
//
// Jobs are worked by a client on a pgx pool of the queue's own, which
// LISTENs for new jobs; Accept inserts through a second, insert-only
// client in a pgx transaction on a connection of the store's own pool
// (pgx underneath database/sql), whose inserts NOTIFY the workers when
// their transaction commits.
func OpenRiverPostgres(ctx context.Context, dsn string, ledger TxLedger, opts Options) (*River, error) {
	if dsn == "" {
		return nil, errors.New("queue: empty PostgreSQL DSN")
	}
	if ledger == nil {
		return nil, errors.New("queue: no reply ledger")
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
	q := &River{opts: opts, ledger: ledger}
	client, err := river.NewClient(riverpgxv5.New(pool), q.config())
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.client = client
	// Insert-only: it has the workers (River checks a job's kind against
	// them) but is never started.
	// Its driver has no pool: it inserts only in the transactions given.
	ins, err := river.NewClient(riverpgxv5.New(nil), &river.Config{
		Logger: opts.Logger, MaxAttempts: opts.MaxAttempts, Workers: q.workers(),
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.withTx = func(ctx context.Context, fn func(Execer, inserter) error) error {
		conn, err := ledger.SQL().Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			pc, ok := dc.(interface{ Conn() *pgx.Conn })
			if !ok {
				return fmt.Errorf("the store's PostgreSQL connection is a %T, not pgx's", dc)
			}
			return pgx.BeginFunc(ctx, pc.Conn(), func(tx pgx.Tx) error {
				return fn(pgxExecer{tx}, func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
					return ins.InsertTx(ctx, tx, args, opts)
				})
			})
		})
	}
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

// OpenRiverSQLite keeps River's tables in the store's SQLite database
// (ledger.SQL(), whose one write connection River shares with the store),
// migrates them (processes starting together queue up on SQLite's write
// lock) and returns a stopped queue. Several processes may share the
// file. The store stays open after Close: it owns the database.
func OpenRiverSQLite(ctx context.Context, ledger TxLedger, opts Options) (*River, error) {
	if ledger == nil {
		return nil, errors.New("queue: no reply ledger")
	}
	opts = opts.withDefaults()
	db := ledger.SQL()
	if err := migrateSQLite(ctx, db, opts.Logger); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	q := &River{opts: opts, ledger: ledger}
	client, err := river.NewClient(riversqlite.New(db), q.config())
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.client = client
	q.withTx = func(ctx context.Context, fn func(Execer, inserter) error) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx, func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
			return client.InsertTx(ctx, tx, args, opts)
		}); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	q.depth = func(ctx context.Context) (int, error) {
		var n int
		err := db.QueryRowContext(ctx, depthQuery).Scan(&n)
		return n, err
	}
	q.close = func() error { return nil }
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

// workers is the one worker River knows, running jobs with q's Work.
func (q *River) workers() *river.Workers {
	workers := river.NewWorkers()
	river.AddWorker(workers, &eventWorker{q: q})
	return workers
}

// config is the River client configuration from q.opts.
func (q *River) config() *river.Config {
	return &river.Config{
		Logger:               q.opts.Logger,
		JobTimeout:           q.opts.JobTimeout,
		RescueStuckJobsAfter: q.opts.RescueAfter,
		MaxAttempts:          q.opts.MaxAttempts,
		FetchPollInterval:    q.opts.PollInterval,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.opts.Workers}},
		Workers:              q.workers(),
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
	res, err := q.client.Insert(ctx, eventArgs{JobKind: kind, EventID: eventID, Payload: payload}, q.insertOpts())
	if err != nil {
		return fmt.Errorf("queue: enqueue %s: %w", eventID, err)
	}
	if res.UniqueSkippedAsDuplicate {
		return fmt.Errorf("%w: %s", ErrDuplicate, eventID)
	}
	return nil
}

// insertOpts are the options of every job: one job per event.
func (q *River) insertOpts() *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: q.opts.MaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Accept claims eventID in the reply ledger and inserts its job in one
// transaction of the store's database, so a crash can never leave a claim
// without its job or a job without its claim. It reports false, and
// changes nothing, when the event was claimed already or has a job
// already; an error (the claim is rolled back with the insert) when the
// database failed.
func (q *River) Accept(ctx context.Context, kind, eventID string, payload []byte) (claimed bool, err error) {
	if err := validate(kind, eventID); err != nil {
		return false, err
	}
	err = q.withTx(ctx, func(tx Execer, insert inserter) error {
		ok, err := q.ledger.ClaimEventTx(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if !ok {
			return errAcceptedAlready
		}
		res, err := insert(ctx, eventArgs{JobKind: kind, EventID: eventID, Payload: payload}, q.insertOpts())
		if err != nil {
			return err
		}
		if res.UniqueSkippedAsDuplicate {
			return errAcceptedAlready
		}
		return nil
	})
	switch {
	case errors.Is(err, errAcceptedAlready):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("queue: accept %s: %w", eventID, err)
	}
	return true, nil
}

// errAcceptedAlready rolls back an Accept whose event was claimed, or has
// a job, already.
var errAcceptedAlready = errors.New("queue: event accepted already")

// pgxExecer is a pgx transaction as an Execer.
type pgxExecer struct{ tx pgx.Tx }

func (e pgxExecer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tag, err := e.tx.Exec(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rowsAffected(tag.RowsAffected()), nil
}

// rowsAffected is the sql.Result of a pgx statement.
type rowsAffected int64

func (n rowsAffected) LastInsertId() (int64, error) {
	return 0, errors.New("queue: PostgreSQL reports no last insert ID")
}

func (n rowsAffected) RowsAffected() (int64, error) { return int64(n), nil }

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
