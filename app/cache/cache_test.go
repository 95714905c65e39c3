package cache_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/app/cache"
)

func TestDamagedCacheIsSetAsideAndRebuilt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	os.WriteFile(path, []byte("this is not a database, it is garbage from a crashed disk"), 0o600)
	c, err := cache.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.AddRoot(context.Background(), "/music/megabox")
	if err != nil || r.ID == 0 {
		t.Fatalf("fresh cache unusable: %+v, %v", r, err)
	}
	aside, _ := filepath.Glob(path + ".damaged-*")
	if len(aside) == 0 {
		t.Fatal("the damaged file was not kept aside")
	}
}

func TestRootsMustBeAbsolute(t *testing.T) {
	c, err := cache.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.AddRoot(context.Background(), "relative/path"); err == nil {
		t.Fatal("a relative root was accepted")
	}
	a, _ := c.AddRoot(context.Background(), "/a/b/../b")
	b, _ := c.AddRoot(context.Background(), "/a/b")
	if a.ID != b.ID {
		t.Fatal("one folder was added twice under two spellings")
	}
}

// TestClearRemoteForgetsSyncedListings: a release folder's listing
// fingerprint is kept with its record, and forgetting the platform's
// blobs forgets it too, so the next pass looks at every file again.
func TestClearRemoteForgetsSyncedListings(t *testing.T) {
	ctx := context.Background()
	c, err := cache.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.AddRoot(ctx, "/music")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutRelease(ctx, cache.Release{RootID: r.ID, Dir: "Album", ReleaseID: 7, State: "synced", Scanned: "abc"}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Release(ctx, r.ID, "Album"); err != nil || got.Scanned != "abc" || got.ReleaseID != 7 {
		t.Fatalf("Release = %+v, %v; want scanned abc, release 7", got, err)
	}
	if err := c.ClearRemote(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := c.Releases(ctx, r.ID)
	if err != nil || len(all) != 1 || all[0].Scanned != "" || all[0].ReleaseID != 7 {
		t.Fatalf("after ClearRemote: %+v, %v; want release 7 kept, scanned forgotten", all, err)
	}
}
