package loudness

// #cgo pkg-config: libebur128
// #include <stdlib.h>
// #include <ebur128.h>
import "C"

import (
	"fmt"
	"math"
	"unsafe"
)

// Meter measures one track with libebur128: integrated loudness (EBU R128
// gating) and true peak. It is not safe for concurrent use; Close frees
// it.
type Meter struct {
	st       *C.ebur128_state
	channels int
}

// NewMeter returns a meter for interleaved audio of channels at rate Hz.
func NewMeter(rate, channels int) (*Meter, error) {
	if rate <= 0 || channels <= 0 || channels > 64 {
		return nil, fmt.Errorf("loudness: %d channels at %d Hz cannot be measured", channels, rate)
	}
	st := C.ebur128_init(C.uint(channels), C.ulong(rate), C.EBUR128_MODE_I|C.EBUR128_MODE_TRUE_PEAK)
	if st == nil {
		return nil, fmt.Errorf("loudness: libebur128 could not start a meter for %d channels at %d Hz", channels, rate)
	}
	return &Meter{st: st, channels: channels}, nil
}

// AddFloat measures interleaved samples, full scale at ±1.
func (m *Meter) AddFloat(samples []float32) error {
	n := len(samples) / m.channels
	if n == 0 {
		return nil
	}
	return check("add frames", C.ebur128_add_frames_float(m.st, (*C.float)(unsafe.Pointer(&samples[0])), C.size_t(n)))
}

// AddInt32 measures interleaved samples, full scale at ±2³¹.
func (m *Meter) AddInt32(samples []int32) error {
	n := len(samples) / m.channels
	if n == 0 {
		return nil
	}
	return check("add frames", C.ebur128_add_frames_int(m.st, (*C.int)(unsafe.Pointer(&samples[0])), C.size_t(n)))
}

// Integrated is the gated loudness in LUFS of what was added, no lower
// than Floor (silence has no loudness of its own).
func (m *Meter) Integrated() (float64, error) {
	var out C.double
	if err := check("integrated loudness", C.ebur128_loudness_global(m.st, &out)); err != nil {
		return 0, err
	}
	return floor(float64(out)), nil
}

// TruePeak is the highest true peak over the channels, linear.
func (m *Meter) TruePeak() (float64, error) {
	peak := 0.0
	for ch := 0; ch < m.channels; ch++ {
		var out C.double
		if err := check("true peak", C.ebur128_true_peak(m.st, C.uint(ch), &out)); err != nil {
			return 0, err
		}
		peak = max(peak, float64(out))
	}
	return peak, nil
}

// Close frees the meter.
func (m *Meter) Close() {
	if m.st != nil {
		C.ebur128_destroy(&m.st)
	}
}

// AlbumLoudness is the gated loudness of meters' audio taken together, as
// one programme (libebur128's global loudness over several states), no
// lower than Floor.
func AlbumLoudness(meters []*Meter) (float64, error) {
	if len(meters) == 0 {
		return 0, fmt.Errorf("loudness: an album needs at least one track")
	}
	sts := C.malloc(C.size_t(len(meters)) * C.size_t(unsafe.Sizeof(uintptr(0))))
	defer C.free(sts)
	list := unsafe.Slice((**C.ebur128_state)(sts), len(meters))
	for i, m := range meters {
		list[i] = m.st
	}
	var out C.double
	if err := check("album loudness", C.ebur128_loudness_global_multiple((**C.ebur128_state)(sts), C.size_t(len(meters)), &out)); err != nil {
		return 0, err
	}
	return floor(float64(out)), nil
}

// Floor is the lowest loudness reported: the absolute gate of EBU R128.
// Audio quieter than this throughout (silence) reads as Floor.
const Floor = -70.0

func floor(lufs float64) float64 {
	if math.IsNaN(lufs) || lufs < Floor {
		return Floor
	}
	return lufs
}

func check(what string, rc C.int) error {
	if rc != C.EBUR128_SUCCESS {
		return fmt.Errorf("loudness: %s: libebur128 error %d", what, int(rc))
	}
	return nil
}
