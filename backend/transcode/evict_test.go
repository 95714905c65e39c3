package transcode_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/transcode"
)

// countingStore counts WithLightTx, where the service writes when a
// tagged copy was served.
type countingStore struct {
	store.Store
	light atomic.Int32
}

func (c *countingStore) WithLightTx(ctx context.Context, fn func(store.Tx) error) error {
	c.light.Add(1)
	return c.Store.WithLightTx(ctx, fn)
}

// An evicted tagged copy is made again with the very same bytes in every
// format, so a download resumed across an eviction is one file.
func TestEvictedTaggedCopiesAreMadeAgainByteForByte(t *testing.T) {
	r := newRig(t)
	src := musicMaster(t, 2, 44100, 16, 2)
	tf := r.release(r.master(src, 44100, 16, 2, 2))[0]
	ctx := context.Background()
	for i, f := range []api.Format{api.FormatFLAC, api.FormatMP3320, api.FormatMP3V0, api.FormatOpus, api.FormatAAC} {
		before, _, _ := r.download(tf, f)
		first := read(t, before)
		// The copy of this format, and the one of the format before made again.
		want := min(i+1, 2)
		if n, err := r.svc.Sweep(ctx, time.Now().Add(transcode.KeepTagged+time.Minute)); err != nil || n != want {
			t.Fatalf("%s: sweep evicted %d, %v; want %d tagged copies", f, n, err, want)
		}
		if _, err := r.bucket.Stat(ctx, sha(first)); api.ErrorCode(err) != api.ENOTFOUND {
			t.Fatalf("%s: the evicted copy is still in the bucket: %v", f, err)
		}
		if _, err := r.bucket.Stat(ctx, tf.AudioSHA256); err != nil {
			t.Fatalf("%s: the master was deleted: %v", f, err)
		}
		after, _, _ := r.download(tf, f)
		if again := read(t, after); !bytes.Equal(first, again) {
			t.Errorf("%s: made again as %d bytes (%s), want the same %d bytes (%s)", f, len(again), sha(again), len(first), sha(first))
		}
	}
}

// A tagged copy served again and again is recorded as served once an
// hour at most; one made again (after an eviction) is recorded at once.
func TestServedCopiesAreRecordedAtMostHourly(t *testing.T) {
	r := newRig(t)
	src := musicMaster(t, 2, 44100, 16, 2)
	tf := r.release(r.master(src, 44100, 16, 2, 2))[0]
	ctx := context.Background()
	r.download(tf, api.FormatFLAC)
	for range 5 {
		r.download(tf, api.FormatFLAC)
	}
	if n := r.counted.light.Load(); n != 1 {
		t.Fatalf("6 downloads of one copy wrote %d times when it was served, want 1", n)
	}
	stale, err := r.db.StaleTagged(ctx, time.Now().Add(time.Minute), 10)
	if err != nil || len(stale) != 1 {
		t.Fatalf("tagged copies recorded: %v, %v; want 1", stale, err)
	}
	if n, err := r.svc.Sweep(ctx, time.Now().Add(transcode.KeepTagged+time.Minute)); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	r.download(tf, api.FormatFLAC)
	if n := r.counted.light.Load(); n != 2 {
		t.Fatalf("a copy made again after its eviction: %d writes in all, want 2", n)
	}
	if stale, _ := r.db.StaleTagged(ctx, time.Now().Add(time.Minute), 10); len(stale) != 1 {
		t.Fatalf("the copy made again is not recorded: %v", stale)
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
