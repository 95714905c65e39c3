package store

import (
	"context"

	"github.com/megabox-fm/megabox/backend/api"
)

// ExtrasTx keeps a release's bonus files.
type ExtrasTx interface {
	// ReplaceExtras makes extras, in their order, the release's bonus
	// files; the service has checked their names and blobs.
	ReplaceExtras(ctx context.Context, releaseID int64, extras []api.ManifestExtra) error
}

// ExtrasReader reads a release's bonus files. The readers of releases
// fill api.Release.Extras from it, api.Release.Formats from the tracks'
// masters (see api.FormatsOf) and api.Track.Master from each track's
// blob.
type ExtrasReader interface {
	// ReleaseExtras lists a release's bonus files in order, with each
	// blob's size and media type; none is an empty list.
	ReleaseExtras(ctx context.Context, releaseID int64) ([]api.Extra, error)
}
