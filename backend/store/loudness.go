package store

import (
	"context"
	"time"
)

// AudioAnalysis is what one decode of an uploaded audio blob found.
type AudioAnalysis struct {
	SHA256 string
	LUFS   float64 // integrated loudness
	Peak   float64 // true peak, linear
	// Problem says what makes the audio unusable (a FLAC whose samples
	// do not match its STREAMINFO MD5); empty when it is sound.
	Problem string
	// ProblemCode is Problem's api.Problem* code.
	ProblemCode string
	AnalyzedAt  time.Time
}

// AlbumLoudness is a release's loudness over its tracks taken together,
// for the track list TracksHash names (see TracksHash).
type AlbumLoudness struct {
	ReleaseID  int64
	TracksHash string
	LUFS, Peak float64
	MeasuredAt time.Time
}

// LoudnessTx records measurements; a new one replaces the one before.
type LoudnessTx interface {
	PutAudioAnalysis(ctx context.Context, a AudioAnalysis) error
	PutAlbumLoudness(ctx context.Context, a AlbumLoudness) error
}

// LoudnessReader reads measurements; ErrNotFound when there is none.
// The readers of releases and tracks fill api.Track.Loudness from them:
// the track's own figures once its audio is analysed, the album's while
// they were measured over the release's current track list.
type LoudnessReader interface {
	AudioAnalysis(ctx context.Context, sha256 string) (*AudioAnalysis, error)
	AlbumLoudness(ctx context.Context, releaseID int64) (*AlbumLoudness, error)
}
