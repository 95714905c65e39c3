package store

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/megabox-fm/megabox/backend/api"
)

// TracksHash names a track list by its audio, in order: album loudness
// measured over one list says nothing about another.
func TracksHash(audio []string) string {
	h := sha256.New()
	for _, sha := range audio {
		h.Write([]byte(sha))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// FillLoudness sets each track's Loudness from its audio's analysis and,
// when album was measured over exactly these tracks, the album figures.
// Tracks not analysed yet, or whose audio has a problem, keep nil.
func FillLoudness(tracks []api.Track, analyses map[string]AudioAnalysis, album *AlbumLoudness) {
	audio := make([]string, len(tracks))
	for i, t := range tracks {
		audio[i] = t.AudioSHA256
	}
	if album != nil && album.TracksHash != TracksHash(audio) {
		album = nil
	}
	for i, t := range tracks {
		a, ok := analyses[t.AudioSHA256]
		if !ok || a.Problem != "" {
			continue
		}
		l := &api.Loudness{TrackLUFS: round2(a.LUFS), TrackGainDB: round2(api.ReplayGainReference - a.LUFS), TrackPeak: round6(a.Peak)}
		if album != nil {
			l.AlbumLUFS, l.AlbumGainDB, l.AlbumPeak = round2(album.LUFS), round2(api.ReplayGainReference-album.LUFS), round6(album.Peak)
		}
		tracks[i].Loudness = l
	}
}

// Figures are shown to a hundredth of a dB (ReplayGain tags carry two
// decimals) and peaks to six places, as tags write them.
func round2(v float64) float64 { return float64(int64(v*100+sign(v)*0.5)) / 100 }
func round6(v float64) float64 { return float64(int64(v*1e6+sign(v)*0.5)) / 1e6 }

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
