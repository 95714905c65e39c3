package sync

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// megabox.json keeps a release's web settings exactly as the platform's
// manifest writes them, and reads them back the same.
func TestSidecarWebSettingsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	side := Sidecar{Slug: "night-drive", PreviewSeconds: 60, FullStreaming: true}
	if err := WriteSidecar(dir, side); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, SidecarName))
	if err != nil {
		t.Fatal(err)
	}
	manifestJSON, _ := json.Marshal(api.Manifest{Slug: side.Slug, PreviewSeconds: side.PreviewSeconds, FullStreaming: side.FullStreaming})
	var file, manifest map[string]json.RawMessage
	json.Unmarshal(b, &file)
	json.Unmarshal(manifestJSON, &manifest)
	for _, k := range []string{"slug", "preview_seconds", "full_streaming"} {
		if got, want := compact(t, file[k]), compact(t, manifest[k]); got != want {
			t.Errorf("megabox.json has %s: %s, the manifest %s", k, got, want)
		}
	}
	if got, err := ReadSidecar(dir); err != nil || !reflect.DeepEqual(got, side) {
		t.Fatalf("read back %+v, %v", got, err)
	}

	// Written by hand, in the manifest's words.
	os.WriteFile(filepath.Join(dir, SidecarName), []byte(`{"slug": "copper-hours", "preview_seconds": 90}`), 0o644)
	if got, err := ReadSidecar(dir); err != nil || got.Slug != "copper-hours" || got.PreviewSeconds != 90 || got.FullStreaming {
		t.Fatalf("hand-written = %+v, %v", got, err)
	}
	// A word the manifest does not use is refused, naming the file.
	os.WriteFile(filepath.Join(dir, SidecarName), []byte(`{"preview": 30}`), 0o644)
	if _, err := ReadSidecar(dir); err == nil || !strings.Contains(err.Error(), SidecarName) || !strings.Contains(err.Error(), `"preview"`) {
		t.Fatalf("an unknown web field: %v", err)
	}
	// None set: no key is written, as in a manifest that leaves them to the platform.
	if err := WriteSidecar(dir, Sidecar{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, SidecarName)); string(b) != "{}\n" {
		t.Fatalf("no settings wrote %q", b)
	}
}

// Web settings the platform would refuse fail their release with the
// platform's message, naming the file and the field, and nothing is sent.
func TestBadWebSettingsRefusedBeforeSending(t *testing.T) {
	for _, c := range []struct {
		name  string
		side  Sidecar
		field string
	}{
		{"a slug with spaces", Sidecar{Slug: "night drive"}, "slug"},
		{"a slug with a double dash", Sidecar{Slug: "night--drive"}, "slug"},
		{"a slug too long", Sidecar{Slug: strings.Repeat("a", api.MaxSlugLen+1)}, "slug"},
		{"a preview too short", Sidecar{PreviewSeconds: api.MinPreviewSeconds - 1}, "preview_seconds"},
		{"a preview too long", Sidecar{PreviewSeconds: api.MaxPreviewSeconds + 1}, "preview_seconds"},
		{"a negative preview", Sidecar{PreviewSeconds: -30}, "preview_seconds"},
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
			m := api.Manifest{Title: "Night", ArtistName: "Ann", Currency: "EUR", Slug: c.side.Slug, PreviewSeconds: c.side.PreviewSeconds}
			m.Normalize("Ann")
			want := SidecarName + ": " + m.Validate().Error()
			p := e.problem("Night")
			if rec.State != StateError || p == nil || p.Kind != KindSidecarInvalid || p.Field != c.field || p.Detail != want || rec.ReleaseID != 0 {
				t.Fatalf("release = %q %+v #%d, want sidecar_invalid on %s with the detail %q and no release", rec.State, p, rec.ReleaseID, c.field, want)
			}
			if n := e.requests("POST /api/v1/releases"); n != 0 {
				t.Fatalf("the manifest was sent %d time(s); it should have been refused before", n)
			}
		})
	}
}

// A release's web settings reach the platform as megabox.json has them; a
// rescan of the unchanged folder sends nothing, a change is sent once, and
// a slug left out keeps the one the release has.
func TestWebSettingsSyncedOnce(t *testing.T) {
	e := newEnv(t)
	e.album("Night", 2, 1)
	dir := filepath.Join(e.rootPath, "Night")
	side := Sidecar{Slug: "night-drive", PreviewSeconds: 60}
	if err := WriteSidecar(dir, side); err != nil {
		t.Fatal(err)
	}
	eng := e.engine(Options{})
	e.syncOnce(eng)
	if st := e.releaseState("Night"); st != StateSynced {
		rec, _ := e.cache.Release(context.Background(), e.root.ID, "Night")
		t.Fatalf("state %q: %s", st, rec.Error)
	}
	if r := e.release("Night"); r.Slug != "night-drive" || r.PreviewSeconds != 60 || r.FullStreaming {
		t.Fatalf("the platform has slug %q, %d s, full %v; want night-drive, 60 s, previews", r.Slug, r.PreviewSeconds, r.FullStreaming)
	}
	sent := e.requests("POST /api/v1/releases") + e.requests("PUT /api/v1/releases/{id}")
	if sent != 1 {
		t.Fatalf("the release was sent %d time(s) on its first sync, want once", sent)
	}
	for i := range 3 {
		later := time.Now().Add(time.Duration(i+1) * time.Second)
		if err := WriteSidecar(dir, side); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Join(dir, SidecarName), later, later)
		e.syncOnce(eng)
	}
	if again := e.requests("POST /api/v1/releases") + e.requests("PUT /api/v1/releases/{id}") - sent; again != 0 {
		t.Fatalf("unchanged web settings were sent %d more time(s)", again)
	}

	// Full streaming, the slug no longer written: sent once, the slug kept.
	if err := WriteSidecar(dir, Sidecar{FullStreaming: true}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce(eng)
	if n := e.requests("POST /api/v1/releases") + e.requests("PUT /api/v1/releases/{id}") - sent; n != 1 {
		t.Fatalf("a change was sent %d time(s), want once", n)
	}
	if r := e.release("Night"); r.Slug != "night-drive" || !r.FullStreaming || r.PreviewSeconds != api.DefaultPreviewSeconds {
		t.Fatalf("after the change the platform has slug %q, %d s, full %v", r.Slug, r.PreviewSeconds, r.FullStreaming)
	}
}

// A slug another release of the creator has fails the second folder with
// the platform's message, naming megabox.json and the field.
func TestSlugRefusedByThePlatform(t *testing.T) {
	e := newEnv(t)
	e.album("One", 1, 1)
	e.album("Two", 1, 2)
	for _, d := range []string{"One", "Two"} {
		if err := WriteSidecar(filepath.Join(e.rootPath, d), Sidecar{Slug: "same-name"}); err != nil {
			t.Fatal(err)
		}
	}
	e.syncOnce(e.engine(Options{}))
	var synced, refused int
	for _, d := range []string{"One", "Two"} {
		rec, err := e.cache.Release(context.Background(), e.root.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case rec.State == StateSynced && rec.ReleaseID != 0:
			synced++
		case rec.State == StateError && ParseProblem(rec.Error) != nil && ParseProblem(rec.Error).Kind == KindSidecarInvalid &&
			ParseProblem(rec.Error).Field == "slug" && strings.Contains(ParseProblem(rec.Error).Detail, "same-name"):
			refused++
		default:
			t.Errorf("%s = %q %q #%d", d, rec.State, rec.Error, rec.ReleaseID)
		}
	}
	if synced != 1 || refused != 1 {
		t.Fatalf("%d synced, %d refused; want one of each", synced, refused)
	}
}
