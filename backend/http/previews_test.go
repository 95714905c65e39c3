package http_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/s3test"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// masters keeps each encoding's 40-second track for the whole test
// binary: lame runs once per variant, not once per -count.
var masters sync.Map // testmedia.Encoding → []byte

func master(t *testing.T, enc testmedia.Encoding) []byte {
	t.Helper()
	if b, ok := masters.Load(enc); ok {
		return b.([]byte)
	}
	b, _ := masters.LoadOrStore(enc, testmedia.EncodeMP3(t, 40, 523, enc))
	return b.([]byte)
}

// previewRelease uploads audio as the one track of a release set up by
// edit, publishes it unless draft, and returns the track's preview path.
func (e *env) previewRelease(c *mhttp.Client, audio []byte, draft bool, edit func(*api.Manifest)) (string, *api.Release) {
	e.t.Helper()
	ctx := context.Background()
	m := api.Manifest{Title: "Preview " + strconv.FormatInt(e.n.Add(1), 10), PriceCents: 700, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: e.upload(c, audio)}}}
	if edit != nil {
		edit(&m)
	}
	rel, err := c.CreateRelease(ctx, m)
	if err != nil {
		e.t.Fatal(err)
	}
	if !draft {
		if rel, err = c.PublishRelease(ctx, rel.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return fmt.Sprintf("/api/v1/tracks/%d/preview", rel.Tracks[0].ID), rel
}

// checkPreview asserts that body is a preview of seconds of m: a run of
// whole frames taken from m as it is stored, from its first audio frame,
// playing seconds and less than one frame more. It returns where in m
// the preview ends.
func checkPreview(t *testing.T, m, body []byte, seconds int) int {
	t.Helper()
	_, ms, err := media.FrameRun(body)
	if err != nil {
		t.Fatalf("preview of %d bytes is not whole frames: %v", len(body), err)
	}
	if want := int64(seconds) * 1000; ms < want || ms > want+26 {
		t.Fatalf("preview plays %d ms, want %d to %d", ms, want, want+26)
	}
	start := bytes.Index(m, body)
	if start < 0 {
		t.Fatal("the preview's bytes are not a section of the stored file")
	}
	if media.IsInfoFrame(m[start:]) || (bytes.HasPrefix(m, []byte("ID3")) && start < 10) {
		t.Fatalf("the preview starts at %d, in the tag or the full track's header frame", start)
	}
	return start + len(body)
}

// TestPreviewServesTheStartOnly: anyone, signed in or not, gets the
// first PreviewSeconds of a published track, cut on frame boundaries from
// the stored file; Range offsets are the preview's own, so the stored
// file's last bytes cannot be asked for (416) and a suffix range ends at
// the cut; the ETag answers 304.
func TestPreviewServesTheStartOnly(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("Ann", true)
	for _, tc := range []struct {
		enc     testmedia.Encoding
		seconds int
	}{
		{testmedia.Encoding{ID3v2: true}, 0}, // the default, 30 s
		{testmedia.Encoding{VBR: true, ID3v2: true}, 12},
		{testmedia.Encoding{NoXing: true}, 5},
	} {
		t.Run(tc.enc.String(), func(t *testing.T) {
			m := master(t, tc.enc)
			path, _ := e.previewRelease(ann, m, false, func(mf *api.Manifest) { mf.PreviewSeconds = tc.seconds })
			seconds := tc.seconds
			if seconds == 0 {
				seconds = api.DefaultPreviewSeconds
			}
			code, body, hdr := e.raw("GET", path, "", nil)
			if code != 200 {
				t.Fatalf("anonymous preview: %d %s", code, body)
			}
			cut := checkPreview(t, m, body, seconds)
			if cut >= len(m)-100_000 {
				t.Fatalf("preview ends at %d of %d bytes", cut, len(m))
			}
			for k, want := range map[string]string{"Content-Type": "audio/mpeg", "Accept-Ranges": "bytes",
				"Cache-Control": "public, max-age=300", "Content-Length": strconv.Itoa(len(body))} {
				if got := hdr.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if _, signedIn, _ := e.raw("GET", path, ann.Token(), nil); !bytes.Equal(signedIn, body) {
				t.Error("the owner's preview differs from the public one")
			}

			head := min(64<<10, len(body)/2)
			code, part, _ := e.raw("GET", path, "", nil, "Range", fmt.Sprintf("bytes=0-%d", head-1))
			if code != 206 || !bytes.Equal(part, body[:head]) {
				t.Errorf("first %d bytes: %d, %d bytes, equal %v", head, code, len(part), bytes.Equal(part, body[:head]))
			}
			tail := fmt.Sprintf("bytes=%d-", len(m)-1000)
			code, got, _ := e.raw("GET", path, "", nil, "Range", tail)
			if code != 416 || bytes.Contains(got, m[len(m)-1000:]) {
				t.Errorf("Range %s of the stored file through the preview: %d with %d bytes, want 416", tail, code, len(got))
			}
			code, got, _ = e.raw("GET", path, "", nil, "Range", "bytes=-1000")
			if code != 206 || !bytes.Equal(got, m[cut-1000:cut]) || bytes.Equal(got, m[len(m)-1000:]) {
				t.Errorf("suffix range: %d, %d bytes, want the preview's last 1000", code, len(got))
			}
			code, got, _ = e.raw("GET", path, "", nil, "If-None-Match", hdr.Get("ETag"))
			if code != 304 || len(got) != 0 {
				t.Errorf("If-None-Match with the ETag: %d with %d bytes, want 304", code, len(got))
			}
		})
	}
}

// TestPreviewFullStreaming: a release that streams in full serves every
// byte of the stored file, to anyone.
func TestPreviewFullStreaming(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("Ann", true)
	m := master(t, testmedia.Encoding{ID3v2: true})
	path, _ := e.previewRelease(ann, m, false, func(mf *api.Manifest) { mf.FullStreaming = true })
	code, body, _ := e.raw("GET", path, "", nil)
	if code != 200 || !bytes.Equal(body, m) {
		t.Fatalf("full streaming: %d, %d bytes of %d, equal %v", code, len(body), len(m), bytes.Equal(body, m))
	}
	code, got, _ := e.raw("GET", path, "", nil, "Range", fmt.Sprintf("bytes=%d-", len(m)-1000))
	if code != 206 || !bytes.Equal(got, m[len(m)-1000:]) {
		t.Fatalf("full streaming, last 1000 bytes: %d, %d bytes", code, len(got))
	}
}

// TestPreviewOfDrafts: a draft's preview does not exist for anyone but
// its creator and its buyers, and is never for shared caches; a track
// that does not exist is 404 too.
func TestPreviewOfDrafts(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	buyer, _ := e.signUp("Buyer", false)
	m := master(t, testmedia.Encoding{})
	draftPath, _ := e.previewRelease(ann, m, true, nil)
	for who, token := range map[string]string{"anonymous": "", "another fan": fan.Token()} {
		if code, body, _ := e.raw("GET", draftPath, token, nil); code != 404 {
			t.Errorf("%s, draft preview: %d %s, want 404", who, code, body)
		}
	}
	code, body, hdr := e.raw("GET", draftPath, ann.Token(), nil)
	if code != 200 || hdr.Get("Cache-Control") != "private, max-age=0" {
		t.Fatalf("owner, draft preview: %d, Cache-Control %q", code, hdr.Get("Cache-Control"))
	}
	checkPreview(t, m, body, api.DefaultPreviewSeconds)

	// Taken out of the catalog after a sale: the buyer still hears it.
	path, rel := e.previewRelease(ann, master(t, testmedia.Encoding{VBR: true}), false, nil)
	if _, err := buy(buyer, rel.ID, 700, "order-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := ann.UnpublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := e.raw("GET", path, "", nil); code != 404 {
		t.Errorf("anonymous, unpublished preview: %d, want 404", code)
	}
	if code, _, hdr := e.raw("GET", path, buyer.Token(), nil); code != 200 || hdr.Get("Cache-Control") != "private, max-age=0" {
		t.Errorf("buyer, unpublished preview: %d %q, want 200 private", code, hdr.Get("Cache-Control"))
	}
	if code, _, _ := e.raw("GET", "/api/v1/tracks/999999/preview", "", nil); code != 404 {
		t.Errorf("missing track: %d, want 404", code)
	}
}

// TestPreviewCutOnce: the cut is found by reading the file once, even
// when many first plays arrive together; every later play only opens the
// file to serve it.
func TestPreviewCutOnce(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("Ann", true)
	m := master(t, testmedia.Encoding{VBR: true, ID3v2: true})
	path, rel := e.previewRelease(ann, m, false, nil)
	// The platform reads the file to measure its loudness, in the
	// background: let that finish before counting.
	wait.Until(t, 2*time.Minute, "the track's and the album's loudness measured", func() bool {
		got, err := ann.FindRelease(context.Background(), rel.ID)
		return err == nil && got.Tracks[0].Loudness != nil && got.Tracks[0].Loudness.AlbumPeak != 0
	})
	before := e.p.Disk.Reads()
	const n = 16
	var wg sync.WaitGroup
	bodies := make([][]byte, n)
	for i := range n {
		wg.Go(func() { _, bodies[i], _ = e.raw("GET", path, "", nil) })
	}
	wg.Wait()
	for i := range n {
		if !bytes.Equal(bodies[i], bodies[0]) || len(bodies[i]) == 0 {
			t.Fatalf("play %d got %d bytes, play 0 %d", i, len(bodies[i]), len(bodies[0]))
		}
	}
	checkPreview(t, m, bodies[0], api.DefaultPreviewSeconds)
	if got, want := e.p.Disk.Reads()-before, int64(n+1); got != want {
		t.Fatalf("%d plays opened the file %d times, want %d (one read for the cut, one per play)", n, got, want)
	}
}

// TestPreviewOnS3: the same preview, Range and refusals from an S3
// bucket, which reads by ranged GETs instead of a file.
func TestPreviewOnS3(t *testing.T) {
	cfg := platform.DefaultConfig
	cfg.Blobs, _ = s3test.Bucket(t)
	e := newEnv(t, cfg)
	ann, _ := e.signUp("Ann", true)
	m := master(t, testmedia.Encoding{VBR: true, ID3v2: true})
	path, _ := e.previewRelease(ann, m, false, func(mf *api.Manifest) { mf.PreviewSeconds = 10 })
	code, body, _ := e.raw("GET", path, "", nil)
	if code != 200 {
		t.Fatalf("preview: %d %s", code, body)
	}
	cut := checkPreview(t, m, body, 10)
	code, got, _ := e.raw("GET", path, "", nil, "Range", "bytes=1000-1999")
	if start := cut - len(body); code != 206 || !bytes.Equal(got, m[start+1000:start+2000]) {
		t.Errorf("Range 1000-1999: %d, %d bytes", code, len(got))
	}
	if code, _, _ := e.raw("GET", path, "", nil, "Range", fmt.Sprintf("bytes=%d-", len(m)-1000)); code != 416 {
		t.Errorf("the stored file's tail through the preview: %d, want 416", code)
	}
}
