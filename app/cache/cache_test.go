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
