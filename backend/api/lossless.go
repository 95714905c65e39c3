package api

import "strings"

// Format is what a buyer may download a track as.
type Format string

// Download formats. A lossy master (MP3) is always delivered as itself:
// FormatMP3 names it, and asking an MP3 track for any format gets it.
const (
	FormatFLAC   Format = "flac"
	FormatMP3320 Format = "mp3-320"
	FormatMP3V0  Format = "mp3-v0"
	FormatOpus   Format = "opus"
	FormatAAC    Format = "aac"
	FormatMP3    Format = "mp3"
)

// LosslessFormats are offered, best first, for a release with at least
// one lossless master.
var LosslessFormats = []Format{FormatFLAC, FormatMP3320, FormatMP3V0, FormatOpus, FormatAAC}

// ParseFormat reads a format name; EINVALID names the field "format".
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	switch f {
	case FormatFLAC, FormatMP3320, FormatMP3V0, FormatOpus, FormatAAC, FormatMP3:
		return f, nil
	}
	return "", FieldErrorf("format", "must be one of flac, mp3-320, mp3-v0, opus, aac")
}

// Ext is the file extension of a download in f, with its dot.
func (f Format) Ext() string {
	switch f {
	case FormatFLAC:
		return ".flac"
	case FormatOpus:
		return ".opus"
	case FormatAAC:
		return ".m4a"
	}
	return ".mp3"
}

// MediaType is the Content-Type of a download in f.
func (f Format) MediaType() string {
	switch f {
	case FormatFLAC:
		return MediaFLAC
	case FormatOpus:
		return "audio/ogg"
	case FormatAAC:
		return "audio/mp4"
	}
	return MediaMP3
}

// Label is how f is named to people.
func (f Format) Label() string {
	switch f {
	case FormatFLAC:
		return "FLAC"
	case FormatMP3320:
		return "MP3 320"
	case FormatMP3V0:
		return "MP3 V0"
	case FormatOpus:
		return "Opus"
	case FormatAAC:
		return "AAC"
	}
	return "MP3"
}

// AudioFormat describes a master: codec "flac" or "mp3"; the rest is set
// for lossless masters only.
type AudioFormat struct {
	Codec      string `json:"codec"`
	SampleRate int    `json:"sample_rate,omitempty"`
	BitDepth   int    `json:"bit_depth,omitempty"`
	Channels   int    `json:"channels,omitempty"`
}

// Loudness is a track's EBU R128 loudness and ReplayGain 2.0 gains
// (reference −18 LUFS). Peaks are true peaks, linear (1 = full scale).
// Album figures cover the release's tracks in their order.
type Loudness struct {
	TrackLUFS   float64 `json:"track_lufs"`
	TrackGainDB float64 `json:"track_gain_db"`
	TrackPeak   float64 `json:"track_peak"`
	AlbumLUFS   float64 `json:"album_lufs,omitempty"`
	AlbumGainDB float64 `json:"album_gain_db,omitempty"`
	AlbumPeak   float64 `json:"album_peak,omitempty"`
}

// ReplayGainReference is the loudness ReplayGain 2.0 gains aim for.
const ReplayGainReference = -18.0

// Extra is a bonus file of a release: a PDF booklet, an image, lyrics
// (.txt, .lrc) or stems in a zip.
type Extra struct {
	Name      string `json:"name"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
}

// ManifestExtra places one uploaded blob in a release as a bonus file
// under Name (a plain file name, no directories).
type ManifestExtra struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// Transcode states a download of a format not yet made answers with.
const (
	TranscodeQueued  = "queued"
	TranscodeRunning = "running"
	TranscodeFailed  = "failed"
)

// TranscodeProgress answers (202 Accepted) a download whose format is
// still being made: Progress is 0 to 1 over every file it needs.
type TranscodeProgress struct {
	State       string  `json:"state"`
	Progress    float64 `json:"progress"`
	RetryAfterS int     `json:"retry_after_s"`
}

// Limits on a release's bonus files.
const (
	MaxExtras       = 50
	MaxExtraNameLen = 200
	MaxExtraText    = 1 << 20   // .txt, .lrc
	MaxExtraImage   = 50 << 20  // .jpg, .jpeg, .png
	MaxExtraPDF     = 200 << 20 // .pdf
	MaxExtraZIP     = 4 << 30   // .zip (stems)
	MaxExtrasTotal  = 8 << 30   // all of a release's bonus files together
)

// ExtraKind gives the media type and size limit of a bonus file by its
// name's extension; EINVALID when that kind of file is not taken.
func ExtraKind(name string) (mediaType string, limit int64, err error) {
	ext := strings.ToLower(name)
	if i := strings.LastIndexByte(ext, '.'); i >= 0 {
		ext = ext[i:]
	} else {
		ext = ""
	}
	switch ext {
	case ".txt", ".lrc":
		return MediaText, MaxExtraText, nil
	case ".jpg", ".jpeg":
		return MediaJPEG, MaxExtraImage, nil
	case ".png":
		return MediaPNG, MaxExtraImage, nil
	case ".pdf":
		return MediaPDF, MaxExtraPDF, nil
	case ".zip":
		return MediaZIP, MaxExtraZIP, nil
	}
	return "", 0, FieldErrorf("extras", "%q: bonus files may be PDF, JPEG, PNG, TXT, LRC or ZIP", name)
}
