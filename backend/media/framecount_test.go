package media_test

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

func TestFrameCounterMatchesDecoderWalk(t *testing.T) {
	mp3 := testmedia.MP3(t, filepath.Join(t.TempDir(), "a.mp3"), 3.3, 440, testmedia.Tags{Title: "Counted", Cover: ""})
	want, err := media.MP3Duration(bytes.NewReader(mp3))
	if err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []int{1, 3, 7, 4096, len(mp3)} {
		c := media.NewFrameCounter()
		for off := 0; off < len(mp3); off += chunk {
			c.Write(mp3[off:min(off+chunk, len(mp3))])
		}
		if got := c.DurationMS(); got < want-30 || got > want+30 {
			t.Errorf("chunk %d: DurationMS = %d, decoder says %d", chunk, got, want)
		}
		if c.Truncated() {
			t.Errorf("chunk %d: a whole file reads as truncated", chunk)
		}
	}
	// Cut mid-frame, as a copy in progress would be.
	c := media.NewFrameCounter()
	io.Copy(c, bytes.NewReader(mp3[:len(mp3)*2/3+13]))
	if !c.Truncated() {
		t.Error("a file cut mid-frame is not reported truncated")
	}
	// Garbage is not audio.
	c = media.NewFrameCounter()
	c.Write(bytes.Repeat([]byte("not audio "), 1000))
	if c.Frames() != 0 || c.DurationMS() != 0 {
		t.Errorf("text counted as %d frames", c.Frames())
	}
}
