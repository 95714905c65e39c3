package multinode

import (
	"context"
	"testing"

	"github.com/megabox-fm/megabox/backend/ledger"
)

// sale is a purchase row as the database holds it.
type sale struct {
	id, fan, release, artist int64
	gross, creator, platform int64
	currency                 string
}

// sales reads every purchase, keyed by fan and release.
func (c *cluster) sales(t *testing.T) map[[2]int64]sale {
	t.Helper()
	rows, err := c.db.Query(context.Background(), `SELECT id, fan_id, release_id, artist_id, gross_cents,
		creator_cents, platform_cents, currency FROM purchases`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[2]int64]sale{}
	for rows.Next() {
		var s sale
		if err := rows.Scan(&s.id, &s.fan, &s.release, &s.artist, &s.gross, &s.creator, &s.platform, &s.currency); err != nil {
			t.Fatal(err)
		}
		k := [2]int64{s.fan, s.release}
		if prev, ok := out[k]; ok {
			t.Errorf("fan %d bought release %d twice: purchases %d and %d", s.fan, s.release, prev.id, s.id)
		}
		out[k] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSplit asserts a sale's split: the platform takes floor(10 %), the
// creator the rest.
func checkSplit(t *testing.T, s sale) {
	t.Helper()
	if wantPlatform := s.gross * 1000 / 10_000; s.platform != wantPlatform || s.creator != s.gross-wantPlatform {
		t.Errorf("purchase %d of %d cents: creator %d, platform %d; want %d and %d",
			s.id, s.gross, s.creator, s.platform, s.gross-wantPlatform, wantPlatform)
	}
}

// checkLedger asserts the journal balances: every transaction's postings
// sum to zero in each currency, every sale has exactly one transaction,
// and each creator's account holds minus what they earned.
func (c *cluster) checkLedger(t *testing.T, sales map[[2]int64]sale) {
	t.Helper()
	ctx := context.Background()
	var unbalanced, unposted, saleTxns, txnSales int64
	err := c.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM postings GROUP BY txn_id, currency HAVING sum(amount_cents) <> 0) u),
		(SELECT count(*) FROM ledger_txns t WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.txn_id = t.id)),
		(SELECT count(*) FROM ledger_txns WHERE kind = 'sale'),
		(SELECT count(DISTINCT purchase_id) FROM ledger_txns WHERE kind = 'sale')`).
		Scan(&unbalanced, &unposted, &saleTxns, &txnSales)
	if err != nil {
		t.Fatal(err)
	}
	if unbalanced != 0 || unposted != 0 {
		t.Errorf("journal: %d transactions unbalanced in a currency, %d with no postings; want 0 and 0", unbalanced, unposted)
	}
	if n := int64(len(sales)); saleTxns != n || txnSales != n {
		t.Errorf("journal: %d sale transactions for %d purchases; want %d for %d", saleTxns, txnSales, n, n)
	}
	rows, err := c.db.Query(ctx, `SELECT currency, sum(amount_cents)::bigint FROM postings GROUP BY currency`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var cur string
		var sum int64
		if err := rows.Scan(&cur, &sum); err != nil {
			t.Fatal(err)
		}
		if sum != 0 {
			t.Errorf("postings in %s sum to %d; want 0", cur, sum)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	earned := map[int64]int64{}
	for _, s := range sales {
		earned[s.artist] += s.creator
	}
	for artist, want := range earned {
		var got int64
		err := c.db.QueryRow(ctx, `SELECT coalesce(sum(amount_cents), 0)::bigint FROM postings WHERE account = $1`,
			ledger.CreatorAccount(artist)).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if got != -want {
			t.Errorf("creator %d's ledger account holds %d; want %d", artist, got, -want)
		}
	}
}
