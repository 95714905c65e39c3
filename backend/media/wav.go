package media

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
)

// WAVE format tags.
const (
	wavPCM        = 1
	wavFloat      = 3
	wavExtensible = 0xFFFE
)

// maxSkippedChunks bounds how many chunks before the audio are passed over.
const maxSkippedChunks = 1024

// OpenWAV reads a RIFF/WAVE header (PCM, 8 to 32 bit, plain or
// WAVE_FORMAT_EXTENSIBLE) and returns a reader of its samples, streaming
// from r.
func OpenWAV(r io.Reader) (PCMReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var hdr [12]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil || string(hdr[:4]) != "RIFF" || string(hdr[8:]) != "WAVE" {
		return nil, audioErr(ErrAudioFormat, "not a WAV file")
	}
	var f PCMFormat
	var container int
	haveFmt := false
	for range maxSkippedChunks {
		var ch [8]byte
		if _, err := io.ReadFull(br, ch[:]); err != nil {
			return nil, audioErr(ErrAudioDamaged, "WAV file ends before its audio")
		}
		id, size := string(ch[:4]), int64(binary.LittleEndian.Uint32(ch[4:]))
		switch id {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, audioErr(ErrAudioDamaged, "WAV format chunk has a bad size (%d bytes)", size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(br, b); err != nil {
				return nil, audioErr(ErrAudioDamaged, "WAV file ends in its format chunk")
			}
			var err error
			if f, container, err = wavFormat(b[:size]); err != nil {
				return nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, audioErr(ErrAudioDamaged, "WAV audio comes before its format chunk")
			}
			frameBytes := int64(container / 8 * f.Channels)
			f.Frames = -1
			if size != 0xFFFFFFFF && size != 0 { // streamed WAVs leave the size unset
				f.Frames = size / frameBytes
			}
			return newPCMStream(br, f, container, false, size), nil
		default:
			if _, err := io.CopyN(io.Discard, br, size+size%2); err != nil {
				return nil, audioErr(ErrAudioDamaged, "WAV file ends in its %q chunk", id)
			}
		}
	}
	return nil, audioErr(ErrAudioDamaged, "WAV file has no audio among its first %d chunks", maxSkippedChunks)
}

// wavFormat reads a fmt chunk: the format and the bits each sample takes
// in the file (the container, at least the significant bits).
func wavFormat(b []byte) (PCMFormat, int, error) {
	le := binary.LittleEndian
	tag := le.Uint16(b[0:])
	f := PCMFormat{Channels: int(le.Uint16(b[2:])), SampleRate: int(le.Uint32(b[4:]))}
	align := int(le.Uint16(b[12:]))
	container := int(le.Uint16(b[14:]))
	f.BitDepth = container
	if tag == wavExtensible {
		if len(b) < 40 {
			return f, 0, audioErr(ErrAudioDamaged, "WAV extensible format chunk is too short")
		}
		if valid := int(le.Uint16(b[18:])); valid > 0 && valid <= container {
			f.BitDepth = valid
		}
		tag = le.Uint16(b[24:]) // the sub-format GUID starts with the format tag
	}
	switch {
	case tag == wavFloat:
		return f, 0, audioErr(ErrAudioUnsupported, "floating-point WAV is not taken: export as 16- or 24-bit PCM")
	case tag != wavPCM:
		return f, 0, audioErr(ErrAudioUnsupported, "compressed WAV (format %#x) is not taken: export as 16- or 24-bit PCM", tag)
	case container%8 != 0 || container < 8 || container > 32:
		return f, 0, audioErr(ErrAudioUnsupported, "WAV with %d-bit sample containers is not taken", container)
	case align != container/8*f.Channels:
		return f, 0, audioErr(ErrAudioDamaged, "WAV block alignment %d does not match %d channels of %d bits", align, f.Channels, container)
	}
	return f, container, f.check()
}

// pcmStream decodes packed integer samples from a byte stream.
type pcmStream struct {
	r         io.Reader
	f         PCMFormat
	width     int  // bytes per sample in the stream
	shift     uint // container bits beyond the significant ones
	bigEndian bool
	left      int64 // bytes of audio left; -1 to the end of the stream
	raw       []byte
}

func newPCMStream(r io.Reader, f PCMFormat, container int, bigEndian bool, size int64) *pcmStream {
	left := size
	if size == 0xFFFFFFFF || size == 0 {
		left = -1
	}
	return &pcmStream{r: r, f: f, width: container / 8, shift: uint(container - f.BitDepth), bigEndian: bigEndian, left: left}
}

func (s *pcmStream) Format() PCMFormat { return s.f }

func (s *pcmStream) ReadSamples(dst []int32) (int, error) {
	frame := s.width * s.f.Channels
	frames := len(dst) / s.f.Channels
	if frames == 0 {
		return 0, errors.New("buffer smaller than one frame")
	}
	want := int64(frames * frame)
	if s.left >= 0 {
		want = min(want, s.left)
	}
	if want == 0 {
		return 0, io.EOF
	}
	if int64(cap(s.raw)) < want {
		s.raw = make([]byte, want)
	}
	raw := s.raw[:want]
	n, err := io.ReadFull(s.r, raw)
	if s.left >= 0 {
		s.left -= int64(n)
	}
	whole := n / frame * frame
	s.decode(dst, raw[:whole])
	count := whole / s.width
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		if s.left > 0 {
			return count, audioErr(ErrAudioDamaged, "the file ends before its audio does: it was cut short")
		}
		if n != whole {
			return count, audioErr(ErrAudioDamaged, "the file ends in the middle of a sample")
		}
		return count, io.EOF
	case err != nil:
		return count, err
	}
	return count, nil
}

func (s *pcmStream) decode(dst []int32, raw []byte) {
	w := s.width
	for i, o := 0, 0; o < len(raw); i, o = i+1, o+w {
		b := raw[o : o+w]
		var v int32
		switch {
		case w == 1 && s.bigEndian: // AIFF: signed
			v = int32(int8(b[0]))
		case w == 1: // WAV: unsigned
			v = int32(b[0]) - 128
		case w == 2 && s.bigEndian:
			v = int32(int16(uint16(b[0])<<8 | uint16(b[1])))
		case w == 2:
			v = int32(int16(uint16(b[1])<<8 | uint16(b[0])))
		case w == 3 && s.bigEndian:
			v = int32(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8) >> 8
		case w == 3:
			v = int32(uint32(b[2])<<24|uint32(b[1])<<16|uint32(b[0])<<8) >> 8
		case s.bigEndian:
			v = int32(binary.BigEndian.Uint32(b))
		default:
			v = int32(binary.LittleEndian.Uint32(b))
		}
		dst[i] = v >> s.shift
	}
}
