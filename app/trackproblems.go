package app

import (
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// Kinds of TrackProblem, said by the window in its own words.
const (
	TrackDamaged     = "damaged"     // a FLAC whose audio does not match its MD5
	TrackUndecodable = "undecodable" // audio that does not decode to its end
	TrackOther       = "other"       // anything else: the platform's words in Detail
)

// TrackProblem is a track of a synced release whose master the platform's
// own decode found unusable: the release cannot be sold until the file
// is replaced.
type TrackProblem struct {
	Position int    `json:"position"`
	Title    string `json:"title"`
	Kind     string `json:"kind"`
	Detail   string `json:"detail"`
}

// trackProblems lists what the platform found wrong with a release's
// masters, as it tells their owner.
func trackProblems(r api.Release) []TrackProblem {
	out := []TrackProblem{}
	for _, t := range r.Tracks {
		if t.Problem == "" {
			continue
		}
		kind := TrackOther
		switch {
		case strings.Contains(t.Problem, "MD5"):
			kind = TrackDamaged
		case strings.Contains(t.Problem, "cannot be decoded"):
			kind = TrackUndecodable
		}
		out = append(out, TrackProblem{Position: t.Position, Title: t.Title, Kind: kind, Detail: t.Problem})
	}
	return out
}
