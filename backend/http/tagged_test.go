package http_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/backend/transcode"
	"github.com/megabox-fm/megabox/internal/pgtest"
	"github.com/megabox-fm/megabox/internal/s3test"
)

// Tagged copies not served for KeepTagged are deleted from the bucket
// (on disk and on S3), never the masters, the cover or the shared
// transcodes; the next download makes the same bytes again, so a Range
// resume of a track or of a purchase's zip carries on across it.
func TestIdleTaggedCopiesAreEvictedAndMadeAgain(t *testing.T) {
	t.Run("sqlite+disk", func(t *testing.T) { testTaggedEviction(t, platform.DefaultConfig) })
	t.Run("postgres+s3", func(t *testing.T) {
		cfg := platform.DefaultConfig
		cfg.Database = pgtest.NewDatabase(t)
		cfg.Blobs, _ = s3test.Bucket(t)
		testTaggedEviction(t, cfg)
	})
}

func testTaggedEviction(t *testing.T, cfg platform.Config) {
	e := newEnv(t, cfg)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	fan, _ := e.signUp("fan", false)
	rel, p := e.flacRelease(ann, fan)
	track := fmt.Sprintf("/api/v1/tracks/%d/audio?format=opus", rel.Tracks[0].ID)
	archive := fmt.Sprintf("/api/v1/purchases/%d/archive.zip?format=opus", p.ID)
	body, h, _ := e.untilReady(track, fan.Token())
	tagged := h["Megabox-Blob-Sha256"]
	zipBody, zh, _ := e.untilReady(archive, fan.Token())
	etag := zh["Etag"]
	if etag == "" || zh["Megabox-Blob-Sha256"] != hexSHA(zipBody) {
		t.Fatalf("zip headers %v", zh)
	}
	exists := func(sha string) bool {
		t.Helper()
		_, err := e.p.Bucket.Stat(ctx, sha)
		if err != nil && api.ErrorCode(err) != api.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	kept := []string{rel.CoverSHA256}
	for _, tr := range rel.Tracks {
		tc, err := e.p.Store.Transcode(ctx, tr.AudioSHA256, string(api.FormatOpus), transcode.Version(api.FormatOpus))
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, tr.AudioSHA256, tc.SHA256)
	}
	sweep := func(at time.Time) int {
		t.Helper()
		n, err := e.p.Transcodes.Sweep(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	if n := sweep(time.Now().Add(transcode.KeepTagged - time.Minute)); n != 0 || !exists(tagged) {
		t.Fatalf("a sweep before the copies were idle for %v evicted %d (tagged copy there: %v)", transcode.KeepTagged, n, exists(tagged))
	}
	// Both tracks' copies (the track download and the zip's first track are one copy).
	if n := sweep(time.Now().Add(transcode.KeepTagged + time.Minute)); n != 2 {
		t.Fatalf("a sweep after the copies were idle for %v evicted %d, want the 2 tagged copies", transcode.KeepTagged, n)
	}
	if exists(tagged) {
		t.Fatal("an evicted tagged copy is still in the bucket")
	}
	for _, sha := range kept {
		if !exists(sha) {
			t.Errorf("blob %s (a master, the cover or a shared transcode) was deleted", sha)
		}
	}

	// A resumed download remakes the copy, byte for byte.
	status, part, ph := e.raw("GET", track, fan.Token(), nil, "Range", "bytes=100-")
	if status != 206 || !bytes.Equal(part, body[100:]) || ph.Get("Megabox-Blob-Sha256") != tagged {
		t.Errorf("range after eviction: %d, %d bytes, sha %s; want 206 with the rest of the same file %s",
			status, len(part), ph.Get("Megabox-Blob-Sha256"), tagged)
	}
	if !exists(tagged) {
		t.Error("the download after eviction did not store the copy again")
	}
	if n := sweep(time.Now().Add(2*transcode.KeepTagged + time.Minute)); n != 1 {
		t.Fatalf("a sweep after the remade copy was idle evicted %d, want 1", n)
	}
	half := len(zipBody) / 2
	status, zpart, zph := e.raw("GET", archive, fan.Token(), nil, "Range", fmt.Sprintf("bytes=%d-", half), "If-Range", etag)
	if status != 206 || !bytes.Equal(zpart, zipBody[half:]) || zph.Get("Etag") != etag {
		t.Errorf("zip range after eviction: %d, %d bytes, ETag %s; want 206 with the rest of the same zip (ETag %s)",
			status, len(zpart), zph.Get("Etag"), etag)
	}
	status, again, _ := e.raw("GET", track, fan.Token(), nil)
	if status != 200 || !bytes.Equal(again, body) {
		t.Errorf("download after eviction: %d, sha %s; want 200 with the same bytes (%s)", status, hexSHA(again), tagged)
	}
}
