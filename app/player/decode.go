package player

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hajimehoshi/go-mp3"
)

// maxTrackBytes bounds what is read into memory for one track.
const maxTrackBytes = 512 << 20

// source is one decoded track, resampled to the output rate if needed.
type source struct {
	dec    *mp3.Decoder
	ratio  float64 // input rate / output rate
	length int64   // output bytes
	// resampling state
	pos  float64 // position in input frames
	prev [2]int16
	cur  [2]int16
	have int64 // input frames consumed
}

// open decodes a file's headers; the whole file is read into memory so
// decoding never waits on the disk.
func open(path string, outRate int) (s *source, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("damaged MP3: %v", p)
		}
	}()
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxTrackBytes {
		return nil, errors.New("file too large to play")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec, err := mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not a playable MP3: %w", err)
	}
	if dec.Length() <= 0 || dec.SampleRate() <= 0 {
		return nil, errors.New("MP3 has no audio")
	}
	s = &source{dec: dec, ratio: float64(dec.SampleRate()) / float64(outRate)}
	s.length = int64(float64(dec.Length()/bytesPerFrame)/s.ratio) * bytesPerFrame
	return s, nil
}

// Read fills p with output PCM; it never panics on damaged data.
func (s *source) Read(p []byte) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("damaged MP3: %v", r)
		}
	}()
	p = p[:len(p)/bytesPerFrame*bytesPerFrame]
	if s.ratio == 1 {
		return s.dec.Read(p)
	}
	return s.resample(p)
}

// resample converts by linear interpolation between input frames.
func (s *source) resample(p []byte) (int, error) {
	var in [bytesPerFrame]byte
	n := 0
	for n+bytesPerFrame <= len(p) {
		for float64(s.have) <= s.pos+1 {
			if _, err := io.ReadFull(s.dec, in[:]); err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, io.EOF
			}
			s.prev = s.cur
			s.cur = [2]int16{int16(binary.LittleEndian.Uint16(in[0:])), int16(binary.LittleEndian.Uint16(in[2:]))}
			s.have++
		}
		frac := s.pos + 1 - float64(s.have-1)
		for ch := range 2 {
			v := float64(s.prev[ch]) + (float64(s.cur[ch])-float64(s.prev[ch]))*frac
			binary.LittleEndian.PutUint16(p[n+2*ch:], uint16(int16(v)))
		}
		n += bytesPerFrame
		s.pos += s.ratio
	}
	return n, nil
}

// seek moves to an output byte offset; it never panics on damaged data
// (go-mp3's Seek indexes past its frame table on some mixed streams).
func (s *source) seek(off int64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("damaged MP3: %v", r)
		}
	}()
	off = min(max(off, 0), s.length) / bytesPerFrame * bytesPerFrame
	in := int64(float64(off/bytesPerFrame)*s.ratio) * bytesPerFrame
	if _, err := s.dec.Seek(in, io.SeekStart); err != nil {
		return err
	}
	s.pos, s.have = float64(in/bytesPerFrame), in/bytesPerFrame
	return nil
}
