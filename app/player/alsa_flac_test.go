package player

import (
	"math"
	"path/filepath"
	"testing"
)

// TestALSAGaplessFLACAcrossRates plays a 24/96 FLAC then a 16/44.1 FLAC (one
// sine split across them) through oto and ALSA into PulseAudio's null
// sink at 48 kHz, with a −4 dB ReplayGain. Both what ALSA was handed and
// what PulseAudio's sink monitor recorded (parec) match `sox rate -v 48000`
// of each file, back to back, times the gain: no gap and no click at the
// boundary, the gain applied. It uses the process's audio device.
func TestALSAGaplessFLACAcrossRates(t *testing.T) {
	realTime(t)
	requireTools(t, "parec")
	dev, sound := processDevice(t)
	items, ref, at := boundaryTracks(t, DeviceRate)
	gain := math.Pow(10, -4.0/20)
	want := make([]float32, len(ref))
	for i, v := range ref {
		want[i] = float32(float64(v) * gain)
	}
	rec, err := sound.Record(filepath.Join(t.TempDir(), "monitor.raw"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rec.Stop)

	p := New(dev, nil, nil)
	defer p.Close()
	from := captureSize(t, sound.Capture)
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	captured, off := waitCapture(t, sound.Capture, from, want)
	t.Logf("ALSA: playback began %.0f ms into the capture", float64(off/2)/float64(DeviceRate)*1000)
	boundaryFigures(t, captured[off:off+len(want)], ref, at, DeviceRate, gain)

	monitor, off := waitCapture(t, rec.Path, 0, want)
	t.Logf("sink monitor: playback began %.0f ms into the recording", float64(off/2)/float64(DeviceRate)*1000)
	boundaryFigures(t, monitor[off:off+len(want)], ref, at, DeviceRate, gain)
	waitState(t, p, StateStopped)
}
