package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// AnonymizeAccount implements store.Tx.
func (t *tx) AnonymizeAccount(ctx context.Context, id int64, now time.Time) error {
	var email string
	err := t.tx.QueryRow(ctx, `SELECT email FROM accounts WHERE id = $1 AND deleted_at IS NULL`, id).Scan(&email)
	if err != nil {
		return wrap("anonymize account", err)
	}
	steps := []struct {
		query string
		args  []any
	}{
		{`UPDATE accounts SET email = $1, password_hash = '', display_name = $2, bio = '', links = '[]', picture_sha256 = '',
			handle = NULL, public_collection = false, deleted_at = $3 WHERE id = $4`, []any{store.DeletedEmail(id), store.DeletedName, ms(now), id}},
		{`DELETE FROM sessions WHERE account_id = $1`, []any{id}},
		{`DELETE FROM follows WHERE fan_id = $1 OR artist_id = $1`, []any{id}},
		{`DELETE FROM mail_prefs WHERE fan_id = $1 OR artist_id = $1`, []any{id}},
		{`UPDATE purchases SET share_email = false WHERE fan_id = $1 AND share_email`, []any{id}},
		{`DELETE FROM announcements WHERE artist_id = $1`, []any{id}},
		{`DELETE FROM mail_outbox WHERE state = 'queued' AND lower(to_addr) = lower($1)`, []any{email}},
	}
	for _, s := range steps {
		if _, err := t.tx.Exec(ctx, s.query, s.args...); err != nil {
			return wrap("anonymize account", err)
		}
	}
	return nil
}

// AccountDeletedAt implements store.Reader.
func (r reader) AccountDeletedAt(ctx context.Context, id int64) (time.Time, error) {
	var at *time.Time
	if err := r.q.QueryRow(ctx, `SELECT deleted_at FROM accounts WHERE id = $1`, id).Scan(&at); err != nil {
		return time.Time{}, wrap("account deleted at", err)
	}
	if at == nil {
		return time.Time{}, nil
	}
	return at.UTC(), nil
}

// AccountSessions implements store.Reader.
func (r reader) AccountSessions(ctx context.Context, id int64) ([]store.SessionRecord, error) {
	return scanAll(ctx, r.q, "sessions", `SELECT id, created_at, expires_at FROM sessions WHERE account_id = $1 ORDER BY id`, []any{id},
		func(row pgx.CollectableRow) (s store.SessionRecord, err error) {
			err = row.Scan(&s.ID, &s.CreatedAt, &s.ExpiresAt)
			s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
			return s, err
		})
}

// FollowRecords implements store.Reader.
func (r reader) FollowRecords(ctx context.Context, fanID int64) ([]store.FollowRecord, error) {
	return scanAll(ctx, r.q, "follows", `SELECT f.artist_id, a.display_name, COALESCE(a.handle, ''), f.created_at
		FROM follows f JOIN accounts a ON a.id = f.artist_id WHERE f.fan_id = $1 ORDER BY f.created_at, f.artist_id`, []any{fanID},
		func(row pgx.CollectableRow) (f store.FollowRecord, err error) {
			err = row.Scan(&f.ArtistID, &f.ArtistName, &f.Handle, &f.CreatedAt)
			f.CreatedAt = f.CreatedAt.UTC()
			return f, err
		})
}

// MailPrefRecords implements store.Reader.
func (r reader) MailPrefRecords(ctx context.Context, fanID int64) ([]store.MailPrefRecord, error) {
	return scanAll(ctx, r.q, "mail prefs", `SELECT artist_id, email, share_email, updated_at FROM mail_prefs WHERE fan_id = $1 ORDER BY artist_id`, []any{fanID},
		func(row pgx.CollectableRow) (p store.MailPrefRecord, err error) {
			err = row.Scan(&p.ArtistID, &p.Email, &p.ShareEmail, &p.UpdatedAt)
			p.UpdatedAt = p.UpdatedAt.UTC()
			return p, err
		})
}

// PurchaseRecords implements store.Reader.
func (r reader) PurchaseRecords(ctx context.Context, fanID, after int64, limit int) ([]store.PurchaseRecord, error) {
	return scanAll(ctx, r.q, "purchases", `SELECT p.id, p.release_id, p.artist_id, r.title, p.gross_cents, p.fee_cents, p.creator_cents, p.platform_cents,
			(SELECT COALESCE(SUM(f.amount_cents), 0) FROM refunds f WHERE f.purchase_id = p.id)::int8, p.currency, p.provider, p.share_email,
			p.gift_held, p.receipt, p.created_at
		FROM purchases p JOIN releases r ON r.id = p.release_id WHERE p.fan_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3`, []any{fanID, after, limit},
		func(row pgx.CollectableRow) (p store.PurchaseRecord, err error) {
			err = row.Scan(&p.ID, &p.ReleaseID, &p.ArtistID, &p.ReleaseTitle, &p.GrossCents, &p.FeeCents, &p.CreatorCents, &p.PlatformCents,
				&p.RefundedCents, &p.Currency, &p.Provider, &p.ShareEmail, &p.Gift, &p.Receipt, &p.CreatedAt)
			p.CreatedAt = p.CreatedAt.UTC()
			return p, err
		})
}

// GiftsReceived implements store.Reader.
func (r reader) GiftsReceived(ctx context.Context, fanID int64) ([]store.Gift, error) {
	return scanAll(ctx, r.q, "gifts received", `SELECT `+giftColumns+giftFrom+`WHERE g.claimed_by = $1 ORDER BY g.id`, []any{fanID},
		func(row pgx.CollectableRow) (store.Gift, error) {
			g, err := scanGift(row)
			if err != nil {
				return store.Gift{}, err
			}
			return *g, nil
		})
}

// Redemptions implements store.Reader.
func (r reader) Redemptions(ctx context.Context, fanID int64) ([]store.Redemption, error) {
	return scanAll(ctx, r.q, "redemptions", `SELECT c.id, b.id, b.release_id, b.kind, COALESCE(c.purchase_id, 0), c.redeemed_at
		FROM codes c JOIN code_batches b ON b.id = c.batch_id WHERE c.redeemed_by = $1 AND c.redeemed_at IS NOT NULL ORDER BY c.redeemed_at, c.id`, []any{fanID},
		func(row pgx.CollectableRow) (x store.Redemption, err error) {
			err = row.Scan(&x.CodeID, &x.BatchID, &x.ReleaseID, &x.Kind, &x.PurchaseID, &x.RedeemedAt)
			x.RedeemedAt = x.RedeemedAt.UTC()
			return x, err
		})
}

// OwnedBlobs implements store.Reader.
func (r reader) OwnedBlobs(ctx context.Context, id int64) ([]store.OwnedBlob, error) {
	return scanAll(ctx, r.q, "owned blobs", `SELECT b.sha256, b.size, b.media_type, b.duration_ms, ab.created_at
		FROM account_blobs ab JOIN blobs b ON b.sha256 = ab.sha256 WHERE ab.account_id = $1 ORDER BY ab.created_at, b.sha256`, []any{id},
		func(row pgx.CollectableRow) (b store.OwnedBlob, err error) {
			err = row.Scan(&b.SHA256, &b.Size, &b.MediaType, &b.DurationMS, &b.OwnedSince)
			b.OwnedSince = b.OwnedSince.UTC()
			return b, err
		})
}

// Obligations implements store.Reader.
func (r reader) Obligations(ctx context.Context, id int64) (*store.Obligations, error) {
	o := &store.Obligations{Balances: map[string]int64{}}
	var err error
	scanID := func(row pgx.CollectableRow) (n int64, err error) { return n, row.Scan(&n) }
	o.PublishedReleases, err = scanAll(ctx, r.q, "obligations", `SELECT id FROM releases WHERE artist_id = $1 AND state = 'published' ORDER BY id`, []any{id}, scanID)
	if err != nil {
		return nil, err
	}
	o.SharedReleases, err = scanAll(ctx, r.q, "obligations", `SELECT DISTINCT r.id FROM release_shares s JOIN releases r ON r.id = s.release_id
		WHERE s.account_id = $1 AND r.artist_id != $1 AND r.state = 'published' ORDER BY r.id`, []any{id}, scanID)
	if err != nil {
		return nil, err
	}
	type owed struct {
		currency string
		cents    int64
	}
	balances, err := scanAll(ctx, r.q, "obligations", `SELECT currency, (-SUM(amount_cents))::int8 FROM postings WHERE account = $1
		GROUP BY currency HAVING -SUM(amount_cents) > 0 ORDER BY currency`, []any{ledger.CreatorAccount(id)},
		func(row pgx.CollectableRow) (b owed, err error) { return b, row.Scan(&b.currency, &b.cents) })
	if err != nil {
		return nil, err
	}
	for _, b := range balances {
		o.Balances[b.currency] = b.cents
	}
	err = r.q.QueryRow(ctx, `SELECT COUNT(*) FROM payouts WHERE artist_id = $1 AND state = 'pending'`, id).Scan(&o.PendingPayouts)
	return o, wrap("obligations", err)
}

// scanAll runs a query and scans every row with scan; never nil.
func scanAll[T any](ctx context.Context, q querier, what, query string, args []any, scan pgx.RowToFunc[T]) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, wrap(what, err)
	}
	out, err := pgx.CollectRows(rows, scan)
	if out == nil {
		out = []T{}
	}
	return out, wrap(what, err)
}
