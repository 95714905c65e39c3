package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
)

// DownloadService implements api.DownloadService.
type DownloadService struct {
	db *DB
}

var _ api.DownloadService = (*DownloadService)(nil)

// NewDownloadService returns the download service over db.
func NewDownloadService(db *DB) *DownloadService { return &DownloadService{db: db} }

// AuthorizeTrack implements api.DownloadService.
func (s *DownloadService) AuthorizeTrack(ctx context.Context, trackID int64) (*api.TrackFile, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	var f api.TrackFile
	var artistID, price int64
	var state string
	err = s.db.read.QueryRowContext(ctx, `SELECT t.id, t.release_id, t.position, t.title, t.audio_sha256, b.size, r.artist_id, r.state, r.price_cents
		FROM tracks t JOIN releases r ON r.id = t.release_id JOIN blobs b ON b.sha256 = t.audio_sha256 WHERE t.id = ?`, trackID).
		Scan(&f.TrackID, &f.ReleaseID, &f.Position, &f.Title, &f.AudioSHA256, &f.Size, &artistID, &state, &price)
	notFound := api.Errorf(api.ENOTFOUND, "track %d not found", trackID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	} else if err != nil {
		return nil, fmt.Errorf("find track: %w", err)
	}
	if artistID == c.Account.ID {
		return &f, nil
	}
	owns, err := ownsRelease(ctx, s.db.read, c.Account.ID, f.ReleaseID)
	if err != nil {
		return nil, err
	}
	switch {
	case owns:
		return &f, nil
	case state != api.StatePublished:
		return nil, notFound
	case price == 0:
		return &f, nil
	}
	return nil, api.Errorf(api.EFORBIDDEN, "buy this release to download its tracks")
}
