package service

import (
	"context"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
)

// DownloadService implements api.DownloadService.
type DownloadService struct{ *env }

var _ api.DownloadService = (*DownloadService)(nil)

// AuthorizeTrack implements api.DownloadService.
func (s *DownloadService) AuthorizeTrack(ctx context.Context, trackID int64) (*api.TrackFile, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.st.Track(ctx, trackID)
	if err != nil {
		if err = notFound(err, "track %d not found", trackID); api.ErrorCode(err) == api.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("find track: %w", err)
	}
	if t.ArtistID == c.Account.ID {
		return &t.TrackFile, nil
	}
	owns, err := s.st.Owns(ctx, c.Account.ID, t.ReleaseID)
	if err != nil {
		return nil, err
	}
	switch {
	case !owns && t.State != api.StatePublished:
		return nil, api.Errorf(api.ENOTFOUND, "track %d not found", trackID)
	case owns || t.PriceCents == 0:
		if err := holdTrack(t, s.clock()); err != nil {
			return nil, err
		}
		return &t.TrackFile, nil
	}
	return nil, api.Errorf(api.EFORBIDDEN, "buy this release to download its tracks")
}
