package player

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/nullaudio"
)

// TestMain stops the shared null sound card when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.sound != nil {
		shared.sound.Stop()
		os.RemoveAll(shared.sound.Dir)
	}
	os.Exit(code)
}

// shared is the null sound card behind the process's audio device. oto
// keeps one context per process and it cannot be closed, so tests that
// play through the real device share both for the whole run (-count>1
// included) and tell their own audio apart by where the capture stood
// when they began.
var shared struct {
	once  gosync.Once
	sound *nullaudio.Sound
	dev   *OtoOutput
	err   error
}

// processDevice returns the process's audio device, playing into a null
// sound card, and that card.
func processDevice(t *testing.T) (*OtoOutput, *nullaudio.Sound) {
	t.Helper()
	requirePulse(t)
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "megabox-sound-")
		if err != nil {
			shared.err = err
			return
		}
		if shared.sound, shared.err = nullaudio.Start(dir); shared.err != nil {
			return
		}
		os.Setenv("ALSA_CONFIG_PATH", shared.sound.Config)
		shared.dev, shared.err = NewOtoOutput(DeviceRate)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dev, shared.sound
}

func requirePulse(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pulseaudio"); err != nil {
		t.Fatal("pulseaudio is not installed: run .ci/deps test")
	}
}

// TestRealALSAPlayback plays two 44.1 kHz MP3s through oto and ALSA into a
// PulseAudio null sink at the device rate, captures what reached the
// device, and compares it sample for sample with what the player hands a
// fake output for the same queue: nothing lost, nothing added at the
// boundary. It uses the process's audio device.
func TestRealALSAPlayback(t *testing.T) {
	realTime(t)
	dev, sound := processDevice(t)
	p := New(dev, nil, nil)
	defer p.Close()
	items, _ := tracks(t, 2, 1)
	want := playedQueue(t, items, DeviceRate)
	from := captureSize(t, sound.Capture)
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	captured, off := waitCapture(t, sound.Capture, from, want)
	t.Logf("playback began %.0f ms into the capture", float64(off/2)/float64(DeviceRate)*1000)
	compare(t, captured[off:], want, DeviceRate)
	waitState(t, p, StateStopped)
}

// playedQueue is what the player hands an output at rate for items.
func playedQueue(t *testing.T, items []Item, rate int) []float32 {
	t.Helper()
	p := New(&fakeOutput{rate: rate}, nil, nil)
	defer p.Close()
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	return floats(p.stream.(*fakeStream).drain())
}

// compare checks the captured samples against the decoded ones, and tells
// a gap (the device ran dry and played silence) from wrong samples.
func compare(t *testing.T, captured, want []float32, rate int) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(captured[i] - want[i])); d > 1e-4 {
			silent := 0
			for silent < len(captured)-i && captured[i+silent] == 0 {
				silent++
			}
			if silent >= 64 {
				t.Fatalf("sample %d (%.3f s): %d samples of silence where the track plays: the device ran dry", i, float64(i/2)/float64(rate), silent)
			}
			t.Fatalf("sample %d (%.3f s): played %f, decoded %f", i, float64(i/2)/float64(rate), captured[i], want[i])
		}
	}
}

// TestDeviceConnectedLater starts with no sound device at all, then
// connects one: pressing Play picks it up and the track reaches it, with
// no restart. It opens a device of its own (a failed oto context holds no
// device; a new one opens the device connected since).
func TestDeviceConnectedLater(t *testing.T) {
	realTime(t)
	requirePulse(t)
	none := filepath.Join(t.TempDir(), "no-devices.conf")
	if err := os.WriteFile(none, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALSA_CONFIG_PATH", none)
	out := newOtoOutput(44100)
	if out.Err() == nil {
		t.Fatal("a device opened with no ALSA configuration")
	}
	p := New(out, nil, nil)
	defer p.Close()
	items, pcm := tracks(t, 1, 1)
	if err := p.PlayQueue(items, 0); err != ErrNoDevice {
		t.Fatalf("PlayQueue with no device: %v, want ErrNoDevice", err)
	}

	sound, err := nullaudio.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sound.Stop)
	t.Setenv("ALSA_CONFIG_PATH", sound.Config)
	if err := p.Play(); err != nil {
		t.Fatalf("Play after connecting a device: %v", err)
	}
	want := floats(pcm[0])
	captured, off := waitCapture(t, sound.Capture, 0, want)
	compare(t, captured[off:], want, 44100)
	waitState(t, p, StateStopped)
}

func captureSize(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size() / 8 * 8 // whole stereo float32 frames
}

// waitCapture polls the capture from byte from until want has been played
// in full, and returns the capture and where want starts in it. The last
// buffer reaches the device 100–300 ms after the player stops.
func waitCapture(t *testing.T, path string, from int64, want []float32) ([]float32, int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		captured := readFloat32(t, path, from)
		off := -1
		if len(captured) >= len(want) { // aligning costs CPU the playback needs: only once it can hold all
			off = align(captured, want)
		}
		if off >= 0 && len(captured)-off >= len(want) {
			return captured, off
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s the capture holds %d samples, starting at %d; want the %d played samples", len(captured), off, len(want))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitState(t *testing.T, p *Player, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.Status().State != want {
		if time.Now().After(deadline) {
			t.Fatalf("state %q, want %q", p.Status().State, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readFloat32(t *testing.T, p string, from int64) []float32 {
	b, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	b = b[min(from, int64(len(b))):]
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[i*4:]))
	}
	return out
}

// align finds where want starts in captured. The device keeps playing
// silence between tests, and what it queued before playback began comes
// first: over a second on a busy machine, so the whole capture is
// searched.
func align(captured, want []float32) int {
	first := 0 // where the sound is clearly above silence
	for first < len(want) && math.Abs(float64(want[first])) < 1e-2 {
		first++
	}
	for off := 0; off+first+400 < len(captured); off += 2 {
		ok := true
		for i := first; i < first+400; i++ {
			if math.Abs(float64(captured[off+i]-want[i])) > 1e-4 {
				ok = false
				break
			}
		}
		if ok {
			return off
		}
	}
	return -1
}

// realTime skips a test whose audio must reach a real device in real time
// when the race detector runs: `make go-test` runs these without it.
func realTime(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("real-time playback is checked in the run without -race")
	}
}
