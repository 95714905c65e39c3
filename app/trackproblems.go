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
		if t.Problem == "" && t.ProblemCode == "" {
			continue
		}
		out = append(out, TrackProblem{Position: t.Position, Title: t.Title, Kind: problemKind(t), Detail: t.Problem})
	}
	return out
}

// kinds are the platform's problem codes the window has words for.
var kinds = map[string]string{
	api.ProblemFLACChecksum: TrackDamaged,
	api.ProblemUndecodable:  TrackUndecodable,
}

// problemKind says a track's problem by its code: the platform's text
// may be reworded, its codes are not. A code the app does not know yet is
// TrackOther, shown in the platform's words. A platform from before
// problem codes sends none: its words of then are read instead.
func problemKind(t api.Track) string {
	if t.ProblemCode != "" {
		if k, ok := kinds[t.ProblemCode]; ok {
			return k
		}
		return TrackOther
	}
	switch {
	case strings.Contains(t.Problem, "MD5"):
		return TrackDamaged
	case strings.Contains(t.Problem, "cannot be decoded"):
		return TrackUndecodable
	}
	return TrackOther
}
