// Package media identifies uploaded files and reads what the platform needs
// from them: MP3 duration from frame headers, image dimensions from image
// headers. Input is untrusted: every parser runs on bounded input and a
// panic in a third-party decoder becomes an error.
package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG for DecodeConfig
	_ "image/png"  // registers PNG for DecodeConfig
	"io"

	"github.com/hajimehoshi/go-mp3"

	"github.com/megabox-fm/megabox/backend/api"
)

// Limits on what is accepted as a cover image.
const (
	MaxImageSide   = 10_000
	MaxImagePixels = 40_000_000
)

// Info is what Probe learns about a file.
type Info struct {
	MediaType  string
	DurationMS int64
	Width      int
	Height     int
}

// Probe identifies r. Files that are neither MP3 nor a JPEG/PNG image come
// back as api.MediaUnknown; an error means the file claims a known type but
// is damaged.
func Probe(r io.ReadSeeker) (Info, error) {
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Info{}, err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")), bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return probeImage(bytes.NewReader(head))
	case LooksLikeMP3(head):
		return probeMP3(r, head)
	}
	return Info{MediaType: api.MediaUnknown}, nil
}

func probeImage(r io.Reader) (info Info, err error) {
	defer recoverInto(&err, "image")
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return Info{}, fmt.Errorf("unreadable image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide ||
		cfg.Width*cfg.Height > MaxImagePixels {
		return Info{}, fmt.Errorf("image of %d×%d pixels is over the %d×%d limit", cfg.Width, cfg.Height, MaxImageSide, MaxImageSide)
	}
	mt := api.MediaJPEG
	if format == "png" {
		mt = api.MediaPNG
	}
	return Info{MediaType: mt, Width: cfg.Width, Height: cfg.Height}, nil
}

// probeMP3 walks the frame headers of the whole stream; head is what was
// already read from its start.
func probeMP3(r io.Reader, head []byte) (Info, error) {
	c := NewFrameCounter()
	c.Write(head)
	if _, err := io.CopyBuffer(c, r, make([]byte, 1<<20)); err != nil {
		return Info{}, err
	}
	if c.Frames() == 0 || c.DurationMS() == 0 {
		return Info{}, errors.New("MP3 has no audio frames")
	}
	return Info{MediaType: api.MediaMP3, DurationMS: c.DurationMS()}, nil
}

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

func recoverInto(err *error, what string) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("damaged %s data: %v", what, p)
	}
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
