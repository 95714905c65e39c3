package transcode

import "github.com/megabox-fm/megabox/backend/api"

// setting is how one format is encoded. Its version names the settings
// in the cache: a change of args takes a new version, so every cached
// transcode made the old way is made again.
type setting struct {
	version int
	args    []string
	muxer   string
	maxRate int // the highest sample rate kept; 0 for any
	rate48  bool
}

var settings = map[api.Format]setting{
	// Constant 320 kb/s. LAME's -q 2 is its recommended near-best
	// algorithm; -q 0 costs about three times the time for no audible gain.
	api.FormatMP3320: {version: 2, args: []string{"-c:a", "libmp3lame", "-b:a", "320k", "-compression_level", "2"}, muxer: "mp3", maxRate: 48000},
	// LAME's V0 VBR (about 245 kb/s).
	api.FormatMP3V0: {version: 2, args: []string{"-c:a", "libmp3lame", "-q:a", "0", "-compression_level", "2"}, muxer: "mp3", maxRate: 48000},
	// Opus runs at 48 kHz whatever the master; 160 kb/s VBR is
	// transparent for music to most listeners.
	api.FormatOpus: {version: 1, args: []string{"-c:a", "libopus", "-b:a", "160k", "-vbr", "on", "-compression_level", "10"}, muxer: "ogg", rate48: true},
	// ffmpeg's native AAC-LC at 256 kb/s in an .m4a.
	api.FormatAAC: {version: 1, args: []string{"-c:a", "aac", "-b:a", "256k"}, muxer: "ipod", maxRate: 48000},
}

// Version is the settings version of f's encodes; 0 for a format that is
// not encoded (FLAC is the master itself).
func Version(f api.Format) int { return settings[f].version }

// rate is the sample rate an encode in this setting writes for a master
// at r: r when the format takes it, else 48 kHz or 44.1 kHz, whichever
// divides r (96 kHz → 48 kHz, 88.2 kHz → 44.1 kHz).
func (s setting) rate(r int) int {
	switch {
	case s.rate48:
		return 48000
	case r == 0 || s.maxRate == 0 || r <= s.maxRate:
		return r
	case r%48000 == 0:
		return 48000
	}
	return 44100
}
