package sync

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestSlowCopyNeverUploadsPartialFiles copies an album into the watched
// folder in small chunks while Serve runs: the platform must end up with
// exactly the finished files.
func TestSlowCopyNeverUploadsPartialFiles(t *testing.T) {
	e := newEnv(t)
	src := t.TempDir()
	var files []string
	for i := range 4 {
		p := filepath.Join(src, fmt.Sprintf("%02d.mp3", i+1))
		testmedia.MP3(t, p, 12, 300+float64(i)*40, testmedia.Tags{Title: fmt.Sprint("Slow ", i+1), Album: "Slow Album", Track: fmt.Sprint(i + 1)})
		files = append(files, p)
	}
	eng := e.engine(Options{Quiet: 300 * time.Millisecond, Settle: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go eng.Serve(ctx)
	time.Sleep(100 * time.Millisecond)

	dst := filepath.Join(e.rootPath, "Slow Album")
	os.MkdirAll(dst, 0o755)
	want := map[string]bool{}
	for _, f := range files {
		want[fileSHA(t, f)] = true
		copySlowly(t, f, filepath.Join(dst, filepath.Base(f)), 16<<10, 15*time.Millisecond)
	}
	wait.Until(t, 2*time.Minute, "the album to sync", func() bool {
		rec, _ := e.cache.Release(ctx, e.root.ID, "Slow Album")
		return rec.State == StateSynced && rec.ReleaseID != 0 && len(e.release("Slow Album").Tracks) == 4
	})
	got := e.serverBlobs()
	for sha := range got {
		if !want[sha] {
			t.Errorf("the platform holds a blob %s that is no finished file", sha)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("platform holds %d blobs, want the %d finished files", len(got), len(want))
	}
	rel := e.release("Slow Album")
	for i, tr := range rel.Tracks {
		if tr.Title != fmt.Sprint("Slow ", i+1) || !want[tr.AudioSHA256] {
			t.Errorf("track %d = %+v", i, tr)
		}
	}
}

func copySlowly(t *testing.T, from, to string, chunk int, pause time.Duration) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	buf := make([]byte, chunk)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			out.Write(buf[:n])
			out.Sync()
			time.Sleep(pause)
		}
		if err == io.EOF {
			return
		}
	}
}

func TestRenameDoesNotReupload(t *testing.T) {
	e := newEnv(t)
	e.album("Night Drive", 3, 2)
	eng := e.engine(Options{})
	e.syncOnce(eng)
	before := e.release("Night Drive")
	sent, read := eng.BytesSent(), eng.BytesRead()
	old := filepath.Join(e.rootPath, "Night Drive", "02 - Song 2.mp3")
	if err := os.Rename(old, filepath.Join(e.rootPath, "Night Drive", "02 - Renamed.mp3")); err != nil {
		t.Fatal(err)
	}
	e.syncOnce(eng)
	if eng.BytesSent() != sent || eng.BytesRead() != read {
		t.Fatalf("a rename sent %d and read %d more bytes", eng.BytesSent()-sent, eng.BytesRead()-read)
	}
	after := e.release("Night Drive")
	for i := range before.Tracks {
		if after.Tracks[i].AudioSHA256 != before.Tracks[i].AudioSHA256 || after.Tracks[i].ID != before.Tracks[i].ID {
			t.Errorf("track %d changed after a rename: %+v → %+v", i, before.Tracks[i], after.Tracks[i])
		}
	}
}

func TestEditedTagUploadsNewBlobAndUpdatesDraft(t *testing.T) {
	e := newEnv(t)
	paths := e.album("Edits", 2, 2)
	eng := e.engine(Options{})
	e.syncOnce(eng)
	before := e.release("Edits")
	testmedia.MP3(t, paths[1], 2, 250+float64(len("Edits"))*7, testmedia.Tags{Title: "Better Title", Album: "Edits", Track: "2/2"})
	sent := eng.BytesSent()
	e.syncOnce(eng)
	after := e.release("Edits")
	if after.ID != before.ID {
		t.Fatalf("an edit made a new release %d (was %d)", after.ID, before.ID)
	}
	if after.Tracks[1].Title != "Better Title" || after.Tracks[1].AudioSHA256 == before.Tracks[1].AudioSHA256 || after.Tracks[1].AudioSHA256 != fileSHA(t, paths[1]) {
		t.Fatalf("track 2 after the edit = %+v", after.Tracks[1])
	}
	if after.Tracks[0] != before.Tracks[0] {
		t.Fatalf("track 1 changed: %+v → %+v", before.Tracks[0], after.Tracks[0])
	}
	st, _ := os.Stat(paths[1])
	if got := eng.BytesSent() - sent; got != st.Size() {
		t.Fatalf("the edit sent %d bytes, want the file's %d", got, st.Size())
	}
}

// TestCancelledUploadResumes stops an engine mid-upload and starts a new
// one on the same cache: it resumes from the confirmed offset.
func TestCancelledUploadResumes(t *testing.T) {
	e := newEnv(t)
	paths := e.album("Long", 1, 90) // ~1.4 MB
	os.Remove(filepath.Join(e.rootPath, "Long", "cover.png"))
	st, _ := os.Stat(paths[0])
	const chunk = 128 << 10
	eng := e.engine(Options{ChunkSize: chunk, RateLimit: 512 << 10})
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	eng.SyncOnce(ctx)
	first := eng.BytesSent()
	if first == 0 || first >= st.Size() {
		t.Fatalf("first run sent %d of %d bytes; want a partial upload", first, st.Size())
	}
	up, err := e.cache.UploadFor(context.Background(), fileSHA(t, paths[0]))
	if err != nil || up.Offset == 0 {
		t.Fatalf("no persisted upload after the cut: %+v, %v", up, err)
	}
	eng2 := e.engine(Options{ChunkSize: chunk})
	e.syncOnce(eng2)
	resent := first + eng2.BytesSent() - st.Size()
	t.Logf("run 1 sent %d, run 2 sent %d, file %d: re-sent %d", first, eng2.BytesSent(), st.Size(), resent)
	if resent > chunk {
		t.Fatalf("re-sent %d bytes, want at most one chunk (%d)", resent, chunk)
	}
	if e.release("Long").Tracks[0].AudioSHA256 != fileSHA(t, paths[0]) {
		t.Fatal("resumed upload does not match the file")
	}
}

// TestServerDownThenBack queues work while the platform is unreachable and
// finishes it, unattended, once it returns.
func TestServerDownThenBack(t *testing.T) {
	e := newEnv(t)
	addr := e.srv.Listener.Addr().String()
	e.srv.Close()
	e.album("Patience", 2, 2)
	eng := e.engine(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go eng.Serve(ctx)
	wait.Until(t, 2*time.Minute, "the engine to notice the platform is down", func() bool { return !eng.Online() })
	// Uploads fail from the first file on; the rest are still hashed and queued.
	wait.Until(t, 2*time.Minute, "every file hashed and queued while offline", func() bool {
		files, _ := e.cache.FilesIn(ctx, e.root.ID, "Patience")
		for _, f := range files {
			if f.SHA256 == "" || f.State != StateQueued {
				return false
			}
		}
		return len(files) == 3
	})
	l, err := listenAgain(addr)
	if err != nil {
		t.Skipf("cannot reuse %s: %v", addr, err)
	}
	e.srv.Close()
	e.p.Close()
	e.startPlatform(l)
	wait.Until(t, 2*time.Minute, "the queue to drain once the platform is back", func() bool {
		return e.releaseState("Patience") == StateSynced
	})
	if len(e.release("Patience").Tracks) != 2 || !eng.Online() {
		t.Fatal("release incomplete after the platform returned")
	}
}

func listenAgain(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

func TestRootMissingChangesNothingRemotely(t *testing.T) {
	e := newEnv(t)
	e.album("Keep Me", 2, 1)
	e.album("Me Too", 1, 1)
	eng := e.engine(Options{})
	e.syncOnce(eng)
	before := e.release("Keep Me")
	away := e.rootPath + ".unmounted"
	if err := os.Rename(e.rootPath, away); err != nil {
		t.Fatal(err)
	}
	rep := e.syncOnce(eng)
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Error(), "missing") {
		t.Fatalf("report for a missing root: %+v", rep)
	}
	roots, _ := e.cache.Roots(context.Background())
	if roots[0].State != "missing" {
		t.Fatalf("root state = %q", roots[0].State)
	}
	if after := e.release("Keep Me"); len(after.Tracks) != len(before.Tracks) {
		t.Fatal("a missing root changed the release on the platform")
	}
	// Back again: nothing to upload.
	os.Rename(away, e.rootPath)
	sent := eng.BytesSent()
	e.syncOnce(eng)
	if eng.BytesSent() != sent || e.releaseState("Keep Me") != StateSynced {
		t.Fatalf("after the root returned: sent %d, state %q", eng.BytesSent()-sent, e.releaseState("Keep Me"))
	}
	// A deleted release folder, and a mass deletion inside one, change nothing remotely either.
	os.RemoveAll(filepath.Join(e.rootPath, "Me Too"))
	for _, p := range []string{"01 - Song 1.mp3", "02 - Song 2.mp3"} {
		os.Remove(filepath.Join(e.rootPath, "Keep Me", p))
	}
	e.syncOnce(eng)
	if got := e.releaseState("Me Too"); got != StateMissing {
		t.Fatalf("deleted folder state = %q", got)
	}
	if got := e.releaseState("Keep Me"); got != StateConfirm {
		t.Fatalf("emptied folder state = %q, want %q", got, StateConfirm)
	}
	if n := len(e.release("Keep Me").Tracks); n != 2 {
		t.Fatalf("mass deletion removed tracks on the platform: %d left", n)
	}
	if len(e.release("Me Too").Tracks) != 1 {
		t.Fatal("a deleted folder changed its release")
	}
}

func TestInvalidFilesBlockOnlyTheirRelease(t *testing.T) {
	e := newEnv(t)
	e.album("Good", 2, 1)
	e.album("Mixed", 2, 1)
	d := filepath.Join(e.rootPath, "Mixed")
	os.WriteFile(filepath.Join(d, "03 - not audio.mp3"), []byte("this is a text file pretending to be an mp3"), 0o644)
	os.WriteFile(filepath.Join(d, "04 - lossless.flac"), []byte("fLaC...."), 0o644) // the header says FLAC; nothing else does
	cut := testmedia.MP3Bytes(t, 3, 500)
	cutPath := filepath.Join(d, "05 - cut.mp3")
	os.WriteFile(cutPath, cut[:len(cut)/2+7], 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(cutPath, old, old)
	os.WriteFile(filepath.Join(d, "notes.txt"), []byte("liner notes"), 0o644)

	eng := e.engine(Options{})
	rep := e.syncOnce(eng)
	msgs := map[string]*Problem{}
	for _, f := range rep.FileErrors {
		msgs[filepath.Base(f.Path)] = f.Problem
	}
	for name, want := range map[string]Problem{
		"03 - not audio.mp3": {Kind: KindNotMP3, Detail: "not an MP3"},
		"04 - lossless.flac": {Kind: KindNotAudio, Name: "FLAC", Detail: "not a FLAC file"},
		"05 - cut.mp3":       {Kind: KindDamaged, Detail: "damaged"},
	} {
		if p := msgs[name]; p == nil || p.Kind != want.Kind || p.Name != want.Name || !strings.Contains(p.Detail, want.Detail) {
			t.Errorf("%s: problem %+v, want kind %s (name %q) with a detail mentioning %q", name, p, want.Kind, want.Name, want.Detail)
		}
	}
	if len(msgs) != 3 {
		t.Errorf("file errors = %v, want 3", msgs)
	}
	if e.releaseState("Mixed") != StateBlocked || e.releaseState("Good") != StateSynced {
		t.Fatalf("states: Mixed %q, Good %q", e.releaseState("Mixed"), e.releaseState("Good"))
	}
	if n := len(e.release("Mixed").Tracks); n != 2 {
		t.Fatalf("Mixed draft has %d tracks, want the 2 good ones", n)
	}
	if _, err := eng.Publish(context.Background(), e.root, "Mixed"); err == nil {
		t.Fatal("a release with broken files was published")
	}
	if r, err := eng.Publish(context.Background(), e.root, "Good"); err != nil || r.State != "published" {
		t.Fatalf("publishing the good release: %+v, %v", r, err)
	}
}

func TestSidecarSetsPriceAndBadSidecarIsReported(t *testing.T) {
	e := newEnv(t)
	e.album("Priced", 1, 1)
	e.album("Broken", 1, 1)
	price := int64(777)
	if err := WriteSidecar(filepath.Join(e.rootPath, "Priced"), Sidecar{PriceCents: &price, Currency: "USD", Description: "From the sidecar"}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(e.rootPath, "Broken", SidecarName), []byte(`{"price_cents": "ten"}`), 0o644)
	eng := e.engine(Options{})
	rep := e.syncOnce(eng)
	r := e.release("Priced")
	if r.PriceCents != 777 || r.Currency != "USD" || r.Description != "From the sidecar" {
		t.Fatalf("release from sidecar = %+v", r)
	}
	if e.releaseState("Broken") != StateError || len(rep.FileErrors) != 1 || !strings.Contains(rep.FileErrors[0].Path, SidecarName) {
		t.Fatalf("broken sidecar: state %q, errors %+v", e.releaseState("Broken"), rep.FileErrors)
	}
}

// TestManifestCheckedBeforeSending: a sidecar the platform would refuse
// fails its release with the platform's own message, naming the field,
// and nothing is created on the platform.
func TestManifestCheckedBeforeSending(t *testing.T) {
	e := newEnv(t)
	e.album("Dated", 1, 1)
	if err := WriteSidecar(filepath.Join(e.rootPath, "Dated"), Sidecar{ReleaseDate: "last spring"}); err != nil {
		t.Fatal(err)
	}
	e.syncOnce(e.engine(Options{}))
	rec, err := e.cache.Release(context.Background(), e.root.ID, "Dated")
	if err != nil {
		t.Fatal(err)
	}
	want := api.FieldErrorf("release_date", "use YYYY-MM-DD, YYYY-MM or YYYY").Error()
	p := e.problem("Dated")
	if rec.State != StateError || p == nil || p.Kind != KindRefused || p.Code != api.EINVALID || p.Field != "release_date" || p.Detail != want || rec.ReleaseID != 0 {
		t.Fatalf("release = %q %+v #%d, want refused on release_date with the detail %q and no release", rec.State, p, rec.ReleaseID, want)
	}
	if n := e.myReleases(); n != 0 {
		t.Fatalf("%d releases on the platform", n)
	}
	rec2 := httptest.NewRecorder()
	e.p.Handler.Metrics().ServeHTTP(rec2, httptest.NewRequest("GET", "/metrics", nil))
	if strings.Contains(rec2.Body.String(), `route="POST /api/v1/releases"`) {
		t.Fatal("the manifest was sent to the platform, which refused it; it should have been refused before")
	}
}

// TestLostCacheRebuildsWithoutUploading deletes the cache: the next sync
// rescans, uploads nothing and adopts the existing release.
func TestLostCacheRebuildsWithoutUploading(t *testing.T) {
	e := newEnv(t)
	e.album("Survivor", 3, 1)
	e.syncOnce(e.engine(Options{}))
	before := e.release("Survivor")

	e.cache = mustCache(t, filepath.Join(t.TempDir(), "new-cache.db"))
	r, _ := e.cache.AddRoot(context.Background(), e.rootPath)
	e.root = *r
	eng := e.engine(Options{})
	e.syncOnce(eng)
	if eng.BytesSent() != 0 {
		t.Fatalf("a rebuilt cache uploaded %d bytes", eng.BytesSent())
	}
	if after := e.release("Survivor"); after.ID != before.ID {
		t.Fatalf("a rebuilt cache made release %d instead of adopting %d", after.ID, before.ID)
	}
	page, _ := e.client.MyReleases(context.Background(), 100, "")
	if len(page.Items) != 1 {
		t.Fatalf("%d releases after the rebuild, want 1", len(page.Items))
	}
}
