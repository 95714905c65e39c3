package sqlite

import (
	"context"
	"fmt"

	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// Post implements store.Tx.
func (t *tx) Post(ctx context.Context, e store.Entry) error {
	id, err := t.insert(ctx, `INSERT INTO ledger_txns (kind, purchase_id, refund_id, payout_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		e.Kind, nullID(e.PurchaseID), nullID(e.RefundID), nullID(e.PayoutID), millis(e.At))
	if err != nil {
		return err
	}
	for _, p := range e.Txn {
		if p.Amount == 0 {
			continue
		}
		if err := t.exec(ctx, `INSERT INTO postings (txn_id, account, currency, amount_cents) VALUES (?, ?, ?, ?)`,
			id, p.Account, p.Currency, p.Amount); err != nil {
			return fmt.Errorf("posting: %w", err)
		}
	}
	return nil
}

// CreatorBalance implements store.Reader: the credit balance of the
// creator's ledger account.
func (r reader) CreatorBalance(ctx context.Context, creatorID int64, currency string) (int64, error) {
	var sum int64
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_cents), 0) FROM postings WHERE account = ? AND currency = ?`,
		ledger.CreatorAccount(creatorID), currency).Scan(&sum)
	return -sum, err
}

// LedgerCheck sums every posting per currency and per transaction; a
// healthy journal returns no unbalanced transactions and all-zero sums. Any
// error reading the journal is returned: a check that could not read every
// posting must never report a balanced ledger.
func (r reader) LedgerCheck(ctx context.Context) (sums map[string]int64, unbalanced int, err error) {
	sums, err = currencySums(ctx, r.q)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger check: %w", err)
	}
	err = r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT txn_id FROM postings GROUP BY txn_id, currency HAVING SUM(amount_cents) != 0)`).Scan(&unbalanced)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger check: %w", err)
	}
	return sums, unbalanced, nil
}

// currencySums is the sum of all postings per currency.
func currencySums(ctx context.Context, q queryer) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT currency, SUM(amount_cents) FROM postings GROUP BY currency`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sums := map[string]int64{}
	for rows.Next() {
		var c string
		var s int64
		if err := rows.Scan(&c, &s); err != nil {
			return nil, err
		}
		sums[c] = s
	}
	return sums, rows.Err()
}
