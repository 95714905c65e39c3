package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// AnonymizeAccount implements store.Tx.
func (t *tx) AnonymizeAccount(ctx context.Context, id int64, now time.Time) error {
	var email string
	err := t.tx.QueryRowContext(ctx, `SELECT email FROM accounts WHERE id = ? AND deleted_at IS NULL`, id).Scan(&email)
	if err != nil {
		return none(err)
	}
	steps := []struct {
		query string
		args  []any
	}{
		{`UPDATE accounts SET email = ?, password_hash = '', display_name = ?, bio = '', links = '[]', picture_sha256 = '',
			handle = NULL, public_collection = 0, deleted_at = ? WHERE id = ?`, []any{store.DeletedEmail(id), store.DeletedName, millis(now), id}},
		{`DELETE FROM sessions WHERE account_id = ?`, []any{id}},
		{`DELETE FROM follows WHERE fan_id = ? OR artist_id = ?`, []any{id, id}},
		{`DELETE FROM mail_prefs WHERE fan_id = ? OR artist_id = ?`, []any{id, id}},
		{`UPDATE purchases SET share_email = 0 WHERE fan_id = ? AND share_email != 0`, []any{id}},
		{`DELETE FROM announcements WHERE artist_id = ?`, []any{id}},
		{`DELETE FROM mail_outbox WHERE state = 'queued' AND to_addr = ? COLLATE NOCASE`, []any{email}},
	}
	for _, s := range steps {
		if err := t.exec(ctx, s.query, s.args...); err != nil {
			return fmt.Errorf("anonymize account: %w", err)
		}
	}
	return nil
}

// AccountDeletedAt implements store.Reader.
func (r reader) AccountDeletedAt(ctx context.Context, id int64) (time.Time, error) {
	var at sql.NullInt64
	if err := r.q.QueryRowContext(ctx, `SELECT deleted_at FROM accounts WHERE id = ?`, id).Scan(&at); err != nil {
		return time.Time{}, none(err)
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return fromMillis(at.Int64), nil
}

// AccountSessions implements store.Reader.
func (r reader) AccountSessions(ctx context.Context, id int64) ([]store.SessionRecord, error) {
	return scanAll(ctx, r.q, `SELECT id, created_at, expires_at FROM sessions WHERE account_id = ? ORDER BY id`, []any{id},
		func(rows *sql.Rows) (s store.SessionRecord, err error) {
			var created, expires int64
			err = rows.Scan(&s.ID, &created, &expires)
			s.CreatedAt, s.ExpiresAt = fromMillis(created), fromMillis(expires)
			return s, err
		})
}

// FollowRecords implements store.Reader.
func (r reader) FollowRecords(ctx context.Context, fanID int64) ([]store.FollowRecord, error) {
	return scanAll(ctx, r.q, `SELECT f.artist_id, a.display_name, COALESCE(a.handle, ''), f.created_at
		FROM follows f JOIN accounts a ON a.id = f.artist_id WHERE f.fan_id = ? ORDER BY f.created_at, f.artist_id`, []any{fanID},
		func(rows *sql.Rows) (f store.FollowRecord, err error) {
			var created int64
			err = rows.Scan(&f.ArtistID, &f.ArtistName, &f.Handle, &created)
			f.CreatedAt = fromMillis(created)
			return f, err
		})
}

// MailPrefRecords implements store.Reader.
func (r reader) MailPrefRecords(ctx context.Context, fanID int64) ([]store.MailPrefRecord, error) {
	return scanAll(ctx, r.q, `SELECT artist_id, email, share_email, updated_at FROM mail_prefs WHERE fan_id = ? ORDER BY artist_id`, []any{fanID},
		func(rows *sql.Rows) (p store.MailPrefRecord, err error) {
			var updated int64
			err = rows.Scan(&p.ArtistID, &p.Email, &p.ShareEmail, &updated)
			p.UpdatedAt = fromMillis(updated)
			return p, err
		})
}

// PurchaseRecords implements store.Reader.
func (r reader) PurchaseRecords(ctx context.Context, fanID, after int64, limit int) ([]store.PurchaseRecord, error) {
	return scanAll(ctx, r.q, `SELECT p.id, p.release_id, p.artist_id, r.title, p.gross_cents, p.fee_cents, p.creator_cents, p.platform_cents,
			(SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id), p.currency, p.provider, p.share_email,
			p.gift_held, p.receipt, p.created_at
		FROM purchases p JOIN releases r ON r.id = p.release_id WHERE p.fan_id = ? AND p.id > ? ORDER BY p.id LIMIT ?`, []any{fanID, after, limit},
		func(rows *sql.Rows) (p store.PurchaseRecord, err error) {
			var created int64
			err = rows.Scan(&p.ID, &p.ReleaseID, &p.ArtistID, &p.ReleaseTitle, &p.GrossCents, &p.FeeCents, &p.CreatorCents, &p.PlatformCents,
				&p.RefundedCents, &p.Currency, &p.Provider, &p.ShareEmail, &p.Gift, &p.Receipt, &created)
			p.CreatedAt = fromMillis(created)
			return p, err
		})
}

// GiftsReceived implements store.Reader.
func (r reader) GiftsReceived(ctx context.Context, fanID int64) ([]store.Gift, error) {
	return scanAll(ctx, r.q, `SELECT `+giftColumns+giftFrom+`WHERE g.claimed_by = ? ORDER BY g.id`, []any{fanID},
		func(rows *sql.Rows) (store.Gift, error) {
			g, err := scanGift(rows)
			if err != nil {
				return store.Gift{}, err
			}
			return *g, nil
		})
}

// Redemptions implements store.Reader.
func (r reader) Redemptions(ctx context.Context, fanID int64) ([]store.Redemption, error) {
	return scanAll(ctx, r.q, `SELECT c.id, b.id, b.release_id, b.kind, COALESCE(c.purchase_id, 0), c.redeemed_at
		FROM codes c JOIN code_batches b ON b.id = c.batch_id WHERE c.redeemed_by = ? AND c.redeemed_at IS NOT NULL ORDER BY c.redeemed_at, c.id`, []any{fanID},
		func(rows *sql.Rows) (x store.Redemption, err error) {
			var at int64
			err = rows.Scan(&x.CodeID, &x.BatchID, &x.ReleaseID, &x.Kind, &x.PurchaseID, &at)
			x.RedeemedAt = fromMillis(at)
			return x, err
		})
}

// OwnedBlobs implements store.Reader.
func (r reader) OwnedBlobs(ctx context.Context, id int64) ([]store.OwnedBlob, error) {
	return scanAll(ctx, r.q, `SELECT b.sha256, b.size, b.media_type, b.duration_ms, ab.created_at
		FROM account_blobs ab JOIN blobs b ON b.sha256 = ab.sha256 WHERE ab.account_id = ? ORDER BY ab.created_at, b.sha256`, []any{id},
		func(rows *sql.Rows) (b store.OwnedBlob, err error) {
			var since int64
			err = rows.Scan(&b.SHA256, &b.Size, &b.MediaType, &b.DurationMS, &since)
			b.OwnedSince = fromMillis(since)
			return b, err
		})
}

// Obligations implements store.Reader.
func (r reader) Obligations(ctx context.Context, id int64) (*store.Obligations, error) {
	o := &store.Obligations{Balances: map[string]int64{}}
	var err error
	scanID := func(rows *sql.Rows) (n int64, err error) { return n, rows.Scan(&n) }
	o.PublishedReleases, err = scanAll(ctx, r.q, `SELECT id FROM releases WHERE artist_id = ? AND state = 'published' ORDER BY id`, []any{id}, scanID)
	if err != nil {
		return nil, err
	}
	o.SharedReleases, err = scanAll(ctx, r.q, `SELECT DISTINCT r.id FROM release_shares s JOIN releases r ON r.id = s.release_id
		WHERE s.account_id = ? AND r.artist_id != ? AND r.state = 'published' ORDER BY r.id`, []any{id, id}, scanID)
	if err != nil {
		return nil, err
	}
	type owed struct {
		currency string
		cents    int64
	}
	balances, err := scanAll(ctx, r.q, `SELECT currency, -SUM(amount_cents) FROM postings WHERE account = ? GROUP BY currency HAVING -SUM(amount_cents) > 0 ORDER BY currency`,
		[]any{ledger.CreatorAccount(id)}, func(rows *sql.Rows) (b owed, err error) { return b, rows.Scan(&b.currency, &b.cents) })
	if err != nil {
		return nil, err
	}
	for _, b := range balances {
		o.Balances[b.currency] = b.cents
	}
	err = r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM payouts WHERE artist_id = ? AND state = 'pending'`, id).Scan(&o.PendingPayouts)
	return o, err
}

// scanAll runs a query and scans every row with scan; never nil.
func scanAll[T any](ctx context.Context, q queryer, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
