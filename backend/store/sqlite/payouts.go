package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
)

// RequestPayout implements api.EarningsService.
func (s *EarningsService) RequestPayout(ctx context.Context, amount int64, currency string) (*api.Payout, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	currency = strings.ToUpper(currency)
	if !api.ValidCurrency(currency) {
		return nil, api.FieldErrorf("currency", "must be one of %s", strings.Join(api.Currencies, ", "))
	}
	if amount < api.MinPayoutCents {
		return nil, api.FieldErrorf("amount_cents", "the smallest payout is %s", api.FormatCents(api.MinPayoutCents, currency))
	}
	now := s.db.now().UTC().Truncate(time.Millisecond)
	var id int64
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		avail, err := creatorBalance(ctx, tx, c.Account.ID, currency)
		if err != nil {
			return err
		}
		if amount > avail {
			return api.FieldErrorf("amount_cents", "only %s is available", api.FormatCents(max(avail, 0), currency))
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO payouts (artist_id, amount_cents, currency, state, created_at) VALUES (?, ?, ?, 'pending', ?)`,
			c.Account.ID, amount, currency, millis(now))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := settleSales(ctx, tx, id, c.Account.ID, amount, currency); err != nil {
			return err
		}
		return post(ctx, tx, "payout", txnRefs{payout: id}, ledger.PayoutRequested(c.Account.ID, amount, currency), millis(now))
	})
	if err != nil {
		return nil, err
	}
	return s.findPayout(ctx, c.Account.ID, id)
}

// settleSales allocates a payout to the creator's unsettled sales, oldest
// first, so every paid cent traces back to a sale.
func settleSales(ctx context.Context, tx *sql.Tx, payoutID, artist, amount int64, currency string) error {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.creator_cents
		- (SELECT COALESCE(SUM(creator_cents), 0) FROM refunds WHERE purchase_id = p.id)
		- (SELECT COALESCE(SUM(amount_cents), 0) FROM payout_items WHERE purchase_id = p.id) AS open
		FROM purchases p WHERE p.artist_id = ? AND p.currency = ? AND p.creator_cents > 0 ORDER BY p.created_at, p.id`, artist, currency)
	if err != nil {
		return err
	}
	type alloc struct{ purchase, cents int64 }
	var allocs []alloc
	left := amount
	for left > 0 && rows.Next() {
		var id, open int64
		if err := rows.Scan(&id, &open); err != nil {
			rows.Close()
			return err
		}
		if open > 0 {
			take := min(open, left)
			allocs = append(allocs, alloc{id, take})
			left -= take
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	if left > 0 {
		return fmt.Errorf("payout of %d exceeds unsettled sales by %d", amount, left)
	}
	for _, a := range allocs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO payout_items (payout_id, purchase_id, amount_cents) VALUES (?, ?, ?)`, payoutID, a.purchase, a.cents); err != nil {
			return err
		}
	}
	return nil
}

// Payouts implements api.EarningsService.
func (s *EarningsService) Payouts(ctx context.Context) ([]api.Payout, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id FROM payouts WHERE artist_id = ? ORDER BY id DESC`, c.Account.ID)
	if err != nil {
		return nil, err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, err
	}
	out := []api.Payout{}
	for _, id := range ids {
		p, err := s.findPayout(ctx, c.Account.ID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

func (s *EarningsService) findPayout(ctx context.Context, artist, id int64) (*api.Payout, error) {
	var p api.Payout
	var created int64
	var paid sql.NullInt64
	err := s.db.read.QueryRowContext(ctx, `SELECT id, amount_cents, currency, state, created_at, paid_at FROM payouts WHERE id = ? AND artist_id = ?`, id, artist).
		Scan(&p.ID, &p.AmountCents, &p.Currency, &p.State, &created, &paid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, api.Errorf(api.ENOTFOUND, "payout %d not found", id)
	} else if err != nil {
		return nil, err
	}
	p.CreatedAt = fromMillis(created)
	if paid.Valid {
		t := fromMillis(paid.Int64)
		p.PaidAt = &t
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT i.purchase_id, r.id, r.title, i.amount_cents FROM payout_items i
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

// MarkPayoutPaid records that a pending payout left the provider; it is
// for operators, not the API.
func (s *EarningsService) MarkPayoutPaid(ctx context.Context, id int64) error {
	now := millis(s.db.now())
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		var amount int64
		var currency string
		err := tx.QueryRowContext(ctx, `UPDATE payouts SET state = 'paid', paid_at = ? WHERE id = ? AND state = 'pending' RETURNING amount_cents, currency`,
			now, id).Scan(&amount, &currency)
		if errors.Is(err, sql.ErrNoRows) {
			return api.Errorf(api.ENOTFOUND, "no pending payout %d", id)
		} else if err != nil {
			return err
		}
		return post(ctx, tx, "payout_paid", txnRefs{payout: id}, ledger.PayoutPaid(s.provider, amount, currency), now)
	})
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
