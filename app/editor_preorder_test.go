package app

import (
	"reflect"
	"testing"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/sync"
)

// The editor's pre-order checkbox and per-track "available now" toggles
// reach the manifest and megabox.json, by file, and the editor reads them
// back from there; unticking the pre-order drops the toggles.
func TestDraftPreorderRoundTrip(t *testing.T) {
	sha := func(c byte) string {
		b := make([]byte, 64)
		for i := range b {
			b[i] = c
		}
		return string(b)
	}
	d := ReleaseDraft{Title: "Night", ArtistName: "Ann", Currency: "EUR", PriceCents: 700, ReleaseDate: "2026-12-05", Preorder: true,
		Tracks: []DraftTrack{{File: "b.mp3", AudioSHA256: sha('b'), Title: "B", PreorderAvailable: true}, {File: "a.mp3", AudioSHA256: sha('a'), Title: "A"}}}
	m := d.manifest("")
	if err := m.Validate(); err != nil || !m.Preorder || !m.Tracks[0].PreorderAvailable || m.Tracks[1].PreorderAvailable {
		t.Fatalf("manifest: %+v, %v", m, err)
	}
	side := sync.Sidecar{ReleaseDate: m.ReleaseDate, Preorder: m.Preorder,
		Tracks: chosenOrder(d.Tracks, m.Tracks, map[string]string{"a.mp3": "A", "b.mp3": "B"}, nil)}
	want := []sync.SidecarTrack{{File: "b.mp3", PreorderAvailable: true}, {File: "a.mp3"}}
	if !reflect.DeepEqual(side.Tracks, want) {
		t.Fatalf("megabox.json tracks: %+v, want %+v", side.Tracks, want)
	}
	files := []cache.File{{Rel: "Night/a.mp3", Dir: "Night", SHA256: sha('a'), Tags: `{"title":"A"}`, State: sync.StateSynced},
		{Rel: "Night/b.mp3", Dir: "Night", SHA256: sha('b'), Tags: `{"title":"B"}`, State: sync.StateSynced}}
	back := planDraft("Night", files, side)
	if !back.Preorder || len(back.Tracks) != 2 || back.Tracks[0].File != "b.mp3" || !back.Tracks[0].PreorderAvailable || back.Tracks[1].PreorderAvailable {
		t.Fatalf("read back: %+v", back)
	}

	d.Preorder = false
	if m := d.manifest(""); m.Tracks[0].PreorderAvailable || m.Validate() != nil {
		t.Fatalf("without a pre-order: %+v, %v", m.Tracks, m.Validate())
	}
}
