package disk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/blob/blobtest"
	"github.com/megabox-fm/megabox/backend/blob/disk"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Bucket {
		b, err := disk.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// TestOldLayoutMovesUp: blobs stored two levels down (ROOT/ab/cd/sha) are
// moved into ROOT/ab at open, readable with the same bytes, and storing a
// blob afterwards creates no directory.
func TestOldLayoutMovesUp(t *testing.T) {
	root := t.TempDir()
	data := []byte("an old blob")
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	old := filepath.Join(root, sha[:2], sha[2:4])
	if err := os.MkdirAll(old, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, sha), data, 0o640); err != nil {
		t.Fatal(err)
	}
	b, err := disk.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(disk.Path(root, sha)); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("moved blob reads %q, %v", got, err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("old directory still there: %v", err)
	}
	o, err := b.Open(context.Background(), sha)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(o)
	o.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("Open reads %q", got)
	}

	dirs := countDirs(t, root)
	if dirs != 257 { // 256 blob directories and tmp
		t.Fatalf("%d directories after open, want 257", dirs)
	}
	more := []byte("a new blob")
	sum = sha256.Sum256(more)
	if _, err := b.Put(context.Background(), hex.EncodeToString(sum[:]), bytes.NewReader(more)); err != nil {
		t.Fatal(err)
	}
	if n := countDirs(t, root); n != dirs {
		t.Fatalf("storing a blob made %d directories", n-dirs)
	}
	// A second open finds the marker and moves nothing.
	if _, err := disk.Open(root); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(disk.Path(root, sha)); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after reopening: %q, %v", got, err)
	}
}

// TestRemovedBlobDirectoryIsMadeAgain: a blob directory deleted while the
// bucket is open is recreated by the next store into it.
func TestRemovedBlobDirectoryIsMadeAgain(t *testing.T) {
	root := t.TempDir()
	b, err := disk.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("into a lost directory")
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if err := os.Remove(filepath.Join(root, sha[:2])); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Put(context.Background(), sha, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(disk.Path(root, sha)); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("stored blob reads %q, %v", got, err)
	}
}

func countDirs(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != root {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
