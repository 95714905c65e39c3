// Package cache is the desktop app's local SQLite database: watched roots,
// every local file with its hash and sync state, release folders and the
// platform releases they map to, resumable uploads and settings. It is a
// cache: losing it costs a rescan, never a re-upload of what the platform
// already has.
package cache

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the sqlite3 driver
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Cache is an open local database.
type Cache struct {
	db  *sql.DB
	txs atomic.Int64 // write transactions committed
}

// Open opens the cache at path. A file that is not a readable database is
// moved aside and a fresh cache created: everything in it can be rebuilt.
func Open(ctx context.Context, path string) (*Cache, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cache dir: %w", err)
	}
	c, err := open(ctx, path)
	if err == nil {
		return c, nil
	}
	aside := fmt.Sprintf("%s.damaged-%d", path, time.Now().Unix())
	for _, suffix := range []string{"", "-wal", "-shm"} {
		// A damaged file that cannot be moved aside would be opened again
		// as it is: say why the cache cannot open instead.
		if rerr := os.Rename(path+suffix, aside+suffix); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w; moving it aside failed: %v", err, rerr)
		}
	}
	return open(ctx, path)
}

func open(ctx context.Context, path string) (*Cache, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil || res != "ok" {
		db.Close()
		return nil, fmt.Errorf("cache damaged: %v %s", err, res)
	}
	sub, _ := fs.Sub(migrations, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err == nil {
		_, err = p.Up(ctx)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate cache: %w", err)
	}
	c := &Cache{db: db}
	// Statistics for tables never analysed (a new or migrated cache),
	// within a bounded amount of work.
	if err := c.optimize(ctx, "PRAGMA optimize=0x10002"); err != nil {
		db.Close()
		return nil, fmt.Errorf("optimize cache: %w", err)
	}
	return c, nil
}

// Close keeps the planner's statistics current and closes the database.
func (c *Cache) Close() error {
	err := c.Optimize(context.Background())
	return errors.Join(err, c.db.Close())
}

// Optimize refreshes the planner's statistics where the tables have
// changed enough to need it; it costs little when nothing has.
func (c *Cache) Optimize(ctx context.Context) error {
	return c.optimize(ctx, "PRAGMA optimize")
}

func (c *Cache) optimize(ctx context.Context, pragma string) error {
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA analysis_limit = 1000"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, pragma)
	return err
}

// Home is the desktop app's data directory: MEGABOX_HOME, else the user's
// config directory.
func Home() string {
	if h := os.Getenv("MEGABOX_HOME"); h != "" {
		return h
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	name := "megabox"
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		name = "Megabox"
	}
	return filepath.Join(dir, name)
}

// DefaultPath is where the cache lives in Home.
func DefaultPath() string { return filepath.Join(Home(), "cache.db") }

func (c *Cache) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	c.txs.Add(1)
	return nil
}

// Transactions is how many multi-statement write transactions the cache
// has committed: what a pass costs in commits beyond single writes.
func (c *Cache) Transactions() int64 { return c.txs.Load() }

func now() int64 { return time.Now().UnixMilli() }

// Setting returns a setting, or def when unset.
func (c *Cache) Setting(ctx context.Context, key, def string) string {
	var v string
	if err := c.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v); err != nil {
		return def
	}
	return v
}

// SetSetting stores a setting.
func (c *Cache) SetSetting(ctx context.Context, key, value string) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

var errNotFound = errors.New("not found")

// IsNotFound reports whether err means a lookup found nothing.
func IsNotFound(err error) bool { return errors.Is(err, errNotFound) || errors.Is(err, sql.ErrNoRows) }
