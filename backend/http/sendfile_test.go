package http_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// directFile lends its file for sendfile and counts what went that way
// and what went through ReadAt.
type directFile struct {
	*os.File
	direct, viaReadAt atomic.Int64
}

func (d *directFile) DirectFile() *os.File { return d.File }
func (d *directFile) SentDirect(n int64)   { d.direct.Add(n) }
func (d *directFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := d.File.ReadAt(p, off)
	d.viaReadAt.Add(int64(n))
	return n, err
}

// TestFileBodiesGoOutDirectly: every chunk of a file source, a whole
// small file or the pieces of a larger one, is sent from the file itself,
// and the platform stores every byte.
func TestFileBodiesGoOutDirectly(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are lent through /proc on Linux only")
	}
	e := mustEnv(t)
	c, _ := e.signUp("ann", true)
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		size, chunk   int64
		direct, other int64
	}{
		{"whole", 300_000, mhttp.DefaultChunkSize, 300_000, 0},
		{"chunked", 700_000, 256_000, 700_000, 0},
	} {
		data := testmedia.SilentMP3(int(tc.size))
		p := filepath.Join(t.TempDir(), tc.name+".mp3")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		src := &directFile{File: f}
		u := &mhttp.Upload{SHA256: hexSHA(data), Size: tc.size, ChunkSize: tc.chunk}
		sent, err := c.UploadFile(ctx, src, u)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if sent != tc.size || src.direct.Load() != tc.direct || src.viaReadAt.Load() != tc.other {
			t.Fatalf("%s: sent %d, %d directly and %d through ReadAt; want %d, %d, %d",
				tc.name, sent, src.direct.Load(), src.viaReadAt.Load(), tc.size, tc.direct, tc.other)
		}
		e.wantBlob(c, data)
	}
}

// TestGrownFileSendsOnlyItsHashedBytes: a file longer than the upload
// (it grew after hashing) sends only the upload's bytes.
func TestGrownFileSendsOnlyItsHashedBytes(t *testing.T) {
	e := mustEnv(t)
	c, _ := e.signUp("ann", true)
	data := testmedia.SilentMP3(200_000)
	p := filepath.Join(t.TempDir(), "grown.mp3")
	if err := os.WriteFile(p, append(bytes.Clone(data), bytes.Repeat([]byte("more"), 100_000)...), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src := &directFile{File: f}
	u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data))}
	if _, err := c.UploadFile(context.Background(), src, u); err != nil {
		t.Fatal(err)
	}
	if src.direct.Load() != int64(len(data)) || src.viaReadAt.Load() != 0 {
		t.Fatalf("%d bytes sent directly, %d through ReadAt; want %d and 0", src.direct.Load(), src.viaReadAt.Load(), len(data))
	}
	e.wantBlob(c, data)
}
