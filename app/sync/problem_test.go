package sync

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// problems keeps the last problem each file and release folder was sent
// to the window with, as the window decodes it.
type problems struct {
	mu       gosync.Mutex
	files    map[string]Problem // by path
	releases map[string]Problem // by dir
}

func newProblems() *problems {
	return &problems{files: map[string]Problem{}, releases: map[string]Problem{}}
}

func (r *problems) Emit(event string, payload any) {
	b, _ := json.Marshal(payload) // what the window receives
	var ev struct {
		Path, Dir string
		Problem   *Problem `json:"problem"`
	}
	json.Unmarshal(b, &ev)
	if ev.Problem == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch event {
	case EventFile:
		r.files[ev.Path] = *ev.Problem
	case EventRelease:
		r.releases[ev.Dir] = *ev.Problem
	}
}

func (r *problems) file(path string) Problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.files[path]
}

func (r *problems) release(dir string) Problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.releases[dir]
}

// fileProblem is what the cache keeps for a file, which the Sync view reads.
func (e *env) fileProblem(rel string) *Problem {
	e.t.Helper()
	files, err := e.cache.FilesIn(context.Background(), e.root.ID, releaseDir(rel))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range files {
		if f.Rel == rel {
			return ParseProblem(f.Error)
		}
	}
	return nil
}

// Each file problem real files provoke reaches the window as its kind,
// with the parameter its message needs and the cause in the detail, and
// the cache keeps the same for the next look.
func TestFileProblemsAreTyped(t *testing.T) {
	e := newEnv(t)
	e.album("Mixed", 1, 1)
	d := filepath.Join(e.rootPath, "Mixed")
	os.WriteFile(filepath.Join(d, "02 - windows.wma"), []byte("0&\xb2u...."), 0o644)
	os.WriteFile(filepath.Join(d, "03 - text.mp3"), []byte("this is a text file pretending to be an mp3"), 0o644)
	cut := testmedia.MP3Bytes(t, 3, 500)
	os.WriteFile(filepath.Join(d, "04 - cut.mp3"), cut[:len(cut)/2+7], 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(d, "04 - cut.mp3"), old, old)

	rec := newProblems()
	eng := New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	e.syncOnce(eng)
	for _, c := range []struct {
		rel, kind, name, detail string
	}{
		{"Mixed/02 - windows.wma", KindUnsupportedType, "WMA", "WMA files are not accepted"},
		{"Mixed/03 - text.mp3", KindNotMP3, "", "no audio frames"},
		{"Mixed/04 - cut.mp3", KindDamaged, "", "ends in the middle of an audio frame"},
	} {
		got := rec.file(c.rel)
		if got.Kind != c.kind || got.Name != c.name || !strings.Contains(got.Detail, c.detail) {
			t.Errorf("%s: event problem %+v, want %s (name %q) with a detail saying %q", c.rel, got, c.kind, c.name, c.detail)
		}
		if kept := e.fileProblem(c.rel); kept == nil || *kept != got {
			t.Errorf("%s: the cache keeps %+v, the window got %+v", c.rel, kept, got)
		}
	}
	if got := rec.release("Mixed"); got.Kind != KindFilesNeedFix || got.Count != 3 {
		t.Errorf("release problem %+v, want files_need_attention for 3 files", got)
	}
	if p := e.problem("Mixed"); e.releaseState("Mixed") != StateBlocked || p == nil || p.Kind != KindFilesNeedFix || p.Count != 3 {
		t.Errorf("the cache has Mixed %q %+v", e.releaseState("Mixed"), p)
	}
}

// A file written moments ago waits as settling; one that vanishes as it
// is about to be read waits as changed.
func TestWaitingFilesSayWhy(t *testing.T) {
	e := newEnv(t)
	e.album("Fresh", 1, 1)
	rec := newProblems()
	eng := New(e.cache, e.client, rec, Options{Settle: time.Hour, ChunkSize: 256 << 10})
	e.syncOnce(eng)
	if got := rec.file("Fresh/01 - Song 1.mp3"); got.Kind != KindSettling {
		t.Errorf("a file written just now waits with %+v, want settling", got)
	}

	paths := e.album("Gone", 2, 1)
	eng = New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	eng.onPass = func(rel string) {
		if rel == "Gone/02 - Song 2.mp3" {
			os.Remove(paths[1])
		}
	}
	err := eng.syncDir(context.Background(), e.root, "Gone", &Report{}, func() bool { return false })
	if err != errRetry {
		t.Fatalf("syncDir = %v, want errRetry while a file changes", err)
	}
	if got := rec.file("Gone/02 - Song 2.mp3"); got.Kind != KindChanged || got.Detail != "changed while being read" {
		t.Errorf("a file that changed as it was read waits with %+v, want changed", got)
	}
}

// A megabox.json with a setting this version does not know, or a value
// of the wrong type, names the setting; the release waits for the fix.
func TestSidecarProblemsNameTheSetting(t *testing.T) {
	e := newEnv(t)
	e.album("Typo", 1, 1)
	e.album("Typed", 1, 1)
	os.WriteFile(filepath.Join(e.rootPath, "Typo", SidecarName), []byte(`{"prise_cents": 500}`), 0o644)
	os.WriteFile(filepath.Join(e.rootPath, "Typed", SidecarName), []byte(`{"price_cents": "ten"}`), 0o644)
	rec := newProblems()
	eng := New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	rep := e.syncOnce(eng)
	for dir, want := range map[string]Problem{"Typo": {Kind: KindSidecarUnknown, Field: "prise_cents"}, "Typed": {Kind: KindSidecarInvalid, Field: "price_cents"}} {
		got := rec.release(dir)
		if got.Kind != want.Kind || got.Field != want.Field || !strings.HasPrefix(got.Detail, SidecarName+": ") {
			t.Errorf("%s: release problem %+v, want %s naming %s", dir, got, want.Kind, want.Field)
		}
		if p := e.problem(dir); e.releaseState(dir) != StateError || p == nil || *p != got {
			t.Errorf("%s: the cache has %q %+v", dir, e.releaseState(dir), p)
		}
	}
	var named []string
	for _, f := range rep.FileErrors {
		if f.Problem.Kind == KindSidecarInvalid || f.Problem.Kind == KindSidecarUnknown {
			named = append(named, f.Problem.Field)
		}
	}
	if len(named) != 2 {
		t.Errorf("file errors name %v, want both settings", named)
	}
}

// The platform's refusals of an upload are typed: a file over its size
// limit is too_large, one over the account's storage quota, quota.
func TestPlatformRefusalsAreTyped(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  func(*platform.Config)
		kind string
	}{
		{"too large", func(c *platform.Config) { c.MaxUploadSize = 4 << 10 }, KindTooLarge},
		{"quota", func(c *platform.Config) { c.Quota = 4 << 10 }, KindQuota},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := platform.DefaultConfig
			c.cfg(&cfg)
			e := newEnvWith(t, cfg)
			e.album("Big", 1, 2)
			rec := newProblems()
			eng := New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
			if _, err := eng.SyncOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := rec.release("Big")
			if got.Kind != c.kind || got.Code != c.kind || got.Detail == "" {
				t.Fatalf("release problem %+v, want %s with the platform's words in the detail", got, c.kind)
			}
			if p := e.problem("Big"); e.releaseState("Big") != StateError || p == nil || *p != got {
				t.Errorf("the cache has %q %+v", e.releaseState("Big"), p)
			}
		})
	}
}

// The platform out of reach is offline, not an error in words.
func TestUnreachablePlatformIsOffline(t *testing.T) {
	e := newEnv(t)
	e.album("Away", 1, 1)
	e.srv.Close()
	rec := newProblems()
	eng := New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	eng.SyncOnce(context.Background())
	if got := rec.release("Away"); got.Kind != KindOffline || got.Code != api.EUNAVAILABLE {
		t.Fatalf("release problem %+v, want offline", got)
	}
}

// A folder gone from disk is folder_missing; a problem an older version
// kept as text is no problem the window is shown, and a file record
// holding one is read again.
func TestFolderMissingAndOldText(t *testing.T) {
	e := newEnv(t)
	e.album("Moved", 1, 1)
	rec := newProblems()
	eng := New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	e.syncOnce(eng)
	os.RemoveAll(filepath.Join(e.rootPath, "Moved"))
	e.syncOnce(eng)
	if got := rec.release("Moved"); got.Kind != KindFolderMissing || e.releaseState("Moved") != StateMissing {
		t.Fatalf("release problem %+v (%s), want folder_missing", got, e.releaseState("Moved"))
	}
	for _, s := range []string{"", "cannot read: permission denied", "{not json", `{"detail":"no kind"}`} {
		if p := ParseProblem(s); p != nil {
			t.Errorf("ParseProblem(%q) = %+v, want nil", s, p)
		}
	}

	e.album("Old", 2, 1)
	e.syncOnce(eng)
	ctx := context.Background()
	files, _ := e.cache.FilesIn(ctx, e.root.ID, "Old")
	var old cache.File
	for _, f := range files {
		if f.Rel == "Old/01 - Song 1.mp3" {
			old = f
		}
	}
	old.State, old.Error, old.SHA256 = StateError, "damaged MP3: words an older version kept", ""
	if err := e.cache.PutFile(ctx, old); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(e.rootPath, "Old", "notes.txt"), []byte("the folder changed"), 0o644)
	e.syncOnce(eng)
	files, _ = e.cache.FilesIn(ctx, e.root.ID, "Old")
	for _, f := range files {
		if f.Rel == old.Rel && (f.State != StateSynced || f.Error != "") {
			t.Errorf("a file kept with an older version's words is %q %q, want read again and synced", f.State, f.Error)
		}
	}
}
