package sqlite

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestLedgerCheckSurfacesReadErrors writes balanced transactions in two
// currencies. The CHF one is ordinary; the two in EUR each sum to zero, but
// their per-currency total does not fit in 64 bits, so SQLite fails the EUR
// group with "integer overflow" after the CHF row was read. The check must
// return that error, never a ledger that looks balanced because the rows
// after the error went unread.
func TestLedgerCheckSurfacesReadErrors(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	for _, txn := range []int64{1, 2, 3} {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO ledger_txns (id, kind, created_at) VALUES (?, 'sale', 0)`, txn); err != nil {
			t.Fatal(err)
		}
	}
	// The two large EUR debits come first in every order SQLite may read
	// them (by row id, by account; by amount the two credits come first),
	// so the running EUR total overflows whichever plan it picks.
	for _, p := range []struct {
		txn      int64
		account  string
		currency string
		amount   int64
	}{
		{3, "c", "CHF", 500}, {3, "x", "CHF", -500},
		{1, "a", "EUR", math.MaxInt64}, {2, "b", "EUR", math.MaxInt64},
		{1, "z", "EUR", -math.MaxInt64}, {2, "y", "EUR", -math.MaxInt64},
	} {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO postings (txn_id, account, currency, amount_cents) VALUES (?, ?, ?, ?)`,
			p.txn, p.account, p.currency, p.amount); err != nil {
			t.Fatal(err)
		}
	}

	sums, unbalanced, err := db.LedgerCheck(ctx)
	if err == nil {
		t.Fatalf("LedgerCheck = %v, %d unbalanced, no error; want the read error", sums, unbalanced)
	}
	if !strings.Contains(err.Error(), "integer overflow") {
		t.Errorf("LedgerCheck error = %v; want SQLite's integer overflow", err)
	}
}
