package media_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// FuzzProbe feeds arbitrary bytes to the upload prober: no panic, bounded
// time, an MP3 verdict only with frames to back it, and a FLAC verdict
// only in a format the platform sells.
func FuzzProbe(f *testing.F) {
	mp3 := testmedia.MP3(f, filepath.Join(f.TempDir(), "s.mp3"), 0.3, 440, testmedia.Tags{Title: "Seed"})
	f.Add(mp3)
	f.Add(mp3[:len(mp3)/3])
	f.Add(testmedia.PNG(8, 8))
	f.Add(testmedia.JPEG(8, 8))
	f.Add([]byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7f"))                     // a tag claiming 256 MB
	f.Add([]byte("\xff\xfb\x90\x64\xff\xfb\x90\x64"))                    // two headers, no bodies
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xff\xff\xff")) // huge dimensions
	flac := testmedia.MasterFLAC(f, 0.2, 440, 44100, 16, 1)
	f.Add(flac)
	f.Add(flac[:60])
	f.Add([]byte("%PDF-1.7\n"))
	f.Add([]byte("paroles\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		start := time.Now()
		info, err := media.Probe(bytes.NewReader(b))
		if time.Since(start) > 2*time.Second {
			t.Fatalf("probing %d bytes took %v", len(b), time.Since(start))
		}
		if err == nil && info.MediaType == "audio/mpeg" && info.DurationMS <= 0 {
			t.Fatalf("MP3 verdict without duration: %+v", info)
		}
		if err == nil && info.MediaType == "audio/flac" && (info.DurationMS < 0 || info.SampleRate < 44100 || info.SampleRate > 192000 ||
			info.BitDepth < 16 || info.BitDepth > 24 || info.Channels < 1 || info.Channels > 8) {
			t.Fatalf("FLAC verdict outside what is sold: %+v", info)
		}
		c := media.NewFrameCounter()
		c.Write(b)
		if c.Frames() < 0 || c.DurationMS() < 0 {
			t.Fatal("negative frame count")
		}
	})
}
