package player

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
)

// flacDecoder decodes FLAC with mewkiz/flac, streaming from the file.
type flacDecoder struct {
	f      *os.File
	s      *flac.Stream
	scale  float32 // 1 / full scale at the file's bit depth
	frames []float32
	off    int
	skip   int64 // frames to drop after a seek landed at a frame's start
}

func openFLAC(f *os.File) (decoder, error) {
	s, err := flac.NewSeek(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("not a playable FLAC: %w", err)
	}
	in := s.Info
	if in.SampleRate == 0 || in.NChannels == 0 || in.BitsPerSample < 4 || in.BitsPerSample > 32 {
		f.Close()
		return nil, errors.New("FLAC has no audio")
	}
	return &flacDecoder{f: f, s: s, scale: 1 / float32(int64(1)<<(in.BitsPerSample-1))}, nil
}

func (d *flacDecoder) Rate() int     { return int(d.s.Info.SampleRate) }
func (d *flacDecoder) Frames() int64 { return int64(d.s.Info.NSamples) }
func (d *flacDecoder) Format() string {
	return fmt.Sprintf("FLAC %d/%s", d.s.Info.BitsPerSample, rateLabel(int(d.s.Info.SampleRate)))
}
func (d *flacDecoder) Close() error { return d.f.Close() }

func (d *flacDecoder) Read(buf []float32) (int, error) {
	n := 0
	for n+2 <= len(buf) {
		if d.off == len(d.frames) {
			if err := d.next(); err != nil {
				if n > 0 && errors.Is(err, io.EOF) {
					return n, nil
				}
				return n, err
			}
			continue
		}
		k := copy(buf[n:len(buf)/2*2], d.frames[d.off:])
		n += k
		d.off += k
	}
	return n, nil
}

// next decodes one FLAC frame into stereo samples.
func (d *flacDecoder) next() error {
	fr, err := d.s.ParseNext()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		return fmt.Errorf("damaged FLAC: %w", err)
	}
	d.frames, d.off = toStereo(d.frames[:0], fr, d.scale), 0
	if d.skip > 0 {
		drop := min(int(d.skip)*2, len(d.frames))
		d.off, d.skip = drop, d.skip-int64(drop/2)
	}
	return nil
}

// toStereo interleaves a frame's channels as stereo: mono is doubled; more
// than two channels (FLAC order: front L, R, centre, LFE, back/side L, R…)
// fold into two, centre and surrounds at −3 dB, LFE left out, scaled so
// the fold cannot clip.
func toStereo(out []float32, fr *frame.Frame, scale float32) []float32 {
	sub := fr.Subframes
	n := len(sub[0].Samples)
	switch len(sub) {
	case 1:
		for i := range n {
			v := float32(sub[0].Samples[i]) * scale
			out = append(out, v, v)
		}
		return out
	case 2:
		for i := range n {
			out = append(out, float32(sub[0].Samples[i])*scale, float32(sub[1].Samples[i])*scale)
		}
		return out
	}
	const m = 0.7071
	norm := scale / (1 + 2*m)
	for i := range n {
		l, r := float32(sub[0].Samples[i]), float32(sub[1].Samples[i])
		c := float32(sub[2].Samples[i])
		l, r = l+m*c, r+m*c
		for ch := 4; ch < len(sub); ch++ { // side and back speakers alternate left, right
			v := m * float32(sub[ch].Samples[i])
			if ch%2 == 0 {
				l += v
			} else {
				r += v
			}
		}
		out = append(out, l*norm, r*norm)
	}
	return out
}

func (d *flacDecoder) SeekFrame(frame int64) error {
	frame = max(frame, 0)
	start, err := d.s.Seek(uint64(frame))
	if err != nil {
		return fmt.Errorf("seek in FLAC: %w", err)
	}
	d.frames, d.off, d.skip = d.frames[:0], 0, frame-int64(start)
	return nil
}
