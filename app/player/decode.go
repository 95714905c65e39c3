package player

import (
	"encoding/binary"
	"errors"
	"io"
	"math"

	"github.com/megabox-fm/megabox/app/player/resample"
)

// maxTrackBytes bounds the size of a file the player opens.
const maxTrackBytes = 2 << 30

// chunk is how many frames a source decodes at a time: memory stays
// bounded whatever the track's length or rate.
const chunk = 4096

// source is one track as the output plays it: decoded, resampled with
// libsoxr to the output rate when the file's rate differs, and scaled by
// its ReplayGain. At the end of the track the resampler's filter tail is
// drained, so the track ends exactly where the next begins.
//
//	decoder (file rate, float32 stereo) → resampler → gain → output bytes
type source struct {
	dec     decoder
	outRate int
	rs      *resample.Resampler // nil when the rates match
	gain    float32
	length  int64 // output bytes
	format  string

	in, out       []float32
	inBuf, outBuf []float32
	decEOF        bool
}

// open opens a track for an output at outRate, with a linear gain.
func open(path string, outRate int, gain float64) (*source, error) {
	dec, err := openDecoder(path)
	if err != nil {
		return nil, err
	}
	s := &source{dec: dec, outRate: outRate, gain: float32(gain), format: dec.Format(),
		inBuf: make([]float32, chunk*2), outBuf: make([]float32, chunk*2)}
	s.length = dec.Frames() * int64(outRate) / int64(dec.Rate()) * bytesPerFrame
	if err := s.restart(); err != nil {
		dec.Close()
		return nil, err
	}
	return s, nil
}

// restart readies a fresh resampler: at the start and after a seek.
func (s *source) restart() error {
	s.in, s.out, s.decEOF = nil, nil, false
	if s.rs != nil {
		s.rs.Close()
		s.rs = nil
	}
	if s.dec.Rate() == s.outRate {
		return nil
	}
	rs, err := resample.New(s.dec.Rate(), s.outRate, 2)
	if err != nil {
		return err
	}
	s.rs = rs
	return nil
}

// Close frees the decoder and resampler.
func (s *source) Close() error {
	if s.rs != nil {
		s.rs.Close()
		s.rs = nil
	}
	return s.dec.Close()
}

// Read fills p with float32 little-endian stereo at the output rate.
func (s *source) Read(p []byte) (int, error) {
	p = p[:len(p)/bytesPerFrame*bytesPerFrame]
	n := 0
	for n < len(p) {
		if len(s.out) == 0 {
			if err := s.fill(); err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, err
			}
			continue
		}
		k := min((len(p)-n)/4, len(s.out))
		for i, v := range s.out[:k] {
			binary.LittleEndian.PutUint32(p[n+4*i:], math.Float32bits(min(max(v*s.gain, -1), 1)))
		}
		s.out = s.out[k:]
		n += 4 * k
	}
	return n, nil
}

// prime decodes and resamples the track's first samples, so the track
// opened ahead is ready the moment the one before it ends.
func (s *source) prime() error {
	for len(s.out) == 0 {
		if err := s.fill(); err != nil {
			s.Close()
			if errors.Is(err, io.EOF) {
				return errors.New("the file holds no audio")
			}
			return err
		}
	}
	return nil
}

// fill makes the next run of output samples; io.EOF when the track,
// filter tail included, is over.
func (s *source) fill() error {
	if s.rs == nil {
		k, err := s.dec.Read(s.outBuf)
		s.out = s.outBuf[:k]
		if k > 0 {
			return nil
		}
		if err == nil {
			return errors.New("the decoder returned no audio")
		}
		return err
	}
	if len(s.in) == 0 && !s.decEOF {
		k, err := s.dec.Read(s.inBuf)
		s.in = s.inBuf[:k]
		if errors.Is(err, io.EOF) {
			s.decEOF = true
		} else if err != nil {
			return err
		}
	}
	used, made, err := s.rs.Process(s.in, s.outBuf, s.decEOF && len(s.in) == 0)
	if err != nil {
		return err
	}
	s.in, s.out = s.in[used:], s.outBuf[:made]
	if made == 0 && s.decEOF && len(s.in) == 0 {
		return io.EOF
	}
	return nil
}

// seek moves to an output byte offset.
func (s *source) seek(off int64) error {
	off = min(max(off, 0), s.length) / bytesPerFrame
	frame := off * int64(s.dec.Rate()) / int64(s.outRate)
	if n := s.dec.Frames(); n > 0 && frame >= n {
		frame = n - 1
	}
	if err := s.dec.SeekFrame(frame); err != nil {
		return err
	}
	return s.restart()
}
