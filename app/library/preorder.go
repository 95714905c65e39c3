package library

import (
	"encoding/json"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Preorder says what a pre-order still holds back: its buyer has
// TracksNow of Tracks, the rest open on ReleaseDate (YYYY-MM-DD, UTC).
type Preorder struct {
	TracksNow   int    `json:"tracks_now"`
	Tracks      int    `json:"tracks"`
	ReleaseDate string `json:"release_date"`
	// Waiting are the held tracks, listed but not on disk yet.
	Waiting []Track `json:"waiting"`
}

// preorderOf reads a release as the platform last described it and says
// what it still holds at now; nil when nothing is held (any more: past
// the release day the next sync fetches the rest).
func preorderOf(releaseJSON string, now time.Time) *Preorder {
	var rel api.Release
	if json.Unmarshal([]byte(releaseJSON), &rel) != nil {
		return nil
	}
	day, ok := api.ReleaseDay(rel.ReleaseDate)
	if !ok || !now.Before(day) {
		return nil
	}
	p := &Preorder{Tracks: len(rel.Tracks), ReleaseDate: rel.ReleaseDate, Waiting: []Track{}}
	for _, t := range rel.Tracks {
		if t.AvailableOn == "" {
			p.TracksNow++
			continue
		}
		p.Waiting = append(p.Waiting, Track{ID: t.ID, Position: t.Position, Title: t.Title, DurationMS: t.DurationMS, State: StateWaiting})
	}
	if len(p.Waiting) == 0 {
		return nil
	}
	return p
}
