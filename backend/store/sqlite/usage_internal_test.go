package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// TestQuotaReadIsOneRow: the quota check looks up one row by key, however
// many blobs the account owns; summing them on every upload made a first
// sync of many files quadratic.
func TestQuotaReadIsOneRow(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := strings.Join(queryPlan(t, db, usedBytesQuery, 1), "\n")
	if !strings.Contains(plan, "SEARCH account_usage USING INTEGER PRIMARY KEY") || strings.Contains(plan, "SCAN") {
		t.Fatalf("quota read plan:\n%s\nwant one SEARCH of account_usage by its key and no SCAN", plan)
	}
}

// TestUsageBackfilled: rows written before the usage table existed are
// counted when the database is migrated, and the counts stay right as
// uploads and blobs come and go after it, compared with summing the rows.
func TestUsageBackfilled(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	migrateDownTo(t, db, 4)
	for a := 1; a <= 3; a++ {
		exec(t, db, `INSERT INTO accounts (id, email, password_hash, display_name, creator, created_at) VALUES (?, ?, 'x', 'n', 1, 0)`, a, fmt.Sprint(a, "@example.com"))
	}
	for i := 1; i <= 20; i++ {
		sha := fmt.Sprintf("%064x", i)
		exec(t, db, `INSERT INTO blobs (sha256, size, media_type, created_at) VALUES (?, ?, 'audio/mpeg', 0)`, sha, i*1000+7)
		for a := 1; a <= 3; a++ {
			if i%a == 0 {
				exec(t, db, `INSERT INTO account_blobs (account_id, sha256, created_at) VALUES (?, ?, 0)`, a, sha)
			}
		}
		exec(t, db, `INSERT INTO uploads (id, account_id, sha256, size, created_at) VALUES (?, ?, ?, ?, 0)`, fmt.Sprint("u", i), 1+i%2, sha, i*13)
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := servicesOf(db).Blobs
	check := func(when string) {
		t.Helper()
		for a := int64(1); a <= 4; a++ {
			got, err := svc.UsedBytes(ctx, a)
			if want := summedUsage(t, db, a); err != nil || got != want {
				t.Errorf("%s: account %d UsedBytes = %d, %v; the rows sum to %d", when, a, got, err, want)
			}
		}
	}
	check("after migrating")
	if err := svc.FinishUpload(ctx, "u3", api.Blob{SHA256: fmt.Sprintf("%064x", 3), Size: 3007, MediaType: api.MediaMP3}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AbortUpload(ctx, "u4"); err != nil {
		t.Fatal(err)
	}
	if err := svc.StoreBlob(ctx, 3, api.Blob{SHA256: fmt.Sprintf("%064x", 99), Size: 5, MediaType: api.MediaPNG}); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `INSERT INTO accounts (id, email, password_hash, display_name, created_at) VALUES (4, '4@example.com', 'x', 'n', 0)`)
	check("after writes")
	exec(t, db, `DELETE FROM accounts WHERE id = 2`)
	check("after deleting an account")
	var rows int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM account_usage WHERE account_id = 2`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("a deleted account keeps %d usage rows (%v)", rows, err)
	}
}

func exec(t *testing.T, db *DB, query string, args ...any) {
	t.Helper()
	if _, err := db.write.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// summedUsage is what the usage row must equal: the sizes of the blobs
// an account owns plus those of its uploads.
func summedUsage(t *testing.T, db *DB, accountID int64) int64 {
	t.Helper()
	var n int64
	err := db.read.QueryRow(`
		SELECT COALESCE((SELECT SUM(b.size) FROM account_blobs ab JOIN blobs b ON b.sha256 = ab.sha256 WHERE ab.account_id = ?1), 0)
		     + COALESCE((SELECT SUM(size) FROM uploads WHERE account_id = ?1), 0)`, accountID).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
