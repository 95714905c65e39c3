package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// InsertAccount implements store.Tx; ErrConflict if the email is taken,
// whatever its case.
func (t *tx) InsertAccount(ctx context.Context, a *api.Account, passwordHash string) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO accounts (email, password_hash, display_name, creator, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`, a.Email, passwordHash, a.DisplayName, a.Creator, ms(a.CreatedAt)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("insert account: %w", store.ErrConflict)
	}
	return id, wrap("insert account", err)
}

// SetPassword implements store.Tx.
func (t *tx) SetPassword(ctx context.Context, accountID int64, passwordHash string) error {
	tag, err := t.tx.Exec(ctx, `UPDATE accounts SET password_hash = $1 WHERE id = $2`, passwordHash, accountID)
	return affected("set password", tag, err)
}

// InsertSession implements store.Tx.
func (t *tx) InsertSession(ctx context.Context, tokenHash []byte, accountID int64, created, expires time.Time) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		tokenHash, accountID, ms(created), ms(expires)).Scan(&id)
	return id, wrap("insert session", err)
}

// DeleteSession implements store.Tx.
func (t *tx) DeleteSession(ctx context.Context, id int64) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return wrap("delete session", err)
}

// DeleteSessions implements store.Tx.
func (t *tx) DeleteSessions(ctx context.Context, accountID int64) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, accountID)
	return wrap("delete sessions", err)
}

// Account implements store.Reader.
func (r reader) Account(ctx context.Context, id int64) (*api.Account, error) {
	var a api.Account
	err := r.q.QueryRow(ctx, `SELECT id, email, display_name, creator, created_at FROM accounts WHERE id = $1`, id).
		Scan(&a.ID, &a.Email, &a.DisplayName, &a.Creator, &a.CreatedAt)
	if err != nil {
		return nil, wrap("account", err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// AccountByEmail implements store.Reader: emails match whatever their case.
func (r reader) AccountByEmail(ctx context.Context, email string) (*api.Account, string, error) {
	var a api.Account
	var hash string
	err := r.q.QueryRow(ctx, `SELECT id, email, display_name, creator, created_at, password_hash FROM accounts WHERE lower(email) = lower($1)`, email).
		Scan(&a.ID, &a.Email, &a.DisplayName, &a.Creator, &a.CreatedAt, &hash)
	if err != nil {
		return nil, "", wrap("account by email", err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, hash, nil
}

// Session implements store.Reader.
func (r reader) Session(ctx context.Context, tokenHash []byte, now time.Time) (*api.Caller, time.Time, error) {
	var c api.Caller
	var expires time.Time
	a := &c.Account
	err := r.q.QueryRow(ctx, `SELECT s.id, s.expires_at, a.id, a.email, a.display_name, a.creator, a.created_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		WHERE s.token_hash = $1 AND s.expires_at > $2`, tokenHash, now).
		Scan(&c.SessionID, &expires, &a.ID, &a.Email, &a.DisplayName, &a.Creator, &a.CreatedAt)
	if err != nil {
		return nil, time.Time{}, wrap("session", err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &c, expires.UTC(), nil
}
