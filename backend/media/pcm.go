package media

import (
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
)

// PCMFormat describes uncompressed integer audio.
type PCMFormat struct {
	SampleRate int
	BitDepth   int   // significant bits per sample: 8 to 32
	Channels   int   // 1 to 8
	Frames     int64 // samples per channel the header announces; -1 if unknown
}

// Limits a PCM header must respect; beyond them a file is refused rather
// than trusted.
const (
	MaxChannels   = 8
	MinSampleRate = 1
	MaxSampleRate = 768000
)

func (f PCMFormat) check() error {
	switch {
	case f.Channels < 1 || f.Channels > MaxChannels:
		return audioErr(ErrAudioUnsupported, "%d channels: at most %d are taken", f.Channels, MaxChannels)
	case f.SampleRate < MinSampleRate || f.SampleRate > MaxSampleRate:
		return audioErr(ErrAudioUnsupported, "sample rate %d Hz is out of range", f.SampleRate)
	case f.BitDepth < 8 || f.BitDepth > 32:
		return audioErr(ErrAudioUnsupported, "%d-bit samples are not taken: export at 16 or 24 bit", f.BitDepth)
	}
	return nil
}

// CheckMaster refuses audio the platform does not sell as a lossless
// master: the limits its upload check applies to FLAC, said before any
// encoding or uploading.
func CheckMaster(f PCMFormat) error {
	switch {
	case f.SampleRate < minFLACRate || f.SampleRate > maxFLACRate:
		return audioErr(ErrAudioUnsupported, "audio at %s is not taken: masters are 44.1 to 192 kHz, export it at one of those rates", sniffKHz(int64(f.SampleRate)))
	case f.BitDepth < minFLACBits || f.BitDepth > maxFLACBits:
		return audioErr(ErrAudioUnsupported, "%d-bit audio is not taken: masters are 16- or 24-bit, export it at one of those depths", f.BitDepth)
	}
	return nil
}

// PCMReader streams interleaved integer samples, sign-extended to int32
// at the format's bit depth.
type PCMReader interface {
	Format() PCMFormat
	// ReadSamples fills dst with whole frames (len(dst) must hold at least
	// one) and returns how many samples it wrote; io.EOF at the end.
	ReadSamples(dst []int32) (int, error)
}

// The ways audio can be wrong; an *AudioError wraps one of them.
var (
	ErrAudioChecksum    = errors.New("audio does not match its checksum")
	ErrAudioDamaged     = errors.New("damaged audio")
	ErrAudioUnsupported = errors.New("unsupported audio")
	ErrAudioFormat      = errors.New("not audio of this kind")
)

// AudioError says what is wrong with an audio file, in words fit for its
// owner; errors.Is tells which kind it is.
type AudioError struct {
	Kind   error
	Detail string
}

func (e *AudioError) Error() string { return e.Detail }
func (e *AudioError) Unwrap() error { return e.Kind }

func audioErr(kind error, format string, args ...any) error {
	return &AudioError{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// Analysis is what one pass over a file's decoded audio found.
type Analysis struct {
	Format     PCMFormat // Frames: how many were decoded
	DurationMS int64
	// Peak is the largest sample, linear (1 = full scale).
	Peak float64
	// ClippedRuns counts runs of ClipRun or more consecutive full-scale
	// samples in one channel: the signature of clipping.
	ClippedRuns int64
	// Silent is true when no sample rises above SilenceDBFS.
	Silent bool
	// MD5 of the samples laid out as FLAC's STREAMINFO checksum has them.
	MD5 [16]byte
}

// Clipped reports whether the audio shows clipping.
func (a Analysis) Clipped() bool { return a.ClippedRuns > 0 }

// Thresholds of the analysis.
const (
	ClipRun     = 3
	SilenceDBFS = -70.0
)

// analyzer accumulates an Analysis over interleaved samples.
type analyzer struct {
	f        PCMFormat
	md5      hash.Hash
	buf      []byte
	width    int // bytes per sample in the checksum
	hi, lo   int32
	runs     []int // current full-scale run per channel
	clipped  int64
	peak     int64
	frames   int64
	channels int
}

func newAnalyzer(f PCMFormat) *analyzer {
	a := &analyzer{f: f, md5: md5.New(), width: (f.BitDepth + 7) / 8, runs: make([]int, f.Channels), channels: f.Channels}
	a.hi = int32(int64(1)<<(f.BitDepth-1) - 1)
	a.lo = int32(-(int64(1) << (f.BitDepth - 1)))
	return a
}

// add takes whole frames of interleaved samples.
func (a *analyzer) add(s []int32) {
	need := len(s) * a.width
	if cap(a.buf) < need {
		a.buf = make([]byte, need)
	}
	b := a.buf[:need]
	o := 0
	ch := 0
	for _, v := range s {
		m := int64(v)
		if m < 0 {
			m = -m
		}
		if m > a.peak {
			a.peak = m
		}
		if v >= a.hi || v <= a.lo {
			a.runs[ch]++
			if a.runs[ch] == ClipRun {
				a.clipped++
			}
		} else {
			a.runs[ch] = 0
		}
		if ch++; ch == a.channels {
			ch = 0
		}
		switch a.width {
		case 1:
			b[o] = byte(v)
		case 2:
			b[o], b[o+1] = byte(v), byte(v>>8)
		case 3:
			b[o], b[o+1], b[o+2] = byte(v), byte(v>>8), byte(v>>16)
		default:
			b[o], b[o+1], b[o+2], b[o+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		}
		o += a.width
	}
	a.md5.Write(b)
	a.frames += int64(len(s) / a.channels)
}

func (a *analyzer) result() Analysis {
	out := Analysis{Format: a.f, ClippedRuns: a.clipped}
	out.Format.Frames = a.frames
	out.DurationMS = a.frames * 1000 / int64(a.f.SampleRate)
	out.Peak = float64(a.peak) / float64(int64(1)<<(a.f.BitDepth-1))
	out.Silent = a.peak == 0 || 20*math.Log10(out.Peak) < SilenceDBFS
	copy(out.MD5[:], a.md5.Sum(nil))
	return out
}

// pcmChunk is how many frames are read at a time.
const pcmChunk = 4096

// Analyze reads src to its end and returns what its audio holds.
func Analyze(src PCMReader) (Analysis, error) {
	f := src.Format()
	a := newAnalyzer(f)
	buf := make([]int32, pcmChunk*f.Channels)
	for {
		n, err := src.ReadSamples(buf)
		a.add(buf[:n])
		if errors.Is(err, io.EOF) {
			return a.result(), nil
		}
		if err != nil {
			return Analysis{}, err
		}
	}
}
