package http_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/blob/disk"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// counted is an env whose server counts the requests it is sent.
type counted struct {
	*env
	requests atomic.Int64
}

func countedEnv(t *testing.T) *counted {
	e := mustEnv(t)
	// The platform's start queues a one-time analysis pass; its writes
	// are its own, not the uploads' to count.
	e.jobDone(service.JobBackfill, service.BackfillKey)
	c := &counted{env: e}
	e.srv.Close()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.requests.Add(1)
		e.p.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	return c
}

// frames returns n layer III frames with the given header and silent bodies.
func frames(n int, header []byte, size int) []byte {
	f := make([]byte, size)
	copy(f, header)
	return bytes.Repeat(f, n)
}

// TestFinishedUploadDescribedAsProbeWould uploads real MP3s and images,
// whole in one request and in chunks, and checks the stored description
// is exactly what media.Probe says reading the file, without the server
// reading any stored file.
func TestFinishedUploadDescribedAsProbeWould(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	dir := t.TempDir()
	cover := filepath.Join(dir, "cover.jpg")
	if err := os.WriteFile(cover, testmedia.JPEG(300, 300), 0o644); err != nil {
		t.Fatal(err)
	}
	bigCover := filepath.Join(dir, "big.png") // the tag outgrows the first 64 KiB
	if err := os.WriteFile(bigCover, pngWithChunk(testmedia.PNG(64, 64), noise(200<<10)), 0o644); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"big cover.mp3":  testmedia.MP3(t, filepath.Join(dir, "c.mp3"), 2.1, 440, testmedia.Tags{Title: "T", Cover: bigCover}),
		"short.mp3":      testmedia.MP3(t, filepath.Join(dir, "a.mp3"), 1.5, 440, testmedia.Tags{Title: "Short"}),
		"tagged.mp3":     testmedia.MP3(t, filepath.Join(dir, "b.mp3"), 7.3, 330, testmedia.Tags{Title: "T", Artist: "A", Album: "L", Track: "2/9", Cover: cover}),
		"silent.mp3":     testmedia.SilentMP3(300_000),
		"48k.mp3":        frames(1000, []byte{0xff, 0xfb, 0x94, 0x64}, 384),
		"cover.png":      testmedia.PNG(640, 480),
		"cover.jpg":      testmedia.JPEG(128, 96),
		"cut in two.mp3": testmedia.MP3Bytes(t, 3, 550)[:20_000],
	}
	reads := e.p.Disk.Reads()
	for name, data := range files {
		if _, err := media.Probe(bytes.NewReader(data)); err != nil {
			t.Fatalf("%s: Probe: %v", name, err)
		}
		for _, chunk := range []int64{0, 7_000} { // whole in one request; in PATCHes
			data := append(bytes.Clone(data), make([]byte, chunk/7_000)...) // a distinct blob per way
			want, _ := media.Probe(bytes.NewReader(data))
			sum := hexSHA(data)
			u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), Filename: name, ChunkSize: chunk}
			if _, err := c.UploadFile(ctx, bytes.NewReader(data), u); err != nil {
				t.Fatalf("%s (chunk %d): %v", name, chunk, err)
			}
			b, err := e.p.Blobs.FindBlob(ctx, sum)
			if err != nil {
				t.Fatal(err)
			}
			got := media.Info{MediaType: b.MediaType, DurationMS: b.DurationMS, Width: b.Width, Height: b.Height}
			if got != want || b.Size != int64(len(data)) {
				t.Errorf("%s (chunk %d): stored %+v of %d bytes, Probe says %+v of %d", name, chunk, got, b.Size, want, len(data))
			}
		}
	}
	if n := e.p.Disk.Reads() - reads; n != 0 {
		t.Errorf("the server read stored files %d times, want 0", n)
	}
}

// TestUploadsThePlatformCannotUseAreRefused: a finished upload that is
// not MP3 audio the player can play nor a JPEG/PNG image is refused with
// Probe's own words; its bytes are deleted and its quota given back.
func TestUploadsThePlatformCannotUseAreRefused(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, a := e.signUp("ann", true)
	mixed := append(frames(1000, []byte{0xff, 0xfb, 0x94, 0x64}, 384), frames(1, []byte{0xff, 0xe3, 0x88, 0x64}, 576)...)
	_, mixedErr := media.Probe(bytes.NewReader(mixed))
	cut := testmedia.MP3Bytes(t, 1, 700)
	cases := []struct {
		name, filename string
		data           []byte
		want           string // in the error's message
	}{
		{"random bytes, no name", "", bytes.Repeat([]byte{0x5a, 0x17, 0xc3}, 100_000), "is not a kind of file the platform takes"},
		{"text named .mp3", "notes.mp3", []byte(strings.Repeat("this is a text file, not an mp3\n", 100)), `"notes.mp3" is not MP3 audio as its name says`},
		{"MP3 named .flac", "song.flac", testmedia.MP3Bytes(t, 0.5, 440), `"song.flac" is not FLAC audio as its name says`},
		{"MPEG-2.5 after 48 kHz", "mixed.mp3", mixed, api.ErrorMessage(mixedErr)},
		{"MPEG-2.5 only", "old.mp3", frames(200, []byte{0xff, 0xe3, 0x88, 0x64}, 576), "MPEG-2.5 audio (8000 Hz) cannot be played: export it again as a standard MP3"},
		{"tag then a fragment", "damaged.mp3", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x10"), cut[len(cut)/3:len(cut)/3+100]...), "is not a kind of file the platform takes"},
		{"truncated PNG", "cover.png", testmedia.PNG(50, 50)[:20], "unreadable image"},
		{"PNG + 8 MiB of anything", "cover.png", append(testmedia.PNG(64, 64), noise(8<<20)...), "bytes follow the end of the PNG image"},
		{"JPEG + 8 MiB of anything", "cover.jpg", append(testmedia.JPEG(64, 64), noise(8<<20)...), "bytes follow the end of the JPEG image"},
		{"0.2 s of MP3 + 8 MiB of anything", "song.mp3", append(testmedia.MP3Bytes(t, 0.2, 440), noise(8<<20)...), "are neither MP3 audio nor tags"},
		{"a valid PNG of 21 MiB, no name", "", pngWithChunk(testmedia.PNG(64, 64), noise(21<<20)), "over the 20 MiB limit for images"},
	}
	for _, tc := range cases {
		for _, chunk := range []int64{0, 10_000} {
			used, _ := e.p.Blobs.UsedBytes(ctx, a.ID)
			sum := hexSHA(tc.data)
			u := &mhttp.Upload{SHA256: sum, Size: int64(len(tc.data)), Filename: tc.filename, ChunkSize: chunk}
			_, err := c.UploadFile(ctx, bytes.NewReader(tc.data), u)
			if api.ErrorCode(err) != api.EUNSUPPORTED || !strings.Contains(api.ErrorMessage(err), tc.want) {
				t.Errorf("%s (chunk %d): err = %v, want EUNSUPPORTED saying %q", tc.name, chunk, err, tc.want)
			}
			if ok, _ := c.HasBlob(ctx, sum); ok {
				t.Errorf("%s: the refused file became a blob", tc.name)
			}
			if after, _ := e.p.Blobs.UsedBytes(ctx, a.ID); after != used {
				t.Errorf("%s (chunk %d): quota used %d after the refusal, want %d as before", tc.name, chunk, after, used)
			}
			if _, err := os.Stat(disk.Path(filepath.Join(e.dir, "blobs"), sum)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: the refused bytes were stored (%v)", tc.name, err)
			}
			if left, _ := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads")); len(left) != 0 {
				t.Errorf("%s (chunk %d): staging still holds %d files", tc.name, chunk, len(left))
			}
		}
	}
	if mixedErr == nil || !strings.Contains(api.ErrorMessage(mixedErr), "MPEG-2.5") {
		t.Fatalf("Probe of the mixed file: %v", mixedErr)
	}
}

// noise is n random bytes.
func noise(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// pngWithChunk puts a private chunk of data before a PNG's IEND.
func pngWithChunk(p, data []byte) []byte {
	end := len(p) - 12
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, "prIv"...)
	c = append(c, data...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	return bytes.Join([][]byte{p[:end], c, p[end:]}, nil)
}

// TestImageSizeCheckedAtCreation: an upload that says it is an image
// (by its name or its type) and declares more than images may be is
// refused before a byte is sent; audio of that size is not.
func TestImageSizeCheckedAtCreation(t *testing.T) {
	e := mustEnv(t)
	c, _ := e.signUp("ann", true)
	sha := b64(hexSHA([]byte("x")))
	for _, tc := range []struct {
		meta   string
		size   int64
		status int
	}{
		{"sha256 " + sha + ",filename " + b64("cover.png"), media.MaxImageBytes + 1, 413},
		{"sha256 " + sha + ",filename " + b64("Cover.JPG"), 30 << 20, 413},
		{"sha256 " + sha + ",filetype " + b64("image/jpeg"), 30 << 20, 413},
		{"sha256 " + sha + ",filename " + b64("cover.png"), media.MaxImageBytes, 201},
		{"sha256 " + sha + ",filename " + b64("song.mp3"), 30 << 20, 201},
	} {
		status, body, _ := e.raw("POST", mhttp.UploadsPath, c.Token(), nil,
			"Tus-Resumable", "1.0.0", "Upload-Length", fmt.Sprint(tc.size), "Upload-Metadata", tc.meta)
		var p mhttp.Problem
		json.Unmarshal(body, &p)
		if status != tc.status {
			t.Errorf("%s of %d bytes: %d %s, want %d", tc.meta, tc.size, status, body, tc.status)
		}
		if status == 413 && (p.Code != api.ETOOLARGE || p.Field != "size" || !strings.Contains(p.Detail, "images can be at most 20 MiB")) {
			t.Errorf("%s: problem %+v, want too_large on size naming the 20 MiB limit", tc.meta, p)
		}
	}
}

// TestSmallUploadInOneRequest: a file of at most one chunk goes up in the
// request that creates its upload; the server commits once, fsyncs the
// file and its directory, and reads nothing back.
func TestSmallUploadInOneRequest(t *testing.T) {
	e := countedEnv(t)
	ctx := context.Background()
	c, a := e.signUp("ann", true)
	for i := range 5 {
		data := testmedia.SilentMP3(1 << 20)
		sum := hexSHA(data)
		requests, commits, syncs, reads := e.requests.Load(), e.p.DB.Commits(), e.p.Disk.Syncs(), e.p.Disk.Reads()
		var created string
		u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), Filename: "one.mp3", OnCreate: func(url string) error { created = url; return nil }}
		sent, err := c.UploadFile(ctx, bytes.NewReader(data), u)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.requests.Load() - requests; got != 1 {
			t.Errorf("file %d: %d requests, want 1", i, got)
		}
		if got := e.p.DB.Commits() - commits; got != 1 {
			t.Errorf("file %d: %d write transactions, want 1", i, got)
		}
		if got := e.p.Disk.Syncs() - syncs; got != 2 {
			t.Errorf("file %d: %d fsyncs, want 2 (the file, its directory)", i, got)
		}
		if got := e.p.Disk.Reads() - reads; got != 0 {
			t.Errorf("file %d: the server read stored files %d times", i, got)
		}
		if sent != int64(len(data)) || created == "" || created != u.URL {
			t.Errorf("file %d: sent %d of %d bytes, OnCreate got %q, URL %q", i, sent, len(data), created, u.URL)
		}
		stored, err := os.ReadFile(disk.Path(filepath.Join(e.dir, "blobs"), sum))
		if err != nil || hexSHA(stored) != sum {
			t.Fatalf("stored blob does not hash to %s (%v)", sum, err)
		}
	}
	if used, _ := e.p.Blobs.UsedBytes(ctx, a.ID); used != 5<<20 {
		t.Errorf("quota used %d, want %d", used, 5<<20)
	}
	if left, _ := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads")); len(left) != 0 {
		t.Errorf("staging still holds %d files", len(left))
	}
}

// TestCutSmallUploadResumes: a creation request cut mid-body leaves an
// upload the client learned of before sending (104), holding the bytes
// that arrived and their quota; resuming sends only the rest.
func TestCutSmallUploadResumes(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, a := e.signUp("ann", true)
	data := testmedia.SilentMP3(3<<20 + 5)
	sum := hexSHA(data)
	var created string
	u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), OnCreate: func(url string) error { created = url; return nil }}
	sent1, err := c.UploadFile(ctx, &failingReader{data: data, limit: 1 << 20}, u)
	if err == nil {
		t.Fatal("an upload over a cut connection succeeded")
	}
	if u.URL == "" || created != u.URL {
		t.Fatalf("after the cut: URL %q, OnCreate got %q", u.URL, created)
	}
	if ok, _ := c.HasBlob(ctx, sum); ok {
		t.Fatal("a partial upload became a blob")
	}
	// The server records the upload once the cut request ends, which the
	// client may not wait for.
	for deadline := time.Now().Add(5 * time.Second); ; {
		used, _ := e.p.Blobs.UsedBytes(ctx, a.ID)
		if used == int64(len(data)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("quota held by the cut upload = %d, want %d", used, len(data))
		}
		time.Sleep(5 * time.Millisecond) // polling the database
	}
	resumed := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), URL: u.URL}
	sent2, err := c.UploadFile(ctx, bytes.NewReader(data), resumed)
	if err != nil {
		t.Fatal(err)
	}
	if sent1+sent2 > int64(len(data))+(1<<20) || sent2 >= int64(len(data)) {
		t.Fatalf("sent %d then %d bytes for a %d-byte file: the resume started over", sent1, sent2, len(data))
	}
	stored, err := os.ReadFile(disk.Path(filepath.Join(e.dir, "blobs"), sum))
	if err != nil || !bytes.Equal(stored, data) {
		t.Fatalf("stored blob differs from the file (%v)", err)
	}
	if used, _ := e.p.Blobs.UsedBytes(ctx, a.ID); used != int64(len(data)) {
		t.Fatalf("quota used after the resume = %d, want %d", used, len(data))
	}
}

// TestUploadOfOwnedBlobSendsNothing: the creation request learns the
// caller already owns the blob before the body goes out.
func TestUploadOfOwnedBlobSendsNothing(t *testing.T) {
	e := countedEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	bob, _ := e.signUp("bob", true)
	for _, size := range []int{200_000, 3 << 20} {
		data := testmedia.SilentMP3(size)
		e.upload(c, data)
		for _, chunk := range []int64{0, 1 << 20} {
			requests := e.requests.Load()
			u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), ChunkSize: chunk}
			sent, err := c.UploadFile(ctx, bytes.NewReader(data), u)
			if err != nil || sent != 0 || !u.Owned || u.URL != "" {
				t.Fatalf("%d bytes again: sent %d, owned %v, URL %q, err %v; want nothing sent", size, sent, u.Owned, u.URL, err)
			}
			if got := e.requests.Load() - requests; got != 1 {
				t.Errorf("%d bytes again: %d requests, want 1", size, got)
			}
		}
		// Knowing the hash is not owning the blob: bob sends the bytes.
		u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data))}
		if sent, err := bob.UploadFile(ctx, bytes.NewReader(data), u); err != nil || sent != int64(len(data)) || u.Owned {
			t.Fatalf("another account: sent %d, owned %v, err %v", sent, u.Owned, err)
		}
	}
}

// gatedReader serves data up to at, then waits for open to close.
type gatedReader struct {
	data []byte
	at   int64
	open chan struct{}
}

func (g *gatedReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= g.at {
		<-g.open
	} else if len(p) > int(g.at-off) {
		p = p[:g.at-off]
	}
	if off >= int64(len(g.data)) {
		return 0, io.EOF
	}
	n := copy(p, g.data[off:])
	if off+int64(n) == int64(len(g.data)) {
		return n, io.EOF
	}
	return n, nil
}

// TestJanitorRemovesOrphanedStaging: staging files no upload owns (left
// by a whole file in memory when the server stopped) are deleted once
// older than the grace period; those of an upload in progress in this
// process, of a recorded upload, and files the server did not name are
// kept, however old.
func TestJanitorRemovesOrphanedStaging(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	staging := filepath.Join(e.dir, "blobs", "uploads")
	old := time.Now().Add(-2 * mhttp.StagingGrace)
	age := func(names ...string) {
		t.Helper()
		for _, n := range names {
			if err := os.Chtimes(filepath.Join(staging, n), old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	orphan := strings.Repeat("ab", 16)
	for _, n := range []string{orphan, orphan + ".info", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(staging, n), []byte("left behind"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	age(orphan, orphan+".info", "notes.txt")
	fresh := strings.Repeat("cd", 16) // as old as a file being created now
	if err := os.WriteFile(filepath.Join(staging, fresh), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	// A recorded upload, cut after its first chunk.
	cut := testmedia.SilentMP3(900_000)
	recorded := &mhttp.Upload{SHA256: hexSHA(cut), Size: int64(len(cut)), ChunkSize: 300_000}
	c.UploadFile(ctx, &failingReader{data: cut, limit: 300_000}, recorded)
	recordedID := recorded.URL[strings.LastIndex(recorded.URL, "/")+1:]
	age(recordedID, recordedID+".info")

	// A whole file arriving in the request that creates it, half sent.
	data := testmedia.SilentMP3(600_000)
	gate := &gatedReader{data: data, at: 300_000, open: make(chan struct{})}
	done := make(chan error, 1)
	whole := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data))}
	go func() {
		_, err := c.UploadFile(ctx, gate, whole)
		done <- err
	}()
	var wholeID string
	for deadline := time.Now().Add(10 * time.Second); wholeID == ""; {
		entries, _ := os.ReadDir(staging)
		for _, en := range entries {
			n := en.Name()
			if fi, err := en.Info(); err == nil && len(n) == 32 && n != orphan && n != fresh && n != recordedID && fi.Size() > 0 {
				wholeID = n
			}
		}
		if time.Now().After(deadline) {
			close(gate.open)
			t.Fatal("the whole upload's first bytes never reached staging")
		}
		time.Sleep(5 * time.Millisecond) // polling the staging directory
	}
	// A whole file in its creating request is only its bytes on disk.
	if _, err := os.Stat(filepath.Join(staging, wholeID+".info")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the whole upload in progress has an info file (%v)", err)
	}
	age(wholeID)

	n, err := e.p.Handler.ExpireUploads(ctx, time.Now())
	if err != nil || n != 2 {
		t.Errorf("ExpireUploads = %d, %v; want 2 (the orphan and its .info)", n, err)
	}
	for _, gone := range []string{orphan, orphan + ".info"} {
		if _, err := os.Stat(filepath.Join(staging, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("orphaned %s still staged (%v)", gone, err)
		}
	}
	for _, kept := range []string{"notes.txt", fresh, recordedID, recordedID + ".info", wholeID} {
		if _, err := os.Stat(filepath.Join(staging, kept)); err != nil {
			t.Errorf("%s was deleted: %v", kept, err)
		}
	}

	close(gate.open)
	if err := <-done; err != nil {
		t.Fatalf("the upload in progress failed after the sweep: %v", err)
	}
	stored, err := os.ReadFile(disk.Path(filepath.Join(e.dir, "blobs"), whole.SHA256))
	if err != nil || !bytes.Equal(stored, data) {
		t.Fatalf("the upload in progress was not stored whole (%v)", err)
	}
	if _, err := c.UploadFile(ctx, bytes.NewReader(cut), &mhttp.Upload{SHA256: recorded.SHA256, Size: recorded.Size, URL: recorded.URL}); err != nil {
		t.Fatalf("the recorded upload cannot resume after the sweep: %v", err)
	}
}

// TestReleaseQueuesItsAnalysisInItsCommit: a release's track list and the
// analysis it asks for are one durable commit, whatever the number of
// tracks; the jobs are known as soon as the request returns, and running
// them adds no fsync'd commit (their claims and outcomes can be redone).
func TestReleaseQueuesItsAnalysisInItsCommit(t *testing.T) {
	e := countedEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	m, _ := e.album(c, "Tides", 3)
	durable := e.p.DB.DurableCommits()
	rel, err := c.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.p.DB.DurableCommits() - durable; got != 1 {
		t.Errorf("creating a release of 3 tracks made %d durable commits, want 1", got)
	}
	var audio []string
	for _, tr := range m.Tracks {
		audio = append(audio, tr.AudioSHA256)
	}
	queued := [][2]string{{service.JobAlbum, fmt.Sprintf("%d/%s", rel.ID, store.TracksHash(audio))}}
	for _, sha := range audio {
		queued = append(queued, [2]string{service.JobAnalyze, sha})
	}
	for _, j := range queued {
		if _, err := e.p.Jobs.Status(ctx, j[0], j[1]); err != nil {
			t.Errorf("job %s %s not queued with the release: %v", j[0], j[1], err)
		}
	}
	for _, j := range queued {
		e.jobDone(j[0], j[1])
	}
	if got := e.p.DB.DurableCommits() - durable; got != 1 {
		t.Errorf("after the analysis ran: %d durable commits, want still 1", got)
	}
}
