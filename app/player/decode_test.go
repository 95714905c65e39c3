package player

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// An Opus track (the format a fan may mirror their library in) decodes
// through ffmpeg at 48 kHz, named "Opus"; MP3 names its bit rate.
func TestFormatsNamed(t *testing.T) {
	requireTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	flac := sineFLAC(t, dir, "s", 44100, 16, 1, 1000, 0.5)
	opus := filepath.Join(dir, "s.opus")
	run(t, "ffmpeg", "-v", "error", "-i", flac, "-c:a", "libopus", "-b:a", "128k", opus)
	got, src := played(t, opus, 48000, 1)
	if src.format != "Opus" {
		t.Fatalf("format %q, want Opus", src.format)
	}
	// Opus is lossy: it keeps the sine's level, not its samples.
	if n := len(got) / 2; n < 47000 || n > 49000 {
		t.Fatalf("%d frames of Opus for one second", n)
	}
	if r := rms(got[4800:43200]); r < 0.34 || r > 0.37 {
		t.Fatalf("Opus level %.3f, want the sine's 0.354", r)
	}
	items, _ := tracks(t, 1, 1)
	if _, src := played(t, items[0].Path, 44100, 1); src.format != "MP3 128" {
		t.Fatalf("MP3 format %q, want MP3 128", src.format)
	}
}

// Without ffmpeg an Opus track fails with a message that says what to
// install, not a broken pipe.
func TestOpusWithoutFFmpeg(t *testing.T) {
	requireTools(t, "ffmpeg")
	dir := t.TempDir()
	flac := sineFLAC(t, dir, "s", 48000, 16, 0.2, 1000, 0.5)
	opus := filepath.Join(dir, "s.opus")
	run(t, "ffmpeg", "-v", "error", "-i", flac, "-c:a", "libopus", opus)
	t.Setenv("PATH", t.TempDir())
	_, err := open(opus, 48000, 1)
	if !errors.Is(err, ErrNoFFmpeg) || !strings.Contains(err.Error(), "install the ffmpeg package") {
		t.Fatalf("open without ffmpeg: %v", err)
	}
}

// A seek lands on the right sample: past the fresh resampler's first few
// milliseconds the output is the sox reference from that point on.
func TestFLACSeekIsSampleAccurate(t *testing.T) {
	path := sineFLAC(t, t.TempDir(), "s", 96000, 24, 1, 997, 0.5) // 997 Hz: no sample repeats within a cycle
	want := soxReference(t, path, 48000)
	src, err := open(path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	const at = 20000 // frames at 48 kHz
	if err := src.seek(at * bytesPerFrame); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4800*bytesPerFrame)
	n, err := src.Read(buf)
	for n < len(buf) && err == nil {
		var k int
		k, err = src.Read(buf[n:])
		n += k
	}
	got := floats(buf[:n])
	settle := 480 * 2 // 10 ms
	snr, maxErr := errorFigures(got[settle:], want[at*2+settle:at*2+len(got)], 1)
	if snr < 80 {
		t.Fatalf("after seeking to frame %d: SNR %.1f dB, max error %.3g against sox from there", at, snr, maxErr)
	}
}

// Mono masters play on both channels; 5.1 masters fold to stereo without
// clipping.
func TestChannelsFoldToStereo(t *testing.T) {
	requireTools(t, "sox", "flac")
	dir := t.TempDir()
	for _, ch := range []int{1, 6} {
		wav := filepath.Join(dir, fmt.Sprint(ch, ".wav"))
		path := filepath.Join(dir, fmt.Sprint(ch, ".flac"))
		run(t, "sox", "-D", "-n", "-r", "48000", "-b", "16", "-c", fmt.Sprint(ch), wav, "synth", "0.2", "sine", "500", "vol", "0.9")
		run(t, "flac", "-s", "-f", "-o", path, wav)
		got, _ := played(t, path, 48000, 1)
		if len(got) != 9600*2 {
			t.Fatalf("%d channels: %d samples, want %d stereo", ch, len(got), 9600*2)
		}
		var peak float32
		for i := 0; i < len(got); i += 2 {
			if got[i] != got[i+1] {
				t.Fatalf("%d channels: frame %d is %g left, %g right; the same sine on every channel folds evenly", ch, i/2, got[i], got[i+1])
			}
			peak = max(peak, got[i])
		}
		if peak > 0.91 || peak < 0.5 {
			t.Fatalf("%d channels: peak %.3f, want the sine at or below its 0.9", ch, peak)
		}
	}
}
