package service

import (
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// holdTrack refuses a buyer a track that a pre-order still holds at now,
// saying the day it opens.
func holdTrack(t *store.TrackRecord, now time.Time) error {
	rel := api.Release{Preorder: t.Preorder, ReleaseDate: t.ReleaseDate}
	if rel.InPreorder(now) && !t.PreorderAvailable {
		return api.ErrNotYetAvailable(t.Title, t.ReleaseDate)
	}
	return nil
}

// heldTracks splits a purchase's tracks into those its buyer may fetch at
// now and those a pre-order still holds; a release's tracks are matched
// by their audio, since a purchase keeps the tracks as sold.
func heldTracks(rel *api.Release, sold []api.ManifestTrack, now time.Time) (open, held []api.ManifestTrack) {
	if !rel.InPreorder(now) {
		return sold, nil
	}
	early := map[string]bool{}
	for _, t := range rel.Tracks {
		if t.PreorderAvailable {
			early[t.AudioSHA256] = true
		}
	}
	for _, t := range sold {
		if early[t.AudioSHA256] {
			open = append(open, t)
		} else {
			held = append(held, t)
		}
	}
	return open, held
}

// Now is the services' clock: what pre-orders and sales are dated by.
func (s *Services) Now() time.Time { return s.env.clock() }
