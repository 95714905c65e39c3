package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/store"
)

const giftColumns = `g.id, g.checkout_id, g.giver_id, g.release_id, g.email, g.message, g.lang, COALESCE(g.purchase_id, 0), g.token_hash,
	g.giver_receipt, COALESCE(g.claimed_by, 0), g.claimed_at, g.created_at,
	COALESCE(p.gross_cents > 0 AND p.gross_cents <= (SELECT COALESCE(SUM(f.amount_cents), 0) FROM refunds f WHERE f.purchase_id = p.id), false)`

const giftFrom = ` FROM gifts g LEFT JOIN purchases p ON p.id = g.purchase_id `

// InsertGift implements store.Tx.
func (t *tx) InsertGift(ctx context.Context, g store.Gift) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO gifts (checkout_id, giver_id, release_id, email, message, lang, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, g.CheckoutID, g.GiverID, g.ReleaseID, g.Email, g.Message, g.Lang,
		ms(g.CreatedAt)).Scan(&id)
	return id, wrap("insert gift", err)
}

// PayGift implements store.Tx.
func (t *tx) PayGift(ctx context.Context, checkoutID string, purchaseID int64, tokenHash []byte, giverReceipt string) (*store.Gift, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE gifts SET purchase_id = $1, token_hash = $2, giver_receipt = $3 WHERE checkout_id = $4`,
		purchaseID, tokenHash, giverReceipt, checkoutID)
	if err := affected("pay gift", tag, err); err != nil {
		return nil, err
	}
	return t.GiftByCheckout(ctx, checkoutID)
}

// SetGiftToken implements store.Tx.
func (t *tx) SetGiftToken(ctx context.Context, id int64, tokenHash []byte) error {
	tag, err := t.tx.Exec(ctx, `UPDATE gifts SET token_hash = $1 WHERE id = $2 AND claimed_by IS NULL AND purchase_id IS NOT NULL`,
		tokenHash, id)
	return affected("gift token", tag, err)
}

// ClaimGift implements store.Tx: the update's condition is checked again
// on the locked row, so of two claims at once one finds it claimed.
func (t *tx) ClaimGift(ctx context.Context, id, fanID int64, receipt string, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `WITH g AS (UPDATE gifts SET claimed_by = $1, claimed_at = $2
			WHERE id = $3 AND claimed_by IS NULL AND purchase_id IS NOT NULL RETURNING purchase_id)
		UPDATE purchases p SET fan_id = $1, gift_held = false, receipt = $4 FROM g WHERE p.id = g.purchase_id`,
		fanID, ms(at), id, receipt)
	if err := affected("claim gift", tag, err); errors.Is(err, store.ErrNotFound) {
		return store.ErrConflict
	} else if err != nil {
		return err
	}
	return nil
}

// Gift implements store.Reader.
func (r reader) Gift(ctx context.Context, id int64) (*store.Gift, error) {
	return r.gift(ctx, `WHERE g.id = $1`, id)
}

// GiftByCheckout implements store.Reader.
func (r reader) GiftByCheckout(ctx context.Context, checkoutID string) (*store.Gift, error) {
	return r.gift(ctx, `WHERE g.checkout_id = $1`, checkoutID)
}

// GiftByToken implements store.Reader.
func (r reader) GiftByToken(ctx context.Context, tokenHash []byte) (*store.Gift, error) {
	return r.gift(ctx, `WHERE g.token_hash = $1 AND g.purchase_id IS NOT NULL`, tokenHash)
}

func (r reader) gift(ctx context.Context, where string, arg any) (*store.Gift, error) {
	g, err := scanGift(r.q.QueryRow(ctx, `SELECT `+giftColumns+giftFrom+where, arg))
	return g, wrap("gift", err)
}

// GiftsFrom implements store.Reader.
func (r reader) GiftsFrom(ctx context.Context, giverID int64) ([]store.Gift, error) {
	rows, err := r.q.Query(ctx, `SELECT `+giftColumns+giftFrom+`WHERE g.giver_id = $1 AND g.purchase_id IS NOT NULL ORDER BY g.id DESC`, giverID)
	if err != nil {
		return nil, wrap("gifts", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Gift, error) {
		g, err := scanGift(row)
		if err != nil {
			return store.Gift{}, err
		}
		return *g, nil
	})
	if out == nil {
		out = []store.Gift{}
	}
	return out, wrap("gifts", err)
}

func scanGift(row pgx.Row) (*store.Gift, error) {
	var g store.Gift
	var claimed *time.Time
	err := row.Scan(&g.ID, &g.CheckoutID, &g.GiverID, &g.ReleaseID, &g.Email, &g.Message, &g.Lang, &g.PurchaseID, &g.TokenHash,
		&g.GiverReceipt, &g.ClaimedBy, &claimed, &g.CreatedAt, &g.Refunded)
	if err != nil {
		return nil, err
	}
	g.CreatedAt = g.CreatedAt.UTC()
	if claimed != nil {
		g.ClaimedAt = claimed.UTC()
	}
	return &g, nil
}
