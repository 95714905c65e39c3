package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// The Sync view receives each problem as its kind with the values its
// message needs; the English cause rides along only as the detail for
// the log, and no field holds a sentence to show.
func TestFoldersSayProblemsByKind(t *testing.T) {
	a, _ := creatorOn(t)
	music := filepath.Join(t.TempDir(), "Music")
	dir := filepath.Join(music, "Night")
	os.MkdirAll(dir, 0o755)
	testmedia.MP3(t, filepath.Join(dir, "01 - One.mp3"), 1, 440, testmedia.Tags{Title: "One"})
	os.WriteFile(filepath.Join(dir, "02 - Two.wma"), []byte("0&\xb2u...."), 0o644)
	os.WriteFile(filepath.Join(dir, sync.SidecarName), []byte(`{"prise_cents": 500}`), 0o644)
	old := time.Now().Add(-time.Hour)
	for _, name := range []string{"01 - One.mp3", "02 - Two.wma", sync.SidecarName} {
		os.Chtimes(filepath.Join(dir, name), old, old)
	}
	x := &SyncAPI{a}
	if err := x.AddFolder(music); err != nil {
		t.Fatal(err)
	}
	if _, err := a.engine.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	fs, err := x.Folders()
	if err != nil || len(fs) != 1 || len(fs[0].Releases) != 1 {
		t.Fatalf("folders = %+v, %v", fs, err)
	}
	r := fs[0].Releases[0]
	if r.State != sync.StateError || r.Problem == nil || r.Problem.Kind != sync.KindSidecarUnknown || r.Problem.Field != "prise_cents" {
		t.Errorf("release %q with %+v, want sidecar_unknown_field naming prise_cents", r.State, r.Problem)
	}
	if p := r.SidecarProblem; p == nil || p.Kind != sync.KindSidecarUnknown || p.Field != "prise_cents" {
		t.Errorf("sidecar problem %+v, want sidecar_unknown_field naming prise_cents", p)
	}
	var wma *FileView
	for i := range r.Files {
		if r.Files[i].Path == "02 - Two.wma" {
			wma = &r.Files[i]
		}
	}
	if wma == nil || wma.State != sync.StateError || wma.Problem == nil || wma.Problem.Kind != sync.KindUnsupportedType || wma.Problem.Name != "WMA" ||
		!strings.Contains(wma.Problem.Detail, "not accepted") {
		t.Errorf("the WMA file is %+v, want unsupported_type WMA with the cause in the detail", wma)
	}
	b, _ := json.Marshal(fs)
	var raw []map[string]any
	json.Unmarshal(b, &raw)
	rel := raw[0]["releases"].([]any)[0].(map[string]any)
	if _, ok := rel["error"]; ok {
		t.Errorf("the release view still has an error text: %v", rel["error"])
	}
	for _, f := range rel["files"].([]any) {
		if _, ok := f.(map[string]any)["error"]; ok {
			t.Errorf("a file view still has an error text: %v", f)
		}
	}
}
