package app

import (
	"io"

	"github.com/megabox-fm/megabox/app/player"
)

// noOutput stands in for a missing sound device: Err says why, so the
// player refuses to play instead of looking busy forever.
type noOutput struct{ err error }

func (n noOutput) SampleRate() int                       { return 44100 }
func (n noOutput) Err() error                            { return n.err }
func (n noOutput) NewStream(io.ReadSeeker) player.Stream { return silent{} }

type silent struct{}

func (silent) Play()                          {}
func (silent) Pause()                         {}
func (silent) IsPlaying() bool                { return false }
func (silent) Seek(int64, int) (int64, error) { return 0, nil }
func (silent) UnplayedBufferSize() int        { return 0 }
func (silent) SetVolume(float64)              {}
func (silent) Err() error                     { return nil }
func (silent) Close() error                   { return nil }
