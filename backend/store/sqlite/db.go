// Package sqlite is the store.Store driver on SQLite, the platform's
// embedded default database.
//
// Writes go through a single connection that begins every transaction
// IMMEDIATE, so writers queue in Go instead of failing with SQLITE_BUSY;
// reads use a pool of read-only connections that WAL lets run alongside.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3" // registers the sqlite3 driver
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open platform database. Its reads use the read-only pool.
type DB struct {
	reader
	write   *sql.DB
	read    *sql.DB
	commits atomic.Int64
	durable atomic.Int64 // the commits made with a WAL fsync (WithTx)
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string) (*DB, error) {
	write, err := sql.Open("sqlite3", dsn(path, "rwc", "immediate"))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	write.SetMaxOpenConns(1)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite3", dsn(path, "ro", "deferred"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	read.SetMaxOpenConns(8)
	return &DB{reader: reader{q: read}, write: write, read: read}, nil
}

func dsn(path, mode, txlock string) string {
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "FULL") // money lives here
	q.Set("_txlock", txlock)
	q.Set("_stmt_cache_size", "64") // per connection: requests repeat the same few queries
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	rerr := db.read.Close()
	if err := db.write.Close(); err != nil {
		return err
	}
	return rerr
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict.
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := db.read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, err
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// WithTx implements store.Store: an immediate write transaction on the one
// write connection, so writers queue in Go, committed with a WAL fsync.
func (db *DB) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := db.run(sqlTx, fn); err != nil {
		return err
	}
	db.durable.Add(1)
	return nil
}

func (db *DB) run(sqlTx *sql.Tx, fn func(store.Tx) error) error {
	defer sqlTx.Rollback()
	if err := fn(&tx{reader: reader{q: sqlTx}, tx: sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.commits.Add(1)
	return nil
}

// WithLightTx implements store.Store: a write transaction committed with
// synchronous=NORMAL, no fsync of its own. Upload bookkeeping can afford
// that: the bytes a blob row names are fsynced into the bucket before the
// row is written, a row lost to a power cut only makes the client upload
// again, and the WAL fsync of the next FULL commit (a release that uses
// the blob, any money) makes every earlier commit durable with it.
func (db *DB) WithLightTx(ctx context.Context, fn func(store.Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// The connection goes back to the pool only as it came: FULL. If
	// that cannot be restored it is closed, never reused.
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL`); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return db.run(sqlTx, fn)
}

// Commits returns how many write transactions have committed.
func (db *DB) Commits() int64 { return db.commits.Load() }

// DurableCommits returns how many of them were committed with an fsync.
func (db *DB) DurableCommits() int64 { return db.durable.Load() }

// reader answers store.Reader over the read pool or a transaction.
type reader struct{ q queryer }

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// tx is a write transaction.
type tx struct {
	reader
	tx *sql.Tx
}

// Lock implements store.Tx: SQLite already runs one writer at a time.
func (t *tx) Lock(context.Context, int64) error { return nil }

func (t *tx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, query, args...)
	return err
}

// insert runs an INSERT and returns the new row's id.
func (t *tx) insert(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, conflict(err)
	}
	return res.LastInsertId()
}

// conflict turns a unique or primary key violation into store.ErrConflict.
func conflict(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey) {
		return store.ErrConflict
	}
	return err
}

// none turns sql.ErrNoRows into store.ErrNotFound.
func none(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// ReadDB exposes the read-only pool for checks and reports.
func (db *DB) ReadDB() *sql.DB { return db.read }
