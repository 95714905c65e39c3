package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

// InsertCodeBatch implements store.CodesTx: one prepared insert per code,
// all in the caller's transaction (10,000 codes take a few milliseconds).
func (t *tx) InsertCodeBatch(ctx context.Context, b store.CodeBatch, hashes [][]byte) (int64, error) {
	id, err := t.insert(ctx, `INSERT INTO code_batches (release_id, artist_id, kind, percent_off, off_cents, label, count,
		expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ReleaseID, b.ArtistID, b.Kind, b.PercentOff, b.OffCents, b.Label, len(hashes), optMillis(b.ExpiresAt), millis(b.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("insert code batch: %w", err)
	}
	st, err := t.tx.PrepareContext(ctx, `INSERT INTO codes (batch_id, hash) VALUES (?, ?)`)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	for _, h := range hashes {
		if _, err := st.ExecContext(ctx, id, h); err != nil {
			return 0, fmt.Errorf("insert code: %w", conflict(err))
		}
	}
	return id, nil
}

// RevokeCodeBatch implements store.CodesTx.
func (t *tx) RevokeCodeBatch(ctx context.Context, batchID int64, at time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE code_batches SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, millis(at), batchID)
	return changed(res, err)
}

// codeFree is the condition of a code no one may be refused: not
// redeemed, and not held by another fan's checkout that is still running.
const codeFree = `redeemed_at IS NULL AND (reserved_by IS NULL OR reserved_by = ? OR reserved_until <= ?)`

// RedeemCode implements store.CodesTx.
func (t *tx) RedeemCode(ctx context.Context, codeID, fanID, purchaseID int64, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE codes SET redeemed_at = ?, redeemed_by = ?, purchase_id = ?,
		reserved_by = NULL, reserved_checkout = NULL, reserved_until = NULL WHERE id = ? AND `+codeFree,
		millis(now), fanID, purchaseID, codeID, fanID, millis(now))
	return taken(res, err)
}

// ReserveCode implements store.CodesTx.
func (t *tx) ReserveCode(ctx context.Context, codeID, fanID int64, checkoutID string, until, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE codes SET reserved_by = ?, reserved_checkout = ?, reserved_until = ?
		WHERE id = ? AND `+codeFree, fanID, checkoutID, millis(until), codeID, fanID, millis(now))
	if err := taken(res, err); err != nil {
		return err
	}
	_, err = t.insert(ctx, `INSERT INTO checkout_codes (checkout_id, code_id) VALUES (?, ?)`, checkoutID, codeID)
	return err
}

// UseCheckoutCode implements store.CodesTx.
func (t *tx) UseCheckoutCode(ctx context.Context, checkoutID string, fanID, purchaseID int64, now time.Time) error {
	return t.exec(ctx, `UPDATE codes SET redeemed_at = ?, redeemed_by = ?, purchase_id = ?,
		reserved_by = NULL, reserved_checkout = NULL, reserved_until = NULL
		WHERE id = (SELECT code_id FROM checkout_codes WHERE checkout_id = ?) AND redeemed_at IS NULL`,
		millis(now), fanID, purchaseID, checkoutID)
}

// ReleaseCheckoutCode implements store.CodesTx.
func (t *tx) ReleaseCheckoutCode(ctx context.Context, checkoutID string) error {
	return t.exec(ctx, `UPDATE codes SET reserved_by = NULL, reserved_checkout = NULL, reserved_until = NULL
		WHERE reserved_checkout = ? AND redeemed_at IS NULL`, checkoutID)
}

// taken turns a conditional update that matched no row into ErrConflict.
func taken(res sql.Result, err error) error {
	if err := changed(res, err); err == store.ErrNotFound {
		return store.ErrConflict
	} else if err != nil {
		return err
	}
	return nil
}

const codeColumns = `c.id, c.redeemed_at, COALESCE(c.redeemed_by, 0), COALESCE(c.reserved_by, 0), c.reserved_until,
	b.id, b.release_id, b.artist_id, b.kind, b.percent_off, b.off_cents, b.label, b.count, b.expires_at, b.revoked_at, b.created_at`

// CodeByHash implements store.CodesReader.
func (r reader) CodeByHash(ctx context.Context, hash []byte) (*store.Code, error) {
	return r.code(ctx, `c.hash = ?`, hash)
}

// CheckoutCode implements store.CodesReader.
func (r reader) CheckoutCode(ctx context.Context, checkoutID string) (*store.Code, error) {
	return r.code(ctx, `c.id = (SELECT code_id FROM checkout_codes WHERE checkout_id = ?)`, checkoutID)
}

func (r reader) code(ctx context.Context, where string, arg any) (*store.Code, error) {
	var c store.Code
	var redeemed, until sql.NullInt64
	var expires, revoked sql.NullInt64
	var created int64
	b := &c.Batch
	err := r.q.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM codes c JOIN code_batches b ON b.id = c.batch_id WHERE `+where, arg).
		Scan(&c.ID, &redeemed, &c.RedeemedBy, &c.ReservedBy, &until,
			&b.ID, &b.ReleaseID, &b.ArtistID, &b.Kind, &b.PercentOff, &b.OffCents, &b.Label, &b.Count, &expires, &revoked, &created)
	if err != nil {
		return nil, none(err)
	}
	c.RedeemedAt, c.ReservedUntil = nullMillis(redeemed), nullMillis(until)
	b.ExpiresAt, b.RevokedAt, b.CreatedAt = nullMillis(expires), nullMillis(revoked), fromMillis(created)
	return &c, nil
}

const batchColumns = `b.id, b.release_id, b.artist_id, b.kind, b.percent_off, b.off_cents, b.label, b.count, b.expires_at,
	b.revoked_at, b.created_at, (SELECT COUNT(*) FROM codes c WHERE c.batch_id = b.id AND c.redeemed_at IS NOT NULL)`

// CodeBatch implements store.CodesReader.
func (r reader) CodeBatch(ctx context.Context, batchID int64) (*store.CodeBatch, error) {
	bs, err := r.batches(ctx, `WHERE b.id = ?`, batchID)
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
	return r.batches(ctx, `WHERE b.release_id = ? ORDER BY b.id DESC`, releaseID)
}

func (r reader) batches(ctx context.Context, where string, arg any) ([]store.CodeBatch, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+batchColumns+` FROM code_batches b `+where, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.CodeBatch{}
	for rows.Next() {
		var b store.CodeBatch
		var expires, revoked sql.NullInt64
		var created int64
		if err := rows.Scan(&b.ID, &b.ReleaseID, &b.ArtistID, &b.Kind, &b.PercentOff, &b.OffCents, &b.Label, &b.Count,
			&expires, &revoked, &created, &b.Redeemed); err != nil {
			return nil, err
		}
		b.ExpiresAt, b.RevokedAt, b.CreatedAt = nullMillis(expires), nullMillis(revoked), fromMillis(created)
		out = append(out, b)
	}
	return out, rows.Err()
}

func optMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return millis(*t)
}

func nullMillis(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}
