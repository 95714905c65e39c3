package http_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// uploadNamed sends data through tus under a file name and returns its
// sha256.
func (e *env) uploadNamed(c *mhttp.Client, name string, data []byte) string {
	e.t.Helper()
	sum := hexSHA(data)
	u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), Filename: name}
	if _, err := c.UploadFile(context.Background(), bytes.NewReader(data), u); err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	return sum
}

// TestFLACMastersBecomeTracks: FLAC masters made by Debian's flac upload
// as FLAC blobs with their format, and a release may mix them with MP3.
func TestFLACMastersBecomeTracks(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	hi := testmedia.MasterFLAC(t, 1.5, 440, 96000, 24, 2)
	cd := testmedia.MasterFLAC(t, 1, 330, 44100, 16, 2)
	mp3 := testmedia.MP3Bytes(t, 1, 550)
	m := api.Manifest{Title: "Mixed", PriceCents: 700, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Hi-res", AudioSHA256: e.uploadNamed(ann, "01 Hi-res.flac", hi)},
		{Position: 2, Title: "CD", AudioSHA256: e.uploadNamed(ann, "02 CD.flac", cd)},
		{Position: 3, Title: "Lossy", AudioSHA256: e.uploadNamed(ann, "03 Lossy.mp3", mp3)},
	}}
	b, err := e.p.Blobs.FindBlob(ctx, m.Tracks[0].AudioSHA256)
	if err != nil || b.MediaType != api.MediaFLAC || b.DurationMS != 1500 || b.Size != int64(len(hi)) {
		t.Fatalf("stored blob = %+v, %v; want FLAC of 1500 ms and %d bytes", b, err, len(hi))
	}
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatalf("a release of FLAC and MP3 tracks: %v", err)
	}
	for i, want := range []int64{1500, 1000} {
		if got := rel.Tracks[i].DurationMS; got != want {
			t.Errorf("track %d lasts %d ms, want %d", i+1, got, want)
		}
	}
}
