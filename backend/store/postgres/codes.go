package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/megabox-fm/megabox/backend/store"
)

// InsertCodeBatch implements store.CodesTx: the batch, then all its codes
// in one statement; a hash already taken inserts nothing of it and is
// ErrConflict, leaving the transaction usable.
func (t *tx) InsertCodeBatch(ctx context.Context, b store.CodeBatch, hashes [][]byte) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO code_batches (release_id, artist_id, kind, percent_off, off_cents, label, count,
		expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		b.ReleaseID, b.ArtistID, b.Kind, b.PercentOff, b.OffCents, b.Label, len(hashes), optTime(b.ExpiresAt), ms(b.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, wrap("insert code batch", err)
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO codes (batch_id, hash) SELECT $1, h FROM unnest($2::bytea[]) AS h
		ON CONFLICT DO NOTHING`, id, hashes)
	if err != nil {
		return 0, wrap("insert codes", err)
	}
	if tag.RowsAffected() != int64(len(hashes)) {
		return 0, fmt.Errorf("insert codes: %w", store.ErrConflict)
	}
	return id, nil
}

// RevokeCodeBatch implements store.CodesTx.
func (t *tx) RevokeCodeBatch(ctx context.Context, batchID int64, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE code_batches SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, ms(at), batchID)
	return affected("revoke code batch", tag, err)
}

// codeFree is the condition of a code no one may be refused: not
// redeemed, and not held by another fan's checkout that is still running
// ($1 the fan, $2 now). Under READ COMMITTED a concurrent update of the
// same code waits for the first and then checks this again on the row it
// wrote: the second redemption changes nothing.
const codeFree = `redeemed_at IS NULL AND (reserved_by IS NULL OR reserved_by = $1 OR reserved_until <= $2)`

// RedeemCode implements store.CodesTx.
func (t *tx) RedeemCode(ctx context.Context, codeID, fanID, purchaseID int64, now time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE codes SET redeemed_at = $2, redeemed_by = $1, purchase_id = $3,
		reserved_by = NULL, reserved_checkout = NULL, reserved_until = NULL WHERE id = $4 AND `+codeFree,
		fanID, ms(now), purchaseID, codeID)
	return taken("redeem code", tag, err)
}

// ReserveCode implements store.CodesTx.
func (t *tx) ReserveCode(ctx context.Context, codeID, fanID int64, checkoutID string, until, now time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE codes SET reserved_by = $1, reserved_checkout = $3, reserved_until = $4
		WHERE id = $5 AND `+codeFree, fanID, ms(now), checkoutID, ms(until), codeID)
	if err := taken("reserve code", tag, err); err != nil {
		return err
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO checkout_codes (checkout_id, code_id) VALUES ($1, $2)`, checkoutID, codeID)
	return wrap("tie code to checkout", err)
}

// UseCheckoutCode implements store.CodesTx.
func (t *tx) UseCheckoutCode(ctx context.Context, checkoutID string, fanID, purchaseID int64, now time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE codes SET redeemed_at = $1, redeemed_by = $2, purchase_id = $3,
		reserved_by = NULL, reserved_checkout = NULL, reserved_until = NULL
		WHERE id = (SELECT code_id FROM checkout_codes WHERE checkout_id = $4) AND redeemed_at IS NULL`,
		ms(now), fanID, purchaseID, checkoutID)
	return wrap("use checkout code", err)
}

// ReleaseCheckoutCode implements store.CodesTx.
func (t *tx) ReleaseCheckoutCode(ctx context.Context, checkoutID string) error {
	_, err := t.tx.Exec(ctx, `UPDATE codes SET reserved_by = NULL, reserved_checkout = NULL, reserved_until = NULL
		WHERE reserved_checkout = $1 AND redeemed_at IS NULL`, checkoutID)
	return wrap("release checkout code", err)
}

// taken turns a conditional update that matched no row into ErrConflict.
func taken(what string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return wrap(what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return nil
}

const codeColumns = `c.id, c.redeemed_at, COALESCE(c.redeemed_by, 0), COALESCE(c.reserved_by, 0), c.reserved_until,
	b.id, b.release_id, b.artist_id, b.kind, b.percent_off, b.off_cents, b.label, b.count, b.expires_at, b.revoked_at, b.created_at`

// CodeByHash implements store.CodesReader.
func (r reader) CodeByHash(ctx context.Context, hash []byte) (*store.Code, error) {
	return r.code(ctx, `c.hash = $1`, hash)
}

// CheckoutCode implements store.CodesReader.
func (r reader) CheckoutCode(ctx context.Context, checkoutID string) (*store.Code, error) {
	return r.code(ctx, `c.id = (SELECT code_id FROM checkout_codes WHERE checkout_id = $1)`, checkoutID)
}

func (r reader) code(ctx context.Context, where string, arg any) (*store.Code, error) {
	var c store.Code
	b := &c.Batch
	err := r.q.QueryRow(ctx, `SELECT `+codeColumns+` FROM codes c JOIN code_batches b ON b.id = c.batch_id WHERE `+where, arg).
		Scan(&c.ID, &c.RedeemedAt, &c.RedeemedBy, &c.ReservedBy, &c.ReservedUntil,
			&b.ID, &b.ReleaseID, &b.ArtistID, &b.Kind, &b.PercentOff, &b.OffCents, &b.Label, &b.Count, &b.ExpiresAt, &b.RevokedAt, &b.CreatedAt)
	if err != nil {
		return nil, wrap("code", err)
	}
	c.RedeemedAt, c.ReservedUntil = utc(c.RedeemedAt), utc(c.ReservedUntil)
	b.ExpiresAt, b.RevokedAt, b.CreatedAt = utc(b.ExpiresAt), utc(b.RevokedAt), b.CreatedAt.UTC()
	return &c, nil
}

const batchColumns = `b.id, b.release_id, b.artist_id, b.kind, b.percent_off, b.off_cents, b.label, b.count, b.expires_at,
	b.revoked_at, b.created_at, (SELECT COUNT(*) FROM codes c WHERE c.batch_id = b.id AND c.redeemed_at IS NOT NULL)`

// CodeBatch implements store.CodesReader.
func (r reader) CodeBatch(ctx context.Context, batchID int64) (*store.CodeBatch, error) {
	bs, err := r.batches(ctx, `WHERE b.id = $1`, batchID)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, store.ErrNotFound
	}
	return &bs[0], nil
}

// CodeBatches implements store.CodesReader.
func (r reader) CodeBatches(ctx context.Context, releaseID int64) ([]store.CodeBatch, error) {
	return r.batches(ctx, `WHERE b.release_id = $1 ORDER BY b.id DESC`, releaseID)
}

func (r reader) batches(ctx context.Context, where string, arg any) ([]store.CodeBatch, error) {
	rows, err := r.q.Query(ctx, `SELECT `+batchColumns+` FROM code_batches b `+where, arg)
	if err != nil {
		return nil, wrap("code batches", err)
	}
	defer rows.Close()
	out := []store.CodeBatch{}
	for rows.Next() {
		var b store.CodeBatch
		if err := rows.Scan(&b.ID, &b.ReleaseID, &b.ArtistID, &b.Kind, &b.PercentOff, &b.OffCents, &b.Label, &b.Count,
			&b.ExpiresAt, &b.RevokedAt, &b.CreatedAt, &b.Redeemed); err != nil {
			return nil, wrap("code batches", err)
		}
		b.ExpiresAt, b.RevokedAt, b.CreatedAt = utc(b.ExpiresAt), utc(b.RevokedAt), b.CreatedAt.UTC()
		out = append(out, b)
	}
	return out, wrap("code batches", rows.Err())
}

func optTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := ms(*t)
	return &u
}
