package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/api"
)

// ReplaceExtras implements store.Tx.
func (t *tx) ReplaceExtras(ctx context.Context, releaseID int64, extras []api.ManifestExtra) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM release_extras WHERE release_id = $1`, releaseID); err != nil {
		return wrap("replace extras", err)
	}
	for i, e := range extras {
		if _, err := t.tx.Exec(ctx, `INSERT INTO release_extras (release_id, position, name, sha256) VALUES ($1, $2, $3, $4)`,
			releaseID, i+1, e.Name, e.SHA256); err != nil {
			return wrap(fmt.Sprintf("write extra %q", e.Name), err)
		}
	}
	return nil
}

// ReleaseExtras implements store.Reader.
func (r reader) ReleaseExtras(ctx context.Context, releaseID int64) ([]api.Extra, error) {
	rows, err := r.q.Query(ctx, `SELECT e.name, e.sha256, b.size, b.media_type FROM release_extras e
		JOIN blobs b ON b.sha256 = e.sha256 WHERE e.release_id = $1 ORDER BY e.position`, releaseID)
	if err != nil {
		return nil, wrap("extras", err)
	}
	extras, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.Extra, error) {
		var e api.Extra
		return e, row.Scan(&e.Name, &e.SHA256, &e.Size, &e.MediaType)
	})
	if extras == nil {
		extras = []api.Extra{}
	}
	return extras, wrap("extras", err)
}

// fillCatalog sets what releases offer beside their tracks: the formats
// their masters allow and their bonus files.
func (r reader) fillCatalog(ctx context.Context, rels ...*api.Release) error {
	for _, rel := range rels {
		rel.Formats = api.FormatsOf(rel.Tracks)
		extras, err := r.ReleaseExtras(ctx, rel.ID)
		if err != nil {
			return err
		}
		rel.Extras = extras
	}
	return nil
}

// trackMasterJSON is a track's master in the JSON the release queries
// build, as api.MasterOf describes a blob.
const trackMasterJSON = `'master', json_build_object('codec', CASE WHEN b.media_type = 'audio/flac' THEN 'flac' ELSE 'mp3' END,
	'sample_rate', b.sample_rate, 'bit_depth', b.bit_depth, 'channels', b.channels)`
