package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

const checkoutColumns = `id, fan_id, release_id, artist_id, idempotency_key, request_hash, amount_cents, currency, share_email,
	provider, session_ref, url, state, COALESCE(purchase_id, 0), error, created_at, expires_at, return_url`

// InsertCheckout implements store.Tx.
func (t *tx) InsertCheckout(ctx context.Context, c store.Checkout) error {
	_, err := t.insert(ctx, `INSERT INTO checkouts (id, fan_id, release_id, artist_id, idempotency_key, request_hash, amount_cents,
		currency, share_email, provider, session_ref, url, state, error, created_at, expires_at, return_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.FanID, c.ReleaseID, c.ArtistID, c.Key, c.RequestHash, c.AmountCents, c.Currency, c.ShareEmail,
		c.Provider, c.SessionRef, c.URL, c.State, c.Error, millis(c.CreatedAt), millis(c.ExpiresAt), c.ReturnURL)
	return err
}

// CloseCheckout implements store.Tx.
func (t *tx) CloseCheckout(ctx context.Context, id, state string, purchaseID int64, why string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE checkouts SET state = ?, purchase_id = ?, error = ? WHERE id = ? AND state = 'open'`,
		state, nullID(purchaseID), why, id)
	return changed(res, err)
}

// InsertPaymentEvent implements store.Tx.
func (t *tx) InsertPaymentEvent(ctx context.Context, provider, eventID, eventType string, at time.Time) error {
	_, err := t.insert(ctx, `INSERT INTO payment_events (provider, event_id, type, received_at) VALUES (?, ?, ?, ?)`,
		provider, eventID, eventType, millis(at))
	return err
}

// InsertDispute implements store.Tx.
func (t *tx) InsertDispute(ctx context.Context, d store.Dispute) error {
	_, err := t.insert(ctx, `INSERT INTO disputes (provider, ref, purchase_id, amount_cents, status, open, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, d.Provider, d.Ref, d.PurchaseID, d.AmountCents, d.Status, d.Open, millis(d.CreatedAt))
	return err
}

// CloseDispute implements store.Tx.
func (t *tx) CloseDispute(ctx context.Context, provider, ref, status string, at time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE disputes SET status = ?, open = 0, closed_at = ? WHERE provider = ? AND ref = ?`,
		status, millis(at), provider, ref)
	return changed(res, err)
}

// changed turns an UPDATE that matched no row into store.ErrNotFound.
func changed(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// Checkout implements store.Reader.
func (r reader) Checkout(ctx context.Context, id string) (*store.Checkout, error) {
	return r.checkout(ctx, `WHERE id = ?`, id)
}

// CheckoutByKey implements store.Reader.
func (r reader) CheckoutByKey(ctx context.Context, fanID int64, key string) (*store.Checkout, error) {
	return r.checkout(ctx, `WHERE fan_id = ? AND idempotency_key = ?`, fanID, key)
}

// CheckoutBySession implements store.Reader.
func (r reader) CheckoutBySession(ctx context.Context, provider, sessionRef string) (*store.Checkout, error) {
	return r.checkout(ctx, `WHERE provider = ? AND session_ref = ?`, provider, sessionRef)
}

func (r reader) checkout(ctx context.Context, where string, args ...any) (*store.Checkout, error) {
	var c store.Checkout
	var created, expires int64
	err := r.q.QueryRowContext(ctx, `SELECT `+checkoutColumns+` FROM checkouts `+where, args...).Scan(
		&c.ID, &c.FanID, &c.ReleaseID, &c.ArtistID, &c.Key, &c.RequestHash, &c.AmountCents, &c.Currency, &c.ShareEmail,
		&c.Provider, &c.SessionRef, &c.URL, &c.State, &c.PurchaseID, &c.Error, &created, &expires, &c.ReturnURL)
	if err != nil {
		return nil, none(err)
	}
	c.CreatedAt, c.ExpiresAt = fromMillis(created), fromMillis(expires)
	return &c, nil
}

// SaleByPaymentRef implements store.Reader.
func (r reader) SaleByPaymentRef(ctx context.Context, provider, chargeRef string) (int64, error) {
	var id int64
	err := r.q.QueryRowContext(ctx, `SELECT id FROM purchases WHERE provider = ? AND payment_ref = ? ORDER BY id LIMIT 1`,
		provider, chargeRef).Scan(&id)
	return id, none(err)
}

// Dispute implements store.Reader.
func (r reader) Dispute(ctx context.Context, provider, ref string) (*store.Dispute, error) {
	d := store.Dispute{Provider: provider, Ref: ref}
	var created int64
	err := r.q.QueryRowContext(ctx, `SELECT purchase_id, amount_cents, status, open, created_at FROM disputes WHERE provider = ? AND ref = ?`,
		provider, ref).Scan(&d.PurchaseID, &d.AmountCents, &d.Status, &d.Open, &created)
	if err != nil {
		return nil, none(err)
	}
	d.CreatedAt = fromMillis(created)
	return &d, nil
}

// disputedSQL sums the creator money of account ?1's sales in currency
// ?2 under an open dispute, from the open disputes (few), not from the
// account's sales.
const disputedSQL = `SELECT COALESCE(SUM(s.cents
		- (SELECT COALESCE(SUM(x.cents), 0) FROM refund_shares x WHERE x.purchase_id = s.purchase_id AND x.account_id = s.account_id)), 0)
	FROM sale_shares s WHERE s.purchase_id IN (SELECT purchase_id FROM disputes WHERE open) AND s.account_id = ?1 AND s.currency = ?2`

// Disputed implements store.Reader.
func (r reader) Disputed(ctx context.Context, artistID int64, currency string) (int64, error) {
	var cents int64
	err := r.q.QueryRowContext(ctx, disputedSQL, artistID, currency).Scan(&cents)
	return cents, err
}

// SetPaymentAccount implements store.Tx.
func (t *tx) SetPaymentAccount(ctx context.Context, a store.PaymentAccount) error {
	_, err := t.insert(ctx, `INSERT INTO payment_accounts (account_id, provider, ref, charges_enabled, payouts_enabled, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, provider) DO UPDATE SET ref = excluded.ref,
		charges_enabled = excluded.charges_enabled, payouts_enabled = excluded.payouts_enabled, updated_at = excluded.updated_at`,
		a.AccountID, a.Provider, a.Ref, a.ChargesEnabled, a.PayoutsEnabled, millis(a.UpdatedAt))
	return err
}

// PaymentAccount implements store.Reader.
func (r reader) PaymentAccount(ctx context.Context, accountID int64, provider string) (*store.PaymentAccount, error) {
	return r.paymentAccount(ctx, `account_id = ? AND provider = ?`, accountID, provider)
}

// PaymentAccountByRef implements store.Reader.
func (r reader) PaymentAccountByRef(ctx context.Context, provider, ref string) (*store.PaymentAccount, error) {
	return r.paymentAccount(ctx, `provider = ? AND ref = ?`, provider, ref)
}

func (r reader) paymentAccount(ctx context.Context, where string, args ...any) (*store.PaymentAccount, error) {
	var a store.PaymentAccount
	var updated int64
	err := r.q.QueryRowContext(ctx, `SELECT account_id, provider, ref, charges_enabled, payouts_enabled, updated_at
		FROM payment_accounts WHERE `+where, args...).Scan(&a.AccountID, &a.Provider, &a.Ref, &a.ChargesEnabled, &a.PayoutsEnabled, &updated)
	if err != nil {
		return nil, none(err)
	}
	a.UpdatedAt = fromMillis(updated)
	return &a, nil
}

// Movements implements store.Reader.
func (r reader) Movements(ctx context.Context, provider string, since time.Time) ([]store.Movement, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT * FROM (
			SELECT 'sale', id, payment_ref, gross_cents, fee_cents, creator_cents, NULL, currency, created_at
			FROM purchases WHERE provider = ?1 AND created_at >= ?2 AND gross_cents > 0
			UNION ALL
			SELECT 'refund', f.id, f.provider_ref, f.amount_cents, 0, f.creator_cents, f.reversed_cents, p.currency, f.created_at
			FROM refunds f JOIN purchases p ON p.id = f.purchase_id WHERE p.provider = ?1 AND f.created_at >= ?2)
		ORDER BY 9, 1 DESC, 2`, provider, millis(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Movement
	for rows.Next() {
		var m store.Movement
		var at int64
		if err := rows.Scan(&m.Kind, &m.ID, &m.Ref, &m.AmountCents, &m.FeeCents, &m.Creator, &m.Reversed, &m.Currency, &at); err != nil {
			return nil, err
		}
		m.At = fromMillis(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// InsertTransfer implements store.Tx.
func (t *tx) InsertTransfer(ctx context.Context, tr store.Transfer) error {
	_, err := t.insert(ctx, `INSERT INTO transfers (purchase_id, account_id, ref, cents, created_at) VALUES (?, ?, ?, ?, ?)`,
		tr.PurchaseID, tr.AccountID, tr.Ref, tr.Cents, millis(tr.CreatedAt))
	return err
}

// Transfers implements store.Reader.
func (r reader) Transfers(ctx context.Context, purchaseID int64) ([]store.Transfer, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT account_id, ref, cents, created_at FROM transfers WHERE purchase_id = ? ORDER BY account_id`, purchaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Transfer
	for rows.Next() {
		tr := store.Transfer{PurchaseID: purchaseID}
		var at int64
		if err := rows.Scan(&tr.AccountID, &tr.Ref, &tr.Cents, &at); err != nil {
			return nil, err
		}
		tr.CreatedAt = fromMillis(at)
		out = append(out, tr)
	}
	return out, rows.Err()
}
