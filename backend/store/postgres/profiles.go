package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// SetProfile implements store.Tx.
func (t *tx) SetProfile(ctx context.Context, accountID int64, p api.Profile) error {
	links := p.Links
	if links == nil {
		links = []string{}
	}
	if p.Handle != "" {
		var owner int64
		err := t.tx.QueryRow(ctx, `WITH ins AS (
				INSERT INTO handles (handle, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING account_id)
			SELECT account_id FROM ins UNION ALL SELECT account_id FROM handles WHERE handle = $1 LIMIT 1`, p.Handle, accountID).Scan(&owner)
		if errors.Is(err, pgx.ErrNoRows) { // taken by a transaction that committed meanwhile
			return fmt.Errorf("set handle: %w", store.ErrConflict)
		} else if err != nil {
			return wrap("set handle", err)
		}
		if owner != accountID {
			return fmt.Errorf("set handle: %w", store.ErrConflict)
		}
	}
	tag, err := t.tx.Exec(ctx, `UPDATE accounts SET display_name = $1, bio = $2, links = $3, picture_sha256 = $4,
		handle = COALESCE(NULLIF($5, ''), handle), public_collection = $6 WHERE id = $7`,
		p.DisplayName, p.Bio, links, p.PictureSHA256, p.Handle, p.PublicCollection, accountID)
	return affected("set profile", tag, err)
}

// Profile implements store.Reader.
func (r reader) Profile(ctx context.Context, accountID int64) (*api.Profile, error) {
	var p api.Profile
	var handle *string
	err := r.q.QueryRow(ctx, `SELECT handle, display_name, bio, links, picture_sha256, public_collection FROM accounts WHERE id = $1`, accountID).
		Scan(&handle, &p.DisplayName, &p.Bio, &p.Links, &p.PictureSHA256, &p.PublicCollection)
	if err != nil {
		return nil, wrap("profile", err)
	}
	if handle != nil {
		p.Handle = *handle
	}
	if p.Links == nil {
		p.Links = []string{}
	}
	return &p, nil
}

// AccountByHandle implements store.Reader.
func (r reader) AccountByHandle(ctx context.Context, handle string) (int64, string, error) {
	var id int64
	var current *string
	err := r.q.QueryRow(ctx, `SELECT a.id, a.handle FROM handles h JOIN accounts a ON a.id = h.account_id WHERE h.handle = $1 AND a.deleted_at IS NULL`, handle).
		Scan(&id, &current)
	if err != nil {
		return 0, "", wrap("account by handle", err)
	}
	if current == nil {
		return id, "", nil
	}
	return id, *current, nil
}
