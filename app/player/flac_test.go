package player

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// requireTools fails (or skips, outside CI) without Debian's audio tools.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("MEGABOX_REQUIRE_SERVICES") != "" {
				t.Fatalf("%s is not installed: run .ci/deps test", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v: %s", name, args, err, out)
	}
}

// sineFLAC makes a stereo FLAC of a sine with sox and flac: seconds at
// rate Hz and bits deep, amplitude amp. A whole number of cycles per file
// makes files that continue one another seamlessly.
func sineFLAC(t *testing.T, dir, name string, rate, bits int, seconds, freq, amp float64) string {
	t.Helper()
	requireTools(t, "sox", "flac")
	wav := filepath.Join(dir, name+".wav")
	out := filepath.Join(dir, name+".flac")
	run(t, "sox", "-n", "-r", fmt.Sprint(rate), "-b", fmt.Sprint(bits), "-c", "2", wav,
		"synth", fmt.Sprint(seconds), "sine", fmt.Sprint(freq), "vol", fmt.Sprint(amp))
	run(t, "flac", "-s", "-f", "-o", out, wav)
	return out
}

// soxReference is path resampled to rate by `sox rate -v`, as float32.
func soxReference(t *testing.T, path string, rate int) []float32 {
	t.Helper()
	raw := path + fmt.Sprint(".", rate, ".raw")
	run(t, "sox", path, "-t", "raw", "-e", "floating-point", "-b", "32", raw, "rate", "-v", fmt.Sprint(rate))
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return floats(b)
}

// played is what the player hands the output for path at rate and gain.
func played(t *testing.T, path string, rate int, gain float64) ([]float32, *source) {
	t.Helper()
	src, err := open(path, rate, gain)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	b, err := io.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	return floats(b), src
}

func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[i*4:]))
	}
	return out
}

// errorFigures compares got with want scaled by gain: the signal-to-error
// ratio in dB and the largest error.
func errorFigures(got, want []float32, gain float64) (snr, maxErr float64) {
	var sig, noise float64
	for i := range want {
		w := float64(want[i]) * gain
		d := float64(got[i]) - w
		sig += w * w
		noise += d * d
		maxErr = max(maxErr, math.Abs(d))
	}
	if noise == 0 {
		return math.Inf(1), 0
	}
	return 10 * math.Log10(sig/noise), maxErr
}

// Each FLAC, whatever its rate and depth, is decoded and resampled to the
// output rate as `sox rate -v` does it: same length, error far below
// hearing.
func TestFLACResampledLikeSox(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		rate, bits int
		format     string
	}{{96000, 24, "FLAC 24/96"}, {44100, 16, "FLAC 16/44.1"}, {48000, 24, "FLAC 24/48"}, {192000, 24, "FLAC 24/192"}} {
		t.Run(c.format, func(t *testing.T) {
			path := sineFLAC(t, dir, fmt.Sprint(c.rate, "-", c.bits), c.rate, c.bits, 1, 1000, 0.5)
			got, src := played(t, path, 48000, 1)
			want := soxReference(t, path, 48000)
			if src.format != c.format {
				t.Errorf("format %q, want %q", src.format, c.format)
			}
			if len(got) != len(want) {
				t.Fatalf("%d samples, sox made %d", len(got), len(want))
			}
			snr, maxErr := errorFigures(got, want, 1)
			t.Logf("%s → 48 kHz against sox: SNR %.1f dB, max error %.2g", c.format, snr, maxErr)
			if snr < 120 {
				t.Fatalf("SNR %.1f dB against sox, want ≥ 120", snr)
			}
		})
	}
}

// ReplayGain scales by the track or album gain, never past the peak's
// headroom, and not at all when off or unmeasured.
func TestReplayGainFigures(t *testing.T) {
	l := &api.Loudness{TrackGainDB: -6, TrackPeak: 0.9, AlbumGainDB: -3, AlbumPeak: 0.95}
	loudTrack := &api.Loudness{TrackGainDB: 9, TrackPeak: 0.5} // +9 dB would clip: the peak leaves 6.02
	trackOnly := &api.Loudness{TrackGainDB: -2, TrackPeak: 0.8}
	db := func(g float64) float64 { return 20 * math.Log10(g) }
	for _, c := range []struct {
		name string
		l    *api.Loudness
		mode string
		want float64
	}{
		{"track", l, GainTrack, -6},
		{"album", l, GainAlbum, -3},
		{"off", l, GainOff, 0},
		{"unmeasured", nil, GainTrack, 0},
		{"clipping prevented", loudTrack, GainTrack, -20 * math.Log10(0.5)},
		{"album falls back to track", trackOnly, GainAlbum, -2},
	} {
		if got := db(gainOf(c.l, c.mode)); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %.4f dB, want %.4f", c.name, got, c.want)
		}
	}
}
