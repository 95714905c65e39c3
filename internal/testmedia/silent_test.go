package testmedia_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/hajimehoshi/go-mp3"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

func TestSilentMP3IsPlayableAudio(t *testing.T) {
	for _, size := range []int{400, 1000, 64 << 10, 200_007} {
		b := testmedia.SilentMP3(size)
		if len(b) != size {
			t.Fatalf("len = %d, want %d", len(b), size)
		}
		info, err := media.Probe(bytes.NewReader(b))
		if err != nil || info.MediaType != api.MediaMP3 || info.DurationMS <= 0 {
			t.Fatalf("%d bytes: Probe = %+v, %v; want MP3 audio", size, info, err)
		}
		d, err := mp3.NewDecoder(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%d bytes: go-mp3: %v", size, err)
		}
		if d.SampleRate() != 32000 || d.Length() <= 0 {
			t.Fatalf("%d bytes: go-mp3 sees %d Hz, %d bytes of PCM", size, d.SampleRate(), d.Length())
		}
		pcm, err := io.ReadAll(d)
		if len(pcm) == 0 || bytes.ContainsFunc(pcm, func(r rune) bool { return r != 0 }) {
			t.Fatalf("%d bytes: decoded %d bytes of PCM (%v), want silence", size, len(pcm), err)
		}
	}
	if bytes.Equal(testmedia.SilentMP3(1000), testmedia.SilentMP3(1000)) {
		t.Fatal("two calls returned the same bytes")
	}
}
