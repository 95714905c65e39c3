package media_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// seedAudio adds small real files of each kind as fuzz seeds.
func seedAudio(f *testing.F, ext string) {
	dir := f.TempDir()
	wav := filepath.Join(dir, "s.wav")
	testmedia.Music(f, wav, testmedia.Sound{Seconds: 0.02, Rate: 8000, Bits: 16, Channels: 2})
	p := wav
	switch ext {
	case ".flac":
		p = filepath.Join(dir, "s.flac")
		testmedia.FLAC(f, wav, p, map[string]string{"TITLE": "Seed"})
	case ".aiff":
		p = filepath.Join(dir, "s.aiff")
		testmedia.Music(f, p, testmedia.Sound{Seconds: 0.02, Rate: 8000, Bits: 24, Channels: 1})
	}
	b, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add(b[:60])
}

// drain reads a hostile stream to its end: the reader must stop with an
// error or io.EOF, never panic, and never hand out more samples than the
// input could hold.
func drain(t *testing.T, r media.PCMReader, err error, size int) {
	if err != nil {
		var ae *media.AudioError
		if !errors.As(err, &ae) {
			t.Fatalf("header error %v is not an *AudioError", err)
		}
		return
	}
	f := r.Format()
	if f.Channels < 1 || f.Channels > media.MaxChannels || f.BitDepth < 8 || f.BitDepth > 32 {
		t.Fatalf("accepted format %+v", f)
	}
	buf := make([]int32, 4096*f.Channels)
	total := 0
	for {
		n, err := r.ReadSamples(buf)
		total += n
		if n%f.Channels != 0 {
			t.Fatalf("%d samples is not whole frames of %d channels", n, f.Channels)
		}
		if err != nil {
			break
		}
		// FLAC codes a constant block in a few bytes: bound it by its
		// largest block per byte, generously.
		if total > size*65536 {
			t.Fatalf("%d samples from %d bytes", total, size)
		}
	}
}

func FuzzOpenWAV(f *testing.F) {
	seedAudio(f, ".wav")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := media.OpenWAV(bytes.NewReader(b))
		drain(t, r, err, len(b))
	})
}

func FuzzOpenAIFF(f *testing.F) {
	seedAudio(f, ".aiff")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := media.OpenAIFF(bytes.NewReader(b))
		drain(t, r, err, len(b))
	})
}

func FuzzCheckFLAC(f *testing.F) {
	seedAudio(f, ".flac")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := media.OpenFLAC(bytes.NewReader(b))
		if err != nil {
			drain(t, nil, err, len(b))
			return
		}
		drain(t, r, nil, len(b))
		_, err = media.CheckFLAC(bytes.NewReader(b))
		var ae *media.AudioError
		if err != nil && !errors.As(err, &ae) && !errors.Is(err, io.EOF) {
			t.Fatalf("CheckFLAC error %v is not an *AudioError", err)
		}
	})
}
