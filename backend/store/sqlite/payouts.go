package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// OpenSales implements store.Reader.
func (r reader) OpenSales(ctx context.Context, artistID int64, currency string) ([]store.OpenSale, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT p.id, p.creator_cents
		- (SELECT COALESCE(SUM(creator_cents), 0) FROM refunds WHERE purchase_id = p.id)
		- (SELECT COALESCE(SUM(amount_cents), 0) FROM payout_items WHERE purchase_id = p.id) AS open
		FROM purchases p WHERE p.artist_id = ? AND p.currency = ? AND p.creator_cents > 0 ORDER BY p.created_at, p.id`, artistID, currency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.OpenSale
	for rows.Next() {
		var o store.OpenSale
		if err := rows.Scan(&o.PurchaseID, &o.Cents); err != nil {
			return nil, err
		}
		if o.Cents > 0 {
			out = append(out, o)
		}
	}
	return out, rows.Err()
}

// PayoutIDs implements store.Reader: newest first.
func (r reader) PayoutIDs(ctx context.Context, artistID int64) ([]int64, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id FROM payouts WHERE artist_id = ? ORDER BY id DESC`, artistID)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// Payout implements store.Reader.
func (r reader) Payout(ctx context.Context, artistID, id int64) (*api.Payout, error) {
	var p api.Payout
	var created int64
	var paid sql.NullInt64
	err := r.q.QueryRowContext(ctx, `SELECT id, amount_cents, currency, state, created_at, paid_at FROM payouts WHERE id = ? AND artist_id = ?`, id, artistID).
		Scan(&p.ID, &p.AmountCents, &p.Currency, &p.State, &created, &paid)
	if err != nil {
		return nil, none(err)
	}
	p.CreatedAt = fromMillis(created)
	if paid.Valid {
		t := fromMillis(paid.Int64)
		p.PaidAt = &t
	}
	rows, err := r.q.QueryContext(ctx, `SELECT i.purchase_id, r.id, r.title, i.amount_cents FROM payout_items i
		JOIN purchases pu ON pu.id = i.purchase_id JOIN releases r ON r.id = pu.release_id
		WHERE i.payout_id = ? ORDER BY pu.created_at, pu.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	p.Items = []api.PayoutItem{}
	for rows.Next() {
		it := api.PayoutItem{Currency: p.Currency}
		if err := rows.Scan(&it.PurchaseID, &it.ReleaseID, &it.ReleaseTitle, &it.AmountCents); err != nil {
			return nil, err
		}
		p.Items = append(p.Items, it)
	}
	return &p, rows.Err()
}

// InsertPayout implements store.Tx.
func (t *tx) InsertPayout(ctx context.Context, artistID, amount int64, currency string, now time.Time) (int64, error) {
	return t.insert(ctx, `INSERT INTO payouts (artist_id, amount_cents, currency, state, created_at) VALUES (?, ?, ?, 'pending', ?)`,
		artistID, amount, currency, millis(now))
}

// InsertPayoutItems implements store.Tx.
func (t *tx) InsertPayoutItems(ctx context.Context, payoutID int64, items []store.OpenSale) error {
	for _, it := range items {
		if err := t.exec(ctx, `INSERT INTO payout_items (payout_id, purchase_id, amount_cents) VALUES (?, ?, ?)`, payoutID, it.PurchaseID, it.Cents); err != nil {
			return err
		}
	}
	return nil
}

// MarkPayoutPaid implements store.Tx.
func (t *tx) MarkPayoutPaid(ctx context.Context, id int64, now time.Time) (int64, string, error) {
	var amount int64
	var currency string
	err := t.tx.QueryRowContext(ctx, `UPDATE payouts SET state = 'paid', paid_at = ? WHERE id = ? AND state = 'pending' RETURNING amount_cents, currency`,
		millis(now), id).Scan(&amount, &currency)
	return amount, currency, none(err)
}

// scanIDs reads a single integer column and closes rows; an error part way
// through is returned, never a shorter list.
func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
