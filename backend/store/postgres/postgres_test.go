package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/postgres"
	"github.com/megabox-fm/megabox/internal/pgtest"
	"github.com/megabox-fm/megabox/internal/wait"
)

// mustOpen opens a store on a database of the test's own.
func mustOpen(tb testing.TB) (*postgres.DB, string) {
	tb.Helper()
	url := pgtest.NewDatabase(tb)
	return mustOpenURL(tb, url), url
}

// mustOpenURL opens a second pool on the same database, as another
// process would.
func mustOpenURL(tb testing.TB, url string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// raw connects without the store, for what the store would never do.
func raw(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(ctx) })
	return conn
}

func mustTx(tb testing.TB, db store.Store, fn func(store.Tx) error) {
	tb.Helper()
	if err := db.WithTx(context.Background(), fn); err != nil {
		tb.Fatal(err)
	}
}

var t0 = time.Date(2025, 3, 31, 23, 30, 0, 123_000_000, time.UTC)

func mustAccount(tb testing.TB, db store.Store, email string, creator bool) int64 {
	tb.Helper()
	var id int64
	mustTx(tb, db, func(tx store.Tx) (err error) {
		id, err = tx.InsertAccount(context.Background(), &api.Account{Email: email, DisplayName: strings.Split(email, "@")[0], Creator: creator, CreatedAt: t0}, "hash")
		return err
	})
	return id
}

// waitForLockWait polls until some backend of the database waits on a
// lock: the transaction under test is blocked, not merely slow.
func waitForLockWait(t *testing.T, conn *pgx.Conn, what string) {
	t.Helper()
	wait.Until(t, 10*time.Second, what, func() bool {
		var n int
		err := conn.QueryRow(context.Background(), `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	})
}

// TestJournalIsAppendOnly: the database itself refuses to change or remove
// a posted transaction, whoever asks.
func TestJournalIsAppendOnly(t *testing.T) {
	t.Parallel()
	db, url := mustOpen(t)
	ctx := context.Background()
	artist := mustAccount(t, db, "ann@example.com", true)
	txn := ledger.PayoutRequested(artist, 500, "EUR")
	mustTx(t, db, func(tx store.Tx) error { return tx.Post(ctx, store.Entry{Kind: "payout", Txn: txn, At: t0}) })

	conn := raw(t, url)
	for _, sql := range []string{
		`UPDATE postings SET amount_cents = amount_cents + 1`,
		`DELETE FROM postings`,
		`TRUNCATE postings`,
		`UPDATE ledger_txns SET kind = 'sale'`,
		`DELETE FROM ledger_txns`,
		`TRUNCATE ledger_txns CASCADE`,
	} {
		_, err := conn.Exec(ctx, sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23001" || !strings.Contains(pe.Message, "is append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal (23001)", sql, err)
		}
	}
	var n, sum int64
	if err := conn.QueryRow(ctx, `SELECT COUNT(*), SUM(amount_cents) FROM postings`).Scan(&n, &sum); err != nil || n != 2 || sum != 0 {
		t.Fatalf("postings after the refused changes: %d rows summing to %d (%v), want 2 summing to 0", n, sum, err)
	}
	if bal, err := db.CreatorBalance(ctx, artist, "EUR"); err != nil || bal != -500 {
		t.Fatalf("CreatorBalance = %d, %v; want -500", bal, err)
	}
}

// TestTwinIdempotencyKeyAcrossProcesses: two pools (two nodes) insert the
// same key at once; the second waits for the first and, once it commits,
// gets ErrConflict, and the stored key is the winner's.
func TestTwinIdempotencyKeyAcrossProcesses(t *testing.T) {
	t.Parallel()
	a, url := mustOpen(t)
	b := mustOpenURL(t, url)
	ctx := context.Background()
	fan := mustAccount(t, a, "fan@example.com", false)
	key := func(hash string) store.IdempotencyKey {
		return store.IdempotencyKey{FanID: fan, Key: "k1", RequestHash: []byte(hash), CreatedAt: t0}
	}

	inserted, commit := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- a.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.InsertIdempotencyKey(ctx, key("winner")); err != nil {
				return err
			}
			close(inserted)
			<-commit
			return nil
		})
	}()
	select {
	case <-inserted:
	case err := <-first:
		t.Fatalf("first insert: %v", err)
	}
	second := make(chan error, 1)
	go func() {
		second <- b.WithTx(ctx, func(tx store.Tx) error { return tx.InsertIdempotencyKey(ctx, key("twin")) })
	}()
	waitForLockWait(t, raw(t, url), "the twin insert to wait for the first transaction")
	select {
	case err := <-second:
		t.Fatalf("twin insert returned %v before the first transaction ended", err)
	default:
	}
	close(commit)
	if err := <-first; err != nil {
		t.Fatalf("first insert: %v", err)
	}
	if err := <-second; !errors.Is(err, store.ErrConflict) {
		t.Fatalf("twin insert: err = %v, want ErrConflict", err)
	}
	k, err := b.IdempotencyKey(ctx, fan, "k1")
	if err != nil || string(k.RequestHash) != "winner" || !k.CreatedAt.Equal(t0.Truncate(time.Millisecond)) {
		t.Fatalf("stored key = %+v, %v; want the winner's", k, err)
	}
}

// TestTwinKeyAfterRollback: when the first transaction rolls back, the
// waiting twin takes the key.
func TestTwinKeyAfterRollback(t *testing.T) {
	t.Parallel()
	a, url := mustOpen(t)
	b := mustOpenURL(t, url)
	ctx := context.Background()
	fan := mustAccount(t, a, "fan@example.com", false)
	k := store.IdempotencyKey{FanID: fan, Key: "k1", RequestHash: []byte("first"), CreatedAt: t0}

	inserted, abort := make(chan struct{}), make(chan struct{})
	refused := errors.New("card declined")
	first := make(chan error, 1)
	go func() {
		first <- a.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.InsertIdempotencyKey(ctx, k); err != nil {
				return err
			}
			close(inserted)
			<-abort
			return refused
		})
	}()
	<-inserted
	second := make(chan error, 1)
	go func() {
		k2 := k
		k2.RequestHash = []byte("second")
		second <- b.WithTx(ctx, func(tx store.Tx) error { return tx.InsertIdempotencyKey(ctx, k2) })
	}()
	waitForLockWait(t, raw(t, url), "the twin insert to wait for the first transaction")
	close(abort)
	if err := <-first; !errors.Is(err, refused) {
		t.Fatalf("first = %v, want its own error back", err)
	}
	if err := <-second; err != nil {
		t.Fatalf("twin after rollback: %v", err)
	}
	if got, err := a.IdempotencyKey(ctx, fan, "k1"); err != nil || string(got.RequestHash) != "second" {
		t.Fatalf("stored key = %+v, %v; want the twin's", got, err)
	}
}

// TestLockSerializes: a transaction locking an account another holds waits
// (at its first statement after Lock, which the lock goes with) until that
// one commits, even from another pool; another account's lock does not
// wait.
func TestLockSerializes(t *testing.T) {
	t.Parallel()
	a, url := mustOpen(t)
	b := mustOpenURL(t, url)
	ctx := context.Background()
	locked, commit := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- a.WithTx(ctx, func(tx store.Tx) error {
			if err := lockAndRead(ctx, tx, 7); err != nil {
				return err
			}
			close(locked)
			<-commit
			return nil
		})
	}()
	<-locked

	// Another account is free.
	if err := b.WithTx(ctx, func(tx store.Tx) error { return lockAndRead(ctx, tx, 8) }); err != nil {
		t.Fatal(err)
	}
	acquired := make(chan struct{})
	second := make(chan error, 1)
	go func() {
		second <- b.WithTx(ctx, func(tx store.Tx) error {
			if err := lockAndRead(ctx, tx, 7); err != nil {
				return err
			}
			close(acquired)
			return nil
		})
	}()
	waitForLockWait(t, raw(t, url), "the second Lock(7) to wait")
	select {
	case <-acquired:
		t.Fatal("the second transaction locked account 7 while the first held it")
	default:
	}
	close(commit)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-acquired
	if err := <-second; err != nil {
		t.Fatal(err)
	}
}

// lockAndRead locks an account and reads what a check reads next.
func lockAndRead(ctx context.Context, tx store.Tx, account int64) error {
	if err := tx.Lock(ctx, account); err != nil {
		return err
	}
	_, err := tx.UsedBytes(ctx, account)
	return err
}

// TestLockEndsWithTransaction: a failed transaction releases its lock too.
func TestLockEndsWithTransaction(t *testing.T) {
	t.Parallel()
	db, _ := mustOpen(t)
	ctx := context.Background()
	boom := errors.New("boom")
	if err := db.WithTx(ctx, func(tx store.Tx) error {
		if err := lockAndRead(ctx, tx, 7); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	done := make(chan error, 1)
	go func() { done <- db.WithTx(ctx, func(tx store.Tx) error { return lockAndRead(ctx, tx, 7) }) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Lock(7) still held after the transaction that took it failed")
	}
}
