package player

import (
	"bytes"
	"context"
	"errors"
	"io"
	gosync "sync"
)

// fakeOutput is an output that plays only when a test pumps it, holding a
// read-ahead buffer like a real device.
type fakeOutput struct {
	rate int
	err  error
}

func (o *fakeOutput) SampleRate() int { return o.rate }
func (o *fakeOutput) Err() error      { return o.err }
func (o *fakeOutput) NewStream(src io.ReadSeeker) Stream {
	return &fakeStream{src: src, ahead: 8192, vol: 1}
}

type fakeStream struct {
	mu      gosync.Mutex
	src     io.ReadSeeker
	playing bool
	pending []byte
	ahead   int
	heard   bytes.Buffer
	vol     float64
	eof     bool
	// readsAfterCount, when set, makes the next UnplayedBufferSize read
	// that many bytes from src after taking its count, as a device's
	// goroutine can between a caller's two looks.
	readsAfterCount int
}

func (s *fakeStream) Play()  { s.mu.Lock(); s.playing = true; s.mu.Unlock() }
func (s *fakeStream) Pause() { s.mu.Lock(); s.playing = false; s.mu.Unlock() }
func (s *fakeStream) IsPlaying() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.playing && !(s.eof && len(s.pending) == 0)
}
func (s *fakeStream) Seek(off int64, whence int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending, s.eof = nil, false
	return s.src.Seek(off, whence)
}
func (s *fakeStream) UnplayedBufferSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.pending)
	if k := s.readsAfterCount; k > 0 {
		s.readsAfterCount = 0
		buf := make([]byte, k)
		k, _ = io.ReadFull(s.src, buf)
		s.pending = append(s.pending, buf[:k]...)
	}
	return n
}

func (s *fakeStream) readAfterNextCount(n int) {
	s.mu.Lock()
	s.readsAfterCount = n
	s.mu.Unlock()
}
func (s *fakeStream) SetVolume(v float64) { s.mu.Lock(); s.vol = v; s.mu.Unlock() }
func (s *fakeStream) Err() error          { return nil }
func (s *fakeStream) Close() error        { return nil }

// pump plays n bytes (fewer at the end of the queue) and returns them.
func (s *fakeStream) pump(n int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.playing {
		return nil
	}
	buf := make([]byte, 4096)
	for !s.eof && len(s.pending) < n+s.ahead {
		k, err := s.src.Read(buf)
		s.pending = append(s.pending, buf[:k]...)
		if errors.Is(err, io.EOF) || (k == 0 && err != nil) {
			s.eof = true
		}
	}
	n = min(n, len(s.pending))
	out := append([]byte(nil), s.pending[:n]...)
	s.pending = s.pending[n:]
	s.heard.Write(out)
	return out
}

// drain plays until the queue ends.
func (s *fakeStream) drain() []byte {
	var all []byte
	for {
		b := s.pump(1 << 16)
		if len(b) == 0 {
			return all
		}
		all = append(all, b...)
	}
}

type memStore struct{ b []byte }

func (m *memStore) LoadPlayerState(context.Context) []byte { return m.b }
func (m *memStore) SavePlayerState(_ context.Context, b []byte) error {
	m.b = append([]byte(nil), b...)
	return nil
}

type recorder struct {
	mu     gosync.Mutex
	events []any
}

func (r *recorder) Emit(_ string, payload any) {
	r.mu.Lock()
	r.events = append(r.events, payload)
	r.mu.Unlock()
}

func (r *recorder) errors() []TrackError {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []TrackError
	for _, e := range r.events {
		if te, ok := e.(TrackError); ok {
			out = append(out, te)
		}
	}
	return out
}
