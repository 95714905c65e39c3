package loudness_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/loudness"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// measureFile measures a file on disk.
func measureFile(t *testing.T, path string) (*loudness.Result, *loudness.Meter) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	var last float64
	res, m, err := loudness.Measure(context.Background(), f, fi.Size(), func(d float64) { last = d })
	if err != nil {
		t.Fatalf("measure %s: %v", filepath.Base(path), err)
	}
	if last != 1 {
		t.Errorf("progress ended at %v, want 1", last)
	}
	t.Cleanup(m.Close)
	return res, m
}

// masters are real files of the kinds creators upload.
func masters(t *testing.T) map[string]string {
	dir := t.TempDir()
	w := func(name string, rate, bits, ch int, effects ...string) string {
		return testmedia.Synth(t, filepath.Join(dir, name+".wav"), rate, bits, ch, effects...)
	}
	return map[string]string{
		"tone-16-44.1.flac": testmedia.EncodeFLAC(t, w("tone", 44100, 16, 2, "synth", "8", "sine", "1000", "gain", "-20")),
		"noise-24-48.flac":  testmedia.EncodeFLAC(t, w("noise", 48000, 24, 2, "synth", "8", "pinknoise", "gain", "-12")),
		"music-24-96.flac": testmedia.EncodeFLAC(t, w("music", 96000, 24, 2, "synth", "12", "sine", "220", "sine", "330",
			"tremolo", "3", "60", "sinc", "-16k", "fade", "1", "12", "3", "pad", "2@6", "gain", "-6")),
		"mono-16-44.1.flac": testmedia.EncodeFLAC(t, w("mono", 44100, 16, 1, "synth", "6", "brownnoise", "gain", "-3")),
		"noise-320.mp3":     testmedia.EncodeLame(t, w("mp3", 44100, 16, 2, "synth", "8", "pinknoise", "sinc", "-15k", "gain", "-8")),
	}
}

// TestMeasureMatchesFFmpeg: each master's integrated loudness is within
// 0.1 LU of ffmpeg's ebur128 filter on the same file, its gain is the
// ReplayGain 2.0 one, and its true peak is within 0.5 dB of ffmpeg's.
func TestMeasureMatchesFFmpeg(t *testing.T) {
	for name, path := range masters(t) {
		t.Run(name, func(t *testing.T) {
			res, _ := measureFile(t, path)
			want, wantPeak := testmedia.FFmpegLoudness(t, path)
			if d := math.Abs(res.LUFS - want); d > 0.1 {
				t.Errorf("integrated %.2f LUFS, ffmpeg says %.2f (off by %.2f LU)", res.LUFS, want, d)
			}
			if got := loudness.GainDB(res.LUFS); math.Abs(got-(-18-res.LUFS)) > 1e-9 {
				t.Errorf("gain %.2f dB for %.2f LUFS", got, res.LUFS)
			}
			peakDB := 20 * math.Log10(res.Peak)
			if math.Abs(peakDB-wantPeak) > 0.5 {
				t.Errorf("true peak %.2f dBTP, ffmpeg says %.2f", peakDB, wantPeak)
			}
			t.Logf("%s: %.2f LUFS (ffmpeg %.2f), peak %.2f dBTP (ffmpeg %.2f), %d Hz × %d", name, res.LUFS, want, peakDB, wantPeak, res.SampleRate, res.Channels)
		})
	}
}

// TestAlbumMatchesFFmpeg: an album's loudness is that of its tracks
// played one after another (ffmpeg's ebur128 over their concatenation,
// within 0.1 LU), not the mean of the tracks' figures.
func TestAlbumMatchesFFmpeg(t *testing.T) {
	dir := t.TempDir()
	loud := testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(dir, "loud.wav"), 48000, 24, 2, "synth", "3", "pinknoise", "gain", "-6"))
	quiet := testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(dir, "quiet.wav"), 48000, 16, 2, "synth", "12", "sine", "440", "gain", "-22"))
	a, ma := measureFile(t, loud)
	b, mb := measureFile(t, quiet)
	got, err := loudness.AlbumLoudness([]*loudness.Meter{ma, mb})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := testmedia.FFmpegLoudness(t, loud, quiet)
	if d := math.Abs(got - want); d > 0.1 {
		t.Errorf("album %.2f LUFS, ffmpeg says %.2f over both tracks", got, want)
	}
	if mean := (a.LUFS + b.LUFS) / 2; math.Abs(got-mean) < 0.5 {
		t.Errorf("album %.2f LUFS is the tracks' mean %.2f: the album is measured as one programme", got, mean)
	}
	t.Logf("tracks %.2f and %.2f LUFS, album %.2f (ffmpeg %.2f)", a.LUFS, b.LUFS, got, want)
}

// TestFLACChecksum: a FLAC whose STREAMINFO MD5 is not its audio's is
// found out; one whose encoder left the MD5 unset is measured unchecked;
// an intact one is checked and passes.
func TestFLACChecksum(t *testing.T) {
	dir := t.TempDir()
	path := testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(dir, "a.wav"), 96000, 24, 2, "synth", "3", "pinknoise", "gain", "-10"))
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// STREAMINFO follows "fLaC" and its 4-byte header; the MD5 is its
	// last 16 bytes.
	const md5At = 8 + 18
	bad := bytes.Clone(good)
	bad[md5At+3] ^= 0x40
	unset := bytes.Clone(good)
	clear(unset[md5At : md5At+16])
	for _, tc := range []struct {
		name                string
		file                []byte
		checked, mismatched bool
	}{
		{"intact", good, true, false},
		{"wrong md5", bad, true, true},
		{"no md5", unset, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, m, err := loudness.Measure(context.Background(), bytes.NewReader(tc.file), int64(len(tc.file)), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if res.MD5Checked != tc.checked || res.MD5Mismatch != tc.mismatched {
				t.Errorf("checked %v, mismatch %v; want %v, %v", res.MD5Checked, res.MD5Mismatch, tc.checked, tc.mismatched)
			}
			if res.BitDepth != 24 || res.SampleRate != 96000 || res.Channels != 2 || res.Frames != 3*96000 {
				t.Errorf("%d bit, %d Hz, %d channels, %d frames; want 24 bit, 96000 Hz, 2 channels, 288000 frames", res.BitDepth, res.SampleRate, res.Channels, res.Frames)
			}
		})
	}
}

// TestSilenceAndDamage: digital silence reads as the floor (no infinite
// gain), and bytes that are not audio are an error, not a figure.
func TestSilenceAndDamage(t *testing.T) {
	dir := t.TempDir()
	res, _ := measureFile(t, testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(dir, "s.wav"), 44100, 16, 2, "trim", "0", "4")))
	// sox dithers its silence at about -85 dBFS: below the gate.
	if res.LUFS != loudness.Floor || res.Peak > 1e-3 {
		t.Errorf("silence: %v LUFS, peak %v; want %v, under 0.001", res.LUFS, res.Peak, loudness.Floor)
	}
	junk := bytes.Repeat([]byte("not audio "), 1000)
	if _, _, err := loudness.Measure(context.Background(), bytes.NewReader(junk), int64(len(junk)), nil); err == nil {
		t.Error("junk measured without an error")
	}
}
