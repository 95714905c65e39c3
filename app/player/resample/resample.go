// Package resample converts interleaved float32 PCM from one sample rate to
// another with libsoxr, the resampler SoX itself uses, at its very high
// quality setting. It streams: each call takes a bounded chunk and returns
// what is ready, so memory stays small whatever the track's length.
package resample

/*
#cgo pkg-config: soxr
#include <stdlib.h>
#include <soxr.h>

static soxr_t megabox_soxr_new(double in, double out, unsigned ch, char const **err) {
	soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
	soxr_runtime_spec_t rt = soxr_runtime_spec(1);
	soxr_error_t e = NULL;
	soxr_t s = soxr_create(in, out, ch, &e, &io, &q, &rt);
	*err = e;
	return s;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"
)

// Resampler is one stream's conversion. It is not safe for concurrent use.
type Resampler struct {
	s        C.soxr_t
	channels int
}

// New returns a resampler from rate in to rate out for interleaved PCM of
// the given channel count.
func New(in, out, channels int) (*Resampler, error) {
	if in <= 0 || out <= 0 || channels <= 0 {
		return nil, fmt.Errorf("resample: bad rates %d→%d or channels %d", in, out, channels)
	}
	var e *C.char
	s := C.megabox_soxr_new(C.double(in), C.double(out), C.uint(channels), &e)
	if e != nil {
		return nil, fmt.Errorf("resample: %s", C.GoString(e))
	}
	r := &Resampler{s: s, channels: channels}
	runtime.SetFinalizer(r, (*Resampler).Close)
	return r, nil
}

// Process resamples in (whole frames) into out and reports how many input
// and output samples (not frames) it used. An empty in with end set says
// the input is over: call again until it produces nothing, to drain the
// filter's tail. out must hold at least one frame.
func (r *Resampler) Process(in, out []float32, end bool) (used, made int, err error) {
	if r.s == nil {
		return 0, 0, errors.New("resample: closed")
	}
	ch := r.channels
	ilen, olen := len(in)/ch, len(out)/ch
	if olen == 0 {
		return 0, 0, errors.New("resample: output buffer holds no frame")
	}
	var idone, odone C.size_t
	var ip unsafe.Pointer
	if ilen > 0 {
		ip = unsafe.Pointer(&in[0])
	} else if !end {
		return 0, 0, nil
	}
	e := C.soxr_process(r.s, C.soxr_in_t(ip), C.size_t(ilen), &idone, C.soxr_out_t(unsafe.Pointer(&out[0])), C.size_t(olen), &odone)
	runtime.KeepAlive(in)
	runtime.KeepAlive(out)
	if e != nil {
		return 0, 0, fmt.Errorf("resample: %s", C.GoString(e))
	}
	return int(idone) * ch, int(odone) * ch, nil
}

// Close frees the resampler; it may be called more than once.
func (r *Resampler) Close() {
	if r.s != nil {
		C.soxr_delete(r.s)
		r.s = nil
	}
}
