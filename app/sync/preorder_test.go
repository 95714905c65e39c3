package sync

import (
	"context"
	"path/filepath"
	"testing"
)

// A pre-order set in megabox.json reaches the platform with the tracks
// marked available now, whatever the play order; a track marked without
// a pre-order, or a pre-order without its day, fails the release naming
// the field, and nothing is sent.
func TestPreorderFromSidecar(t *testing.T) {
	e := newEnv(t)
	e.album("Night", 3, 1)
	dir := filepath.Join(e.rootPath, "Night")
	side := Sidecar{ReleaseDate: "2026-12-05", Preorder: true, Tracks: []SidecarTrack{
		{File: "03 - Song 3.mp3", PreorderAvailable: true}, {File: "01 - Song 1.mp3"}, {File: "02 - Song 2.mp3", PreorderAvailable: true}}}
	if err := WriteSidecar(dir, side); err != nil {
		t.Fatal(err)
	}
	e.syncOnce(e.engine(Options{}))
	r := e.release("Night")
	var early []string
	for _, tr := range r.Tracks {
		if tr.PreorderAvailable {
			early = append(early, tr.Title)
		}
	}
	if !r.Preorder || r.ReleaseDate != "2026-12-05" || len(early) != 2 || early[0] != "Song 3" || early[1] != "Song 2" {
		t.Fatalf("the platform has pre-order %v on %q, early %q", r.Preorder, r.ReleaseDate, early)
	}

	for _, c := range []struct {
		name  string
		side  Sidecar
		field string
		kind  string
	}{
		{"a track out early, no pre-order", Sidecar{Tracks: []SidecarTrack{{File: "01 - Song 1.mp3", PreorderAvailable: true}}}, "tracks[0].preorder_available", KindSidecarInvalid},
		{"a pre-order without its day", Sidecar{ReleaseDate: "2026", Preorder: true}, "release_date", KindRefused},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.album("Night", 1, 1)
			if err := WriteSidecar(filepath.Join(e.rootPath, "Night"), c.side); err != nil {
				t.Fatal(err)
			}
			e.syncOnce(e.engine(Options{}))
			rec, err := e.cache.Release(context.Background(), e.root.ID, "Night")
			if err != nil {
				t.Fatal(err)
			}
			if p := e.problem("Night"); rec.State != StateError || p == nil || p.Kind != c.kind || p.Field != c.field || rec.ReleaseID != 0 {
				t.Fatalf("release = %q %+v, want %s on %s", rec.State, p, c.kind, c.field)
			}
			if n := e.requests("POST /api/v1/releases"); n != 0 {
				t.Fatalf("the manifest was sent %d time(s)", n)
			}
		})
	}
}
