package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// IdempotencyKey implements store.Reader.
func (r reader) IdempotencyKey(ctx context.Context, fanID int64, key string) (*store.IdempotencyKey, error) {
	k := store.IdempotencyKey{FanID: fanID, Key: key}
	var purchaseID sql.NullInt64
	var created int64
	err := r.q.QueryRowContext(ctx, `SELECT request_hash, purchase_id, error_code, error_message, created_at FROM idempotency_keys WHERE fan_id = ? AND key = ?`,
		fanID, key).Scan(&k.RequestHash, &purchaseID, &k.ErrCode, &k.ErrMessage, &created)
	if err != nil {
		return nil, none(err)
	}
	k.PurchaseID, k.CreatedAt = purchaseID.Int64, fromMillis(created)
	return &k, nil
}

// Purchase implements store.Reader.
func (r reader) Purchase(ctx context.Context, id int64) (*api.Purchase, error) {
	var p api.Purchase
	var created int64
	err := r.q.QueryRowContext(ctx, `SELECT id, release_id, gross_cents, creator_cents, platform_cents, currency, receipt, created_at,
		(SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = purchases.id) FROM purchases WHERE id = ?`, id).
		Scan(&p.ID, &p.ReleaseID, &p.GrossCents, &p.CreatorCents, &p.PlatformCents, &p.Currency, &p.Receipt, &created, &p.RefundedCents)
	if err != nil {
		return nil, none(err)
	}
	p.CreatedAt = fromMillis(created)
	return &p, nil
}

// Sale implements store.Reader.
func (r reader) Sale(ctx context.Context, purchaseID int64) (*store.SaleRecord, error) {
	var s store.SaleRecord
	err := r.q.QueryRowContext(ctx, `SELECT id, artist_id, gross_cents, creator_cents, platform_cents, rate_bps, currency, payment_ref, provider,
		EXISTS (SELECT 1 FROM disputes d WHERE d.purchase_id = purchases.id AND d.open)
		FROM purchases WHERE id = ?`, purchaseID).Scan(&s.ID, &s.ArtistID, &s.Split.Gross, &s.Split.Creator, &s.Split.Platform, &s.RateBps,
		&s.Currency, &s.PaymentRef, &s.Provider, &s.Disputed)
	if err != nil {
		return nil, none(err)
	}
	return &s, nil
}

// Refunded implements store.Reader.
func (r reader) Refunded(ctx context.Context, purchaseID int64) (ledger.Split, error) {
	var done ledger.Split
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_cents), 0), COALESCE(SUM(creator_cents), 0), COALESCE(SUM(platform_cents), 0)
		FROM refunds WHERE purchase_id = ?`, purchaseID).Scan(&done.Gross, &done.Creator, &done.Platform)
	return done, err
}

// Library implements store.Reader.
func (r reader) Library(ctx context.Context, fanID int64) ([]api.LibraryItem, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT p.id, p.release_id, p.gross_cents, p.currency, p.created_at, p.receipt FROM purchases p
		WHERE p.fan_id = ? AND p.gift_held = 0 AND (p.gross_cents = 0 OR p.gross_cents > (SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id))
		ORDER BY p.id DESC`, fanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []api.LibraryItem{}
	for rows.Next() {
		var it api.LibraryItem
		var created int64
		if err := rows.Scan(&it.PurchaseID, &it.Release.ID, &it.GrossCents, &it.Currency, &created, &it.Receipt); err != nil {
			return nil, err
		}
		it.PurchasedAt = fromMillis(created)
		items = append(items, it)
	}
	return items, rows.Err()
}

// InsertIdempotencyKey implements store.Tx.
func (t *tx) InsertIdempotencyKey(ctx context.Context, k store.IdempotencyKey) error {
	_, err := t.insert(ctx, `INSERT INTO idempotency_keys (fan_id, key, request_hash, error_code, error_message, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		k.FanID, k.Key, k.RequestHash, k.ErrCode, k.ErrMessage, millis(k.CreatedAt))
	return err
}

// CompleteSale implements store.Tx.
func (t *tx) CompleteSale(ctx context.Context, c store.CompletedSale) error {
	if err := t.exec(ctx, `UPDATE purchases SET receipt = ? WHERE id = ?`, c.Receipt, c.PurchaseID); err != nil {
		return err
	}
	if err := t.exec(ctx, `UPDATE idempotency_keys SET purchase_id = ? WHERE fan_id = ? AND key = ?`, c.PurchaseID, c.FanID, c.Key); err != nil {
		return err
	}
	return t.Post(ctx, c.Entry)
}

// InsertPurchase implements store.Tx.
func (t *tx) InsertPurchase(ctx context.Context, s store.Sale) (int64, error) {
	if owns, err := t.Owns(ctx, s.FanID, s.ReleaseID); err != nil {
		return 0, err
	} else if owns && !s.Gift {
		return 0, store.ErrConflict
	}
	id, err := t.insert(ctx, `INSERT INTO purchases (fan_id, release_id, artist_id, gross_cents, creator_cents, platform_cents,
		fee_cents, rate_bps, currency, provider, payment_ref, share_email, created_at, gift_held) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.FanID, s.ReleaseID, s.ArtistID, s.Split.Gross, s.Split.Creator, s.Split.Platform, s.FeeCents, s.RateBps,
		s.Currency, s.Provider, s.PaymentRef, s.ShareEmail, millis(s.CreatedAt), s.Gift)
	if err != nil {
		return 0, err
	}
	for _, tr := range s.Tracks {
		if err := t.exec(ctx, `INSERT INTO purchase_tracks (purchase_id, position, title, audio_sha256) VALUES (?, ?, ?, ?)`,
			id, tr.Position, tr.Title, tr.AudioSHA256); err != nil {
			return 0, fmt.Errorf("purchase track: %w", err)
		}
	}
	for i, p := range store.PayeesOf(s) {
		if err := t.exec(ctx, `INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency,
			gross_cents, platform_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, p.AccountID, i, p.Bps, p.Cents,
			s.ReleaseID, s.Currency, s.Split.Gross, s.Split.Platform, millis(s.CreatedAt)); err != nil {
			return 0, fmt.Errorf("sale share: %w", err)
		}
	}
	return id, nil
}

// InsertRefund implements store.Tx.
func (t *tx) InsertRefund(ctx context.Context, r store.RefundRecord) (int64, error) {
	id, err := t.insert(ctx, `INSERT INTO refunds (purchase_id, amount_cents, creator_cents, platform_cents, refunded_by, provider_ref,
		reversed_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.PurchaseID, r.Split.Gross, r.Split.Creator, r.Split.Platform,
		nullID(r.RefundedBy), r.ProviderRef, r.Reversed, millis(r.CreatedAt))
	if err != nil {
		return 0, err
	}
	parts := r.Parts
	if len(parts) == 0 {
		var artist int64
		if err := t.tx.QueryRowContext(ctx, `SELECT artist_id FROM purchases WHERE id = ?`, r.PurchaseID).Scan(&artist); err != nil {
			return 0, none(err)
		}
		parts = []ledger.Part{{AccountID: artist, Cents: r.Split.Creator}}
	}
	for _, p := range parts {
		if err := t.exec(ctx, `INSERT INTO refund_shares (refund_id, purchase_id, account_id, cents, amount_cents, currency, created_at)
			SELECT ?, id, ?, ?, ?, currency, ? FROM purchases WHERE id = ?`, id, p.AccountID, p.Cents, r.Split.Gross,
			millis(r.CreatedAt), r.PurchaseID); err != nil {
			return 0, fmt.Errorf("refund share: %w", err)
		}
	}
	return id, nil
}

// SaleShares implements store.Reader.
func (r reader) SaleShares(ctx context.Context, purchaseID int64) ([]store.SaleShare, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT s.account_id, s.bps, s.cents,
		(SELECT COALESCE(SUM(x.cents), 0) FROM refund_shares x WHERE x.purchase_id = s.purchase_id AND x.account_id = s.account_id)
		FROM sale_shares s WHERE s.purchase_id = ? ORDER BY s.position`, purchaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SaleShare
	for rows.Next() {
		var p store.SaleShare
		if err := rows.Scan(&p.AccountID, &p.Bps, &p.Cents, &p.Refunded); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PurchaseTracks implements store.Reader.
func (r reader) PurchaseTracks(ctx context.Context, purchaseID int64) (int64, []api.ManifestTrack, error) {
	var fan int64
	if err := r.q.QueryRowContext(ctx, `SELECT CASE WHEN gift_held THEN 0 ELSE fan_id END FROM purchases WHERE id = ?`, purchaseID).Scan(&fan); err != nil {
		return 0, nil, none(err)
	}
	rows, err := r.q.QueryContext(ctx, `SELECT position, title, audio_sha256 FROM purchase_tracks WHERE purchase_id = ? ORDER BY position`, purchaseID)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var tracks []api.ManifestTrack
	for rows.Next() {
		var t api.ManifestTrack
		if err := rows.Scan(&t.Position, &t.Title, &t.AudioSHA256); err != nil {
			return 0, nil, err
		}
		tracks = append(tracks, t)
	}
	return fan, tracks, rows.Err()
}
