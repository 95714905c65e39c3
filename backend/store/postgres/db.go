// Package postgres is the platform's database on PostgreSQL: a store.Store
// for running several megaboxd nodes on one database.
//
// Transactions run at READ COMMITTED. That is enough because the services
// never decide on a value they read unlocked: before checking an account's
// money or storage they take Lock(account), a transaction-scoped advisory
// lock, so two transactions that check and then write the same account run
// one after the other, and the second reads what the first committed.
// Everything else that must be unique (emails, idempotency keys, sessions)
// is a unique key, which holds across processes whatever the isolation.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/megabox-fm/megabox/backend/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open platform database.
type DB struct {
	reader
	pool *pgxpool.Pool
}

var _ store.Store = (*DB)(nil)

// Open connects to the database at url (postgres://…) and migrates it.
func Open(ctx context.Context, url string) (*DB, error) {
	if _, err := Migrate(ctx, url); err != nil {
		return nil, err
	}
	cfg, err := poolConfig(url)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return &DB{reader: reader{pool}, pool: pool}, nil
}

// defaultMaxConns is how many connections one server keeps at most when
// the URL does not say (pool_max_conns): pgxpool's own default, four on
// a small machine, leaves requests queueing for a connection while the
// database waits for work.
const defaultMaxConns = 32

func poolConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	return cfg, nil
}

// Migrate brings the database at url up to the newest schema and returns
// its version. Nodes starting together take turns: goose holds a session
// advisory lock while it migrates.
func Migrate(ctx context.Context, url string) (int64, error) {
	cfg, err := pgxpool.ParseConfig(url) // takes the pool's settings out of the URL
	if err != nil {
		return 0, fmt.Errorf("database url: %w", err)
	}
	db := stdlib.OpenDB(*cfg.ConnConfig)
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		return 0, err
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate database: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate database: %w", err)
	}
	return v, nil
}

func provider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping implements store.Store.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// WithTx implements store.Store.
func (db *DB) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	return db.inTx(ctx, false, fn)
}

// WithLightTx implements store.Store: the commit does not wait for the
// WAL flush, so a crash may lose it (the database stays consistent).
func (db *DB) WithLightTx(ctx context.Context, fn func(store.Tx) error) error {
	return db.inTx(ctx, true, fn)
}

func (db *DB) inTx(ctx context.Context, light bool, fn func(store.Tx) error) error {
	ptx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Rollback after a commit is a no-op; it ends the transaction on any
	// other way out, a panic included.
	defer func() { _ = ptx.Rollback(context.WithoutCancel(ctx)) }()
	p := &pendingTx{Tx: ptx}
	if light {
		p.hold(`SET LOCAL synchronous_commit = off`)
	}
	if err := fn(&tx{reader: reader{p}, tx: p}); err != nil {
		return err
	}
	if err := p.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	return nil
}

// querier is what reads and writes need: a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// mapErr turns a missing row into store.ErrNotFound, and a unique key
// violation or a row others still refer to (a release sold meanwhile)
// into store.ErrConflict, keeping the database's words.
func mapErr(err error) error {
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.ErrNotFound
	case errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "23503"):
		return fmt.Errorf("%w: %s", store.ErrConflict, pe.ConstraintName)
	}
	return err
}

// wrap maps err and adds what was being done; nil stays nil.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, mapErr(err))
}

// inserted turns an INSERT … ON CONFLICT DO NOTHING that inserted nothing
// into ErrConflict. Unlike a unique violation, that leaves the transaction
// usable, as a failed statement leaves it in SQLite: the caller may go on
// (a twin's decline is the same decline) and commit.
func inserted(what string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return wrap(what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return nil
}

// affected turns an UPDATE or DELETE that matched no row into ErrNotFound.
func affected(what string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return wrap(what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
