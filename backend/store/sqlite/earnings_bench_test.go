package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// BenchmarkEarnings measures the earnings queries for one creator among
// 1,000 whose 1,000,000 sales fill the database, as the endpoint runs them
// (store method, no HTTP). Seeding takes a while:
//
//	go test -run '^$' -bench BenchmarkEarnings -benchtime 2000x ./backend/store/sqlite/
func BenchmarkEarnings(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	const sales, creators = 1_000_000, 1_000
	me := seedEarnings(b, path, sales, creators)
	db, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := servicesOf(db).Earnings
	caller := api.NewContextWithCaller(ctx, &api.Caller{Account: api.Account{ID: me, Creator: true}})
	for _, group := range []string{api.GroupMonth, api.GroupDay, api.GroupRelease} {
		b.Run(group, func(b *testing.B) {
			for b.Loop() {
				e, err := svc.Earnings(caller, api.EarningsFilter{Group: group, Currency: "EUR"})
				if err != nil {
					b.Fatal(err)
				}
				if e.Totals.Sales != sales/creators {
					b.Fatalf("sales = %d, want %d", e.Totals.Sales, sales/creators)
				}
			}
		})
	}
	b.Run("month-parallel", func(b *testing.B) {
		b.SetParallelism(4) // 8 goroutines on 2 cores
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := svc.Earnings(caller, api.EarningsFilter{Group: api.GroupMonth, Currency: "EUR"}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// seedEarnings writes sales spread over two years, with their journal
// entries and a refund for about one sale in fifty, round-robin over creators;
// it returns the first creator's id. It writes without fsyncs and with a
// large cache, as a bulk import would.
func seedEarnings(tb testing.TB, path string, sales, creators int) int64 {
	tb.Helper()
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=OFF&_cache_size=-1000000")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	err = func() error {
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, email, password_hash, display_name, creator, created_at) VALUES (1, 'fan@bench', 'x', 'Fan', 0, 0)`); err != nil {
			return err
		}
		for c := 2; c < creators+2; c++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, email, password_hash, display_name, creator, created_at) VALUES (?, ?, 'x', 'C', 1, 0)`,
				c, fmt.Sprintf("c%d@bench", c)); err != nil {
				return err
			}
			for j := range 5 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO releases (id, artist_id, title, artist_name, state, price_cents, currency, created_at, updated_at)
					VALUES (?, ?, ?, 'A', 'published', 1000, 'EUR', 0, 0)`, c*5+j, c, fmt.Sprint("Release ", j)); err != nil {
					return err
				}
			}
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO purchases (id, fan_id, release_id, artist_id, gross_cents, creator_cents, platform_cents, rate_bps, currency,
			provider, payment_ref, created_at) VALUES (?, 1, ?, ?, ?, ?, ?, 1000, 'EUR', 'sandbox', 'bench', ?)`)
		if err != nil {
			return err
		}
		txn, err := tx.PrepareContext(ctx, `INSERT INTO ledger_txns (id, kind, purchase_id, created_at) VALUES (?, 'sale', ?, ?)`)
		if err != nil {
			return err
		}
		post, err := tx.PrepareContext(ctx, `INSERT INTO postings (txn_id, account, currency, amount_cents) VALUES (?, 'provider:sandbox', 'EUR', ?), (?, ?, 'EUR', ?), (?, 'platform:revenue', 'EUR', ?)`)
		if err != nil {
			return err
		}
		refund, err := tx.PrepareContext(ctx, `INSERT INTO refunds (purchase_id, amount_cents, creator_cents, platform_cents, created_at) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(7, 7))
		twoYears := int64(2 * 365 * 24 * time.Hour / time.Millisecond)
		for i := 1; i <= sales; i++ {
			c := int64(2 + i%creators)
			gross := 100 + rng.Int64N(5000)
			platform := gross / 10
			at := now - rng.Int64N(twoYears)
			if _, err := ins.ExecContext(ctx, i, c*5+rng.Int64N(5), c, gross, gross-platform, platform, at); err != nil {
				return err
			}
			if _, err := txn.ExecContext(ctx, i, i, at); err != nil {
				return err
			}
			if _, err := post.ExecContext(ctx, i, gross, i, fmt.Sprint("creator:", c), -(gross - platform), i, -platform); err != nil {
				return err
			}
			if rng.IntN(50) == 0 {
				if _, err := refund.ExecContext(ctx, i, gross, gross-platform, platform, at+rng.Int64N(int64(40*24*time.Hour/time.Millisecond))); err != nil {
					return err
				}
			}
		}
		// Each sale and refund pays its artist alone, as the services write them.
		for _, q := range []string{`INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency, gross_cents, platform_cents, created_at)
			SELECT id, artist_id, 0, 10000, creator_cents, release_id, currency, gross_cents, platform_cents, created_at FROM purchases`, `INSERT INTO refund_shares (refund_id, purchase_id, account_id, cents, amount_cents, currency, created_at)
			SELECT f.id, f.purchase_id, p.artist_id, f.creator_cents, f.amount_cents, p.currency, f.created_at FROM refunds f JOIN purchases p ON p.id = f.purchase_id`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return tx.Commit()
	}()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	return 2
}
