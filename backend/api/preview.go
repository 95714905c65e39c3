package api

import "context"

// Preview is what anyone may hear of a track before buying it: bytes
// [Start, End) of its stored audio, served as they are stored.
type Preview struct {
	TrackID     int64
	AudioSHA256 string
	Start, End  int64
	// Seconds is the preview's length as the release sets it; 0 when
	// the release streams in full and the preview is the whole file.
	Seconds int
	// Public: the release is published, so anyone may fetch the preview
	// and shared caches may keep it.
	Public bool
	// Progress is set while the preview of a lossless master (an MP3
	// made from it) is being made: there is nothing to serve yet.
	Progress *TranscodeProgress
}

// PreviewService decides what of a track plays before purchase.
type PreviewService interface {
	// TrackPreview returns a track's preview: the whole file when its
	// release streams in full, else its first PreviewSeconds cut on frame
	// boundaries. Anyone may have the preview of a published release;
	// a draft's only its creator and its buyers (ENOTFOUND for anyone
	// else). EUNSUPPORTED when the stored audio has no MP3 frames. A
	// lossless master is heard as an MP3 made from it: until it is made,
	// the preview has Progress and nothing to serve.
	TrackPreview(ctx context.Context, trackID int64) (*Preview, error)
}
