package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	gosync "sync"
	"sync/atomic"

	"github.com/megabox-fm/megabox/backend/media"
)

// Limits on what is read into memory from a file's tags.
const (
	maxTagBytes = 16 << 20
	tailBytes   = 128 // an ID3v1 tag
)

// errChanged means a file changed while it was being read: it is still
// being written and will be looked at again.
var errChanged = errors.New("changed while being read")

// copyBuffers are reused between files: allocating and clearing a fresh
// megabyte per file costs more than hashing a small file.
var copyBuffers = gosync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// hashed is what one read of a file yields.
type hashed struct {
	sha        string
	durationMS int64
	frames     int64
	truncated  bool
	unplayable error  // audio the player cannot play
	head, tail []byte // the bytes tags live in
	size       int64
}

// hashFile reads a file once: sha256, MP3 frame walk and the bytes its tags
// live in, with a stat before and after so a file being written is caught.
func hashFile(ctx context.Context, f localFile, audio bool, counter *atomic.Int64) (*hashed, error) {
	fh, err := os.Open(f.abs)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	before, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	w := []io.Writer{h}
	var fc *media.FrameCounter
	head := &headCapture{limit: maxTagBytes}
	if audio {
		fc = media.NewFrameCounter()
		w = append(w, fc, head)
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	n, err := io.CopyBuffer(io.MultiWriter(w...), &countingReader{ctx: ctx, r: fh, n: counter}, *buf)
	if err != nil {
		return nil, err
	}
	after, err := os.Stat(f.abs)
	if err != nil {
		return nil, err
	}
	if n != before.Size() || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) || inodeOf(after) != inodeOf(before) {
		return nil, errChanged
	}
	out := &hashed{sha: hex.EncodeToString(h.Sum(nil)), size: n}
	if audio {
		out.durationMS, out.frames, out.truncated = fc.DurationMS(), fc.Frames(), fc.Truncated()
		out.unplayable = fc.Problem()
		out.head = head.bytes()
		if n >= tailBytes {
			out.tail = make([]byte, tailBytes)
			if _, err := fh.ReadAt(out.tail, n-tailBytes); err != nil {
				return nil, fmt.Errorf("read tail: %w", err)
			}
		}
	}
	return out, nil
}

// headCapture keeps the first bytes of a stream: the ID3v2 tag if the
// stream starts with one (up to limit), else just its first 10 bytes.
type headCapture struct {
	buf   []byte
	limit int
	want  int // known once 10 bytes are in; 0 before
}

func (c *headCapture) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		need := 10
		if c.want > 0 {
			need = c.want
		}
		room := need - len(c.buf)
		if room <= 0 {
			break
		}
		take := min(room, len(p))
		c.buf = append(c.buf, p[:take]...)
		p = p[take:]
		if c.want == 0 && len(c.buf) >= 10 {
			c.want = 10
			if string(c.buf[:3]) == "ID3" {
				h := c.buf
				size := int(h[6]&0x7f)<<21 | int(h[7]&0x7f)<<14 | int(h[8]&0x7f)<<7 | int(h[9]&0x7f)
				c.want = min(10+size, c.limit)
			}
		}
	}
	return n, nil
}

// bytes returns the captured head.
func (c *headCapture) bytes() []byte { return c.buf }

// countingReader counts bytes read from disk and stops when ctx ends.
type countingReader struct {
	ctx context.Context
	r   io.Reader
	n   *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if c.n != nil {
		c.n.Add(int64(n))
	}
	return n, err
}
