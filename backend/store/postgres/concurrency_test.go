package postgres_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/receipt"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/postgres"
	"github.com/megabox-fm/megabox/internal/pgtest"
)

// TestConflictLeavesTransactionUsable: a taken key, email or upload id is
// ErrConflict, and the transaction goes on and commits what else it wrote
// (a twin's decline is recorded as the same decline).
func TestConflictLeavesTransactionUsable(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	fan := mustAccount(t, db, "fan@example.com", false)
	k := store.IdempotencyKey{FanID: fan, Key: "k1", RequestHash: []byte("h"), CreatedAt: t0}
	up := api.Upload{ID: "u1", AccountID: fan, SHA256: sha(1), Size: 10, CreatedAt: t0}
	err := db.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.InsertIdempotencyKey(ctx, k); err != nil {
			return err
		}
		if err := tx.InsertUpload(ctx, up); err != nil {
			return err
		}
		wantErr(t, "key again", tx.InsertIdempotencyKey(ctx, k), store.ErrConflict)
		_, err := tx.InsertAccount(ctx, &api.Account{Email: "FAN@example.com", DisplayName: "Twin", CreatedAt: t0}, "h")
		wantErr(t, "email again", err, store.ErrConflict)
		wantErr(t, "upload again", tx.InsertUpload(ctx, up), store.ErrConflict)
		k2 := k
		k2.Key = "k2"
		return tx.InsertIdempotencyKey(ctx, k2)
	})
	if err != nil {
		t.Fatalf("commit after conflicts: %v", err)
	}
	for _, key := range []string{"k1", "k2"} {
		if _, err := db.IdempotencyKey(ctx, fan, key); err != nil {
			t.Errorf("key %s after commit: %v", key, err)
		}
	}
	if used, _ := db.UsedBytes(ctx, fan); used != 10 {
		t.Errorf("UsedBytes = %d, want the one upload's 10", used)
	}
}

// TestReceiptKeysFromTwoNodes: two nodes making the first receipt key at
// once both succeed; the later one is active and both are published.
func TestReceiptKeysFromTwoNodes(t *testing.T) {
	t.Parallel()
	a, url := mustOpen(t)
	b := mustOpenURL(t, url)
	ctx := context.Background()
	k1, _ := receipt.NewKey()
	k2, _ := receipt.NewKey()
	inserted, commit := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- a.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.InsertReceiptKey(ctx, k1, t0); err != nil {
				return err
			}
			close(inserted)
			<-commit
			return nil
		})
	}()
	<-inserted
	second := make(chan error, 1)
	go func() { second <- b.WithTx(ctx, func(tx store.Tx) error { return tx.InsertReceiptKey(ctx, k2, t0) }) }()
	waitForLockWait(t, raw(t, url), "the second key to wait for the first")
	close(commit)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatalf("second node's key: %v", err)
	}
	if k, err := a.ActiveReceiptKey(ctx); err != nil || k.ID != k2.ID {
		t.Fatalf("active key = %q, %v; want the second %q", k.ID, err, k2.ID)
	}
	if pubs, err := a.ReceiptPublicKeys(ctx); err != nil || len(pubs) != 2 {
		t.Fatalf("public keys = %+v, %v", pubs, err)
	}
}

// TestMigrate: nodes migrating one database at once all end at the newest
// version, and migrating again changes nothing.
func TestMigrate(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	versions := make([]int64, 3)
	for i := range 3 {
		wg.Go(func() { versions[i], errs[i] = postgres.Migrate(ctx, url) })
	}
	wg.Wait()
	want := latestMigration(t)
	for i := range 3 {
		if errs[i] != nil || versions[i] != want {
			t.Fatalf("Migrate %d = %d, %v; want version %d", i, versions[i], errs[i], want)
		}
	}
	if v, err := postgres.Migrate(ctx, url); err != nil || v != want {
		t.Fatalf("Migrate again = %d, %v; want version %d", v, err, want)
	}
	_, err := postgres.Migrate(ctx, "postgres://127.0.0.1:1/nothing?sslmode=disable&connect_timeout=2")
	if err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("Migrate of an unreachable server = %v, want its error", err)
	}
}

// latestMigration is the highest number among the migration files the
// package embeds (migrations/NNNNN_name.sql): the version a fresh
// database reaches.
func latestMigration(t *testing.T) int64 {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var latest int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: no number: %v", e.Name(), err)
		}
		latest = max(latest, n)
	}
	if latest == 0 {
		t.Fatal("no migrations found")
	}
	return latest
}
