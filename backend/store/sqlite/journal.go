package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/megabox-fm/megabox/backend/ledger"
)

// txnRefs ties a journal transaction to what caused it.
type txnRefs struct {
	purchase, refund, payout int64
}

// post appends a balanced transaction to the journal.
func post(ctx context.Context, tx *sql.Tx, kind string, refs txnRefs, t ledger.Txn, now int64) error {
	if !t.Balanced() {
		return errors.New("ledger: refusing an unbalanced transaction")
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ledger_txns (kind, purchase_id, refund_id, payout_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		kind, nullID(refs.purchase), nullID(refs.refund), nullID(refs.payout), now)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	for _, p := range t {
		if p.Amount == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO postings (txn_id, account, currency, amount_cents) VALUES (?, ?, ?, ?)`,
			id, p.Account, p.Currency, p.Amount); err != nil {
			return fmt.Errorf("posting: %w", err)
		}
	}
	return nil
}

// creatorBalance is what the platform owes a creator: the credit balance of
// their ledger account.
func creatorBalance(ctx context.Context, q queryer, creatorID int64, currency string) (int64, error) {
	var sum int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_cents), 0) FROM postings WHERE account = ? AND currency = ?`,
		ledger.CreatorAccount(creatorID), currency).Scan(&sum)
	return -sum, err
}

// LedgerCheck sums every posting per currency and per transaction; a
// healthy journal returns no unbalanced transactions and all-zero sums. Any
// error reading the journal is returned: a check that could not read every
// posting must never report a balanced ledger.
func (db *DB) LedgerCheck(ctx context.Context) (sums map[string]int64, unbalanced int, err error) {
	sums, err = currencySums(ctx, db.read)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger check: %w", err)
	}
	err = db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT txn_id FROM postings GROUP BY txn_id, currency HAVING SUM(amount_cents) != 0)`).Scan(&unbalanced)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger check: %w", err)
	}
	return sums, unbalanced, nil
}

// currencySums is the sum of all postings per currency.
func currencySums(ctx context.Context, q *sql.DB) (map[string]int64, error) {
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

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
