package sync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// folderHashes maps each file of a release folder but megabox.json to the
// hash of its bytes.
func folderHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.Name() != SidecarName {
			out[e.Name()] = fileSHA(t, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// TestReorderWritesTheSidecar: a play order chosen in the app is written
// to megabox.json beside what was there (fields this version does not
// know included), the next sync sends the tracks in that order with the
// titles chosen, and no audio file is renamed or changed.
func TestReorderWritesTheSidecar(t *testing.T) {
	e := newEnv(t)
	paths := e.album("Night Drive", 3, 1)
	dir := filepath.Join(e.rootPath, "Night Drive")
	hand := "{\n  \"title\": \"Night Drive\",\n  \"mood\": {\"colour\": \"blue\"},\n  \"price_cents\": 800\n}\n"
	if err := os.WriteFile(filepath.Join(dir, SidecarName), []byte(hand), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSidecar(dir); err == nil || !strings.Contains(err.Error(), `"mood"`) {
		t.Fatalf("a field the sync does not know must still be reported, got %v", err)
	}
	before := folderHashes(t, dir)
	sha := func(i int) string { return before[filepath.Base(paths[i])] }

	err := EditSidecar(dir, func(s *Sidecar) error {
		s.Tracks = []SidecarTrack{{File: "03 - Song 3.mp3", Title: "Finale first"}, {File: "01 - Song 1.mp3"}, {File: "02 - Song 2.mp3"}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, SidecarName))
	want := `{
  "title": "Night Drive",
  "price_cents": 800,
  "tracks": [
    {
      "file": "03 - Song 3.mp3",
      "title": "Finale first"
    },
    {
      "file": "01 - Song 1.mp3"
    },
    {
      "file": "02 - Song 2.mp3"
    }
  ],
  "mood": {
    "colour": "blue"
  }
}
`
	if string(got) != want {
		t.Fatalf("megabox.json =\n%s\nwant\n%s", got, want)
	}
	if after := folderHashes(t, dir); !reflect.DeepEqual(after, before) {
		t.Fatalf("the folder's files changed: %v, were %v", after, before)
	}

	// Without the unknown field the folder syncs, in the chosen order.
	if err := EditSidecar(dir, func(s *Sidecar) error { s.Other = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	e.syncOnce(e.engine(Options{}))
	rel := e.release("Night Drive")
	checkTracks(t, rel, sha(2), sha(0), sha(1))
	titles := []string{rel.Tracks[0].Title, rel.Tracks[1].Title, rel.Tracks[2].Title}
	if !reflect.DeepEqual(titles, []string{"Finale first", "Song 1", "Song 2"}) {
		t.Fatalf("titles %q", titles)
	}
	if after := folderHashes(t, dir); !reflect.DeepEqual(after, before) {
		t.Fatalf("syncing changed the folder's files: %v, were %v", after, before)
	}

	// The order the app shows is the one the sync sent.
	files, err := e.cache.FilesIn(context.Background(), e.root.ID, "Night Drive")
	if err != nil {
		t.Fatal(err)
	}
	side, _ := ReadSidecar(dir)
	m, planned := Plan("Night Drive", files, side, Defaults{PriceCents: 700, Currency: "EUR"})
	if len(planned) != 3 || planned[0].File != "03 - Song 3.mp3" || planned[0].Title != "Finale first" || planned[0].DurationMS < 900 || m.PriceCents != 800 {
		t.Fatalf("plan %+v, price %d", planned, m.PriceCents)
	}
}

// TestEditSidecarIsAtomic: a failed edit leaves megabox.json as it was and
// no temporary file behind; a broken file is never overwritten.
func TestEditSidecarIsAtomic(t *testing.T) {
	dir := t.TempDir()
	orig := []byte("{\"title\": \"Kept\", \"extra\": [1, 2]}")
	os.WriteFile(filepath.Join(dir, SidecarName), orig, 0o644)
	boom := errors.New("boom")
	if err := EditSidecar(dir, func(s *Sidecar) error { s.Title = "Lost"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, SidecarName)); string(b) != string(orig) {
		t.Fatalf("a failed edit wrote %s", b)
	}
	broken := []byte(`{"price_cents": "ten", "title": "Mine"}`)
	os.WriteFile(filepath.Join(dir, SidecarName), broken, 0o644)
	if err := EditSidecar(dir, func(s *Sidecar) error { s.Title = "Theirs"; return nil }); err == nil || !strings.Contains(err.Error(), SidecarName) {
		t.Fatalf("editing a broken file: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, SidecarName)); string(b) != string(broken) {
		t.Fatalf("a broken file was overwritten with %s", b)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if !reflect.DeepEqual(names, []string{SidecarName}) {
		t.Fatalf("files left: %v", names)
	}
}
