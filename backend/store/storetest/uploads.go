package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

func testUploads(t *testing.T, s Services) {
	ctx := signUp(t, s, "ann", true)
	acct := api.AccountIDFromContext(ctx)
	sha := fmt.Sprintf("%064x", 1)
	if err := s.Uploads.BeginUpload(ctx, api.Upload{ID: "u1", AccountID: acct, SHA256: sha, Size: 600}, 1000); err != nil {
		t.Fatal(err)
	}
	// Reserved bytes count against the quota before the upload finishes.
	err := s.Uploads.BeginUpload(ctx, api.Upload{ID: "u2", AccountID: acct, SHA256: sha, Size: 500}, 1000)
	code(t, err, api.EQUOTA)
	u, err := s.Uploads.FindUpload(ctx, "u1")
	if err != nil || u.AccountID != acct || u.Size != 600 {
		t.Fatalf("FindUpload = %+v, %v", u, err)
	}
	if ok, _ := s.Blobs.HasBlob(ctx, sha); ok {
		t.Fatal("HasBlob before finish")
	}
	if err := s.Uploads.FinishUpload(ctx, "u1", api.Blob{SHA256: sha, Size: 600, MediaType: api.MediaMP3, DurationMS: 1234}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Blobs.HasBlob(ctx, sha); !ok {
		t.Fatal("HasBlob after finish = false")
	}
	b, err := s.Uploads.FindBlob(ctx, sha)
	if err != nil || b.DurationMS != 1234 || b.MediaType != api.MediaMP3 {
		t.Fatalf("FindBlob = %+v, %v", b, err)
	}
	_, err = s.Uploads.FindUpload(ctx, "u1")
	code(t, err, api.ENOTFOUND)
	// Stored bytes still count.
	err = s.Uploads.BeginUpload(ctx, api.Upload{ID: "u3", AccountID: acct, SHA256: sha, Size: 401}, 1000)
	code(t, err, api.EQUOTA)
	if err := s.Uploads.BeginUpload(ctx, api.Upload{ID: "u4", AccountID: acct, SHA256: sha, Size: 400}, 1000); err != nil {
		t.Fatal(err)
	}
	stale, err := s.Uploads.StaleUploads(ctx, time.Now().Add(time.Hour))
	if err != nil || len(stale) != 1 || stale[0].ID != "u4" {
		t.Fatalf("StaleUploads = %+v, %v; want u4", stale, err)
	}
	if old, _ := s.Uploads.StaleUploads(ctx, time.Now().Add(-time.Hour)); len(old) != 0 {
		t.Fatalf("fresh uploads listed as stale: %+v", old)
	}
	if err := s.Uploads.AbortUpload(ctx, "u4"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Uploads.FindUpload(ctx, "u4")
	code(t, err, api.ENOTFOUND)
	// A blob that arrived whole is stored without an upload record.
	whole := fmt.Sprintf("%064x", 2)
	if err := s.Uploads.StoreBlob(ctx, acct, api.Blob{SHA256: whole, Size: 300, MediaType: api.MediaPNG, Width: 2, Height: 3}); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Uploads.FindBlob(ctx, whole); err != nil || b.Size != 300 || b.Width != 2 || b.Height != 3 {
		t.Fatalf("FindBlob after StoreBlob = %+v, %v", b, err)
	}
	if ok, _ := s.Blobs.HasBlob(ctx, whole); !ok {
		t.Fatal("HasBlob after StoreBlob = false")
	}
	if used, err := s.Uploads.UsedBytes(ctx, acct); err != nil || used != 900 {
		t.Fatalf("UsedBytes = %d, %v; want 600 + 300 stored", used, err)
	}
}

// testUsedBytesIsTheSum: after every step of a random mix of uploads
// begun, finished, aborted and expired, blobs stored whole, and blobs an
// account already owns stored again, UsedBytes is exactly the sum of the
// sizes of the distinct blobs the account owns and of its open uploads,
// and the quota check draws the line at that sum.
func testUsedBytesIsTheSum(t *testing.T, s Services) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 17))
	ctxs := []context.Context{signUp(t, s, "ann", true), signUp(t, s, "bob", true)}
	type model struct {
		owns    map[string]bool
		uploads map[string]api.Upload
	}
	models := []*model{{map[string]bool{}, map[string]api.Upload{}}, {map[string]bool{}, map[string]api.Upload{}}}
	sizes := make([]int64, 12) // a small pool of blobs, so both accounts own some of the same ones
	for i := range sizes {
		sizes[i] = 1 + rng.Int64N(5_000_000)
	}
	sum := func(m *model) int64 {
		var n int64
		for sha := range m.owns {
			n += sizes[blobIndex(t, sha)]
		}
		for _, u := range m.uploads {
			n += u.Size
		}
		return n
	}
	anyUpload := func(m *model) (api.Upload, bool) {
		for _, u := range m.uploads {
			return u, true
		}
		return api.Upload{}, false
	}
	nextID := 0
	for step := range 400 {
		who := rng.IntN(len(ctxs))
		ctx, m := ctxs[who], models[who]
		acct := api.AccountIDFromContext(ctx)
		i := rng.IntN(len(sizes))
		sha := fmt.Sprintf("%064x", i)
		b := api.Blob{SHA256: sha, Size: sizes[i], MediaType: api.MediaMP3, DurationMS: 1000}
		var op string
		switch r := rng.IntN(10); {
		case r < 3:
			nextID++
			u := api.Upload{ID: fmt.Sprintf("r%d", nextID), AccountID: acct, SHA256: sha, Size: sizes[i]}
			want := sum(m)
			// A quota one byte short is refused; exactly enough is not.
			op = fmt.Sprintf("begin %s of %d bytes", u.ID, u.Size)
			err := s.Uploads.BeginUpload(ctx, u, want+u.Size-1)
			code(t, err, api.EQUOTA)
			if err := s.Uploads.BeginUpload(ctx, u, want+u.Size); err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
			}
			m.uploads[u.ID] = u
		case r < 5:
			u, ok := anyUpload(m)
			if !ok {
				continue
			}
			i := blobIndex(t, u.SHA256)
			op = "finish " + u.ID
			if err := s.Uploads.FinishUpload(ctx, u.ID, api.Blob{SHA256: u.SHA256, Size: sizes[i], MediaType: api.MediaMP3, DurationMS: 1000}); err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
			}
			delete(m.uploads, u.ID)
			m.owns[u.SHA256] = true
		case r < 6:
			u, ok := anyUpload(m)
			if !ok {
				continue
			}
			op = "abort " + u.ID
			if err := s.Uploads.AbortUpload(ctx, u.ID); err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
			}
			delete(m.uploads, u.ID)
		case r < 7:
			op = "expire all"
			stale, err := s.Uploads.StaleUploads(ctx, time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range stale {
				if err := s.Uploads.AbortUpload(ctx, u.ID); err != nil {
					t.Fatal(err)
				}
				for _, m := range models {
					delete(m.uploads, u.ID)
				}
			}
		case r < 9:
			op = "store whole " + sha
			if err := s.Uploads.StoreBlob(ctx, acct, b); err != nil {
				t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
			}
			m.owns[sha] = true
		default:
			// Store again a blob the account already owns.
			for owned := range m.owns {
				i := blobIndex(t, owned)
				op = "store owned " + owned
				if err := s.Uploads.StoreBlob(ctx, acct, api.Blob{SHA256: owned, Size: sizes[i], MediaType: api.MediaMP3, DurationMS: 1000}); err != nil {
					t.Fatalf("seed %d step %d: %s: %v", seed, step, op, err)
				}
				break
			}
		}
		for k, c := range ctxs {
			got, err := s.Uploads.UsedBytes(c, api.AccountIDFromContext(c))
			if want := sum(models[k]); err != nil || got != want {
				t.Fatalf("seed %d step %d (%s by account %d): account %d UsedBytes = %d, %v; want %d", seed, step, op, who, k, got, err, want)
			}
		}
	}
}

// blobIndex reads back the index a test blob's hash was made from.
func blobIndex(t *testing.T, sha string) int {
	t.Helper()
	var i int
	if _, err := fmt.Sscanf(sha, "%x", &i); err != nil {
		t.Fatalf("test blob hash %q: %v", sha, err)
	}
	return i
}

// testQuotaUnderConcurrency: twenty uploads begun at once against a quota
// with room for seven never reserve more than the quota: exactly seven
// are accepted and the rest refused with EQUOTA.
func testQuotaUnderConcurrency(t *testing.T, s Services) {
	ctx := signUp(t, s, "ann", true)
	blob(t, s, ctx, 1, api.MediaMP3) // 100 bytes stored
	blob(t, s, ctx, 2, api.MediaMP3)
	blob(t, s, ctx, 3, api.MediaMP3)
	const quota = 1000
	errs := parallel(20, func(i int) error {
		u := api.Upload{ID: fmt.Sprintf("q%d", i), AccountID: id(ctx), SHA256: fmt.Sprintf("%064x", 100+i), Size: 100}
		return s.Uploads.BeginUpload(ctx, u, quota)
	})
	var ok, refused int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case api.ErrorCode(err) == api.EQUOTA:
			refused++
		default:
			t.Fatalf("BeginUpload: %v", err)
		}
	}
	if ok != 7 || refused != 13 {
		t.Fatalf("%d uploads accepted and %d refused, want 7 and 13", ok, refused)
	}
	if used, err := s.Uploads.UsedBytes(ctx, id(ctx)); err != nil || used != quota {
		t.Fatalf("UsedBytes = %d, %v; want %d", used, err, quota)
	}
}
