package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
)

// releaseHasSales reports whether anyone ever bought the release.
func releaseHasSales(ctx context.Context, tx *sql.Tx, releaseID int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM purchases WHERE release_id = ? LIMIT 1)`, releaseID).Scan(&n)
	return n > 0, err
}

// checkKeepsSoldAudio refuses a track list that drops audio buyers own.
func checkKeepsSoldAudio(ctx context.Context, tx *sql.Tx, releaseID int64, tracks []api.ManifestTrack) error {
	keep := map[string]bool{}
	for _, t := range tracks {
		keep[t.AudioSHA256] = true
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT pt.audio_sha256, pt.title FROM purchase_tracks pt
		JOIN purchases p ON p.id = pt.purchase_id WHERE p.release_id = ?`, releaseID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sha, title string
		if err := rows.Scan(&sha, &title); err != nil {
			return err
		}
		if !keep[sha] {
			return &api.Error{Code: api.ECONFLICT, Field: "tracks",
				Message: fmt.Sprintf("%q has been sold and must stay in the release; you can rename or reorder it", title)}
		}
	}
	return rows.Err()
}

// ownsRelease reports whether an account bought a release and still owns
// it: some purchase of it is not fully refunded (a free claim always
// counts).
func ownsRelease(ctx context.Context, q queryer, accountID, releaseID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM purchases p WHERE p.fan_id = ? AND p.release_id = ?
		AND (p.gross_cents = 0 OR p.gross_cents > (SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id))`,
		accountID, releaseID).Scan(&n)
	return n > 0, err
}
