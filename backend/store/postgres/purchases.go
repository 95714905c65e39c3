package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// InsertIdempotencyKey implements store.Tx. A twin key inserted by another
// transaction waits for it, then is ErrConflict if it committed; the
// transaction stays usable after the conflict.
func (t *tx) InsertIdempotencyKey(ctx context.Context, k store.IdempotencyKey) error {
	tag, err := t.tx.Exec(ctx, `INSERT INTO idempotency_keys (fan_id, key, request_hash, purchase_id, error_code, error_message, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		k.FanID, k.Key, k.RequestHash, nullID(k.PurchaseID), k.ErrCode, k.ErrMessage, ms(k.CreatedAt))
	return inserted("insert idempotency key", tag, err)
}

// InsertPurchase implements store.Tx: the sale and the tracks its buyer
// now owns, in one statement.
func (t *tx) InsertPurchase(ctx context.Context, s store.Sale) (int64, error) {
	pos, titles, shas := make([]int32, len(s.Tracks)), make([]string, len(s.Tracks)), make([]string, len(s.Tracks))
	for i, tr := range s.Tracks {
		pos[i], titles[i], shas[i] = int32(tr.Position), tr.Title, tr.AudioSHA256
	}
	payees := store.PayeesOf(s)
	accts, bps, cents := make([]int64, len(payees)), make([]int64, len(payees)), make([]int64, len(payees))
	for i, p := range payees {
		accts[i], bps[i], cents[i] = p.AccountID, p.Bps, p.Cents
	}
	var id int64
	err := t.tx.QueryRow(ctx, `WITH p AS (
			INSERT INTO purchases (fan_id, release_id, artist_id, gross_cents, creator_cents, platform_cents,
				fee_cents, rate_bps, currency, provider, payment_ref, share_email, created_at, gift_held)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $20
			WHERE $20 OR NOT EXISTS (SELECT 1 FROM purchases p WHERE p.fan_id = $1 AND p.release_id = $2 AND `+ownedSQL+`)
			RETURNING id),
		t AS (INSERT INTO purchase_tracks (purchase_id, position, title, audio_sha256)
			SELECT p.id, u.position, u.title, u.sha FROM p, unnest($14::int4[], $15::text[], $16::text[]) AS u(position, title, sha)),
		s AS (INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency, gross_cents, platform_cents, created_at)
			SELECT p.id, u.account, u.n - 1, u.bps, u.cents, $2, $9, $4, $6, $13
			FROM p, unnest($17::int8[], $18::int8[], $19::int8[]) WITH ORDINALITY AS u(account, bps, cents, n))
		SELECT id FROM p`,
		s.FanID, s.ReleaseID, s.ArtistID, s.Split.Gross, s.Split.Creator, s.Split.Platform, s.FeeCents, s.RateBps,
		s.Currency, s.Provider, s.PaymentRef, s.ShareEmail, ms(s.CreatedAt), pos, titles, shas, accts, bps, cents, s.Gift).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("insert purchase: the fan owns release %d already: %w", s.ReleaseID, store.ErrConflict)
	}
	return id, wrap("insert purchase", err)
}

// CompleteSale implements store.Tx in one statement: the receipt, the
// key's purchase and the journal entry.
func (t *tx) CompleteSale(ctx context.Context, c store.CompletedSale) error {
	if !c.Entry.Txn.Balanced() {
		return errors.New("ledger: refusing an unbalanced transaction")
	}
	accounts, currencies, amounts := postingColumns(c.Entry.Txn)
	_, err := t.tx.Exec(ctx, `WITH r AS (UPDATE purchases SET receipt = $1 WHERE id = $2),
			k AS (UPDATE idempotency_keys SET purchase_id = $2 WHERE fan_id = $3 AND key = $4),
			t AS (INSERT INTO ledger_txns (kind, purchase_id, created_at) VALUES ($5, $2, $6) RETURNING id)
		INSERT INTO postings (txn_id, account, currency, amount_cents)
		SELECT t.id, u.account, u.currency, u.amount FROM t, unnest($7::text[], $8::text[], $9::int8[]) AS u(account, currency, amount)`,
		c.Receipt, c.PurchaseID, c.FanID, c.Key, c.Entry.Kind, ms(c.Entry.At), accounts, currencies, amounts)
	return wrap("complete sale", err)
}

// InsertRefund implements store.Tx; the refund takes its sale's creator
// and currency. ErrNotFound if there is no such sale.
func (t *tx) InsertRefund(ctx context.Context, r store.RefundRecord) (int64, error) {
	var id int64
	accts, cents := make([]int64, len(r.Parts)), make([]int64, len(r.Parts))
	for i, p := range r.Parts {
		accts[i], cents[i] = p.AccountID, p.Cents
	}
	// No parts: the whole creator side is the sale's artist's.
	err := t.tx.QueryRow(ctx, `WITH f AS (
			INSERT INTO refunds (purchase_id, artist_id, currency, amount_cents, creator_cents, platform_cents, refunded_by,
				provider_ref, reversed_cents, created_at)
			SELECT p.id, p.artist_id, p.currency, $2, $3, $4, $5, $6, $7, $8 FROM purchases p WHERE p.id = $1
			RETURNING id, artist_id, currency),
		x AS (INSERT INTO refund_shares (refund_id, purchase_id, account_id, cents, amount_cents, currency, created_at)
			SELECT f.id, $1, u.account, u.cents, $2, f.currency, $8
			FROM f, unnest(CASE WHEN cardinality($9::int8[]) = 0 THEN ARRAY[f.artist_id] ELSE $9::int8[] END,
				CASE WHEN cardinality($10::int8[]) = 0 THEN ARRAY[$3::int8] ELSE $10::int8[] END) AS u(account, cents))
		SELECT id FROM f`,
		r.PurchaseID, r.Split.Gross, r.Split.Creator, r.Split.Platform, nullID(r.RefundedBy), r.ProviderRef, r.Reversed, ms(r.CreatedAt),
		accts, cents).Scan(&id)
	return id, wrap("insert refund", err)
}

// InsertFollow implements store.Tx.
func (t *tx) InsertFollow(ctx context.Context, fanID, artistID int64, now time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO follows (fan_id, artist_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		fanID, artistID, ms(now))
	return wrap("follow", err)
}

// Follows implements store.Reader.
func (r reader) Follows(ctx context.Context, fanID, artistID int64) (bool, error) {
	var yes bool
	err := r.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM follows WHERE fan_id = $1 AND artist_id = $2)`, fanID, artistID).Scan(&yes)
	return yes, wrap("follows", err)
}

// DeleteFollow implements store.Tx.
func (t *tx) DeleteFollow(ctx context.Context, fanID, artistID int64) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM follows WHERE fan_id = $1 AND artist_id = $2`, fanID, artistID)
	return wrap("unfollow", err)
}

// IdempotencyKey implements store.Reader.
func (r reader) IdempotencyKey(ctx context.Context, fanID int64, key string) (*store.IdempotencyKey, error) {
	k := store.IdempotencyKey{FanID: fanID, Key: key}
	var purchase *int64
	err := r.q.QueryRow(ctx, `SELECT request_hash, purchase_id, error_code, error_message, created_at FROM idempotency_keys
		WHERE fan_id = $1 AND key = $2`, fanID, key).Scan(&k.RequestHash, &purchase, &k.ErrCode, &k.ErrMessage, &k.CreatedAt)
	if err != nil {
		return nil, wrap("idempotency key", err)
	}
	if purchase != nil {
		k.PurchaseID = *purchase
	}
	k.CreatedAt = k.CreatedAt.UTC()
	return &k, nil
}

// refundedSQL sums the refunds of purchase p.
const refundedSQL = `(SELECT COALESCE(SUM(f.amount_cents), 0) FROM refunds f WHERE f.purchase_id = p.id)`

// Purchase implements store.Reader.
func (r reader) Purchase(ctx context.Context, id int64) (*api.Purchase, error) {
	var p api.Purchase
	err := r.q.QueryRow(ctx, `SELECT p.id, p.release_id, p.gross_cents, p.creator_cents, p.platform_cents, p.currency, p.receipt, p.created_at,
		`+refundedSQL+` FROM purchases p WHERE p.id = $1`, id).
		Scan(&p.ID, &p.ReleaseID, &p.GrossCents, &p.CreatorCents, &p.PlatformCents, &p.Currency, &p.Receipt, &p.CreatedAt, &p.RefundedCents)
	if err != nil {
		return nil, wrap("purchase", err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

// Sale implements store.Reader.
func (r reader) Sale(ctx context.Context, purchaseID int64) (*store.SaleRecord, error) {
	var s store.SaleRecord
	err := r.q.QueryRow(ctx, `SELECT id, artist_id, gross_cents, creator_cents, platform_cents, rate_bps, currency, provider, payment_ref,
			EXISTS (SELECT 1 FROM disputes d WHERE d.purchase_id = purchases.id AND d.open)
		FROM purchases WHERE id = $1`, purchaseID).
		Scan(&s.ID, &s.ArtistID, &s.Split.Gross, &s.Split.Creator, &s.Split.Platform, &s.RateBps, &s.Currency, &s.Provider, &s.PaymentRef, &s.Disputed)
	if err != nil {
		return nil, wrap("sale", err)
	}
	return &s, nil
}

// Refunded implements store.Reader.
func (r reader) Refunded(ctx context.Context, purchaseID int64) (ledger.Split, error) {
	var s ledger.Split
	err := r.q.QueryRow(ctx, `SELECT COALESCE(SUM(amount_cents), 0), COALESCE(SUM(creator_cents), 0), COALESCE(SUM(platform_cents), 0)
		FROM refunds WHERE purchase_id = $1`, purchaseID).Scan(&s.Gross, &s.Creator, &s.Platform)
	return s, wrap("refunded", err)
}

// Library implements store.Reader.
func (r reader) Library(ctx context.Context, fanID int64) ([]api.LibraryItem, error) {
	rows, err := r.q.Query(ctx, `SELECT p.id, p.release_id, p.gross_cents, p.currency, p.created_at, p.receipt FROM purchases p
		WHERE p.fan_id = $1 AND `+ownedSQL+` ORDER BY p.id DESC`, fanID)
	if err != nil {
		return nil, wrap("library", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.LibraryItem, error) {
		var it api.LibraryItem
		err := row.Scan(&it.PurchaseID, &it.Release.ID, &it.GrossCents, &it.Currency, &it.PurchasedAt, &it.Receipt)
		it.PurchasedAt = it.PurchasedAt.UTC()
		return it, err
	})
	return items, wrap("library", err)
}

// SaleShares implements store.Reader.
func (r reader) SaleShares(ctx context.Context, purchaseID int64) ([]store.SaleShare, error) {
	rows, err := r.q.Query(ctx, `SELECT s.account_id, s.bps, s.cents,
			(SELECT COALESCE(SUM(x.cents), 0) FROM refund_shares x WHERE x.purchase_id = s.purchase_id AND x.account_id = s.account_id)::int8
		FROM sale_shares s WHERE s.purchase_id = $1 ORDER BY s.position`, purchaseID)
	if err != nil {
		return nil, wrap("sale shares", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.SaleShare, error) {
		var p store.SaleShare
		return p, row.Scan(&p.AccountID, &p.Bps, &p.Cents, &p.Refunded)
	})
	return out, wrap("sale shares", err)
}

// PurchaseTracks implements store.Reader.
func (r reader) PurchaseTracks(ctx context.Context, purchaseID int64) (int64, []api.ManifestTrack, error) {
	var fan int64
	if err := r.q.QueryRow(ctx, `SELECT CASE WHEN gift_held THEN 0 ELSE fan_id END FROM purchases WHERE id = $1`, purchaseID).Scan(&fan); err != nil {
		return 0, nil, wrap("purchase", err)
	}
	rows, err := r.q.Query(ctx, `SELECT position, title, audio_sha256 FROM purchase_tracks WHERE purchase_id = $1 ORDER BY position`, purchaseID)
	if err != nil {
		return 0, nil, wrap("purchase tracks", err)
	}
	tracks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.ManifestTrack, error) {
		var t api.ManifestTrack
		return t, row.Scan(&t.Position, &t.Title, &t.AudioSHA256)
	})
	return fan, tracks, wrap("purchase tracks", err)
}
