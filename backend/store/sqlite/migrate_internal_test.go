package sqlite

import (
	"context"
	"io/fs"
	"testing"

	"github.com/pressly/goose/v3"
)

// migrateDownTo undoes migrations above version, so a test can write rows
// as an older database held them and reopen to migrate them.
func migrateDownTo(t *testing.T, db *DB, version int64) {
	t.Helper()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(context.Background(), version); err != nil {
		t.Fatalf("migrate down to %d: %v", version, err)
	}
}
