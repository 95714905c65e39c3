package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// checkTracks fails unless rel's tracks are positions 1..n with the given
// audio in order.
func checkTracks(t *testing.T, rel *api.Release, shas ...string) {
	t.Helper()
	if len(rel.Tracks) != len(shas) {
		t.Fatalf("release %d has %d tracks %+v, want %d", rel.ID, len(rel.Tracks), rel.Tracks, len(shas))
	}
	for i, tr := range rel.Tracks {
		if tr.Position != i+1 || tr.AudioSHA256 != shas[i] {
			t.Fatalf("track %d = position %d audio %.8s, want position %d audio %.8s", i, tr.Position, tr.AudioSHA256, i+1, shas[i])
		}
	}
}

func writeSidecar(t *testing.T, dir string, s Sidecar) {
	t.Helper()
	b, _ := json.Marshal(s)
	if err := os.WriteFile(filepath.Join(dir, SidecarName), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIdenticalFilesAreTwoTracks: two identical MP3s in one folder are two
// tracks sharing one blob, and stay exactly that through updates: no track
// left behind at a negative position, nothing sold twice.
func TestIdenticalFilesAreTwoTracks(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.rootPath, "Twice")
	os.MkdirAll(dir, 0o755)
	one := testmedia.MP3(t, filepath.Join(dir, "01 - Loop.mp3"), 1, 330, testmedia.Tags{})
	if err := os.WriteFile(filepath.Join(dir, "02 - Loop again.mp3"), one, 0o644); err != nil {
		t.Fatal(err)
	}
	testmedia.MP3(t, filepath.Join(dir, "03 - Coda.mp3"), 1, 550, testmedia.Tags{})
	a, c := fileSHA(t, filepath.Join(dir, "01 - Loop.mp3")), fileSHA(t, filepath.Join(dir, "03 - Coda.mp3"))
	eng := e.engine(Options{})

	rep := e.syncOnce(eng)
	if rep.Failed() {
		t.Fatalf("sync failed: %+v", rep)
	}
	rel := e.release("Twice")
	checkTracks(t, rel, a, a, c)
	if rel.Tracks[0].Title != "Loop" || rel.Tracks[1].Title != "Loop again" {
		t.Errorf("titles = %q, %q", rel.Tracks[0].Title, rel.Tracks[1].Title)
	}
	for i := range 4 { // each update keeps exactly these tracks, none left behind
		writeSidecar(t, dir, Sidecar{Title: fmt.Sprintf("Twice, take %d", i+2)})
		if rep := e.syncOnce(eng); rep.Failed() {
			t.Fatalf("update %d failed: %+v", i, rep)
		}
		rel = e.release("Twice")
		if rel.Title != fmt.Sprintf("Twice, take %d", i+2) {
			t.Fatalf("update %d: title %q", i, rel.Title)
		}
		checkTracks(t, rel, a, a, c)
	}
	// Every file of the folder is synced, the copy included.
	files, err := e.cache.FilesIn(context.Background(), e.root.ID, "Twice")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f.Rel, ".mp3") && f.State != StateSynced {
			t.Errorf("%s is %q, want synced", f.Rel, f.State)
		}
	}
	// A lost cache finds the same release again rather than making another.
	e.cache = mustCache(t, filepath.Join(t.TempDir(), "fresh.db"))
	r, err := e.cache.AddRoot(context.Background(), e.rootPath)
	if err != nil {
		t.Fatal(err)
	}
	e.root = *r
	if rep := e.syncOnce(e.engine(Options{})); rep.Failed() {
		t.Fatalf("sync after a lost cache failed: %+v", rep)
	}
	if got := e.release("Twice"); got.ID != rel.ID {
		t.Fatalf("after a lost cache the folder became release %d, want %d", got.ID, rel.ID)
	}
	page, err := e.client.MyReleases(context.Background(), 10, "")
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("MyReleases = %+v, %v; want one release", page, err)
	}
}

// TestUnplayableMP3IsAFileError: an MP3 the player cannot play is refused
// before upload with a per-file error; the rest of the folder syncs.
func TestUnplayableMP3IsAFileError(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.rootPath, "Mixed")
	os.MkdirAll(dir, 0o755)
	testmedia.MP3(t, filepath.Join(dir, "01 - Fine.mp3"), 1, 440, testmedia.Tags{})
	frame := func(n int, hdr []byte, size int) []byte {
		f := make([]byte, size)
		copy(f, hdr)
		return bytes.Repeat(f, n)
	}
	mixed := append(frame(1000, []byte{0xff, 0xfb, 0x94, 0x64}, 384), frame(1, []byte{0xff, 0xe3, 0x88, 0x64}, 576)...)
	if err := os.WriteFile(filepath.Join(dir, "02 - Mixed.mp3"), mixed, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := e.syncOnce(e.engine(Options{}))
	if len(rep.FileErrors) != 1 || rep.FileErrors[0].Path != "Mixed/02 - Mixed.mp3" || rep.FileErrors[0].Problem.Kind != KindUnplayable || !strings.Contains(rep.FileErrors[0].Problem.Detail, "MPEG-2.5") {
		t.Fatalf("file errors = %+v, want one naming MPEG-2.5 for 02 - Mixed.mp3", rep.FileErrors)
	}
	if got := e.serverBlobs(); len(got) != 1 {
		t.Errorf("platform holds %d blobs, want only the playable file", len(got))
	}
	if rel := e.release("Mixed"); len(rel.Tracks) != 1 || e.releaseState("Mixed") != StateBlocked {
		t.Errorf("release has %d tracks, state %q; want 1 track, blocked", len(rel.Tracks), e.releaseState("Mixed"))
	}
}

// copyDir copies a release folder's files.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	os.MkdirAll(to, 0o755)
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range entries {
		b, err := os.ReadFile(filepath.Join(from, d.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, d.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loseCache starts over with an empty cache over the same root.
func (e *env) loseCache() {
	e.t.Helper()
	e.cache = mustCache(e.t, filepath.Join(e.t.TempDir(), "fresh.db"))
	r, err := e.cache.AddRoot(context.Background(), e.rootPath)
	if err != nil {
		e.t.Fatal(err)
	}
	e.root = *r
}

// TestSameAudioNeverTakesOverAnotherFolder: a folder whose audio matches
// another folder's release never adopts it, with or without a cache; it
// gets its own draft and says so.
func TestSameAudioNeverTakesOverAnotherFolder(t *testing.T) {
	e := newEnv(t)
	e.album("First", 2, 1)
	first := filepath.Join(e.rootPath, "First")
	writeSidecar(t, first, Sidecar{Title: "First"})
	if rep := e.syncOnce(e.engine(Options{})); rep.Failed() {
		t.Fatalf("sync: %+v", rep)
	}
	a := e.release("First")
	shas := []string{a.Tracks[0].AudioSHA256, a.Tracks[1].AudioSHA256}

	// A copy of the folder, retitled: a new release, the first untouched.
	second := filepath.Join(e.rootPath, "Second")
	copyDir(t, first, second)
	writeSidecar(t, second, Sidecar{Title: "Second"})
	os.Rename(filepath.Join(second, "01 - Song 1.mp3"), filepath.Join(second, "01 - Renamed.mp3"))
	if rep := e.syncOnce(e.engine(Options{})); rep.Failed() {
		t.Fatalf("sync: %+v", rep)
	}
	b := e.release("Second")
	if b.ID == a.ID {
		t.Fatalf("the copy took over release %d", a.ID)
	}
	rec, _ := e.cache.Release(context.Background(), e.root.ID, "Second")
	if p := e.problem("Second"); rec.State != StateSynced || p == nil || p.Kind != KindAdoptTaken || p.Folder != "First" || !strings.Contains(p.Detail, "made a new draft") {
		t.Errorf("Second is %q %+v, want synced with a note naming the folder First", rec.State, p)
	}
	checkFirst := func() {
		t.Helper()
		got, err := e.client.FindRelease(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "First" || got.Tracks[0].Title != "Song 1" {
			t.Fatalf("release %d is now %q with track 1 %q, want %q with %q", a.ID, got.Title, got.Tracks[0].Title, "First", "Song 1")
		}
		checkTracks(t, got, shas...)
	}
	checkFirst()
	if got, _ := e.client.FindRelease(context.Background(), a.ID); !got.UpdatedAt.Equal(a.UpdatedAt) {
		t.Errorf("release %d was updated by the other folder's sync", a.ID)
	}

	// Lose the cache: each folder finds its own release again.
	e.loseCache()
	if rep := e.syncOnce(e.engine(Options{})); rep.Failed() {
		t.Fatalf("sync after a lost cache: %+v", rep)
	}
	checkFirst()
	if got := e.release("First").ID; got != a.ID {
		t.Errorf("First became release %d, want %d", got, a.ID)
	}
	if got := e.release("Second").ID; got != b.ID {
		t.Errorf("Second became release %d, want %d", got, b.ID)
	}

	// Lose it again with a third copy titled like neither: the two
	// candidates are ambiguous, so the copy gets a new draft and says so.
	e.loseCache()
	third := filepath.Join(e.rootPath, "Third")
	copyDir(t, first, third)
	writeSidecar(t, third, Sidecar{Title: "Third"})
	eng := e.engine(Options{})
	rep := &Report{}
	if err := eng.SyncDir(context.Background(), e.root, "Third", rep); err != nil {
		t.Fatal(err)
	}
	c := e.release("Third")
	if c.ID == a.ID || c.ID == b.ID || c.Title != "Third" {
		t.Fatalf("Third became release %d %q, want a new draft", c.ID, c.Title)
	}
	if p := e.problem("Third"); p == nil || p.Kind != KindAdoptAmbiguous || p.Count != 2 || !strings.Contains(p.Detail, "2 releases on Megabox") || strings.Contains(p.Name, "(") {
		t.Errorf("Third's note = %+v, want adopt_ambiguous with two releases named by title alone", p)
	}
	checkFirst()
	page, _ := e.client.MyReleases(context.Background(), 10, "")
	if len(page.Items) != 3 {
		t.Errorf("%d releases on the platform, want 3", len(page.Items))
	}
}

// TestNonUTF8NamesSync: a folder and files named in Latin-1 bytes sync,
// with readable titles; the files keep their real names on disk.
func TestNonUTF8NamesSync(t *testing.T) {
	e := newEnv(t)
	dirName := "caf\xe9"
	dir := filepath.Join(e.rootPath, dirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	testmedia.MP3(t, filepath.Join(dir, "01 - Ni\xf1a.mp3"), 1, 300, testmedia.Tags{})
	testmedia.MP3(t, filepath.Join(dir, "\xff.mp3"), 1, 500, testmedia.Tags{})
	rep := e.syncOnce(e.engine(Options{}))
	if rep.Failed() {
		t.Fatalf("sync failed: %+v", rep)
	}
	rel := e.release(dirName)
	if rel.Title != "café" {
		t.Errorf("release title = %q, want %q", rel.Title, "café")
	}
	want := []string{"Niña", "ÿ"}
	if len(rel.Tracks) != len(want) {
		t.Fatalf("tracks = %+v, want %q", rel.Tracks, want)
	}
	for i, tr := range rel.Tracks {
		if tr.Title != want[i] {
			t.Errorf("track %d title = %q, want %q", i+1, tr.Title, want[i])
		}
	}
	files, err := e.cache.FilesIn(context.Background(), e.root.ID, dirName)
	if err != nil || len(files) != 2 {
		t.Fatalf("cached files = %+v, %v", files, err)
	}
	for _, f := range files {
		if f.State != StateSynced || !strings.HasPrefix(f.Rel, dirName+"/") {
			t.Errorf("%q is %q, want synced under its real name", f.Rel, f.State)
		}
	}
}

func TestReadable(t *testing.T) {
	for in, want := range map[string]string{
		"Night Drive":      "Night Drive",
		"caf\xe9":          "café",
		"\xff":             "ÿ",
		"\x93quoted\x94":   "\u201cquoted\u201d",
		"mixed é and \xe9": "mixed é and é",
	} {
		if got := readable(in); got != want {
			t.Errorf("readable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestInvisibleCharactersInTitles: direction marks and zero-width
// characters in tags are dropped from the titles they make; a title the
// creator typed with one is refused with a clear error on the release.
func TestInvisibleCharactersInTitles(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.rootPath, "Marks")
	os.MkdirAll(dir, 0o755)
	testmedia.MP3(t, filepath.Join(dir, "01.mp3"), 1, 300, testmedia.Tags{Title: "Ri\u202Ede\u200B", Album: "\uFEFFMarked\u2066", Artist: "Ann\u200F"})
	testmedia.MP3(t, filepath.Join(dir, "02 - Two\u2060.mp3"), 1, 500, testmedia.Tags{})
	eng := e.engine(Options{})
	if rep := e.syncOnce(eng); rep.Failed() {
		t.Fatalf("sync failed: %+v", rep)
	}
	rel := e.release("Marks")
	if rel.Title != "Marked" || rel.ArtistName != "Ann" || rel.Tracks[0].Title != "Ride" || rel.Tracks[1].Title != "Two" {
		t.Fatalf("release %q by %q, tracks %q, %q; want Marked by Ann, Ride, Two", rel.Title, rel.ArtistName, rel.Tracks[0].Title, rel.Tracks[1].Title)
	}

	writeSidecar(t, dir, Sidecar{Title: "gnp.\u202Eexe"})
	rep, err := eng.SyncOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := e.cache.Release(context.Background(), e.root.ID, "Marks")
	if p := e.problem("Marks"); len(rep.Errors) != 1 || rec.State != StateError || p == nil || p.Kind != KindRefused || p.Field != "title" || !strings.Contains(p.Detail, "U+202E") {
		t.Fatalf("release is %q %+v (report errors %v); want refused on the title, the detail naming U+202E", rec.State, p, rep.Errors)
	}
	if got := e.release("Marks"); got.Title != "Marked" {
		t.Errorf("the refused title reached the platform: %q", got.Title)
	}
}
