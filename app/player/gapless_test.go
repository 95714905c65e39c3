package player

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/wait"
)

// boundaryTracks is a 1 kHz sine split across a 24/96 FLAC and a 16/44.1
// FLAC (whole cycles in each, so the sine runs on unbroken), both
// measured with a −4 dB track gain, and what `sox rate -v` makes of each
// at rate, back to back, before the gain.
func boundaryTracks(t *testing.T, rate int) ([]Item, []float32, int) {
	t.Helper()
	dir := t.TempDir()
	a := sineFLAC(t, dir, "a", 96000, 24, 1, 1000, 0.5)
	b := sineFLAC(t, dir, "b", 44100, 16, 1, 1000, 0.5)
	l := &api.Loudness{TrackGainDB: -4, TrackPeak: 0.5}
	items := []Item{{Key: "a", Path: a, Title: "A", DurationMS: 1000, Loudness: l}, {Key: "b", Path: b, Title: "B", DurationMS: 1000, Loudness: l}}
	first := soxReference(t, a, rate)
	return items, append(first, soxReference(t, b, rate)...), len(first)
}

// boundaryFigures checks played against the reference times gain around
// the boundary at sample at (±10 ms): the error is far below hearing, and
// no step between neighbouring samples is much larger than the sine's own
// (a click or a gap would be several times larger; each track's filter
// edge, in sox's reference too, adds a few per cent).
func boundaryFigures(t *testing.T, got, want []float32, at, rate int, gain float64) {
	t.Helper()
	if len(got) < len(want) {
		t.Fatalf("played %d samples, want the reference's %d", len(got), len(want))
	}
	w := rate / 100 * 2
	lo, hi := at-w, at+w
	snr, maxErr := errorFigures(got[lo:hi], want[lo:hi], gain)
	all, _ := errorFigures(got[:len(want)], want, gain)
	t.Logf("boundary ±10 ms: SNR %.1f dB, max error %.2g (%.1f dBFS); whole: SNR %.1f dB", snr, maxErr, 20*math.Log10(maxErr+1e-12), all)
	if snr < 80 || maxErr > 1e-3 {
		t.Fatalf("around the boundary: SNR %.1f dB, max error %.3g; want ≥ 80 dB and ≤ 1e-3", snr, maxErr)
	}
	step := func(x []float32) (m float64) {
		for i := 2; i < len(x); i++ {
			m = max(m, math.Abs(float64(x[i]-x[i-2]))) // same channel
		}
		return m
	}
	sine := step(got[rate/2 : rate/2+w]) // well inside the first track
	if s := step(got[lo:hi]); s > sine*1.1 {
		t.Fatalf("largest step at the boundary %.4f, the sine's own %.4f: a click", s, sine)
	}
	if r := rms(got[:len(want)]) / rms(want); math.Abs(20*math.Log10(r)-20*math.Log10(gain)) > 0.01 {
		t.Fatalf("level %.3f dB against the reference, want the ReplayGain %.3f dB", 20*math.Log10(r), 20*math.Log10(gain))
	}
}

func rms(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}

// A 24/96 FLAC then a 16/44.1 FLAC play at 48 kHz back to back with no
// gap and no click, each resampled as sox does, at their ReplayGain; the
// status names each one's format while it is heard.
func TestGaplessAcrossRates(t *testing.T) {
	items, want, at := boundaryTracks(t, 48000)
	rec := &recorder{}
	p := New(&fakeOutput{rate: 48000}, rec, &memStore{})
	t.Cleanup(func() { p.Close() })
	s := p.stream.(*fakeStream)
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	got := floats(s.pump(48000 * bytesPerFrame / 2))
	if f := p.Status().Format; f != "FLAC 24/96" {
		t.Fatalf("format while the first track plays: %q", f)
	}
	got = append(got, floats(s.pump(48000*bytesPerFrame))...)
	if f := p.Status().Format; f != "FLAC 16/44.1" {
		t.Fatalf("format while the second track plays: %q", f)
	}
	got = append(got, floats(s.drain())...)
	if len(got) != len(want) {
		t.Fatalf("played %d samples, sox made %d", len(got), len(want))
	}
	boundaryFigures(t, got, want, at, 48000, math.Pow(10, -4.0/20))
	wait.Until(t, 10*time.Second, "the queue to end", func() bool { return p.Status().State == StateStopped })
}

// The ReplayGain mode is a setting: checked, applied to the playing track,
// and kept across restarts.
func TestReplayGainModeIsKept(t *testing.T) {
	items, want, _ := boundaryTracks(t, 48000)
	store := &memStore{}
	p := New(&fakeOutput{rate: 48000}, nil, store)
	if st := p.Status(); st.ReplayGain != GainTrack {
		t.Fatalf("default mode %q, want track", st.ReplayGain)
	}
	var e *api.Error
	if err := p.SetReplayGain("loud"); !errors.As(err, &e) || e.Code != api.EINVALID || e.Field != "replay_gain" {
		t.Fatalf("SetReplayGain(loud): %v, want EINVALID on replay_gain", err)
	}
	if err := p.SetReplayGain(GainOff); err != nil {
		t.Fatal(err)
	}
	if err := p.PlayQueue(items[:1], 0); err != nil {
		t.Fatal(err)
	}
	got := floats(p.stream.(*fakeStream).drain())
	if snr, _ := errorFigures(got, want[:len(got)], 1); snr < 100 {
		t.Fatalf("with ReplayGain off the track plays at %.1f dB SNR to the ungained reference", snr)
	}
	p.Close()
	p = New(&fakeOutput{rate: 48000}, nil, store)
	defer p.Close()
	if st := p.Status(); st.ReplayGain != GainOff {
		t.Fatalf("after a restart the mode is %q, want off", st.ReplayGain)
	}
}

// Tracks at the same rate cut from one recording (a live album) play as
// that recording resampled whole: the resampler runs on across the
// boundary, so not even the filter's edge shows there.
func TestGaplessSameRateIsOneRecording(t *testing.T) {
	requireTools(t, "sox", "flac")
	dir := t.TempDir()
	whole := sineFLAC(t, dir, "whole", 44100, 16, 1, 1000, 0.5)
	const cut = 16317 // frames: the boundary falls between output samples
	a, b := filepath.Join(dir, "a.flac"), filepath.Join(dir, "b.flac")
	run(t, "sox", whole, a, "trim", "0", fmt.Sprint(cut, "s"))
	run(t, "sox", whole, b, "trim", fmt.Sprint(cut, "s"))
	want := soxReference(t, whole, 48000)

	p := New(&fakeOutput{rate: 48000}, nil, nil)
	t.Cleanup(func() { p.Close() })
	items := []Item{{Key: "a", Path: a, Title: "A"}, {Key: "b", Path: b, Title: "B"}}
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	got := floats(p.stream.(*fakeStream).drain())
	if d := len(got) - len(want); d < -2 || d > 2 {
		t.Fatalf("played %d samples, the whole recording resampled is %d", len(got), len(want))
	}
	at := int((int64(cut)*48000+22050)/44100) * 2
	w := 480 * 2
	snr, maxErr := errorFigures(got[at-w:at+w], want[at-w:at+w], 1)
	t.Logf("same-rate boundary ±10 ms against the whole recording: SNR %.1f dB, max error %.2g", snr, maxErr)
	if snr < 120 {
		t.Fatalf("around the boundary: SNR %.1f dB against the whole recording resampled, want ≥ 120", snr)
	}
	if st := p.Status(); st.Index != 1 && st.State != StateStopped {
		t.Fatalf("after both tracks: index %d, state %q", st.Index, st.State)
	}
}
