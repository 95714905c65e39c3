package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/store"
)

const checkoutColumns = `id, fan_id, release_id, artist_id, idempotency_key, request_hash, amount_cents, currency, share_email,
	provider, session_ref, url, state, COALESCE(purchase_id, 0), error, created_at, expires_at, return_url`

// InsertCheckout implements store.Tx; a taken key is ErrConflict and
// leaves the transaction usable.
func (t *tx) InsertCheckout(ctx context.Context, c store.Checkout) error {
	tag, err := t.tx.Exec(ctx, `INSERT INTO checkouts (id, fan_id, release_id, artist_id, idempotency_key, request_hash, amount_cents,
		currency, share_email, provider, session_ref, url, state, error, created_at, expires_at, return_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING`,
		c.ID, c.FanID, c.ReleaseID, c.ArtistID, c.Key, c.RequestHash, c.AmountCents, c.Currency, c.ShareEmail,
		c.Provider, c.SessionRef, c.URL, c.State, c.Error, ms(c.CreatedAt), ms(c.ExpiresAt), c.ReturnURL)
	return inserted("insert checkout", tag, err)
}

// CloseCheckout implements store.Tx.
func (t *tx) CloseCheckout(ctx context.Context, id, state string, purchaseID int64, why string) error {
	tag, err := t.tx.Exec(ctx, `UPDATE checkouts SET state = $1, purchase_id = $2, error = $3 WHERE id = $4 AND state = 'open'`,
		state, nullID(purchaseID), why, id)
	return affected("close checkout", tag, err)
}

// InsertPaymentEvent implements store.Tx.
func (t *tx) InsertPaymentEvent(ctx context.Context, provider, eventID, eventType string, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `INSERT INTO payment_events (provider, event_id, type, received_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, provider, eventID, eventType, ms(at))
	return inserted("insert payment event", tag, err)
}

// InsertDispute implements store.Tx.
func (t *tx) InsertDispute(ctx context.Context, d store.Dispute) error {
	tag, err := t.tx.Exec(ctx, `INSERT INTO disputes (provider, ref, purchase_id, amount_cents, status, open, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		d.Provider, d.Ref, d.PurchaseID, d.AmountCents, d.Status, d.Open, ms(d.CreatedAt))
	return inserted("insert dispute", tag, err)
}

// CloseDispute implements store.Tx.
func (t *tx) CloseDispute(ctx context.Context, provider, ref, status string, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE disputes SET status = $1, open = false, closed_at = $2 WHERE provider = $3 AND ref = $4`,
		status, ms(at), provider, ref)
	return affected("close dispute", tag, err)
}

// Checkout implements store.Reader.
func (r reader) Checkout(ctx context.Context, id string) (*store.Checkout, error) {
	return r.checkout(ctx, `WHERE id = $1`, id)
}

// CheckoutByKey implements store.Reader.
func (r reader) CheckoutByKey(ctx context.Context, fanID int64, key string) (*store.Checkout, error) {
	return r.checkout(ctx, `WHERE fan_id = $1 AND idempotency_key = $2`, fanID, key)
}

// CheckoutBySession implements store.Reader.
func (r reader) CheckoutBySession(ctx context.Context, provider, sessionRef string) (*store.Checkout, error) {
	return r.checkout(ctx, `WHERE provider = $1 AND session_ref = $2`, provider, sessionRef)
}

func (r reader) checkout(ctx context.Context, where string, args ...any) (*store.Checkout, error) {
	var c store.Checkout
	err := r.q.QueryRow(ctx, `SELECT `+checkoutColumns+` FROM checkouts `+where, args...).Scan(
		&c.ID, &c.FanID, &c.ReleaseID, &c.ArtistID, &c.Key, &c.RequestHash, &c.AmountCents, &c.Currency, &c.ShareEmail,
		&c.Provider, &c.SessionRef, &c.URL, &c.State, &c.PurchaseID, &c.Error, &c.CreatedAt, &c.ExpiresAt, &c.ReturnURL)
	if err != nil {
		return nil, wrap("checkout", err)
	}
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return &c, nil
}

// SaleByPaymentRef implements store.Reader.
func (r reader) SaleByPaymentRef(ctx context.Context, provider, chargeRef string) (int64, error) {
	var id int64
	err := r.q.QueryRow(ctx, `SELECT id FROM purchases WHERE provider = $1 AND payment_ref = $2 ORDER BY id LIMIT 1`,
		provider, chargeRef).Scan(&id)
	return id, wrap("sale by payment", err)
}

// Dispute implements store.Reader.
func (r reader) Dispute(ctx context.Context, provider, ref string) (*store.Dispute, error) {
	d := store.Dispute{Provider: provider, Ref: ref}
	err := r.q.QueryRow(ctx, `SELECT purchase_id, amount_cents, status, open, created_at FROM disputes WHERE provider = $1 AND ref = $2`,
		provider, ref).Scan(&d.PurchaseID, &d.AmountCents, &d.Status, &d.Open, &d.CreatedAt)
	if err != nil {
		return nil, wrap("dispute", err)
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return &d, nil
}

// disputedSQL sums the creator money of account $1's sales in currency
// $2 under an open dispute, from the open disputes (few), not from the
// account's sales.
const disputedSQL = `SELECT COALESCE(SUM(s.cents
		- (SELECT COALESCE(SUM(x.cents), 0) FROM refund_shares x WHERE x.purchase_id = s.purchase_id AND x.account_id = s.account_id)), 0)::int8
	FROM sale_shares s WHERE s.purchase_id IN (SELECT purchase_id FROM disputes WHERE open) AND s.account_id = $1 AND s.currency = $2`

// Disputed implements store.Reader.
func (r reader) Disputed(ctx context.Context, artistID int64, currency string) (int64, error) {
	var cents int64
	err := r.q.QueryRow(ctx, disputedSQL, artistID, currency).Scan(&cents)
	return cents, wrap("disputed", err)
}

// SetPaymentAccount implements store.Tx.
func (t *tx) SetPaymentAccount(ctx context.Context, a store.PaymentAccount) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO payment_accounts (account_id, provider, ref, charges_enabled, payouts_enabled, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, provider) DO UPDATE SET ref = excluded.ref,
		charges_enabled = excluded.charges_enabled, payouts_enabled = excluded.payouts_enabled, updated_at = excluded.updated_at`,
		a.AccountID, a.Provider, a.Ref, a.ChargesEnabled, a.PayoutsEnabled, ms(a.UpdatedAt))
	return wrap("set payment account", err)
}

// PaymentAccount implements store.Reader.
func (r reader) PaymentAccount(ctx context.Context, accountID int64, provider string) (*store.PaymentAccount, error) {
	return r.paymentAccount(ctx, `account_id = $1 AND provider = $2`, accountID, provider)
}

// PaymentAccountByRef implements store.Reader.
func (r reader) PaymentAccountByRef(ctx context.Context, provider, ref string) (*store.PaymentAccount, error) {
	return r.paymentAccount(ctx, `provider = $1 AND ref = $2`, provider, ref)
}

func (r reader) paymentAccount(ctx context.Context, where string, args ...any) (*store.PaymentAccount, error) {
	var a store.PaymentAccount
	err := r.q.QueryRow(ctx, `SELECT account_id, provider, ref, charges_enabled, payouts_enabled, updated_at
		FROM payment_accounts WHERE `+where, args...).Scan(&a.AccountID, &a.Provider, &a.Ref, &a.ChargesEnabled, &a.PayoutsEnabled, &a.UpdatedAt)
	if err != nil {
		return nil, wrap("payment account", err)
	}
	a.UpdatedAt = a.UpdatedAt.UTC()
	return &a, nil
}

// Movements implements store.Reader.
func (r reader) Movements(ctx context.Context, provider string, since time.Time) ([]store.Movement, error) {
	rows, err := r.q.Query(ctx, `SELECT * FROM (
			SELECT 'sale' AS kind, id, payment_ref, gross_cents, fee_cents, creator_cents, NULL::int8 AS reversed, currency, created_at
			FROM purchases WHERE provider = $1 AND created_at >= $2 AND gross_cents > 0
			UNION ALL
			SELECT 'refund', f.id, f.provider_ref, f.amount_cents, 0, f.creator_cents, f.reversed_cents, p.currency, f.created_at
			FROM refunds f JOIN purchases p ON p.id = f.purchase_id WHERE p.provider = $1 AND f.created_at >= $2) x
		ORDER BY created_at, kind DESC, id`, provider, ms(since))
	if err != nil {
		return nil, wrap("movements", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Movement, error) {
		var m store.Movement
		err := row.Scan(&m.Kind, &m.ID, &m.Ref, &m.AmountCents, &m.FeeCents, &m.Creator, &m.Reversed, &m.Currency, &m.At)
		m.At = m.At.UTC()
		return m, err
	})
	return out, wrap("movements", err)
}

// InsertTransfer implements store.Tx.
func (t *tx) InsertTransfer(ctx context.Context, tr store.Transfer) error {
	tag, err := t.tx.Exec(ctx, `INSERT INTO transfers (purchase_id, account_id, ref, cents, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, tr.PurchaseID, tr.AccountID, tr.Ref, tr.Cents, ms(tr.CreatedAt))
	return inserted("insert transfer", tag, err)
}

// Transfers implements store.Reader.
func (r reader) Transfers(ctx context.Context, purchaseID int64) ([]store.Transfer, error) {
	rows, err := r.q.Query(ctx, `SELECT account_id, ref, cents, created_at FROM transfers WHERE purchase_id = $1 ORDER BY account_id`, purchaseID)
	if err != nil {
		return nil, wrap("transfers", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Transfer, error) {
		tr := store.Transfer{PurchaseID: purchaseID}
		err := row.Scan(&tr.AccountID, &tr.Ref, &tr.Cents, &tr.CreatedAt)
		tr.CreatedAt = tr.CreatedAt.UTC()
		return tr, err
	})
	return out, wrap("transfers", err)
}
