package api

import "context"

// FormatsOf is what a release of these tracks may be downloaded as:
// every lossless format when at least one master is FLAC, else the MP3
// masters themselves; none without tracks.
func FormatsOf(tracks []Track) []Format {
	if len(tracks) == 0 {
		return []Format{}
	}
	for _, t := range tracks {
		if t.Master.Codec == CodecFLAC {
			return append([]Format(nil), LosslessFormats...)
		}
	}
	return []Format{FormatMP3}
}

// Codecs of a master (AudioFormat.Codec).
const (
	CodecFLAC = "flac"
	CodecMP3  = "mp3"
)

// MasterOf describes an audio blob as a track's master.
func MasterOf(b Blob) AudioFormat {
	if b.MediaType == MediaFLAC {
		return AudioFormat{Codec: CodecFLAC, SampleRate: b.SampleRate, BitDepth: b.BitDepth, Channels: b.Channels}
	}
	return AudioFormat{Codec: CodecMP3}
}

// ExtraService decides who may fetch a release's bonus files.
type ExtraService interface {
	// AuthorizeExtra returns a release's bonus file by name if the
	// caller may download it: the release's creator, a buyer, or anyone
	// signed in for a free published release. EUNAUTHORIZED for anonymous
	// callers, ENOTFOUND when the release is not visible to the caller or
	// has no such file, EFORBIDDEN when it is visible but not theirs.
	AuthorizeExtra(ctx context.Context, releaseID int64, name string) (*Extra, error)
}
