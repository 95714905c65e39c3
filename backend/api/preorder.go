package api

import (
	"fmt"
	"time"
)

// Pre-orders: a published release with Preorder set and a release day
// still to come sells as usual, but its buyers may fetch only the tracks
// its creator marked PreorderAvailable; the others open to them at
// midnight UTC on the release day, with nothing to do on either side.

// dayLayout is how a release day is written: the only form a pre-order
// accepts, since it must name the day the rest opens.
const dayLayout = "2006-01-02"

// ReleaseDay is the UTC midnight that starts the release's date, when
// that date names a day.
func ReleaseDay(releaseDate string) (time.Time, bool) {
	day, err := time.Parse(dayLayout, releaseDate)
	return day, err == nil
}

// InPreorder reports whether r is a pre-order at now: sold before its
// release day, with some tracks held until then.
func (r *Release) InPreorder(now time.Time) bool {
	if !r.Preorder {
		return false
	}
	day, ok := ReleaseDay(r.ReleaseDate)
	return ok && now.Before(day)
}

// TracksNow counts the tracks a buyer can fetch at now.
func (r *Release) TracksNow(now time.Time) int {
	if !r.InPreorder(now) {
		return len(r.Tracks)
	}
	n := 0
	for _, t := range r.Tracks {
		if t.PreorderAvailable {
			n++
		}
	}
	return n
}

// HoldPreorder marks, for a buyer at now, each track not available yet
// with the day it opens (AvailableOn); after the release day it clears
// them all.
func (r *Release) HoldPreorder(now time.Time) {
	held := r.InPreorder(now)
	for i := range r.Tracks {
		r.Tracks[i].AvailableOn = ""
		if held && !r.Tracks[i].PreorderAvailable {
			r.Tracks[i].AvailableOn = r.ReleaseDate
		}
	}
}

// ErrNotYetAvailable is the refusal of a track held by a pre-order.
func ErrNotYetAvailable(title, releaseDate string) error {
	return Errorf(EFORBIDDEN, "%q is available on %s", title, releaseDate)
}

// checkPreorder: a pre-order needs a release day, and marking tracks
// available early means nothing without one.
func (m *Manifest) checkPreorder() error {
	if !m.Preorder {
		for i, t := range m.Tracks {
			if t.PreorderAvailable {
				return FieldErrorf(fmt.Sprintf("tracks[%d].preorder_available", i), "only a pre-order has tracks available before the release date")
			}
		}
		return nil
	}
	if _, ok := ReleaseDay(m.ReleaseDate); !ok {
		return FieldErrorf("release_date", "a pre-order needs its release day, YYYY-MM-DD")
	}
	return nil
}
