package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// InsertPayout implements store.Tx: a pending payout.
func (t *tx) InsertPayout(ctx context.Context, artistID, amount int64, currency string, now time.Time) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO payouts (artist_id, amount_cents, currency, state, created_at) VALUES ($1, $2, $3, 'pending', $4) RETURNING id`,
		artistID, amount, currency, ms(now)).Scan(&id)
	return id, wrap("insert payout", err)
}

// InsertPayoutItems implements store.Tx, in one statement.
func (t *tx) InsertPayoutItems(ctx context.Context, payoutID int64, items []store.OpenSale) error {
	ids, cents := make([]int64, len(items)), make([]int64, len(items))
	for i, it := range items {
		ids[i], cents[i] = it.PurchaseID, it.Cents
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO payout_items (payout_id, purchase_id, amount_cents)
		SELECT $1, u.purchase, u.cents FROM unnest($2::int8[], $3::int8[]) AS u(purchase, cents)`, payoutID, ids, cents)
	return wrap("insert payout items", err)
}

// MarkPayoutPaid implements store.Tx.
func (t *tx) MarkPayoutPaid(ctx context.Context, id int64, now time.Time) (int64, string, error) {
	var amount int64
	var currency string
	err := t.tx.QueryRow(ctx, `UPDATE payouts SET state = 'paid', paid_at = $1 WHERE id = $2 AND state = 'pending' RETURNING amount_cents, currency`,
		ms(now), id).Scan(&amount, &currency)
	return amount, currency, wrap("mark payout paid", err)
}

// OpenSales implements store.Reader.
func (r reader) OpenSales(ctx context.Context, artistID int64, currency string) ([]store.OpenSale, error) {
	rows, err := r.q.Query(ctx, `SELECT id, open FROM (
			SELECT p.id, p.created_at, p.creator_cents
				- (SELECT COALESCE(SUM(f.creator_cents), 0) FROM refunds f WHERE f.purchase_id = p.id)
				- (SELECT COALESCE(SUM(i.amount_cents), 0) FROM payout_items i WHERE i.purchase_id = p.id) AS open
			FROM purchases p WHERE p.artist_id = $1 AND p.currency = $2 AND p.creator_cents > 0) s
		WHERE open > 0 ORDER BY created_at, id`, artistID, currency)
	if err != nil {
		return nil, wrap("open sales", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.OpenSale, error) {
		var s store.OpenSale
		return s, row.Scan(&s.PurchaseID, &s.Cents)
	})
	return out, wrap("open sales", err)
}

// Payout implements store.Reader: one of the creator's payouts with what
// it settles, oldest sale first.
func (r reader) Payout(ctx context.Context, artistID, id int64) (*api.Payout, error) {
	var p api.Payout
	err := r.q.QueryRow(ctx, `SELECT id, amount_cents, currency, state, created_at, paid_at FROM payouts WHERE id = $1 AND artist_id = $2`, id, artistID).
		Scan(&p.ID, &p.AmountCents, &p.Currency, &p.State, &p.CreatedAt, &p.PaidAt)
	if err != nil {
		return nil, wrap("payout", err)
	}
	p.CreatedAt, p.PaidAt = p.CreatedAt.UTC(), utc(p.PaidAt)
	rows, err := r.q.Query(ctx, `SELECT i.purchase_id, r.id, r.title, i.amount_cents FROM payout_items i
		JOIN purchases pu ON pu.id = i.purchase_id JOIN releases r ON r.id = pu.release_id
		WHERE i.payout_id = $1 ORDER BY pu.created_at, pu.id`, id)
	if err != nil {
		return nil, wrap("payout items", err)
	}
	p.Items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.PayoutItem, error) {
		it := api.PayoutItem{Currency: p.Currency}
		return it, row.Scan(&it.PurchaseID, &it.ReleaseID, &it.ReleaseTitle, &it.AmountCents)
	})
	if err != nil {
		return nil, wrap("payout items", err)
	}
	return &p, nil
}

// PayoutIDs implements store.Reader: newest first.
func (r reader) PayoutIDs(ctx context.Context, artistID int64) ([]int64, error) {
	rows, err := r.q.Query(ctx, `SELECT id FROM payouts WHERE artist_id = $1 ORDER BY id DESC`, artistID)
	if err != nil {
		return nil, wrap("payouts", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, wrap("payouts", err)
}
