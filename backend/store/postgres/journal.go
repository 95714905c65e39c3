package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// Post implements store.Tx: the transaction and its postings in one
// statement. Triggers refuse any later UPDATE, DELETE or TRUNCATE of the
// journal.
func (t *tx) Post(ctx context.Context, e store.Entry) error {
	if !e.Txn.Balanced() {
		return errors.New("ledger: refusing an unbalanced transaction")
	}
	accounts, currencies, amounts := postingColumns(e.Txn)
	_, err := t.tx.Exec(ctx, `WITH t AS (
			INSERT INTO ledger_txns (kind, purchase_id, refund_id, payout_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id)
		INSERT INTO postings (txn_id, account, currency, amount_cents)
		SELECT t.id, u.account, u.currency, u.amount FROM t, unnest($6::text[], $7::text[], $8::int8[]) AS u(account, currency, amount)`,
		e.Kind, nullID(e.PurchaseID), nullID(e.RefundID), nullID(e.PayoutID), ms(e.At), accounts, currencies, amounts)
	return wrap("journal", err)
}

// postingColumns lays a transaction's postings out as the arrays unnest
// reads, leaving out zero amounts.
func postingColumns(txn ledger.Txn) (accounts, currencies []string, amounts []int64) {
	for _, p := range txn {
		if p.Amount != 0 {
			accounts, currencies, amounts = append(accounts, p.Account), append(currencies, p.Currency), append(amounts, p.Amount)
		}
	}
	return accounts, currencies, amounts
}

// CreatorBalance implements store.Reader: the credit balance of the
// creator's ledger account.
func (r reader) CreatorBalance(ctx context.Context, artistID int64, currency string) (int64, error) {
	var bal int64
	err := r.q.QueryRow(ctx, `SELECT -COALESCE(SUM(amount_cents), 0) FROM postings WHERE account = $1 AND currency = $2`,
		ledger.CreatorAccount(artistID), currency).Scan(&bal)
	return bal, wrap("creator balance", err)
}

// LedgerCheck implements store.Reader. Any error reading the journal is
// returned: a check that could not read every posting never reports a
// balanced ledger.
func (r reader) LedgerCheck(ctx context.Context) (map[string]int64, int, error) {
	rows, err := r.q.Query(ctx, `SELECT currency, SUM(amount_cents)::int8 FROM postings GROUP BY currency`)
	if err != nil {
		return nil, 0, wrap("ledger check", err)
	}
	sums := map[string]int64{}
	var c string
	var s int64
	if _, err := pgx.ForEachRow(rows, []any{&c, &s}, func() error { sums[c] = s; return nil }); err != nil {
		return nil, 0, wrap("ledger check", err)
	}
	var unbalanced int
	err = r.q.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM postings GROUP BY txn_id, currency HAVING SUM(amount_cents) <> 0) u`).Scan(&unbalanced)
	if err != nil {
		return nil, 0, wrap("ledger check", err)
	}
	return sums, unbalanced, nil
}
