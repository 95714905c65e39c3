package player

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/nullaudio"
)

// TestRealALSAPlayback plays two tracks through oto and ALSA into a
// PulseAudio null sink, captures what reached the device, and compares it
// sample for sample with the decoded tracks: nothing lost, nothing added
// at the boundary.
func TestRealALSAPlayback(t *testing.T) {
	if _, err := exec.LookPath("pulseaudio"); err != nil {
		t.Fatal("pulseaudio is not installed: run .ci/deps test")
	}
	sound, err := nullaudio.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sound.Stop)
	t.Setenv("ALSA_CONFIG_PATH", sound.Config)
	dev, err := NewOtoOutput(44100)
	if err != nil {
		t.Fatal(err)
	}
	p := New(dev, nil, nil)
	defer p.Close()
	items, pcm := tracks(t, 2, 1)
	start := time.Now()
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	for p.Status().State == StatePlaying && time.Since(start) < 10*time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the last buffer reach the device
	if st := p.Status(); st.State != StateStopped {
		t.Fatalf("after playback: %+v", st)
	}
	captured := readFloat32(t, sound.Capture)
	want := toFloat(append(append([]byte(nil), pcm[0]...), pcm[1]...))
	off := align(captured, want)
	if off < 0 {
		t.Fatalf("captured audio (%d samples) never matches the decoded tracks", len(captured))
	}
	t.Logf("playback began %.0f ms into the capture", float64(off/2)/44.1)
	if len(captured)-off < len(want) {
		t.Fatalf("captured %d samples after the start, want %d", len(captured)-off, len(want))
	}
	for i := range want {
		if d := math.Abs(float64(captured[off+i] - want[i])); d > 1e-4 {
			t.Fatalf("sample %d (%.3f s): played %f, decoded %f", i, float64(i/2)/44100, captured[off+i], want[i])
		}
	}
}

func readFloat32(t *testing.T, p string) []float32 {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[i*4:]))
	}
	return out
}

func toFloat(pcm []byte) []float32 {
	out := make([]float32, len(pcm)/2)
	for i := range out {
		out[i] = float32(int16(binary.LittleEndian.Uint16(pcm[i*2:]))) / 32768
	}
	return out
}

// align finds where want starts in captured, within the first second.
func align(captured, want []float32) int {
	first := 0
	for first < len(want) && want[first] == 0 {
		first++
	}
	for off := 0; off+first+400 < len(captured) && off < 2*44100*2; off += 2 {
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
