package media

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/hajimehoshi/go-mp3"
)

// The go-mp3 decoder's own frame walk is the reference the tests hold the
// frame counter to.

// MP3Duration returns the playing time of an MP3 stream by walking its
// frame headers; nothing is decoded.
func MP3Duration(r io.ReadSeeker) (ms int64, err error) {
	defer recoverInto(&err, "mp3")
	d, err := mp3.NewDecoder(newBufferedReadSeeker(r))
	if err != nil {
		return 0, fmt.Errorf("not a readable MP3: %w", err)
	}
	const bytesPerSample = 4 // go-mp3 emits 16-bit stereo
	if d.Length() <= 0 || d.SampleRate() <= 0 {
		return 0, errors.New("MP3 has no audio frames")
	}
	return d.Length() / bytesPerSample * 1000 / int64(d.SampleRate()), nil
}

// bufferedReadSeeker batches the many tiny reads of go-mp3's header walk.
type bufferedReadSeeker struct {
	r   io.ReadSeeker
	buf *bufio.Reader
}

func newBufferedReadSeeker(r io.ReadSeeker) *bufferedReadSeeker {
	return &bufferedReadSeeker{r: r, buf: bufio.NewReaderSize(r, 64<<10)}
}

func (b *bufferedReadSeeker) Read(p []byte) (int, error) { return b.buf.Read(p) }

func (b *bufferedReadSeeker) Seek(offset int64, whence int) (int64, error) {
	if whence == io.SeekCurrent {
		offset -= int64(b.buf.Buffered())
	}
	pos, err := b.r.Seek(offset, whence)
	b.buf.Reset(b.r)
	return pos, err
}
