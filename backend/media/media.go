// Package media identifies uploaded files and reads what the platform needs
// from them: MP3 duration from frame headers, FLAC duration and format from
// STREAMINFO, image dimensions from image headers, and the kind of a bonus
// file (PDF, ZIP, text). Input is untrusted: every parser runs on bounded input and a
// panic in a third-party decoder becomes an error.
package media

import (
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
	// SampleRate, BitDepth and Channels are set for lossless audio.
	SampleRate int
	BitDepth   int
	Channels   int
}

// Probe identifies r. Files that are none of MP3, FLAC, a JPEG/PNG image,
// PDF, ZIP or UTF-8 text come back as api.MediaUnknown; an error means the
// file claims a known type but is damaged, is audio the platform does not
// sell or the app's player cannot play, or is over its kind's size limit
// (with a message saying what to do). A Sniffer written the same bytes
// reaches the same verdict.
func Probe(r io.Reader) (Info, error) {
	s := NewSniffer()
	if _, err := io.CopyN(s, r, headSize); err != nil && !errors.Is(err, io.EOF) {
		return Info{}, err
	}
	if s.WantsMore() {
		if _, err := io.CopyBuffer(s, r, make([]byte, 1<<20)); err != nil {
			return Info{}, err
		}
	}
	return s.Info()
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

func recoverInto(err *error, what string) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("damaged %s data: %v", what, p)
	}
}
