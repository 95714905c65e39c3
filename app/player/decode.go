package player

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"unsafe"

	"github.com/megabox-fm/megabox/app/player/resample"
)

// maxTrackBytes bounds the size of a file the player opens.
const maxTrackBytes = 2 << 30

// chunk is how many frames a source decodes at a time: memory stays
// bounded whatever the track's length or rate.
const chunk = 4096

// source is one track as the output plays it: decoded, scaled by its
// ReplayGain, and resampled with libsoxr to the output rate when the
// file's rate differs.
//
//	decoder (file rate, float32 stereo) → gain → resampler → output bytes
//
// Consecutive tracks at the same rate share one resampler (a chain), so
// the output is exactly that of the tracks resampled as one recording:
// a live album's seams stay seamless. A track at another rate ends its
// chain: the filter's tail is drained, so the track still ends exactly
// where the next begins.
type source struct {
	dec     decoder
	outRate int
	gain    float32
	length  int64 // output bytes, estimated
	format  string

	in, inBuf []float32 // decoded and scaled, not yet resampled
	decEOF    bool
	direct    []float32 // output when no resampling is needed
	outBuf    []float32

	c *chain // nil when the rates match
	// feeding is whose decoder feeds the chain: this track, then the next
	// one once this one's decoder ended and the next continues the chain.
	feeding *source
	next    *source
	start   int64 // the chain's output frame where this track begins
	end     int64 // where it ends once a next track continues the chain; -1 before
	// follow returns the track that plays next, or nil (set by the feed).
	follow  func() *source
	adopted bool // a track before this one feeds it into its chain
}

// chain is a resampler and its output not yet played; tracks that share
// it hand it on.
type chain struct {
	rs     *resample.Resampler
	inRate int
	fed    int64     // input frames taken
	made   int64     // output frames made
	out    []float32 // made, not yet played
	buf    []float32
}

// open opens a track for an output at outRate, with a linear gain.
func open(path string, outRate int, gain float64) (*source, error) {
	dec, err := openDecoder(path)
	if err != nil {
		return nil, err
	}
	s := &source{dec: dec, outRate: outRate, gain: float32(gain), format: dec.Format(), end: -1,
		inBuf: make([]float32, chunk*2), outBuf: make([]float32, chunk*2)}
	s.feeding = s
	s.length = dec.Frames() * int64(outRate) / int64(dec.Rate()) * bytesPerFrame
	if err := s.restart(); err != nil {
		dec.Close()
		return nil, err
	}
	return s, nil
}

// restart readies a fresh chain: at the start and after a seek.
func (s *source) restart() error {
	s.in, s.direct, s.decEOF, s.start, s.end, s.next, s.feeding = nil, nil, false, 0, -1, nil, s
	if s.c != nil {
		s.c.rs.Close()
		s.c = nil
	}
	if s.dec.Rate() == s.outRate {
		return nil
	}
	rs, err := resample.New(s.dec.Rate(), s.outRate, 2)
	if err != nil {
		return err
	}
	s.c = &chain{rs: rs, inRate: s.dec.Rate(), buf: make([]float32, chunk*2)}
	return nil
}

// Close frees the decoder, and the chain unless a next track took it on.
func (s *source) Close() error {
	if s.c != nil && s.next == nil {
		s.c.rs.Close()
	}
	return s.dec.Close()
}

// Read fills p with float32 little-endian stereo at the output rate.
func (s *source) Read(p []byte) (int, error) {
	p = p[:len(p)/bytesPerFrame*bytesPerFrame]
	n := 0
	for n < len(p) {
		out := s.ready()
		if len(out) == 0 && n > 0 {
			// Hand over what is ready rather than decode more: the
			// output holds a lock while it reads, and the device must
			// not wait a whole buffer's decoding for it.
			return n, nil
		}
		if len(out) == 0 {
			if s.c != nil && s.end >= 0 && s.c.made-int64(len(s.c.out)/2) >= s.end {
				return n, io.EOF // the rest of the chain's output is the next track's
			}
			if err := s.fill(); err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, err
			}
			continue
		}
		k := min((len(p)-n)/4, len(out))
		putFloats(p[n:], out[:k])
		if s.c != nil {
			s.c.out = s.c.out[k:]
		} else {
			s.direct = s.direct[k:]
		}
		n += 4 * k
	}
	return n, nil
}

// putFloats writes v as float32 little-endian into p. Values past full
// scale (a resampled square wave overshoots a little) are left for the
// device to clip, as any sample format conversion does.
func putFloats(p []byte, v []float32) {
	if len(v) == 0 {
		return
	}
	if littleEndian {
		copy(p, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*4))
		return
	}
	for i, x := range v {
		binary.LittleEndian.PutUint32(p[4*i:], math.Float32bits(x))
	}
}

// littleEndian is whether float32s in memory are already the output's
// byte order (amd64 and arm64: every desktop the app ships for).
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// ready is the output this track may play now: in a chain, not past its
// end.
func (s *source) ready() []float32 {
	if s.c == nil {
		return s.direct
	}
	out := s.c.out
	if s.end >= 0 {
		first := s.c.made - int64(len(out)/2)
		out = out[:max(min(s.end-first, int64(len(out)/2)), 0)*2]
	}
	return out
}

// prime decodes the track's first samples, so the track opened ahead is
// ready the moment the one before it ends.
func (s *source) prime() error {
	var err error
	if s.c == nil {
		err = s.fill()
	} else {
		err = s.decode()
	}
	if err == nil && len(s.direct) == 0 && len(s.in) == 0 {
		err = io.EOF
	}
	if err != nil {
		s.Close()
		if errors.Is(err, io.EOF) {
			return errors.New("the file holds no audio")
		}
		return err
	}
	return nil
}

// decode reads the next run of the track's samples, scaled by its gain,
// into in.
func (s *source) decode() error {
	k, err := s.dec.Read(s.inBuf)
	s.in = s.inBuf[:k]
	if s.gain != 1 {
		for i := range s.in {
			s.in[i] *= s.gain
		}
	}
	if errors.Is(err, io.EOF) {
		s.decEOF = true
		return nil
	}
	return err
}

// fill makes the next run of output samples; io.EOF when the track,
// filter tail included, is over.
func (s *source) fill() error {
	if s.c == nil {
		if err := s.decode(); err != nil {
			return err
		}
		s.direct, s.in = s.in, nil
		if len(s.direct) == 0 && s.decEOF {
			return io.EOF
		}
		return nil
	}
	f := s.feeding
	if len(f.in) == 0 && !f.decEOF {
		if err := f.decode(); err != nil {
			return err
		}
	}
	if f == s && s.decEOF && len(s.in) == 0 && s.next == nil && s.handOn() {
		return nil
	}
	end := f.decEOF && len(f.in) == 0
	used, made, err := s.c.rs.Process(f.in, s.c.buf, end)
	if err != nil {
		return err
	}
	f.in = f.in[used:]
	s.c.fed += int64(used / 2)
	s.c.made += int64(made / 2)
	s.c.out = s.c.buf[:made]
	if made == 0 && end {
		return io.EOF
	}
	return nil
}

// handOn lets the next track continue this one's chain when it is at the
// same rate: this track then ends at the output frame its last input
// frame maps to, and the next one begins there.
func (s *source) handOn() bool {
	if s.follow == nil {
		return false
	}
	n := s.follow()
	if n == nil || n.c == nil || n.dec.Rate() != s.c.inRate || n.adopted {
		return false
	}
	n.c.rs.Close()
	s.end = (s.c.fed*int64(s.outRate) + int64(s.c.inRate)/2) / int64(s.c.inRate)
	n.c, n.start, n.adopted = s.c, s.end, true
	s.next, s.feeding = n, n
	return true
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
