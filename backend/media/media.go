// Package media identifies uploaded files and reads what the platform needs
// from them: MP3 duration from frame headers, image dimensions from image
// headers. Input is untrusted: every parser runs on bounded input and a
// panic in a third-party decoder becomes an error.
package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG for DecodeConfig
	_ "image/png"  // registers PNG for DecodeConfig
	"io"

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
// is damaged, or is MP3 audio the app's player cannot play (EUNSUPPORTED,
// with a message saying what to do).
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
	_, _ = c.Write(head) // a FrameCounter never fails a write
	if _, err := io.CopyBuffer(c, r, make([]byte, 1<<20)); err != nil {
		return Info{}, err
	}
	if c.Frames() == 0 || c.DurationMS() == 0 {
		return Info{}, errors.New("MP3 has no audio frames")
	}
	if err := c.Problem(); err != nil {
		return Info{}, api.Errorf(api.EUNSUPPORTED, "%s", err)
	}
	return Info{MediaType: api.MediaMP3, DurationMS: c.DurationMS()}, nil
}

func recoverInto(err *error, what string) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("damaged %s data: %v", what, p)
	}
}
