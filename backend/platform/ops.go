package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
)

// dbFile is the SQLite database under a data directory.
const dbFile = "megabox.db"

// dirReady reports whether dir still exists as a directory: a volume that
// came unmounted or was removed under the bucket fails it.
func dirReady(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// ledgerCheck counts what is wrong with the ledger: unbalanced transactions
// and currencies whose postings do not sum to zero.
func ledgerCheck(db store.Reader) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		sums, unbalanced, err := db.LedgerCheck(ctx)
		if err != nil {
			return 0, err
		}
		for _, s := range sums {
			if s != 0 {
				unbalanced++
			}
		}
		return unbalanced, nil
	}
}

// Migrate brings the database in dir to the newest schema and returns the
// schema versions before and after (0: there was no database).
func Migrate(ctx context.Context, dir string) (from, to int64, err error) {
	path := filepath.Join(dir, dbFile)
	if from, err = versionAt(ctx, path); err != nil {
		return 0, 0, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, 0, fmt.Errorf("data dir: %w", err)
	}
	db, err := sqlite.Open(ctx, path) // opening migrates
	if err != nil {
		return from, 0, err
	}
	defer db.Close()
	to, err = SchemaVersion(ctx, db.ReadDB())
	return from, to, err
}

// SchemaVersion is the newest migration applied to db.
func SchemaVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var v int64
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// versionAt reads the schema version of the database file at path without
// changing it; a missing file, or one never migrated, is version 0.
func versionAt(ctx context.Context, path string) (int64, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return 0, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("open database: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	return SchemaVersion(ctx, db)
}
