package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestPragmas checks every connection is opened the one way we promise.
func TestPragmas(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "10000"} {
		for pool, conn := range map[string]queryer{"write": db.write, "read": db.read} {
			var got string
			if err := conn.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&got); err != nil || got != want {
				t.Errorf("%s PRAGMA %s = %q, %v; want %q", pool, name, got, err, want)
			}
		}
	}
	if _, err := db.read.Exec("CREATE TABLE x (y)"); err == nil {
		t.Error("the read pool accepted a write")
	}
}
