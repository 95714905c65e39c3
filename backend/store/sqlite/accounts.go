package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Account implements store.Reader.
func (r reader) Account(ctx context.Context, id int64) (*api.Account, error) {
	row := r.q.QueryRowContext(ctx, `SELECT id, email, display_name, creator, created_at FROM accounts WHERE id = ?`, id)
	var a api.Account
	var created int64
	if err := row.Scan(&a.ID, &a.Email, &a.DisplayName, &a.Creator, &created); err != nil {
		return nil, none(err)
	}
	a.CreatedAt = fromMillis(created)
	return &a, nil
}

// AccountByEmail implements store.Reader.
func (r reader) AccountByEmail(ctx context.Context, email string) (*api.Account, string, error) {
	var a api.Account
	var hash string
	var created int64
	err := r.q.QueryRowContext(ctx, `SELECT id, email, display_name, creator, created_at, password_hash FROM accounts WHERE email = ?`, email).
		Scan(&a.ID, &a.Email, &a.DisplayName, &a.Creator, &created, &hash)
	if err != nil {
		return nil, "", none(err)
	}
	a.CreatedAt = fromMillis(created)
	return &a, hash, nil
}

// Session implements store.Reader.
func (r reader) Session(ctx context.Context, tokenHash []byte, now time.Time) (*api.Caller, time.Time, error) {
	ctx, err := shortRead(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	var c api.Caller
	var created, expires int64
	err = r.q.QueryRowContext(ctx, `
		SELECT s.id, s.expires_at, a.id, a.email, a.display_name, a.creator, a.created_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, millis(now)).
		Scan(&c.SessionID, &expires, &c.Account.ID, &c.Account.Email, &c.Account.DisplayName, &c.Account.Creator, &created)
	if err != nil {
		return nil, time.Time{}, none(err)
	}
	c.Account.CreatedAt = fromMillis(created)
	return &c, fromMillis(expires), nil
}

// InsertAccount implements store.Tx.
func (t *tx) InsertAccount(ctx context.Context, a *api.Account, passwordHash string) (int64, error) {
	id, err := t.insert(ctx, `INSERT INTO accounts (email, password_hash, display_name, creator, created_at) VALUES (?, ?, ?, ?, ?)`,
		a.Email, passwordHash, a.DisplayName, a.Creator, millis(a.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("insert account: %w", err)
	}
	return id, nil
}

// SetPassword implements store.Tx.
func (t *tx) SetPassword(ctx context.Context, accountID int64, passwordHash string) error {
	return t.exec(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, passwordHash, accountID)
}

// InsertSession implements store.Tx.
func (t *tx) InsertSession(ctx context.Context, tokenHash []byte, accountID int64, created, expires time.Time) (int64, error) {
	return t.insert(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, accountID, millis(created), millis(expires))
}

// DeleteSession implements store.Tx.
func (t *tx) DeleteSession(ctx context.Context, id int64) error {
	return t.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
}

// DeleteSessions implements store.Tx.
func (t *tx) DeleteSessions(ctx context.Context, accountID int64) error {
	return t.exec(ctx, `DELETE FROM sessions WHERE account_id = ?`, accountID)
}

// InsertFollow implements store.Tx.
func (t *tx) InsertFollow(ctx context.Context, fanID, artistID int64, now time.Time) error {
	return t.exec(ctx, `INSERT INTO follows (fan_id, artist_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, fanID, artistID, millis(now))
}

// Follows implements store.Reader.
func (r reader) Follows(ctx context.Context, fanID, artistID int64) (bool, error) {
	var yes bool
	err := r.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM follows WHERE fan_id = ? AND artist_id = ?)`, fanID, artistID).Scan(&yes)
	return yes, err
}

// DeleteFollow implements store.Tx.
func (t *tx) DeleteFollow(ctx context.Context, fanID, artistID int64) error {
	return t.exec(ctx, `DELETE FROM follows WHERE fan_id = ? AND artist_id = ?`, fanID, artistID)
}
