package player

import "io"

// Output is the audio device: oto in the app, a fake in tests. It plays
// 32-bit float little-endian stereo PCM at SampleRate.
type Output interface {
	SampleRate() int
	// NewStream returns a paused stream that pulls PCM from src.
	NewStream(src io.ReadSeeker) Stream
	// Err reports a failed device.
	Err() error
}

// Stream is one running output.
type Stream interface {
	Play()
	Pause()
	IsPlaying() bool
	// Seek drops buffered audio and seeks src.
	Seek(offset int64, whence int) (int64, error)
	// UnplayedBufferSize is how many bytes were read from src but not
	// heard yet.
	UnplayedBufferSize() int
	SetVolume(v float64)
	Err() error
	Close() error
}

// bytesPerFrame is one stereo float32 sample frame. Float keeps 24-bit
// masters and ReplayGain-scaled audio whole on their way to the device.
const bytesPerFrame = 8
