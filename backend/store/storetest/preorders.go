package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// testPreorders: a pre-order and its tracks out early are stored and
// follow the tracks when the creator reorders them; its buyer's library
// dates the held tracks and a download of one is refused, until the
// release day.
func testPreorders(t *testing.T, s Services) {
	var now atomic.Pointer[time.Time]
	before := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	now.Store(&before)
	s.SetClock(func() time.Time { return *now.Load() })
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	m := manifest(t, s, ann, "Later", 700, "EUR", 3)
	m.ReleaseDate, m.Preorder = "2026-12-05", true
	m.Tracks[0].PreorderAvailable = true
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	// Reordered: the track out early moves to the end and keeps its mark.
	m.Tracks[0].Position, m.Tracks[2].Position = 3, 1
	if rel, err = s.Releases.UpdateRelease(ann, rel.ID, m); err != nil {
		t.Fatal(err)
	}
	if rel, err = s.Releases.PublishRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	if !rel.Preorder || len(rel.Tracks) != 3 || rel.Tracks[2].Title != "Later 1" || !rel.Tracks[2].PreorderAvailable ||
		rel.Tracks[0].PreorderAvailable || rel.Tracks[1].PreorderAvailable {
		t.Fatalf("stored pre-order: %+v", rel)
	}
	buy(t, s, fan, rel, 700)
	lib, err := s.Purchases.Library(fan)
	if err != nil || len(lib.Items) != 1 {
		t.Fatalf("library: %+v, %v", lib, err)
	}
	var held []string
	for _, tr := range lib.Items[0].Release.Tracks {
		if tr.AvailableOn == "2026-12-05" {
			held = append(held, tr.Title)
		}
	}
	if len(held) != 2 || held[0] != "Later 3" || held[1] != "Later 2" {
		t.Fatalf("held tracks: %q", held)
	}
	if _, err := s.Downloads.AuthorizeTrack(fan, rel.Tracks[0].ID); api.ErrorCode(err) != api.EFORBIDDEN ||
		api.ErrorMessage(err) != `"Later 3" is available on 2026-12-05` {
		t.Fatalf("held track: %v", err)
	}
	if f, err := s.Downloads.AuthorizeTrack(fan, rel.Tracks[2].ID); err != nil || f.AudioSHA256 != rel.Tracks[2].AudioSHA256 {
		t.Fatalf("track out early: %+v, %v", f, err)
	}
	released := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	now.Store(&released)
	if _, err := s.Downloads.AuthorizeTrack(fan, rel.Tracks[0].ID); err != nil {
		t.Fatalf("release day: %v", err)
	}
}
