package sqlite

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
)

// goroutinesCreated is how many goroutines the process has started so far.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestShortReadsStartNoGoroutines: a session lookup and an earnings report
// under a request's cancellable context start no goroutine per query
// (database/sql starts one to watch each cancellable query, which cost more
// than these reads), and still answer the same as under a plain context.
func TestShortReadsStartNoGoroutines(t *testing.T) {
	db := creatorWithSession(t)
	accounts := servicesOf(db).Accounts
	earnings := servicesOf(db).Earnings
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	caller := api.NewContextWithCaller(ctx, &api.Caller{Account: api.Account{ID: 1, Creator: true}})
	want, err := earnings.Earnings(api.NewContextWithCaller(context.Background(), &api.Caller{Account: api.Account{ID: 1, Creator: true}}),
		api.EarningsFilter{Group: api.GroupMonth, Currency: "EUR"})
	if err != nil || len(want.Rows) == 0 {
		t.Fatalf("earnings = %+v, %v; want rows", want, err)
	}
	const calls = 50
	before := goroutinesCreated()
	for range calls {
		c, err := accounts.Authenticate(ctx, "tok")
		if err != nil || c.Account.ID != 1 {
			t.Fatalf("authenticate = %+v, %v; want account 1", c, err)
		}
		for _, group := range []string{api.GroupMonth, api.GroupRelease} {
			e, err := earnings.Earnings(caller, api.EarningsFilter{Group: group, Currency: "EUR"})
			if err != nil {
				t.Fatal(err)
			}
			if group == api.GroupMonth && (e.Totals != want.Totals || len(e.Rows) != len(want.Rows)) {
				t.Fatalf("earnings under a cancellable context = %+v, want %+v", e.Totals, want.Totals)
			}
		}
	}
	// Each call ran 4 to 5 queries: one goroutine per query would be 400+.
	if got := goroutinesCreated() - before; got >= calls {
		t.Fatalf("%d calls started %d goroutines, want fewer than %d", calls, got, calls)
	}
}

// TestShortReadsRefuseEndedRequests: a request that has already ended gets
// its context's error, not an answer.
func TestShortReadsRefuseEndedRequests(t *testing.T) {
	db := creatorWithSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if c, err := servicesOf(db).Accounts.Authenticate(ctx, "tok"); !errors.Is(err, context.Canceled) {
		t.Fatalf("authenticate after the request ended = %+v, %v; want context.Canceled", c, err)
	}
	caller := api.NewContextWithCaller(ctx, &api.Caller{Account: api.Account{ID: 1, Creator: true}})
	if e, err := servicesOf(db).Earnings.Earnings(caller, api.EarningsFilter{Currency: "EUR"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("earnings after the request ended = %+v, %v; want context.Canceled", e, err)
	}
}

// creatorWithSession opens a database holding account 1's sales and a
// session for it under the token "tok".
func creatorWithSession(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	seedRandomEarnings(t, db, rand.New(rand.NewPCG(3, 3)), 1)
	exec(t, db, `INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, 1, 0, ?)`,
		auth.HashToken("tok"), millis(time.Now())+60_000)
	return db
}
