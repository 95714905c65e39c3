package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
)

// TestEarningsMatchReference: for random sales and refunds clustered
// around UTC day and month boundaries, every grouping and window answers
// exactly what straightforward per-row queries answer, for rows written
// before migration 4 (which it indexes and fills in) and after it.
func TestEarningsMatchReference(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	seedRandomEarnings(t, db, rng, 1)
	// Write more rows as a database from before migration 4 held them.
	migrateDownTo(t, db, 3)
	seedRandomEarnings(t, db, rng, 1000)
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity after migrating = %q, %v", res, err)
	}
	seedRandomEarnings(t, db, rng, 2000) // written with the period indexes in place
	svc := servicesOf(db).Earnings
	windows := randomWindows(rng)
	checked := 0
	for artist := int64(1); artist <= 3; artist++ {
		caller := api.NewContextWithCaller(ctx, &api.Caller{Account: api.Account{ID: artist, Creator: true}})
		for _, cur := range []string{"EUR", "USD"} {
			for _, win := range windows {
				for _, group := range []string{"", api.GroupDay, api.GroupMonth, api.GroupRelease, api.GroupTrack} {
					f := api.EarningsFilter{Group: group, Currency: cur, From: win[0], To: win[1]}
					got, err := svc.Earnings(caller, f)
					if err != nil {
						t.Fatalf("%+v: %v", f, err)
					}
					want := referenceEarnings(t, db, artist, f)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("artist %d %+v:\n got %+v\nwant %+v", artist, f, got, want)
					}
					if len(want.Rows) > 0 {
						checked++
					}
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d answers had rows; the data does not exercise the groupings", checked)
	}
}

// boundaries are UTC month starts from 2024 to 2026, where day and month
// keys change.
func boundaries() []time.Time {
	var out []time.Time
	for m := 0; m < 30; m++ {
		out = append(out, time.Date(2024, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC))
	}
	return out
}

// nearBoundary is a moment within two days of a month start, often within
// a second of it, sometimes exactly on it.
func nearBoundary(rng *rand.Rand) int64 {
	b := boundaries()
	at := b[rng.IntN(len(b))].UnixMilli()
	switch rng.IntN(4) {
	case 0:
		return at + rng.Int64N(3) - 1 // the last millisecond before, the boundary, the one after
	case 1:
		return at + rng.Int64N(2000) - 1000
	default:
		return at + rng.Int64N(4*86_400_000) - 2*86_400_000
	}
}

// seedRandomEarnings writes 400 sales by three creators (two currencies,
// three releases each) to one fan account per sale, a refund for about one
// in four (some refunded twice), journal credits and payouts; ids start at
// base so two calls never collide.
func seedRandomEarnings(t *testing.T, db *DB, rng *rand.Rand, base int64) {
	t.Helper()
	ctx := context.Background()
	err := writeTx(ctx, db, func(tx *sql.Tx) error {
		var err error
		exec := func(q string, args ...any) {
			if err == nil {
				_, err = tx.ExecContext(ctx, q, args...)
			}
		}
		if base == 1 {
			for a := int64(1); a <= 4; a++ {
				exec(`INSERT INTO accounts (id, email, password_hash, display_name, creator, created_at) VALUES (?, ?, 'x', ?, 1, 0)`, a, fmt.Sprintf("a%d@example.com", a), fmt.Sprint("A", a))
				for r := int64(0); r < 3; r++ {
					cur := []string{"EUR", "USD"}[r%2]
					exec(`INSERT INTO releases (id, artist_id, title, artist_name, state, price_cents, currency, created_at, updated_at)
						VALUES (?, ?, ?, 'A', 'published', 100, ?, 0, 0)`, a*10+r, a, fmt.Sprint("Release ", a, r), cur)
				}
			}
		}
		for i := base; i < base+400; i++ {
			artist := 1 + rng.Int64N(3)
			release := artist*10 + rng.Int64N(3)
			cur := []string{"EUR", "USD"}[release%2]
			gross := rng.Int64N(5000)
			at := nearBoundary(rng)
			exec(`INSERT INTO purchases (id, fan_id, release_id, artist_id, gross_cents, creator_cents, platform_cents, rate_bps, currency, provider, payment_ref, created_at)
				VALUES (?, 4, ?, ?, ?, ?, ?, 1000, ?, 'sandbox', 'x', ?)`, i, release, artist, gross, gross-gross/10, gross/10, cur, at)
			exec(`INSERT INTO ledger_txns (id, kind, purchase_id, created_at) VALUES (?, 'sale', ?, ?)`, i, i, at)
			exec(`INSERT INTO postings (txn_id, account, currency, amount_cents) VALUES (?, ?, ?, ?), (?, 'provider:sandbox', ?, ?)`,
				i, ledger.CreatorAccount(artist), cur, -(gross - gross/10), i, cur, gross-gross/10)
			for n := 0; gross > 1 && n < 2 && rng.IntN(4) == 0; n++ {
				amount := 1 + rng.Int64N(gross/2)
				exec(`INSERT INTO refunds (purchase_id, amount_cents, creator_cents, platform_cents, created_at) VALUES (?, ?, ?, 0, ?)`,
					i, amount, amount, max(at, nearBoundary(rng)))
			}
		}
		exec(`INSERT INTO payouts (artist_id, amount_cents, currency, state, created_at) VALUES (1, ?, 'EUR', 'paid', 0), (1, ?, 'EUR', 'pending', 0), (2, ?, 'USD', 'paid', 0)`,
			1+rng.Int64N(999), 1+rng.Int64N(999), 1+rng.Int64N(999))
		// Each sale and refund pays its artist alone, as the services write
		// them (before migration 7, which fills them in, there are none).
		var shares int
		if err == nil {
			err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'sale_shares'`).Scan(&shares)
		}
		if shares == 0 {
			return err
		}
		exec(`INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency, gross_cents, platform_cents, created_at)
			SELECT id, artist_id, 0, 10000, creator_cents, release_id, currency, gross_cents, platform_cents, created_at FROM purchases WHERE id >= ?`, base)
		exec(`INSERT INTO refund_shares (refund_id, purchase_id, account_id, cents, amount_cents, currency, created_at)
			SELECT f.id, f.purchase_id, p.artist_id, f.creator_cents, f.amount_cents, p.currency, f.created_at FROM refunds f JOIN purchases p ON p.id = f.purchase_id WHERE p.id >= ?`, base)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// randomWindows: unbounded, open on either side, on boundaries, and at
// arbitrary milliseconds near them.
func randomWindows(rng *rand.Rand) [][2]time.Time {
	b := boundaries()
	ms := func(v int64) time.Time { return time.UnixMilli(v).UTC() }
	out := [][2]time.Time{{}, {b[3], time.Time{}}, {time.Time{}, b[20]}, {b[5], b[6]}, {b[0], b[len(b)-1]}}
	for range 10 {
		from := nearBoundary(rng)
		to := from + 1 + rng.Int64N(400*86_400_000)
		out = append(out, [2]time.Time{ms(from), ms(to)})
	}
	return out
}

// referenceEarnings answers f the straightforward way: strftime per row,
// a correlated subquery per sale, one query per figure.
func referenceEarnings(t *testing.T, db *DB, artist int64, f api.EarningsFilter) *api.Earnings {
	t.Helper()
	ctx := context.Background()
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	e := &api.Earnings{Currency: f.Currency, Rows: []api.EarningsRow{}}
	if !f.From.IsZero() {
		from, e.From = f.From.UnixMilli(), &f.From
	}
	if !f.To.IsZero() {
		to, e.To = f.To.UnixMilli(), &f.To
	}
	q := db.read
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tt := &e.Totals
	must(q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(gross_cents), 0), COALESCE(SUM(creator_cents), 0), COALESCE(SUM(platform_cents), 0)
		FROM purchases WHERE artist_id = ? AND currency = ? AND created_at >= ? AND created_at < ?`, artist, f.Currency, from, to).
		Scan(&tt.Sales, &tt.GrossCents, &tt.CreatorCents, &tt.PlatformCents))
	must(q.QueryRowContext(ctx, `SELECT COALESCE(SUM(f.amount_cents), 0) FROM refunds f JOIN purchases p ON p.id = f.purchase_id
		WHERE p.artist_id = ? AND p.currency = ? AND f.created_at >= ? AND f.created_at < ?`, artist, f.Currency, from, to).Scan(&tt.RefundedCents))
	must(q.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN state = 'paid' THEN amount_cents END), 0),
		COALESCE(SUM(CASE WHEN state = 'pending' THEN amount_cents END), 0) FROM payouts WHERE artist_id = ? AND currency = ?`,
		artist, f.Currency).Scan(&tt.PaidOutCents, &tt.PendingPayoutCents))
	var err error
	tt.AvailableCents, err = reader{q: q}.CreatorBalance(ctx, artist, f.Currency)
	must(err)
	var rows *sql.Rows
	switch f.Group {
	case api.GroupRelease, api.GroupTrack:
		rows, err = q.QueryContext(ctx, `SELECT '', r.id, r.title, COUNT(p.id), COALESCE(SUM(p.gross_cents), 0), COALESCE(SUM(p.creator_cents), 0),
			COALESCE(SUM(p.platform_cents), 0), COALESCE(SUM((SELECT SUM(amount_cents) FROM refunds f WHERE f.purchase_id = p.id AND f.created_at >= ?3 AND f.created_at < ?4)), 0)
			FROM purchases p JOIN releases r ON r.id = p.release_id
			WHERE p.artist_id = ?1 AND p.currency = ?2 AND p.created_at >= ?3 AND p.created_at < ?4
			GROUP BY r.id ORDER BY SUM(p.gross_cents) DESC, r.id`, artist, f.Currency, from, to)
	default:
		format := "%Y-%m"
		if f.Group == api.GroupDay {
			format = "%Y-%m-%d"
		}
		rows, err = q.QueryContext(ctx, `SELECT period, 0, '', SUM(sales), SUM(gross), SUM(creator), SUM(platform), SUM(refunded) FROM (
			SELECT strftime(?1, created_at / 1000, 'unixepoch') AS period, 1 AS sales, gross_cents AS gross, creator_cents AS creator,
				platform_cents AS platform, 0 AS refunded
			FROM purchases WHERE artist_id = ?2 AND currency = ?3 AND created_at >= ?4 AND created_at < ?5
			UNION ALL
			SELECT strftime(?1, f.created_at / 1000, 'unixepoch'), 0, 0, 0, 0, f.amount_cents
			FROM refunds f JOIN purchases p ON p.id = f.purchase_id
			WHERE p.artist_id = ?2 AND p.currency = ?3 AND f.created_at >= ?4 AND f.created_at < ?5)
			GROUP BY period ORDER BY period`, format, artist, f.Currency, from, to)
	}
	must(err)
	defer rows.Close()
	for rows.Next() {
		var r api.EarningsRow
		must(rows.Scan(&r.Period, &r.ReleaseID, &r.ReleaseTitle, &r.Sales, &r.GrossCents, &r.CreatorCents, &r.PlatformCents, &r.RefundedCents))
		if f.Group == api.GroupTrack {
			r.TrackTitle = "whole release"
		}
		e.Rows = append(e.Rows, r)
	}
	must(rows.Err())
	return e
}

// TestEarningsQueriesReadIndexesOnly: each earnings query finds a
// creator's sales and refunds as one range of a covering index (no table
// rows, no probe per sale), and the period queries take their keys from
// the index in period order (no strftime per row, no sort).
func TestEarningsQueriesReadIndexesOnly(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seedRandomEarnings(t, db, rand.New(rand.NewPCG(1, 2)), 1)
	if _, err := db.write.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	monthSales, monthRefunds := periodQueries(false)
	daySales, dayRefunds := periodQueries(true)
	for _, c := range []struct {
		name, query string
		sorts       bool
	}{
		{"month sales", monthSales, false}, {"month refunds", monthRefunds, false},
		{"day sales", daySales, false}, {"day refunds", dayRefunds, false},
		{"release sales", releaseSalesSQL, true}, {"release refunds", releaseRefundsSQL, true}, {"balances", balancesSQL, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := queryPlan(t, db, c.query, int64(1), "EUR", int64(0), int64(math.MaxInt64), int64(0), int64(math.MaxInt64))
			for _, line := range plan {
				// The money under dispute probes the sale of each open
				// dispute (few) by its key: not a scan of the creator's sales.
				disputed := strings.Contains(line, "SEARCH s USING INDEX sqlite_autoindex_sale_shares_1 (purchase_id=? AND account_id=?)")
				if (strings.Contains(line, "sale_shares") || strings.Contains(line, " f ")) && !strings.Contains(line, "COVERING INDEX") && !disputed {
					t.Errorf("plan reads table rows: %q\n%s", line, strings.Join(plan, "\n"))
				}
				if !c.sorts && strings.Contains(line, "TEMP B-TREE") {
					t.Errorf("plan sorts: %q\n%s", line, strings.Join(plan, "\n"))
				}
			}
			if strings.Contains(c.name, "refunds") {
				if p := strings.Join(plan, "\n"); !strings.Contains(p, "SEARCH f USING COVERING INDEX refund_shares_account_period") {
					t.Errorf("refunds are not read as the creator's range of the period index:\n%s", p)
				}
			} else if strings.Contains(c.name, "sales") {
				if p := strings.Join(plan, "\n"); !strings.Contains(p, "SEARCH sale_shares USING COVERING INDEX sale_shares_account_period") {
					t.Errorf("sales are not read from the period index:\n%s", p)
				}
			}
		})
	}
}

func queryPlan(t *testing.T, db *DB, query string, args ...any) []string {
	t.Helper()
	maxN := 0 // numbered parameters: pass as many as the highest number used
	for i := 1; i <= len(args); i++ {
		if strings.Contains(query, fmt.Sprint("?", i)) {
			maxN = i
		}
	}
	rows, err := db.read.Query("EXPLAIN QUERY PLAN "+query, args[:maxN]...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}
