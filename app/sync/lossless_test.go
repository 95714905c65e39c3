package sync

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// pcmMD5 is the MD5 of a WAV's or FLAC's samples as FLAC computes it.
func pcmMD5(t *testing.T, p string) [16]byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(p, ".flac") {
		a, err := media.CheckFLAC(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return a.MD5
	}
	open := media.OpenWAV
	if strings.HasSuffix(p, ".aiff") {
		open = media.OpenAIFF
	}
	r, err := open(f)
	if err != nil {
		t.Fatal(err)
	}
	a, err := media.Analyze(r)
	if err != nil {
		t.Fatal(err)
	}
	return a.MD5
}

// encodeOf is where the engine keeps a WAV's or AIFF's encode.
func (e *env) encodeOf(src string) string {
	dir, err := e.cache.EncodeDir(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return filepath.Join(dir, fileSHA(e.t, src)+".flac")
}

// A folder of MP3, WAV, FLAC (16/44.1 and 24/96) and AIFF masters becomes
// one release through a real megaboxd, in the order of the tags and file
// names, with titles from the FLAC tags and the WAV/AIFF file names. The
// WAV and AIFF are encoded to FLAC here (bit-exact) and only the FLACs
// reach the platform; the folder keeps the originals.
func TestMixedMastersBecomeOneRelease(t *testing.T) {
	testmedia.NeedTools(t, "sox", "flac")
	e := newEnv(t)
	d := filepath.Join(e.rootPath, "Tides")
	os.MkdirAll(d, 0o755)
	testmedia.MP3(t, filepath.Join(d, "01 Dawn.mp3"), 1, 330, testmedia.Tags{Title: "Dawn", Artist: "Ann", Album: "Tides", Track: "1"})
	wav := filepath.Join(d, "02 Undertow.wav")
	testmedia.Music(t, wav, testmedia.Sound{Seconds: 2, Rate: 48000, Bits: 24, Root: "D2"})
	testmedia.MusicFLAC(t, filepath.Join(d, "b.flac"), testmedia.Sound{Seconds: 1.5, Root: "E2"}, map[string]string{"TITLE": "Tide", "TRACKNUMBER": "3", "ARTIST": "Ann"})
	aiff := filepath.Join(d, "04 Ember.aiff")
	testmedia.Music(t, aiff, testmedia.Sound{Seconds: 1, Rate: 44100, Bits: 16, Root: "A2"})
	testmedia.MusicFLAC(t, filepath.Join(d, "a.flac"), testmedia.Sound{Seconds: 1, Rate: 96000, Bits: 24, Root: "C3"}, map[string]string{"TITLE": "High Water", "TRACKNUMBER": "5"})
	wavBytes, _ := os.ReadFile(wav)

	eng := e.engine(Options{})
	rep := e.syncOnce(eng)
	if rep.Failed() || rep.Files != 5 {
		t.Fatalf("report: %d files, errors %v %v", rep.Files, rep.FileErrors, rep.Errors)
	}
	r := e.release("Tides")
	var titles []string
	for _, tr := range r.Tracks {
		titles = append(titles, tr.Title)
	}
	if got, want := strings.Join(titles, " | "), "Dawn | Undertow | Tide | Ember | High Water"; got != want {
		t.Fatalf("tracks %q, want %q", got, want)
	}
	for i, want := range []api.AudioFormat{{Codec: "mp3"}, {Codec: "flac", SampleRate: 48000, BitDepth: 24, Channels: 2},
		{Codec: "flac", SampleRate: 44100, BitDepth: 16, Channels: 2}, {Codec: "flac", SampleRate: 44100, BitDepth: 16, Channels: 2},
		{Codec: "flac", SampleRate: 96000, BitDepth: 24, Channels: 2}} {
		if got := r.Tracks[i].Master; got != want {
			t.Fatalf("track %d: the platform has master %+v, want %+v", i+1, got, want)
		}
	}
	blobs := e.serverBlobs()
	for i, src := range map[int]string{1: wav, 3: aiff} {
		enc := e.encodeOf(src)
		if got, want := r.Tracks[i].AudioSHA256, fileSHA(t, enc); got != want {
			t.Fatalf("track %d names blob %s, want the encode's %s", i+1, got, want)
		}
		if pcmMD5(t, enc) != pcmMD5(t, src) {
			t.Fatalf("the encode of %s does not decode to its samples", src)
		}
		if blobs[fileSHA(t, src)] || !blobs[fileSHA(t, enc)] {
			t.Fatalf("the platform holds the %s original (%v) or lacks its FLAC", filepath.Base(src), blobs[fileSHA(t, src)])
		}
	}
	for _, i := range []int{2, 4} {
		if got, want := r.Tracks[i].AudioSHA256, fileSHA(t, filepath.Join(d, []string{"", "", "b.flac", "", "a.flac"}[i])); got != want {
			t.Fatalf("track %d names %s, want the FLAC as it is (%s)", i+1, got, want)
		}
	}
	if now, _ := os.ReadFile(wav); !bytes.Equal(now, wavBytes) {
		t.Fatal("the WAV in the folder changed")
	}
	sent := eng.BytesSent()
	var masters int64
	for _, n := range []string{"02 Undertow.wav", "b.flac", "04 Ember.aiff", "a.flac"} {
		fi, _ := os.Stat(filepath.Join(d, n))
		masters += fi.Size()
	}
	if sent >= masters {
		t.Fatalf("sent %d bytes for %d bytes of masters: the WAV and AIFF went as they are?", sent, masters)
	}
	t.Logf("sent %d bytes for %d bytes of masters (and an MP3)", sent, masters)

	// A FLAC touched but unchanged is hashed again, not decoded again.
	fl := filepath.Join(d, "a.flac")
	fi, _ := os.Stat(fl)
	later := time.Now().Add(-time.Minute)
	os.Chtimes(fl, later, later)
	read := eng.BytesRead()
	if rep := e.syncOnce(eng); rep.Failed() {
		t.Fatalf("resync: %v %v", rep.FileErrors, rep.Errors)
	}
	if got := eng.BytesRead() - read; got != fi.Size() {
		t.Fatalf("a touched FLAC of %d bytes cost %d bytes of reading, want one hash (no second decode)", fi.Size(), got)
	}
}

// A FLAC whose audio does not match its MD5 is refused with a typed file
// problem; the rest of the folder syncs and the bad file is never sent.
func TestFLACWithWrongMD5IsRefused(t *testing.T) {
	testmedia.NeedTools(t, "sox", "flac")
	e := newEnv(t)
	e.album("Broken", 1, 1)
	bad := filepath.Join(e.rootPath, "Broken", "02 Bad.flac")
	testmedia.MusicFLAC(t, bad, testmedia.Sound{Seconds: 1}, nil)
	testmedia.BreakFLACMD5(t, bad)

	rec := newProblems()
	eng := New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	rep := e.syncOnce(eng)
	if len(rep.FileErrors) != 1 {
		t.Fatalf("file errors %v, want the bad FLAC's", rep.FileErrors)
	}
	want := Problem{Kind: KindFLACChecksum, Name: "FLAC", Detail: "FLAC audio does not match its MD5 checksum: the file is damaged"}
	if got := rec.file("Broken/02 Bad.flac"); got != want {
		t.Fatalf("the window got %+v, want %+v", got, want)
	}
	if kept := e.fileProblem("Broken/02 Bad.flac"); kept == nil || *kept != want {
		t.Fatalf("the cache keeps %+v", kept)
	}
	if e.releaseState("Broken") != StateBlocked || len(e.release("Broken").Tracks) != 1 {
		t.Fatalf("release %q with %d tracks, want blocked with the good one", e.releaseState("Broken"), len(e.release("Broken").Tracks))
	}
	if e.serverBlobs()[fileSHA(t, bad)] {
		t.Fatal("the damaged FLAC was uploaded")
	}
}

// Clipping and silence are shown with the file but do not hold it back.
func TestClippedAndSilentMastersSyncWithAWarning(t *testing.T) {
	testmedia.NeedTools(t, "sox", "flac")
	e := newEnv(t)
	d := filepath.Join(e.rootPath, "Loud")
	os.MkdirAll(d, 0o755)
	for name, args := range map[string][]string{
		"01 Loud.wav":  {"-r", "44100", "-c", "2", "-n", "-b", "16", filepath.Join(d, "01 Loud.wav"), "synth", "1", "sine", "440", "gain", "6"},
		"02 Quiet.wav": {"-r", "44100", "-c", "2", "-n", "-b", "16", filepath.Join(d, "02 Quiet.wav"), "trim", "0", "1"},
	} {
		if out, err := execSox(args...); err != nil {
			t.Fatalf("sox %s: %v: %s", name, err, out)
		}
	}
	rec := newProblems()
	eng := New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	if rep := e.syncOnce(eng); rep.Failed() {
		t.Fatalf("warnings failed the sync: %v %v", rep.FileErrors, rep.Errors)
	}
	if e.releaseState("Loud") != StateSynced || len(e.release("Loud").Tracks) != 2 {
		t.Fatalf("release %q, want synced with both tracks", e.releaseState("Loud"))
	}
	files, _ := e.cache.FilesIn(context.Background(), e.root.ID, "Loud")
	kinds := map[string]string{}
	for _, f := range files {
		if f.State != StateSynced {
			t.Fatalf("%s is %s", f.Rel, f.State)
		}
		if p := FileProblem(f); p != nil {
			kinds[f.Rel] = p.Kind
		}
	}
	if kinds["Loud/01 Loud.wav"] != KindClipping || kinds["Loud/02 Quiet.wav"] != KindSilent {
		t.Fatalf("warnings kept %v, want clipping and silent", kinds)
	}
	if got := rec.file("Loud/01 Loud.wav"); got.Kind != KindClipping || got.Count < 100 {
		t.Fatalf("the window got %+v, want clipping (a sine 6 dB over full scale clips hundreds of times a second)", got)
	}
	if got := rec.file("Loud/02 Quiet.wav"); got.Kind != KindSilent {
		t.Fatalf("the window got %+v, want silent", got)
	}
}

// A WAV's encode goes when the WAV goes, or when its content changes.
func TestEncodeOfADeletedWAVIsCleaned(t *testing.T) {
	testmedia.NeedTools(t, "sox")
	e := newEnv(t)
	e.album("Gone", 1, 1)
	wav := filepath.Join(e.rootPath, "Gone", "02 Soon gone.wav")
	testmedia.Music(t, wav, testmedia.Sound{Seconds: 1})
	eng := e.engine(Options{})
	e.syncOnce(eng)
	enc := e.encodeOf(wav)
	if _, err := os.Stat(enc); err != nil {
		t.Fatalf("no encode after sync: %v", err)
	}
	sha := fileSHA(t, wav)
	os.Remove(wav)
	e.syncOnce(eng)
	if _, err := os.Stat(enc); !os.IsNotExist(err) {
		t.Fatalf("the deleted WAV's encode is still there: %v", err)
	}
	if _, err := e.cache.MasterFor(context.Background(), sha); !cache.IsNotFound(err) {
		t.Fatalf("the deleted WAV's check is still kept: %v", err)
	}
}

// manifests records the manifests the engine sends.
type manifests struct {
	Platform
	mu   gosync.Mutex
	sent []api.Manifest
}

func (m *manifests) CreateRelease(ctx context.Context, man api.Manifest) (*api.Release, error) {
	m.mu.Lock()
	m.sent = append(m.sent, man)
	m.mu.Unlock()
	return m.Platform.CreateRelease(ctx, man)
}

func (m *manifests) UpdateRelease(ctx context.Context, id int64, man api.Manifest) (*api.Release, error) {
	m.mu.Lock()
	m.sent = append(m.sent, man)
	m.mu.Unlock()
	return m.Platform.UpdateRelease(ctx, id, man)
}

func (m *manifests) last() api.Manifest {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		return api.Manifest{}
	}
	return m.sent[len(m.sent)-1]
}

// Bonus files anywhere in the folder are uploaded and named in the
// manifest by their base name; a second file of the same name and a file
// over its kind's limit are file problems, and the rest still syncs.
func TestBonusFilesAreUploaded(t *testing.T) {
	e := newEnv(t)
	e.album("Extras", 1, 1)
	d := filepath.Join(e.rootPath, "Extras")
	os.MkdirAll(filepath.Join(d, "stems"), 0o755)
	os.MkdirAll(filepath.Join(d, "more"), 0o755)
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	files := map[string][]byte{
		"booklet.pdf":      pdf,
		"lyrics.txt":       []byte("Song 1\nla la la\n"),
		"stems/lyrics.txt": []byte("another lyrics file"),
		"more/back.png":    testmedia.PNG(40, 40),
		"huge.lrc":         bytes.Repeat([]byte("[00:01.00] la\n"), api.MaxExtraText/10),
		"notes.rtf":        []byte("{\\rtf1 not a bonus kind}"),
	}
	for name, b := range files {
		os.WriteFile(filepath.Join(d, name), b, 0o644)
	}
	rec := newProblems()
	mp := &manifests{Platform: e.client}
	eng := New(e.cache, mp, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	rep := e.syncOnce(eng)
	got := map[string]string{}
	for _, x := range mp.last().Extras {
		got[x.Name] = x.SHA256
	}
	want := map[string]string{"booklet.pdf": fileSHA(t, filepath.Join(d, "booklet.pdf")), "lyrics.txt": fileSHA(t, filepath.Join(d, "lyrics.txt")),
		"back.png": fileSHA(t, filepath.Join(d, "more/back.png"))}
	if len(got) != len(want) {
		t.Fatalf("manifest extras %v, want %v", got, want)
	}
	blobs := e.serverBlobs()
	for name, sha := range want {
		if got[name] != sha {
			t.Fatalf("extra %s: %s, want %s", name, got[name], sha)
		}
		if !blobs[sha] {
			t.Fatalf("extra %s was not uploaded", name)
		}
	}
	if p := rec.file("Extras/stems/lyrics.txt"); p.Kind != KindExtraDuplicate || p.Name != "lyrics.txt" || p.Folder != "lyrics.txt" {
		t.Fatalf("duplicate: %+v", p)
	}
	if p := rec.file("Extras/huge.lrc"); p.Kind != KindExtraTooLarge || p.Name != "huge.lrc" || p.Limit != api.MaxExtraText>>20 {
		t.Fatalf("too large: %+v", p)
	}
	if len(rep.FileErrors) != 2 || len(e.release("Extras").Tracks) != 1 {
		t.Fatalf("file errors %v, tracks %d", rep.FileErrors, len(e.release("Extras").Tracks))
	}
	// The platform lists them with the purchase, by name, kind and size.
	onPlatform := map[string]api.Extra{}
	for _, x := range e.release("Extras").Extras {
		onPlatform[x.Name] = x
	}
	for name, c := range map[string]struct{ rel, kind string }{
		"booklet.pdf": {"booklet.pdf", api.MediaPDF}, "lyrics.txt": {"lyrics.txt", api.MediaText}, "back.png": {"more/back.png", api.MediaPNG},
	} {
		x := onPlatform[name]
		if x.SHA256 != want[name] || x.MediaType != c.kind || x.Size != int64(len(files[c.rel])) {
			t.Fatalf("the platform lists %s as %+v", name, x)
		}
	}
	if len(onPlatform) != 3 {
		t.Fatalf("the platform lists %d bonus files, want 3", len(onPlatform))
	}
	// The duplicate renamed syncs too.
	os.Rename(filepath.Join(d, "stems/lyrics.txt"), filepath.Join(d, "stems/lyrics (alt).txt"))
	e.syncOnce(eng)
	if n := len(mp.last().Extras); n != 4 {
		t.Fatalf("after the rename: %d extras, want 4", n)
	}
}

// Audio kinds still refused name what to export instead.
func TestUnsupportedAudioSaysWhatToExport(t *testing.T) {
	testmedia.NeedTools(t, "sox")
	e := newEnv(t)
	e.album("Odd", 1, 1)
	os.WriteFile(filepath.Join(e.rootPath, "Odd", "02.ogg"), []byte("OggS...."), 0o644)
	os.WriteFile(filepath.Join(e.rootPath, "Odd", "03.flac"), []byte("fLaC...."), 0o644)
	testmedia.Music(t, filepath.Join(e.rootPath, "Odd", "04 Low.wav"), testmedia.Sound{Seconds: 0.5, Rate: 22050})
	rec := newProblems()
	eng := New(e.cache, e.client, rec, Options{Settle: time.Nanosecond, ChunkSize: 256 << 10})
	e.syncOnce(eng)
	if p := rec.file("Odd/02.ogg"); p.Kind != KindUnsupportedType || p.Name != "OGG" || p.Detail != "OGG files are not accepted: export this track as FLAC, WAV or MP3" {
		t.Fatalf("ogg: %+v", p)
	}
	if p := rec.file("Odd/03.flac"); p.Kind != KindNotAudio || p.Name != "FLAC" || p.Detail != "not a FLAC file" {
		t.Fatalf("a FLAC with a garbage header: %+v", p)
	}
	want := Problem{Kind: KindAudioFormat, Name: "WAV", Detail: "audio at 22.05 kHz is not taken: masters are 44.1 to 192 kHz, export it at one of those rates"}
	if p := rec.file("Odd/04 Low.wav"); p != want {
		t.Fatalf("a 22.05 kHz WAV: %+v, want %+v", p, want)
	}
	if dir, _ := e.cache.EncodeDir(context.Background()); len(must(os.ReadDir(dir))) != 0 {
		t.Fatalf("a refused WAV left an encode in %s", dir)
	}
}

func must[T any](v T, _ error) T { return v }

func execSox(args ...string) ([]byte, error) {
	return exec.Command("sox", args...).CombinedOutput()
}
