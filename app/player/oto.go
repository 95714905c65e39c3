package player

import (
	"errors"
	"io"
	gosync "sync"
	"time"

	"github.com/hajimehoshi/oto/v2"
)

// OtoOutput is the system audio device through oto. oto allows one
// context per process, so there is one OtoOutput per process too.
type OtoOutput struct {
	ctx  *oto.Context
	rate int
}

// device is the process's one oto context.
var device struct {
	once gosync.Once
	out  *OtoOutput
	err  error
}

// NewOtoOutput opens the audio device at rate (44100 suits nearly all
// music). With no device, oto still "succeeds" and only reports the error
// later in Err; this checks it right away.
func NewOtoOutput(rate int) (*OtoOutput, error) {
	device.once.Do(func() {
		ctx, ready, err := oto.NewContextWithOptions(&oto.NewContextOptions{
			SampleRate: rate, ChannelCount: 2, Format: oto.FormatSignedInt16LE, BufferSize: 250 * time.Millisecond})
		if err != nil {
			device.err = err
			return
		}
		select {
		case <-ready:
		case <-time.After(5 * time.Second):
			device.err = errors.New("audio device did not become ready")
			return
		}
		device.out = &OtoOutput{ctx: ctx, rate: rate}
	})
	if device.err != nil {
		return nil, device.err
	}
	if err := device.out.Err(); err != nil {
		return nil, err
	}
	return device.out, nil
}

// SampleRate implements Output.
func (o *OtoOutput) SampleRate() int { return o.rate }

// Err implements Output.
func (o *OtoOutput) Err() error { return o.ctx.Err() }

// NewStream implements Output.
func (o *OtoOutput) NewStream(src io.ReadSeeker) Stream {
	pl := o.ctx.NewPlayer(src)
	pl.Pause()
	return &otoStream{Player: pl}
}

type otoStream struct {
	oto.Player
}

func (s *otoStream) Seek(offset int64, whence int) (int64, error) {
	return s.Player.(io.Seeker).Seek(offset, whence)
}
