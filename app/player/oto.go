package player

import (
	"errors"
	"io"
	gosync "sync"
	"time"

	"github.com/hajimehoshi/oto/v2"
)

// OtoOutput is the system audio device through oto. oto expects one
// context per process, so there is one OtoOutput per process too
// (NewOtoOutput); it holds at most one working context.
//
// A context whose device failed to open holds no device and never
// recovers (its error is sticky), but on Linux a new context can open a
// device that appeared since: Reopen makes one.
type OtoOutput struct {
	rate int

	mu      gosync.Mutex
	ctx     *oto.Context  // nil until a device opened
	err     error         // why the last attempt found no device
	pending *oto.Context  // an attempt still opening when its wait ended; the next Reopen waits for it again
	ready   chan struct{} // closed when pending is ready
	opening chan struct{} // closed when the running attempt ends; nil when none runs
}

// device is the process's one output.
var device struct {
	once gosync.Once
	out  *OtoOutput
}

// DeviceRate is the rate the app opens the device at: 48 kHz is what
// sound servers and most devices run at natively, so nothing resamples
// again after the player; every track is resampled to it with libsoxr.
const DeviceRate = 48000

// readyWait bounds how long a device may take to open.
const readyWait = 5 * time.Second

// deviceBuffer is how much audio the sound device holds, and so how long
// a pause or a seek takes to be heard. oto asks ALSA for it in two
// periods; PulseAudio's ALSA plugin wants at least three, so there a
// period is a third of it (about 167 ms). Each period costs a wakeup of
// the device thread, a blocking cgo call and a burst of decoding, so
// playback cost falls with longer periods; half a second (mpg123's and
// Audacious's default) keeps pause and seek audibly prompt.
const deviceBuffer = 500 * time.Millisecond

// NewOtoOutput returns the process's audio output at rate (DeviceRate in
// the app), opening the device. With no device it still returns
// the output, with the reason: Reopen tries again later.
func NewOtoOutput(rate int) (*OtoOutput, error) {
	device.once.Do(func() { device.out = newOtoOutput(rate) })
	return device.out, device.out.Err()
}

// newOtoOutput opens a device of its own; only tests need a second one.
func newOtoOutput(rate int) *OtoOutput {
	o := &OtoOutput{rate: rate}
	_ = o.Reopen() // with no device, Err says why and Play tries again
	return o
}

// Reopen opens the device again if it is not working. With no device,
// oto "succeeds" and reports the error only in Err, so this waits for the
// context to be ready and checks it. The wait holds no lock, so Err and
// NewStream answer meanwhile. One attempt runs at a time and callers
// meanwhile share it. oto's contexts cannot be closed, so a context still
// opening when the wait ends is kept and waited for again rather than
// joined by another.
func (o *OtoOutput) Reopen() error {
	o.mu.Lock()
	if o.ctx != nil && o.ctx.Err() == nil {
		o.mu.Unlock()
		return nil
	}
	if wait := o.opening; wait != nil {
		o.mu.Unlock()
		<-wait
		return o.Err()
	}
	done := make(chan struct{})
	o.opening = done
	ctx, ready := o.pending, o.ready
	o.mu.Unlock()

	var err error
	if ctx == nil {
		ctx, ready, err = oto.NewContextWithOptions(&oto.NewContextOptions{
			SampleRate: o.rate, ChannelCount: 2, Format: oto.FormatFloat32LE, BufferSize: deviceBuffer})
	}
	pending := false
	if err == nil {
		select {
		case <-ready:
			err = ctx.Err()
		case <-time.After(readyWait):
			err, pending = errors.New("audio device did not become ready"), true
		}
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	o.opening = nil
	close(done)
	o.pending, o.ready = nil, nil
	if pending {
		o.pending, o.ready = ctx, ready
	}
	if err != nil {
		o.err = err
		return err
	}
	o.ctx, o.err = ctx, nil
	return nil
}

// SampleRate implements Output.
func (o *OtoOutput) SampleRate() int { return o.rate }

// Err implements Output.
func (o *OtoOutput) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ctx == nil {
		return o.err
	}
	return o.ctx.Err()
}

// NewStream implements Output. With no device the stream is silent and
// Err says why.
func (o *OtoOutput) NewStream(src io.ReadSeeker) Stream {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ctx == nil {
		return silent{}
	}
	pl := o.ctx.NewPlayer(src)
	// A second decoded ahead rides out a busy CPU without a gap, even
	// when the device takes its whole buffer at once on start; pause and
	// seek drop it rather than play it.
	pl.(oto.BufferSizeSetter).SetBufferSize(o.rate * bytesPerFrame)
	pl.Pause()
	return &otoStream{Player: pl}
}

type otoStream struct {
	oto.Player
}

func (s *otoStream) Seek(offset int64, whence int) (int64, error) {
	return s.Player.(io.Seeker).Seek(offset, whence)
}

// silent is the stream of an output with no device.
type silent struct{}

func (silent) Play()                          {}
func (silent) Pause()                         {}
func (silent) IsPlaying() bool                { return false }
func (silent) Seek(int64, int) (int64, error) { return 0, nil }
func (silent) UnplayedBufferSize() int        { return 0 }
func (silent) SetVolume(float64)              {}
func (silent) Err() error                     { return nil }
func (silent) Close() error                   { return nil }
