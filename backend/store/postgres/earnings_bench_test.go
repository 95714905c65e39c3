package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

// seedSQL fills a fresh database with 1,000 creators and 1,000,000 sales
// spread evenly over two years, a refund of half of one sale in a hundred per creator, and
// the journal entries of the sales: what the earnings queries read.
var seedSQL = []string{
	`INSERT INTO accounts (email, password_hash, display_name, creator, created_at)
		SELECT 'c' || i || '@example.com', '', 'c' || i, true, now() FROM generate_series(1, 1000) i`,
	`INSERT INTO accounts (email, password_hash, display_name, creator, created_at) VALUES ('fan@example.com', '', 'fan', false, now())`,
	`INSERT INTO releases (artist_id, title, artist_name, state, price_cents, currency, created_at, updated_at)
		SELECT id, 'r' || id, display_name, 'published', 1000, 'EUR', now(), now() FROM accounts WHERE creator ORDER BY id`,
	`INSERT INTO purchases (fan_id, release_id, artist_id, gross_cents, creator_cents, platform_cents, rate_bps, currency, provider, payment_ref, created_at)
		SELECT 1001, i % 1000 + 1, i % 1000 + 1, 1000, 900, 100, 1000, 'EUR', 'sandbox', 'ch', timestamptz '2024-01-01 00:00:00Z' + i * interval '63 seconds'
		FROM generate_series(1, 1000000) i`,
	`INSERT INTO refunds (purchase_id, artist_id, currency, amount_cents, creator_cents, platform_cents, created_at)
		SELECT id, artist_id, currency, 500, 450, 50, created_at + interval '1 day' FROM purchases WHERE (id / 1000) % 100 = 0`,
	`INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency, gross_cents, platform_cents, created_at)
		SELECT id, artist_id, 0, 10000, creator_cents, release_id, currency, gross_cents, platform_cents, created_at FROM purchases`,
	`INSERT INTO refund_shares (refund_id, purchase_id, account_id, cents, amount_cents, currency, created_at)
		SELECT id, purchase_id, artist_id, creator_cents, amount_cents, currency, created_at FROM refunds`,
	`INSERT INTO ledger_txns (kind, purchase_id, created_at) SELECT 'sale', id, created_at FROM purchases`,
	`INSERT INTO postings (txn_id, account, currency, amount_cents)
		SELECT t.id, x.account, 'EUR', x.amount FROM ledger_txns t JOIN purchases p ON p.id = t.purchase_id,
		LATERAL (VALUES ('provider:sandbox', 1000), ('creator:' || p.artist_id, -900), ('platform:revenue', -100)) x(account, amount)`,
	`VACUUM ANALYZE`,
}

// BenchmarkEarnings times the earnings queries for one creator among 1,000
// over 1,000,000 sales (seeding takes about a minute).
func BenchmarkEarnings(b *testing.B) {
	db, url := mustOpen(b)
	ctx := context.Background()
	conn := raw(b, url)
	for _, sql := range seedSQL {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("seed: %.60s: %v", sql, err)
		}
	}
	all := store.Window{ArtistID: 500, Currency: "EUR"}
	year := store.Window{ArtistID: 500, Currency: "EUR", From: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"month", func() error { _, _, err := db.EarningsByPeriod(ctx, all, false); return err }},
		{"day", func() error { _, _, err := db.EarningsByPeriod(ctx, all, true); return err }},
		{"day-in-a-year", func() error { _, _, err := db.EarningsByPeriod(ctx, year, true); return err }},
		{"release", func() error { _, _, err := db.EarningsByRelease(ctx, all); return err }},
		{"balances", func() error { _, _, _, _, err := db.Balances(ctx, all); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	rows, refunded, err := db.EarningsByPeriod(ctx, all, false)
	var sales int64
	for _, r := range rows {
		sales += r.Sales
	}
	if err != nil || sales != 1000 || refunded != 10*500 {
		b.Fatalf("creator 500 sees %d sales and %d refunded (%v), want 1000 and 5000", sales, refunded, err)
	}
}
