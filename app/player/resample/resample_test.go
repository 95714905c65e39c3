package resample

import (
	"math"
	"testing"
)

// run resamples in, fed in pieces of step frames through an output
// buffer of outFrames, draining the tail at the end.
func run(t *testing.T, in []float32, from, to, step, outFrames int) []float32 {
	t.Helper()
	r, err := New(from, to, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]float32, outFrames*2)
	var out []float32
	for len(in) > 0 {
		piece := in[:min(step*2, len(in))]
		used, made, err := r.Process(piece, buf, false)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, buf[:made]...)
		in = in[used:]
	}
	for {
		_, made, err := r.Process(nil, buf, true)
		if err != nil {
			t.Fatal(err)
		}
		if made == 0 {
			return out
		}
		out = append(out, buf[:made]...)
	}
}

// However the input is cut into pieces and however small the output
// buffer, the stream comes out the same and exactly as long as the rate
// ratio says: streaming keeps memory small without changing a sample.
func TestStreamingIsExact(t *testing.T) {
	const n = 44100
	in := make([]float32, n*2)
	for i := range n {
		v := float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/44100))
		in[2*i], in[2*i+1] = v, -v
	}
	whole := run(t, in, 44100, 48000, n, 1<<16)
	if len(whole) != 48000*2 {
		t.Fatalf("%d samples out of one second, want %d", len(whole), 48000*2)
	}
	pieces := run(t, in, 44100, 48000, 333, 97)
	if len(pieces) != len(whole) {
		t.Fatalf("in pieces: %d samples, whole: %d", len(pieces), len(whole))
	}
	for i := range whole {
		if pieces[i] != whole[i] {
			t.Fatalf("sample %d: %g in pieces, %g whole", i, pieces[i], whole[i])
		}
	}
	// The sine comes through at its level (well inside the track).
	var peak float32
	for i := 4000; i < 44000; i += 2 {
		peak = max(peak, whole[i])
		if whole[i] != -whole[i+1] {
			t.Fatalf("frame %d: channels %g, %g are not mirrored", i/2, whole[i], whole[i+1])
		}
	}
	if math.Abs(float64(peak)-0.5) > 0.001 {
		t.Fatalf("peak %g, want 0.5", peak)
	}
}

func TestBadArguments(t *testing.T) {
	if _, err := New(0, 48000, 2); err == nil {
		t.Fatal("a zero input rate was taken")
	}
	r, err := New(44100, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Process(make([]float32, 4), nil, false); err == nil {
		t.Fatal("an output buffer with no room was taken")
	}
	r.Close()
	r.Close()
	if _, _, err := r.Process(make([]float32, 4), make([]float32, 4), false); err == nil {
		t.Fatal("a closed resampler processed")
	}
}
