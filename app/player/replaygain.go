package player

import (
	"math"

	"github.com/megabox-fm/megabox/backend/api"
)

// ReplayGain modes.
const (
	GainTrack = "track" // each track at the reference loudness
	GainAlbum = "album" // the album's tracks keep their relative levels
	GainOff   = "off"
)

// gainOf is the linear gain a track plays at in mode. Album mode falls back
// to the track's figures when the album was not measured. The gain never
// lifts the true peak above full scale.
func gainOf(l *api.Loudness, mode string) float64 {
	if l == nil || (mode != GainTrack && mode != GainAlbum) {
		return 1
	}
	db, peak := l.TrackGainDB, l.TrackPeak
	if mode == GainAlbum && (l.AlbumGainDB != 0 || l.AlbumPeak != 0) {
		db, peak = l.AlbumGainDB, l.AlbumPeak
	}
	if peak > 0 {
		db = min(db, -20*math.Log10(peak))
	}
	return math.Pow(10, db/20)
}
