package media

import (
	"errors"

	"io"
	"strings"

	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
)

// FLACReader decodes a FLAC stream's samples with github.com/mewkiz/flac.
// It does not check the stream's MD5 itself: CheckFLAC does.
type FLACReader struct {
	s       *flac.Stream
	f       PCMFormat
	md5     [16]byte
	pending []int32 // decoded samples not yet handed out, interleaved
	decoded int64   // frames decoded
	frameNo int
}

// OpenFLAC reads a FLAC stream's header (skipping its other metadata) and
// returns a reader of its samples, streaming from r.
func OpenFLAC(r io.Reader) (fr *FLACReader, err error) {
	defer recoverAudio(&err)
	s, err := flac.New(r)
	if err != nil {
		if s == nil {
			return nil, audioErr(ErrAudioFormat, "not a FLAC file")
		}
		return nil, audioErr(ErrAudioDamaged, "the FLAC file's header is damaged")
	}
	in := s.Info
	f := PCMFormat{SampleRate: int(in.SampleRate), BitDepth: int(in.BitsPerSample), Channels: int(in.NChannels), Frames: int64(in.NSamples)}
	if in.NSamples == 0 {
		f.Frames = -1
	}
	if f.BitDepth > 24 {
		return nil, audioErr(ErrAudioUnsupported, "%d-bit FLAC is not taken: export at 16 or 24 bit", f.BitDepth)
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return &FLACReader{s: s, f: f, md5: in.MD5sum}, nil
}

// Format is the stream's format; Frames as STREAMINFO announces it.
func (r *FLACReader) Format() PCMFormat { return r.f }

// StreamMD5 is the checksum STREAMINFO holds; all zero when the encoder
// left it unset.
func (r *FLACReader) StreamMD5() [16]byte { return r.md5 }

// ReadSamples implements PCMReader.
func (r *FLACReader) ReadSamples(dst []int32) (n int, err error) {
	ch := r.f.Channels
	if len(dst) < ch {
		return 0, errors.New("buffer smaller than one frame")
	}
	for len(r.pending) == 0 {
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n = min(len(dst)/ch*ch, len(r.pending))
	copy(dst, r.pending[:n])
	r.pending = r.pending[n:]
	return n, nil
}

// next decodes one frame into pending.
func (r *FLACReader) next() (err error) {
	defer recoverAudio(&err)
	fr, err := r.s.ParseNext()
	if errors.Is(err, io.EOF) {
		if r.f.Frames > 0 && r.decoded < r.f.Frames {
			return audioErr(ErrAudioDamaged, "the FLAC file ends after %d of its %d samples: it was cut short", r.decoded, r.f.Frames)
		}
		return io.EOF
	}
	if err != nil {
		return r.frameErr(err)
	}
	r.frameNo++
	if len(fr.Subframes) != r.f.Channels || (fr.BitsPerSample != 0 && int(fr.BitsPerSample) != r.f.BitDepth) {
		return audioErr(ErrAudioDamaged, "FLAC frame %d does not match the stream's format", r.frameNo)
	}
	bs := len(fr.Subframes[0].Samples)
	for _, sf := range fr.Subframes {
		if len(sf.Samples) != bs {
			return audioErr(ErrAudioDamaged, "FLAC frame %d is damaged", r.frameNo)
		}
	}
	r.decoded += int64(bs)
	if r.f.Frames > 0 && r.decoded > r.f.Frames {
		return audioErr(ErrAudioDamaged, "the FLAC file holds more samples than its header says")
	}
	need := bs * r.f.Channels
	if cap(r.pending) < need {
		r.pending = make([]int32, need)
	}
	p := r.pending[:need]
	for c, sf := range fr.Subframes {
		for i, v := range sf.Samples {
			p[i*r.f.Channels+c] = v
		}
	}
	r.pending = p
	return nil
}

func (r *FLACReader) frameErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return audioErr(ErrAudioDamaged, "the FLAC file ends in the middle of frame %d: it was cut short", r.frameNo+1)
	}
	if strings.Contains(err.Error(), "CRC") {
		return audioErr(ErrAudioDamaged, "FLAC frame %d fails its checksum: the file is damaged", r.frameNo+1)
	}
	return audioErr(ErrAudioDamaged, "FLAC frame %d cannot be decoded: the file is damaged", r.frameNo+1)
}

// recoverAudio turns a decoder panic on hostile input into an error.
func recoverAudio(err *error) {
	if p := recover(); p != nil {
		*err = audioErr(ErrAudioDamaged, "the audio cannot be decoded: the file is damaged")
	}
}

// CheckFLAC decodes a whole FLAC stream once: its format, clipping and
// silence, and its samples checked against the MD5 in STREAMINFO.
// Errors are *AudioError; ErrAudioChecksum when the samples do not match.
func CheckFLAC(r io.Reader) (Analysis, error) {
	fr, err := OpenFLAC(r)
	if err != nil {
		return Analysis{}, err
	}
	a, err := Analyze(fr)
	if err != nil {
		return Analysis{}, err
	}
	if want := fr.StreamMD5(); want != ([16]byte{}) && want != a.MD5 {
		return a, audioErr(ErrAudioChecksum, "FLAC audio does not match its MD5 checksum: the file is damaged")
	}
	return a, nil
}

// FLACChannels is how a frame of n channels is laid out.
func flacChannels(n int) frame.Channels {
	if n == 1 {
		return frame.ChannelsMono
	}
	return frame.Channels(n - 1)
}
