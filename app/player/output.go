package player

import "io"

// Output is the audio device: oto in the app, a fake in tests. It plays
// signed 16-bit little-endian stereo PCM at SampleRate.
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

// bytesPerFrame is one stereo 16-bit sample frame.
const bytesPerFrame = 4
