// Package disk is a blob.Bucket on the local file system.
//
// A blob with digest abcdef… lives at ROOT/ab/abcdef…; writes go to
// ROOT/tmp, are fsynced, verified, renamed into place and the directory is
// fsynced, so a crash leaves either the whole blob or none of it. The 256
// directories exist from the start: storing a blob never creates one.
package disk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
)

// Bucket implements blob.Bucket in a directory.
type Bucket struct {
	root  string
	syncs atomic.Int64 // fsyncs of files and directories
	reads atomic.Int64 // files opened for reading: blobs, or staged files to verify
}

var _ blob.Bucket = (*Bucket)(nil)

// Open prepares a bucket rooted at dir, creating it if needed, and clears
// temporary files a crash may have left.
func Open(dir string) (*Bucket, error) {
	tmp := filepath.Join(dir, "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("clear bucket tmp: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, fmt.Errorf("create bucket: %w", err)
	}
	b := &Bucket{root: dir}
	if err := b.layOut(); err != nil {
		return nil, fmt.Errorf("prepare bucket: %w", err)
	}
	return b, nil
}

// layoutFile marks a bucket whose 256 directories exist and whose blobs
// all live one level down.
const layoutFile = "layout"

const layoutVersion = "ab/sha256\n"

// layOut creates the 256 blob directories and moves blobs stored two
// levels down (ROOT/ab/cd/sha, an earlier layout) up into them, once; the
// marker is written last, so an interrupted move continues at next open.
func (b *Bucket) layOut() error {
	if v, err := os.ReadFile(filepath.Join(b.root, layoutFile)); err == nil && string(v) == layoutVersion {
		return nil
	}
	for i := range 256 {
		dir := filepath.Join(b.root, fmt.Sprintf("%02x", i))
		if err := os.Mkdir(dir, 0o750); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
		if err := b.liftOldBlobs(dir); err != nil {
			return err
		}
	}
	if err := b.syncDir(b.root); err != nil { // the new directories
		return err
	}
	if err := os.WriteFile(filepath.Join(b.root, layoutFile), []byte(layoutVersion), 0o640); err != nil {
		return err
	}
	return b.syncDir(b.root)
}

// liftOldBlobs moves the blobs of dir's two-character subdirectories
// into dir and removes the emptied subdirectories.
func (b *Bucket) liftOldBlobs(dir string) error {
	subs, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if !sub.IsDir() || len(sub.Name()) != 2 {
			continue
		}
		old := filepath.Join(dir, sub.Name())
		blobs, err := os.ReadDir(old)
		if err != nil {
			return err
		}
		for _, f := range blobs {
			if api.ValidSHA256(f.Name()) {
				if err := os.Rename(filepath.Join(old, f.Name()), filepath.Join(dir, f.Name())); err != nil {
					return err
				}
			}
		}
		if err := b.syncDir(dir); err != nil {
			return err
		}
		if err := os.Remove(old); err != nil {
			return fmt.Errorf("remove emptied %s: %w", old, err)
		}
	}
	return nil
}

// Path is where a blob with a valid sha256 lives under a bucket's root.
func Path(root, sha string) string { return filepath.Join(root, sha[0:2], sha) }

// LocalPath returns the file a blob is, for a program that reads it in
// place (a transcoder), instead of a copy; ENOTFOUND when there is none.
func (b *Bucket) LocalPath(sha string) (string, error) {
	p, err := b.path(sha)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return "", api.Errorf(api.ENOTFOUND, "blob %s not found", sha)
	} else if err != nil {
		return "", err
	}
	b.reads.Add(1)
	return p, nil
}

// Dir returns the directory staging files should be created in so that
// PutFile can rename them instead of copying.
func (b *Bucket) Dir() string { return b.root }

func (b *Bucket) path(sha string) (string, error) {
	if !api.ValidSHA256(sha) {
		return "", api.Errorf(api.EINVALID, "blob name must be a lowercase hex sha256")
	}
	return Path(b.root, sha), nil
}

// Put implements blob.Bucket.
func (b *Bucket) Put(ctx context.Context, sha string, r io.Reader) (int64, error) {
	dst, err := b.path(sha)
	if err != nil {
		return 0, err
	}
	f, err := os.CreateTemp(filepath.Join(b.root, "tmp"), "put-*")
	if err != nil {
		return 0, fmt.Errorf("create temp blob: %w", err)
	}
	defer os.Remove(f.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), contextReader{ctx, r})
	if err == nil {
		err = b.sync(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("write blob: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return 0, api.Errorf(api.ECHECKSUM, "content hashes to %s, not %s", got, sha)
	}
	return n, b.install(f.Name(), dst)
}

// PutFile implements blob.Bucket.
func (b *Bucket) PutFile(ctx context.Context, sha, path string) (int64, error) {
	dst, err := b.path(sha)
	if err != nil {
		return 0, err
	}
	n, err := b.verifyFile(ctx, sha, path)
	if err != nil {
		return 0, err
	}
	err = b.install(path, dst)
	if errors.Is(err, syscall.EXDEV) {
		return b.copyIn(ctx, sha, path)
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// AdoptFile implements blob.Bucket.
func (b *Bucket) AdoptFile(ctx context.Context, sha, path string) (int64, error) {
	dst, err := b.path(sha)
	if err != nil {
		return 0, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("open staged blob: %w", err)
	}
	fi, err := f.Stat()
	if err == nil {
		err = b.sync(f)
	}
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("sync staged blob: %w", err)
	}
	err = b.install(path, dst)
	if errors.Is(err, syscall.EXDEV) {
		return b.copyIn(ctx, sha, path)
	}
	return fi.Size(), err
}

// copyIn is PutFile for a file on another file system.
func (b *Bucket) copyIn(ctx context.Context, sha, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := b.Put(ctx, sha, f)
	if err != nil {
		return 0, err
	}
	return n, os.Remove(path)
}

// verifyFile hashes a file and fsyncs it, so the rename that follows
// publishes durable bytes.
func (b *Bucket) verifyFile(ctx context.Context, sha, path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("open staged blob: %w", err)
	}
	defer f.Close()
	b.reads.Add(1)
	h := sha256.New()
	n, err := io.CopyBuffer(h, contextReader{ctx, f}, make([]byte, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("hash staged blob: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return 0, api.Errorf(api.ECHECKSUM, "content hashes to %s, not %s", got, sha)
	}
	if err := b.sync(f); err != nil {
		return 0, fmt.Errorf("sync staged blob: %w", err)
	}
	return n, nil
}

// install renames a verified file to its final name, or drops it when an
// identical blob is already there.
func (b *Bucket) install(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return os.Remove(src)
	}
	dir := filepath.Dir(dst)
	err := os.Rename(src, dst)
	if errors.Is(err, os.ErrNotExist) && fileExists(src) {
		// Someone removed a blob directory since the bucket was opened.
		if err = b.layOutAgain(dir); err == nil {
			err = os.Rename(src, dst)
		}
	}
	if err != nil {
		return fmt.Errorf("install blob: %w", err)
	}
	return b.syncDir(dir)
}

func (b *Bucket) layOutAgain(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create blob dir: %w", err)
	}
	return b.syncDir(b.root)
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func (b *Bucket) syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return b.sync(d)
}

func (b *Bucket) sync(f *os.File) error {
	b.syncs.Add(1)
	return f.Sync()
}

// Syncs returns how many fsyncs of files and directories the bucket has
// made.
func (b *Bucket) Syncs() int64 { return b.syncs.Load() }

// Reads returns how many times the bucket opened a file to read it: a
// blob, or a staged file it had to verify.
func (b *Bucket) Reads() int64 { return b.reads.Load() }

// Open implements blob.Bucket.
func (b *Bucket) Open(ctx context.Context, sha string) (blob.Object, error) {
	p, err := b.path(sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, api.Errorf(api.ENOTFOUND, "blob %s not found", sha)
	} else if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	b.reads.Add(1)
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &object{File: f, size: fi.Size()}, nil
}

// Stat implements blob.Bucket.
func (b *Bucket) Stat(ctx context.Context, sha string) (int64, error) {
	p, err := b.path(sha)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, api.Errorf(api.ENOTFOUND, "blob %s not found", sha)
	} else if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Delete implements blob.Bucket.
func (b *Bucket) Delete(ctx context.Context, sha string) error {
	p, err := b.path(sha)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

type object struct {
	*os.File
	size int64
}

func (o *object) Size() int64 { return o.size }

// contextReader stops a long copy when its context ends.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
