package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// SetProfile implements store.Tx.
func (t *tx) SetProfile(ctx context.Context, accountID int64, p api.Profile) error {
	links, err := json.Marshal(nonNil(p.Links))
	if err != nil {
		return err
	}
	if p.Handle != "" {
		var owner int64
		err := t.tx.QueryRowContext(ctx, `SELECT account_id FROM handles WHERE handle = ?`, p.Handle).Scan(&owner)
		switch {
		case err == nil && owner != accountID:
			return store.ErrConflict
		case errors.Is(err, sql.ErrNoRows):
			if err := t.exec(ctx, `INSERT INTO handles (handle, account_id) VALUES (?, ?)`, p.Handle, accountID); err != nil {
				return conflict(err)
			}
		case err != nil:
			return err
		}
	}
	return t.exec(ctx, `UPDATE accounts SET display_name = ?, bio = ?, links = ?, picture_sha256 = ?, handle = COALESCE(?, handle),
		public_collection = ? WHERE id = ?`, p.DisplayName, p.Bio, string(links), p.PictureSHA256, nullable(p.Handle), p.PublicCollection, accountID)
}

// Profile implements store.Reader.
func (r reader) Profile(ctx context.Context, accountID int64) (*api.Profile, error) {
	var p api.Profile
	var handle sql.NullString
	var links string
	err := r.q.QueryRowContext(ctx, `SELECT handle, display_name, bio, links, picture_sha256, public_collection FROM accounts WHERE id = ?`, accountID).
		Scan(&handle, &p.DisplayName, &p.Bio, &links, &p.PictureSHA256, &p.PublicCollection)
	if err != nil {
		return nil, none(err)
	}
	p.Handle = handle.String
	if err := json.Unmarshal([]byte(links), &p.Links); err != nil {
		return nil, err
	}
	p.Links = nonNil(p.Links)
	return &p, nil
}

// AccountByHandle implements store.Reader.
func (r reader) AccountByHandle(ctx context.Context, handle string) (int64, string, error) {
	var id int64
	var current sql.NullString
	err := r.q.QueryRowContext(ctx, `SELECT a.id, a.handle FROM handles h JOIN accounts a ON a.id = h.account_id WHERE h.handle = ? AND a.deleted_at IS NULL`, handle).
		Scan(&id, &current)
	return id, current.String, none(err)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
