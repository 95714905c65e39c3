package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
)

// RefundPurchase implements api.PurchaseService: the release's creator
// refunds one of its sales.
func (s *PurchaseService) RefundPurchase(ctx context.Context, purchaseID, amount int64) (*api.Refund, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	return s.refund(ctx, purchaseID, amount, c.Account.ID)
}

// AdminRefund refunds any purchase; it is for operators, not the API.
func (s *PurchaseService) AdminRefund(ctx context.Context, purchaseID, amount int64) (*api.Refund, error) {
	return s.refund(ctx, purchaseID, amount, 0)
}

// refund reverses amount of a purchase; by is the refunding creator, or 0
// for an administrator.
func (s *PurchaseService) refund(ctx context.Context, purchaseID, amount, by int64) (*api.Refund, error) {
	now := s.db.now().UTC().Truncate(time.Millisecond)
	r := api.Refund{PurchaseID: purchaseID, AmountCents: amount, CreatedAt: now}
	var ref, provider string
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var sale ledger.Split
		var artistID, rate int64
		err := tx.QueryRowContext(ctx, `SELECT artist_id, gross_cents, creator_cents, platform_cents, rate_bps, currency, payment_ref, provider
			FROM purchases WHERE id = ?`, purchaseID).Scan(&artistID, &sale.Gross, &sale.Creator, &sale.Platform, &rate, &r.Currency, &ref, &provider)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && by != 0 && artistID != by) {
			return api.Errorf(api.ENOTFOUND, "purchase %d not found", purchaseID)
		} else if err != nil {
			return err
		}
		var done ledger.Split
		err = tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_cents), 0), COALESCE(SUM(creator_cents), 0), COALESCE(SUM(platform_cents), 0)
			FROM refunds WHERE purchase_id = ?`, purchaseID).Scan(&done.Gross, &done.Creator, &done.Platform)
		if err != nil {
			return err
		}
		rem := ledger.Remaining(sale, []ledger.Split{done})
		split, err := ledger.SplitRefund(rem, amount, rate)
		if err != nil {
			return &api.Error{Code: api.EINVALID, Field: "amount_cents",
				Message: fmt.Sprintf("refund must be between 0.01 and the %s not yet refunded", api.FormatCents(rem.Gross, r.Currency))}
		}
		r.CreatorCents, r.PlatformCents = split.Creator, split.Platform
		res, err := tx.ExecContext(ctx, `INSERT INTO refunds (purchase_id, amount_cents, creator_cents, platform_cents, refunded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, purchaseID, amount, split.Creator, split.Platform, nullID(by), millis(now))
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := post(ctx, tx, "refund", txnRefs{purchase: purchaseID, refund: r.ID}, ledger.Refund(provider, artistID, split, r.Currency), millis(now)); err != nil {
			return err
		}
		// The provider call sits inside the transaction so a failed refund
		// leaves no trace in the ledger.
		return s.provider.Refund(ctx, ref, amount)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Library implements api.PurchaseService.
func (s *PurchaseService) Library(ctx context.Context) (*api.Library, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT p.id, p.release_id, p.gross_cents, p.currency, p.created_at, p.receipt FROM purchases p
		WHERE p.fan_id = ? AND (p.gross_cents = 0 OR p.gross_cents > (SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id))
		ORDER BY p.id DESC`, c.Account.ID)
	if err != nil {
		return nil, err
	}
	lib := &api.Library{Items: []api.LibraryItem{}}
	for rows.Next() {
		var it api.LibraryItem
		var created int64
		if err := rows.Scan(&it.PurchaseID, &it.Release.ID, &it.GrossCents, &it.Currency, &created, &it.Receipt); err != nil {
			rows.Close()
			return nil, err
		}
		it.PurchasedAt = fromMillis(created)
		lib.Items = append(lib.Items, it)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	rels := NewReleaseService(s.db)
	for i := range lib.Items {
		// Owned releases stay visible to their buyers even unpublished.
		r, err := rels.query(ctx, `WHERE r.id = ?`, lib.Items[i].Release.ID)
		if err != nil || len(r) == 0 {
			return nil, fmt.Errorf("library release %d: %v", lib.Items[i].Release.ID, err)
		}
		lib.Items[i].Release = r[0]
	}
	return lib, nil
}
