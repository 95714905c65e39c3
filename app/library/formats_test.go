package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/wait"
)

// formatFake serves downloads in formats the way the platform's contract
// says (202 + progress + Retry-After while a format is made, then the file
// with Megabox-Blob-Sha256), over real HTTP, for a release whose masters
// the test chooses. The real platform answers everything else.
type formatFake struct {
	Platform
	srv    *httptest.Server
	client *mhttp.Client

	mu        gosync.Mutex
	flac      map[int64]bool    // tracks with a lossless master
	extras    []api.Extra       // bonus files of every release
	extra     map[string][]byte // their bytes by name
	wait      map[string]int    // "track/format": 202s still to answer
	broken    map[string]bool   // "track/format": answered with a server error
	asked     map[string]int    // "track/format": requests
	wrongMT   map[string]string // "track/format": media type sent instead
	noFormats bool              // a platform that makes no formats: masters only
	bodies    map[string][]byte // what was served, by "track/format"
	fetches   map[string]int    // bonus file requests by name
	sums      map[string]string // sha256 of what was served, by "track/format"
}

func newFormatFake(t *testing.T, p Platform) *formatFake {
	f := &formatFake{Platform: p, flac: map[int64]bool{}, extra: map[string][]byte{}, wait: map[string]int{}, broken: map[string]bool{},
		asked: map[string]int{}, wrongMT: map[string]string{}, bodies: map[string][]byte{}, fetches: map[string]int{}, sums: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/tracks/{id}/audio", f.audio)
	mux.HandleFunc("GET /api/v1/releases/{id}/extras/{name}", f.bonus)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.client, _ = mhttp.NewClient(f.srv.URL, nil)
	return f
}

func key(id int64, fm api.Format) string { return strconv.FormatInt(id, 10) + "/" + string(fm) }

// body is what a track in a format is: distinct bytes per track and format.
func body(id int64, fm api.Format) []byte {
	return []byte(strings.Repeat(fmt.Sprintf("track %d as %s;", id, fm), 4000))
}

func (f *formatFake) audio(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	fm := api.Format(r.URL.Query().Get("format"))
	k := key(id, fm)
	f.mu.Lock()
	f.asked[k]++
	left, broken, mt, noFormats := f.wait[k], f.broken[k], f.wrongMT[k], f.noFormats
	if left > 0 {
		f.wait[k]--
	}
	f.mu.Unlock()
	switch {
	case noFormats && fm != "":
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(map[string]string{"code": api.EUNSUPPORTED, "detail": "this platform makes no other formats"})
		return
	case fm == "": // the master
		fm = api.FormatMP3
		if f.flac[id] {
			fm = api.FormatFLAC
		}
	case broken:
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]string{"code": api.EINTERNAL, "detail": "encoder crashed"})
		return
	case left > 0:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(api.TranscodeProgress{State: api.TranscodeRunning, Progress: 0.4, RetryAfterS: 1})
		return
	}
	b := body(id, fm)
	sum := sha256.Sum256(b)
	f.mu.Lock()
	f.bodies[k], f.sums[k] = b, hex.EncodeToString(sum[:])
	f.mu.Unlock()
	if mt == "" {
		mt = fm.MediaType()
	}
	w.Header().Set("Content-Type", mt)
	w.Header().Set("Megabox-Blob-Sha256", hex.EncodeToString(sum[:]))
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader(string(b)))
}

func (f *formatFake) bonus(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	f.mu.Lock()
	f.fetches[name]++
	b, ok := f.extra[name]
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader(string(b)))
}

// Library is the platform's, with the masters and bonus files the test set.
func (f *formatFake) Library(ctx context.Context) (*api.Library, error) {
	lib, err := f.Platform.Library(ctx)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range lib.Items {
		rel := &lib.Items[i].Release
		rel.Extras = f.extras
		for j := range rel.Tracks {
			rel.Tracks[j].Master = api.AudioFormat{Codec: "mp3"}
			if f.flac[rel.Tracks[j].ID] {
				rel.Tracks[j].Master = api.AudioFormat{Codec: "flac", SampleRate: 96000, BitDepth: 24, Channels: 2}
			}
		}
	}
	return lib, nil
}

func (f *formatFake) FetchTrackFormat(ctx context.Context, trackID int64, fm api.Format, offset int64) (*mhttp.Fetched, error) {
	return f.client.FetchTrackFormat(ctx, trackID, fm, offset)
}

func (f *formatFake) FetchExtra(ctx context.Context, releaseID int64, name string, offset int64) (*mhttp.Fetched, error) {
	return f.client.FetchExtra(ctx, releaseID, name, offset)
}

func (f *formatFake) set(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *formatFake) sum(id int64, fm api.Format) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sums[key(id, fm)]
}

func (f *formatFake) requests(id int64, fm api.Format) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked[key(id, fm)]
}

// newFormatEnv is newEnv with every track's master lossless and the
// format downloads served by a formatFake.
func newFormatEnv(t *testing.T) (*env, *formatFake) {
	e := newEnv(t)
	fake := newFormatFake(t, e.fan)
	for _, tr := range e.rel.Tracks {
		fake.flac[tr.ID] = true
	}
	e.lib = New(e.cache, filepath.Join(t.TempDir(), "Music", "Megabox"), fake)
	return e, fake
}

func (e *env) albumDir() string { return filepath.Join(e.lib.Dir(), "Ann _ The Band", "Night_ Drive_") }

var names = []string{"01 - Intro", "02 - _.._etc_passwd", "03 - _CON"}

// mustHold fails unless each file named holds what the fake served for
// its track in fm.
func (e *env) mustHold(fake *formatFake, fm api.Format) {
	e.t.Helper()
	for i, n := range names {
		sum, err := fileSHA(filepath.Join(e.albumDir(), n+fm.Ext()))
		if want := fake.sum(e.rel.Tracks[i].ID, fm); err != nil || sum != want || want == "" {
			e.t.Fatalf("%s%s: sha %s, %v; want %s", n, fm.Ext(), sum, err, want)
		}
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// The library mirrors lossless masters as FLAC by default, named for the
// format, each file verified against the sha256 the platform names; an
// MP3 master is asked for as MP3 whatever the library's format.
func TestSyncMirrorsInTheChosenFormat(t *testing.T) {
	e, fake := newFormatEnv(t)
	fake.set(func() { fake.flac[e.rel.Tracks[2].ID] = false })
	ctx := context.Background()
	rep, err := e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 3 || len(rep.Problems) != 0 {
		t.Fatalf("sync: %+v, %v", rep, err)
	}
	for i, fm := range []api.Format{api.FormatFLAC, api.FormatFLAC, api.FormatMP3} {
		p := filepath.Join(e.albumDir(), names[i]+fm.Ext())
		if sum, _ := fileSHA(p); sum != fake.sum(e.rel.Tracks[i].ID, fm) {
			t.Fatalf("%s: sha %s, want %s", p, sum, fake.sum(e.rel.Tracks[i].ID, fm))
		}
	}
	if n := fake.requests(e.rel.Tracks[2].ID, api.FormatFLAC); n != 0 {
		t.Fatalf("the MP3 master was asked for as FLAC %d times", n)
	}
	rels, _ := e.lib.Releases(ctx)
	if len(rels) != 1 || rels[0].Format != api.FormatFLAC || rels[0].Preparing != nil || !rels[0].Offline {
		t.Fatalf("releases: %+v", rels)
	}
	if rep, err := e.lib.Check(ctx); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %+v, %v", rep, err)
	}
	// A second sync fetches nothing.
	before := e.lib.BytesDownloaded()
	if rep, _ := e.lib.Sync(ctx); rep.Downloaded != 0 || e.lib.BytesDownloaded() != before {
		t.Fatalf("second sync downloaded %d files", rep.Downloaded)
	}
}

// A format not made yet (202) leaves that release waiting, with its
// progress shown, while the other tracks are fetched; Serve asks again
// after Retry-After until the file is in.
func TestPreparingFormatIsPolledWithoutBlocking(t *testing.T) {
	e, fake := newFormatEnv(t)
	ctx := context.Background()
	slow := e.rel.Tracks[0].ID
	fake.set(func() { fake.wait[key(slow, api.FormatFLAC)] = 2 })
	rep, err := e.lib.Sync(ctx)
	if err != nil || rep.Preparing != 1 || rep.Downloaded != 2 || len(rep.Problems) != 0 {
		t.Fatalf("first sync: %+v, %v", rep, err)
	}
	rels, _ := e.lib.Releases(ctx)
	if p := rels[0].Preparing; p == nil || p.Format != api.FormatFLAC || p.Progress < 0.79 || p.Progress > 0.81 {
		t.Fatalf("preparing: %+v, want FLAC at (2 + 0.4) / 3", p)
	}
	if rels[0].Format != "" || exists(filepath.Join(e.albumDir(), names[0]+".flac")) {
		t.Fatalf("a release still being made shows as mirrored: %+v", rels[0])
	}
	sctx, cancel := context.WithCancel(ctx)
	var wg gosync.WaitGroup
	wg.Go(func() { e.lib.Serve(sctx) })
	defer func() { cancel(); wg.Wait() }()
	e.lib.Request() // as the app does when it starts; Serve then polls on its own
	wait.For(t, 30*time.Second, func() bool {
		rels, _ := e.lib.Releases(ctx)
		return len(rels) == 1 && rels[0].Format == api.FormatFLAC && rels[0].Preparing == nil
	}, func() string { rels, _ := e.lib.Releases(ctx); return fmt.Sprintf("releases %+v", rels) })
	e.mustHold(fake, api.FormatFLAC)
	if n := fake.requests(slow, api.FormatFLAC); n != 3 {
		t.Fatalf("the slow track was asked for %d times, want 3 (two 202s, then the file)", n)
	}
}

// Switching format fetches the new files, then removes the old ones; a
// file the fan changed is kept and said; the receipts, the library's
// records and the plays waiting to be told survive.
func TestFormatSwitchKeepsReceiptsAndChangedFiles(t *testing.T) {
	e, fake := newFormatEnv(t)
	ctx := context.Background()
	if _, err := e.lib.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	e.mustHold(fake, api.FormatFLAC)
	receiptPath := filepath.Join(e.lib.Dir(), "receipts", "1.json")
	receiptBefore, err := os.ReadFile(receiptPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cache.QueuePlay(ctx, e.rel.Tracks[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(e.albumDir(), names[1]+".flac")
	f, _ := os.OpenFile(edited, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("the fan's own tag")
	f.Close()

	if err := e.lib.SetFormat(ctx, "opus"); err != nil {
		t.Fatal(err)
	}
	rep, err := e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 3 {
		t.Fatalf("switch: %+v, %v", rep, err)
	}
	e.mustHold(fake, api.FormatOpus)
	if exists(filepath.Join(e.albumDir(), names[0]+".flac")) || exists(filepath.Join(e.albumDir(), names[2]+".flac")) {
		t.Fatal("old FLAC files left behind")
	}
	if b, err := os.ReadFile(edited); err != nil || !strings.HasSuffix(string(b), "the fan's own tag") {
		t.Fatalf("the file the fan changed: %v", err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != ProblemKept || !strings.HasSuffix(rep.Problems[0].Path, names[1]+".flac") {
		t.Fatalf("problems: %+v, want the kept file", rep.Problems)
	}
	if b, _ := os.ReadFile(receiptPath); string(b) != string(receiptBefore) {
		t.Fatal("the receipt file changed")
	}
	if p, err := VerifyReceiptFile(receiptPath, nil); err != nil || p.ReleaseID != e.rel.ID {
		t.Fatalf("receipt after the switch: %+v, %v", p, err)
	}
	items, _ := e.cache.LibraryItems(ctx)
	if len(items) != 1 || items[0].PurchaseID != 1 || !items[0].ReceiptOK || items[0].Receipt == "" {
		t.Fatalf("library records: %+v", items)
	}
	if plays, _ := e.cache.PendingPlays(ctx, 10); len(plays) != 1 || plays[0].TrackID != e.rel.Tracks[0].ID {
		t.Fatalf("plays waiting: %+v", plays)
	}
	rels, _ := e.lib.Releases(ctx)
	if rels[0].Format != api.FormatOpus || len(rels[0].Tracks) != 3 || !strings.HasSuffix(rels[0].Tracks[0].Path, ".opus") {
		t.Fatalf("release after the switch: %+v", rels[0])
	}
	if rep, _ := e.lib.Check(ctx); len(rep.Problems) != 0 {
		t.Fatalf("check after the switch: %+v", rep.Problems)
	}
}

// A switch cut short (a track fails in the new format, the app restarts)
// keeps the old files until the release is whole in the new format, then
// finishes where it stopped.
func TestInterruptedSwitchResumes(t *testing.T) {
	e, fake := newFormatEnv(t)
	ctx := context.Background()
	if _, err := e.lib.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	last := e.rel.Tracks[2].ID
	fake.set(func() { fake.broken[key(last, api.FormatMP3320)] = true })
	if err := e.lib.SetFormat(ctx, "mp3-320"); err != nil {
		t.Fatal(err)
	}
	rep, err := e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 2 || len(rep.Problems) != 1 || rep.Problems[0].Kind != ProblemDownload {
		t.Fatalf("cut-short switch: %+v, %v", rep, err)
	}
	for _, n := range names {
		if !exists(filepath.Join(e.albumDir(), n+".flac")) {
			t.Fatalf("%s.flac removed before the release was whole in MP3 320", n)
		}
	}
	rels, _ := e.lib.Releases(ctx)
	if rels[0].Format != api.FormatFLAC {
		t.Fatalf("mirrored format mid-switch: %q, want flac", rels[0].Format)
	}

	// The app starts again: a new Library over the same cache and folder.
	fake.set(func() { fake.broken[key(last, api.FormatMP3320)] = false })
	lib := New(e.cache, e.lib.Dir(), fake)
	if lib.Format(ctx) != api.FormatMP3320 {
		t.Fatalf("format after restart: %q", lib.Format(ctx))
	}
	rep, err = lib.Sync(ctx)
	if err != nil || rep.Downloaded != 1 || len(rep.Problems) != 0 {
		t.Fatalf("resumed switch: %+v, %v", rep, err)
	}
	e.lib = lib
	e.mustHold(fake, api.FormatMP3320)
	for _, n := range names {
		if exists(filepath.Join(e.albumDir(), n+".flac")) {
			t.Fatalf("%s.flac left after the switch finished", n)
		}
	}
	for i := range 2 {
		if n := fake.requests(e.rel.Tracks[i].ID, api.FormatMP3320); n != 1 {
			t.Fatalf("track %d fetched %d times in MP3 320, want once", i+1, n)
		}
	}
	if rels, _ := lib.Releases(ctx); rels[0].Format != api.FormatMP3320 {
		t.Fatalf("mirrored format: %q", rels[0].Format)
	}
}

// Only a format a fan may choose is taken, and the choice is kept.
func TestSetFormatRefusesWhatCannotBeChosen(t *testing.T) {
	e, _ := newFormatEnv(t)
	ctx := context.Background()
	for _, bad := range []string{"wav", "", "mp3"} {
		err := e.lib.SetFormat(ctx, bad)
		var ae *api.Error
		if api.ErrorCode(err) != api.EINVALID || !asAPI(err, &ae) || ae.Field != "format" {
			t.Fatalf("SetFormat(%q) = %v, want EINVALID on format", bad, err)
		}
	}
	if got := e.lib.Format(ctx); got != api.FormatFLAC {
		t.Fatalf("format after refused choices: %q, want the default flac", got)
	}
	if err := e.lib.SetFormat(ctx, " AAC "); err != nil || e.lib.Format(ctx) != api.FormatAAC {
		t.Fatalf("SetFormat(AAC): %v, format %q", err, e.lib.Format(ctx))
	}
}

// A platform sending another format than asked is refused: no file is
// named for a format it is not in.
func TestWrongMediaTypeIsRefused(t *testing.T) {
	e, fake := newFormatEnv(t)
	ctx := context.Background()
	fake.set(func() { fake.wrongMT[key(e.rel.Tracks[0].ID, api.FormatFLAC)] = api.MediaMP3 })
	rep, err := e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 2 || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error, "audio/mpeg for FLAC") {
		t.Fatalf("sync: %+v, %v", rep, err)
	}
	if exists(filepath.Join(e.albumDir(), names[0]+".flac")) {
		t.Fatal("an MP3 was saved as .flac")
	}
}

// Bonus files land in the release's Bonus folder, verified against the
// sha256 the release names; one whose bytes differ is not kept.
func TestBonusFilesAreMirroredAndVerified(t *testing.T) {
	e, fake := newFormatEnv(t)
	ctx := context.Background()
	booklet, lyrics := []byte(strings.Repeat("%PDF-1.7 booklet ", 3000)), []byte("[00:01.00] la la")
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	fake.set(func() {
		fake.extras = []api.Extra{
			{Name: "Booklet.pdf", SHA256: sum(booklet), Size: int64(len(booklet)), MediaType: api.MediaPDF},
			{Name: "Lyrics.lrc", SHA256: sum([]byte("other words")), Size: int64(len(lyrics)), MediaType: api.MediaText},
		}
		fake.extra["Booklet.pdf"], fake.extra["Lyrics.lrc"] = booklet, lyrics
	})
	rep, err := e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 4 || len(rep.Problems) != 1 || !strings.HasSuffix(rep.Problems[0].Path, "Bonus/Lyrics.lrc") {
		t.Fatalf("sync: %+v, %v", rep, err)
	}
	if got, _ := os.ReadFile(filepath.Join(e.albumDir(), "Bonus", "Booklet.pdf")); string(got) != string(booklet) {
		t.Fatal("the booklet is not in Bonus/")
	}
	if exists(filepath.Join(e.albumDir(), "Bonus", "Lyrics.lrc")) {
		t.Fatal("a bonus file that does not match its sha256 was kept")
	}
	rels, _ := e.lib.Releases(ctx)
	if len(rels[0].Extras) != 2 || rels[0].Extras[0].Name != "Booklet.pdf" || rels[0].Extras[0].State != StateOK || rels[0].Extras[1].State != StatePending {
		t.Fatalf("extras listed: %+v", rels[0].Extras)
	}
	// Verified once: the next sync only looks at it.
	fake.set(func() { fake.fetches["Booklet.pdf"] = 0 })
	if _, err := e.lib.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	fake.set(func() {
		if fake.fetches["Booklet.pdf"] != 0 {
			t.Errorf("the booklet was fetched again")
		}
	})
}

func asAPI(err error, target **api.Error) bool {
	ae, ok := err.(*api.Error)
	*target = ae
	return ok
}

// A platform that makes no formats still serves masters: the library
// mirrors FLAC masters as FLAC and MP3s as MP3 from them, and a format it
// cannot have is a problem that leaves the files as they are.
func TestPlatformWithoutFormatsServesMasters(t *testing.T) {
	e, fake := newFormatEnv(t)
	fake.set(func() { fake.noFormats, fake.flac[e.rel.Tracks[2].ID] = true, false })
	ctx := context.Background()
	rep, err := e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 3 || len(rep.Problems) != 0 {
		t.Fatalf("sync: %+v, %v", rep, err)
	}
	for i, fm := range []api.Format{api.FormatFLAC, api.FormatFLAC, api.FormatMP3} {
		p := filepath.Join(e.albumDir(), names[i]+fm.Ext())
		if got, _ := os.ReadFile(p); string(got) != string(body(e.rel.Tracks[i].ID, fm)) {
			t.Fatalf("%s does not hold the master", p)
		}
	}
	if err := e.lib.SetFormat(ctx, "opus"); err != nil {
		t.Fatal(err)
	}
	rep, err = e.lib.Sync(ctx)
	if err != nil || rep.Downloaded != 0 || len(rep.Problems) != 2 || !strings.Contains(rep.Problems[0].Error, "makes no other formats") {
		t.Fatalf("sync in Opus: %+v, %v", rep, err)
	}
	if !exists(filepath.Join(e.albumDir(), names[0]+".flac")) {
		t.Fatal("a FLAC file went though no Opus could replace it")
	}
	if rels, _ := e.lib.Releases(ctx); rels[0].Format != api.FormatFLAC {
		t.Fatalf("mirrored format: %q, want flac still", rels[0].Format)
	}
}
