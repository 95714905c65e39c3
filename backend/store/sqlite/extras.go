package sqlite

import (
	"context"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
)

// ReplaceExtras implements store.Tx.
func (t *tx) ReplaceExtras(ctx context.Context, releaseID int64, extras []api.ManifestExtra) error {
	if err := t.exec(ctx, `DELETE FROM release_extras WHERE release_id = ?`, releaseID); err != nil {
		return fmt.Errorf("replace extras: %w", err)
	}
	for i, e := range extras {
		if err := t.exec(ctx, `INSERT INTO release_extras (release_id, position, name, sha256) VALUES (?, ?, ?, ?)`,
			releaseID, i+1, e.Name, e.SHA256); err != nil {
			return fmt.Errorf("write extra %q: %w", e.Name, conflict(err))
		}
	}
	return nil
}

// ReleaseExtras implements store.Reader.
func (r reader) ReleaseExtras(ctx context.Context, releaseID int64) ([]api.Extra, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT e.name, e.sha256, b.size, b.media_type FROM release_extras e
		JOIN blobs b ON b.sha256 = e.sha256 WHERE e.release_id = ? ORDER BY e.position`, releaseID)
	if err != nil {
		return nil, fmt.Errorf("query extras: %w", err)
	}
	defer rows.Close()
	extras := []api.Extra{}
	for rows.Next() {
		var e api.Extra
		if err := rows.Scan(&e.Name, &e.SHA256, &e.Size, &e.MediaType); err != nil {
			return nil, err
		}
		extras = append(extras, e)
	}
	return extras, rows.Err()
}

// fillCatalog sets what a release offers beside its tracks: the formats
// its masters allow and its bonus files.
func (r reader) fillCatalog(ctx context.Context, rel *api.Release) error {
	rel.Formats = api.FormatsOf(rel.Tracks)
	extras, err := r.ReleaseExtras(ctx, rel.ID)
	if err != nil {
		return err
	}
	rel.Extras = extras
	return nil
}
