package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

const giftColumns = `g.id, g.checkout_id, g.giver_id, g.release_id, g.email, g.message, g.lang, COALESCE(g.purchase_id, 0), g.token_hash,
	g.giver_receipt, COALESCE(g.claimed_by, 0), g.claimed_at, g.created_at,
	COALESCE(p.gross_cents > 0 AND p.gross_cents <= (SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id), 0)`

const giftFrom = ` FROM gifts g LEFT JOIN purchases p ON p.id = g.purchase_id `

// InsertGift implements store.Tx.
func (t *tx) InsertGift(ctx context.Context, g store.Gift) (int64, error) {
	return t.insert(ctx, `INSERT INTO gifts (checkout_id, giver_id, release_id, email, message, lang, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, g.CheckoutID, g.GiverID, g.ReleaseID, g.Email, g.Message, g.Lang, millis(g.CreatedAt))
}

// PayGift implements store.Tx.
func (t *tx) PayGift(ctx context.Context, checkoutID string, purchaseID int64, tokenHash []byte, giverReceipt string) (*store.Gift, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE gifts SET purchase_id = ?, token_hash = ?, giver_receipt = ? WHERE checkout_id = ?`,
		purchaseID, tokenHash, giverReceipt, checkoutID)
	if err := affectedOne(res, err); err != nil {
		return nil, err
	}
	return t.GiftByCheckout(ctx, checkoutID)
}

// SetGiftToken implements store.Tx.
func (t *tx) SetGiftToken(ctx context.Context, id int64, tokenHash []byte) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE gifts SET token_hash = ? WHERE id = ? AND claimed_by IS NULL AND purchase_id IS NOT NULL`,
		tokenHash, id)
	return affectedOne(res, err)
}

// ClaimGift implements store.Tx.
func (t *tx) ClaimGift(ctx context.Context, id, fanID int64, receipt string, at time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE gifts SET claimed_by = ?, claimed_at = ? WHERE id = ? AND claimed_by IS NULL AND purchase_id IS NOT NULL`,
		fanID, millis(at), id)
	if err := affectedOne(res, err); errors.Is(err, store.ErrNotFound) {
		return store.ErrConflict
	} else if err != nil {
		return err
	}
	return t.exec(ctx, `UPDATE purchases SET fan_id = ?, gift_held = 0, receipt = ? WHERE id = (SELECT purchase_id FROM gifts WHERE id = ?)`,
		fanID, receipt, id)
}

// affectedOne turns an update that matched no row into ErrNotFound.
func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// Gift implements store.Reader.
func (r reader) Gift(ctx context.Context, id int64) (*store.Gift, error) {
	return scanGift(r.q.QueryRowContext(ctx, `SELECT `+giftColumns+giftFrom+`WHERE g.id = ?`, id))
}

// GiftByCheckout implements store.Reader.
func (r reader) GiftByCheckout(ctx context.Context, checkoutID string) (*store.Gift, error) {
	return scanGift(r.q.QueryRowContext(ctx, `SELECT `+giftColumns+giftFrom+`WHERE g.checkout_id = ?`, checkoutID))
}

// GiftByToken implements store.Reader.
func (r reader) GiftByToken(ctx context.Context, tokenHash []byte) (*store.Gift, error) {
	return scanGift(r.q.QueryRowContext(ctx, `SELECT `+giftColumns+giftFrom+`WHERE g.token_hash = ? AND g.purchase_id IS NOT NULL`, tokenHash))
}

// GiftsFrom implements store.Reader.
func (r reader) GiftsFrom(ctx context.Context, giverID int64) ([]store.Gift, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+giftColumns+giftFrom+`WHERE g.giver_id = ? AND g.purchase_id IS NOT NULL ORDER BY g.id DESC`, giverID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.Gift{}
	for rows.Next() {
		g, err := scanGift(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, rows.Err()
}

func scanGift(row rowScanner) (*store.Gift, error) {
	var g store.Gift
	var claimed sql.NullInt64
	var created int64
	err := row.Scan(&g.ID, &g.CheckoutID, &g.GiverID, &g.ReleaseID, &g.Email, &g.Message, &g.Lang, &g.PurchaseID, &g.TokenHash,
		&g.GiverReceipt, &g.ClaimedBy, &claimed, &created, &g.Refunded)
	if err != nil {
		return nil, none(err)
	}
	g.CreatedAt = fromMillis(created)
	if claimed.Valid {
		g.ClaimedAt = fromMillis(claimed.Int64)
	}
	return &g, nil
}
