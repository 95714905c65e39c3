package media

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
)

// OpenAIFF reads an AIFF (or uncompressed AIFF-C) header and returns a
// reader of its samples, streaming from r. The COMM chunk must come
// before the sound data, as every common tool writes it.
func OpenAIFF(r io.Reader) (PCMReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var hdr [12]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil || string(hdr[:4]) != "FORM" {
		return nil, audioErr(ErrAudioFormat, "not an AIFF file")
	}
	aifc := false
	switch string(hdr[8:]) {
	case "AIFF":
	case "AIFC":
		aifc = true
	default:
		return nil, audioErr(ErrAudioFormat, "not an AIFF file")
	}
	var f PCMFormat
	var container int
	littleEndian, haveComm := false, false
	for range maxSkippedChunks {
		var ch [8]byte
		if _, err := io.ReadFull(br, ch[:]); err != nil {
			return nil, audioErr(ErrAudioDamaged, "AIFF file ends before its audio")
		}
		id, size := string(ch[:4]), int64(binary.BigEndian.Uint32(ch[4:]))
		switch id {
		case "COMM":
			if size < 18 || size > 1024 {
				return nil, audioErr(ErrAudioDamaged, "AIFF COMM chunk has a bad size (%d bytes)", size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(br, b); err != nil {
				return nil, audioErr(ErrAudioDamaged, "AIFF file ends in its COMM chunk")
			}
			var err error
			if f, container, littleEndian, err = aiffComm(b[:size], aifc); err != nil {
				return nil, err
			}
			haveComm = true
		case "SSND":
			if !haveComm {
				return nil, audioErr(ErrAudioUnsupported, "AIFF sound data comes before its COMM chunk: export the file again")
			}
			var off [8]byte
			if size < 8 {
				return nil, audioErr(ErrAudioDamaged, "AIFF SSND chunk is too short")
			}
			if _, err := io.ReadFull(br, off[:]); err != nil {
				return nil, audioErr(ErrAudioDamaged, "AIFF file ends in its SSND chunk")
			}
			skip := int64(binary.BigEndian.Uint32(off[:4]))
			if skip > size-8 {
				return nil, audioErr(ErrAudioDamaged, "AIFF SSND offset points past its chunk")
			}
			if _, err := io.CopyN(io.Discard, br, skip); err != nil {
				return nil, audioErr(ErrAudioDamaged, "AIFF file ends in its SSND chunk")
			}
			data := size - 8 - skip
			if need := f.Frames * int64(container/8*f.Channels); need <= data {
				data = need // COMM says how many frames there are
			} else {
				return nil, audioErr(ErrAudioDamaged, "AIFF sound data is shorter than its COMM chunk says: the file was cut short")
			}
			if data == 0 {
				return &pcmStream{r: br, f: f, width: container / 8, left: 0}, nil
			}
			return newPCMStream(br, f, container, !littleEndian, data), nil
		default:
			if _, err := io.CopyN(io.Discard, br, size+size%2); err != nil {
				return nil, audioErr(ErrAudioDamaged, "AIFF file ends in its %q chunk", id)
			}
		}
	}
	return nil, audioErr(ErrAudioDamaged, "AIFF file has no audio among its first %d chunks", maxSkippedChunks)
}

// aiffComm reads a COMM chunk.
func aiffComm(b []byte, aifc bool) (f PCMFormat, container int, littleEndian bool, err error) {
	be := binary.BigEndian
	f.Channels = int(int16(be.Uint16(b[0:])))
	f.Frames = int64(be.Uint32(b[2:]))
	f.BitDepth = int(int16(be.Uint16(b[6:])))
	rate, ok := extended80(b[8:18])
	if !ok {
		return f, 0, false, audioErr(ErrAudioDamaged, "AIFF sample rate is not a whole number of hertz")
	}
	f.SampleRate = rate
	if aifc {
		if len(b) < 22 {
			return f, 0, false, audioErr(ErrAudioDamaged, "AIFF-C COMM chunk is too short")
		}
		switch string(b[18:22]) {
		case "NONE", "twos":
		case "sowt":
			littleEndian = true
		default:
			return f, 0, false, audioErr(ErrAudioUnsupported, "compressed AIFF-C (%q) is not taken: export as uncompressed AIFF or WAV", b[18:22])
		}
	}
	if err := f.check(); err != nil {
		return f, 0, false, err
	}
	container = (f.BitDepth + 7) / 8 * 8
	// AIFF keeps samples left-justified in their container: the reader
	// shifts them down to their significant bits.
	return f, container, littleEndian, nil
}

// extended80 reads an IEEE 754 80-bit extended float as a positive whole
// number (AIFF's sample rate).
func extended80(b []byte) (int, bool) {
	exp := int(binary.BigEndian.Uint16(b[0:]))
	mant := binary.BigEndian.Uint64(b[2:])
	if exp&0x8000 != 0 || mant == 0 {
		return 0, false
	}
	shift := exp - 16383 - 63 // value = mant × 2^shift
	if shift > 0 || shift < -63 {
		return 0, false
	}
	if mant&(uint64(1)<<uint(-shift)-1) != 0 && shift != 0 {
		return 0, false
	}
	v := mant >> uint(-shift)
	if v > math.MaxInt32 {
		return 0, false
	}
	return int(v), true
}
