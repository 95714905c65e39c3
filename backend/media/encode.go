package media

import (
	"bufio"
	"errors"
	"io"

	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
	"github.com/mewkiz/flac/meta"
)

// flacBlock is the number of samples per channel in each encoded frame,
// as the reference encoder uses at its default levels.
const flacBlock = 4096

// EncodeFLAC encodes src into a FLAC stream written to w (a file: the
// encoder goes back to fill in STREAMINFO's totals and MD5 at the end),
// with github.com/mewkiz/flac's encoder. It returns the analysis of the
// samples it read; decode the result with CheckFLAC and compare MD5s to
// know it is bit-exact.
func EncodeFLAC(w io.WriteSeeker, src PCMReader) (Analysis, error) {
	f := src.Format()
	if err := f.check(); err != nil {
		return Analysis{}, err
	}
	if f.BitDepth > 24 {
		return Analysis{}, audioErr(ErrAudioUnsupported, "%d-bit audio cannot be stored as FLAC here: export at 16 or 24 bit", f.BitDepth)
	}
	bw := &seekBuffer{w: bufio.NewWriterSize(w, 256<<10), s: w}
	info := &meta.StreamInfo{BlockSizeMin: flacBlock, BlockSizeMax: flacBlock, SampleRate: uint32(f.SampleRate),
		NChannels: uint8(f.Channels), BitsPerSample: uint8(f.BitDepth)}
	enc, err := flac.NewEncoder(bw, info)
	if err != nil {
		return Analysis{}, err
	}
	a := newAnalyzer(f)
	buf := make([]int32, flacBlock*f.Channels)
	chans := make([][]int32, f.Channels)
	for c := range chans {
		chans[c] = make([]int32, flacBlock)
	}
	for {
		n, rerr := readFull(src, buf)
		if n > 0 {
			a.add(buf[:n])
			if err := writeBlock(enc, f, buf[:n], chans); err != nil {
				return Analysis{}, err
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return Analysis{}, rerr
		}
	}
	if err := enc.Close(); err != nil {
		return Analysis{}, err
	}
	if err := fixMinBlock(w, a.frames); err != nil {
		return Analysis{}, err
	}
	return a.result(), nil
}

// fixMinBlock sets STREAMINFO's minimum block size to the block size:
// the encoder counts the short last block in it, which the format
// excludes (and a last block under 16 samples would make the stream
// invalid).
func fixMinBlock(w io.WriteSeeker, frames int64) error {
	if frames <= flacBlock {
		return nil
	}
	// "fLaC", the 4-byte block header, then the 16-bit minimum block size.
	if _, err := w.Seek(8, io.SeekStart); err != nil {
		return err
	}
	_, err := w.Write([]byte{flacBlock >> 8, flacBlock & 0xff})
	return err
}

// readFull reads whole blocks: a FLAC stream of fixed block size may only
// have a short last block.
func readFull(src PCMReader, buf []int32) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := src.ReadSamples(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeBlock encodes one block of interleaved samples as a frame.
func writeBlock(enc *flac.Encoder, f PCMFormat, s []int32, chans [][]int32) error {
	bs := len(s) / f.Channels
	for c := range chans {
		ch := chans[c][:bs]
		for i := range ch {
			ch[i] = s[i*f.Channels+c]
		}
	}
	fr := &frame.Frame{Header: frame.Header{HasFixedBlockSize: true, BlockSize: uint16(bs), SampleRate: uint32(f.SampleRate),
		Channels: flacChannels(f.Channels), BitsPerSample: uint8(f.BitDepth)}}
	if f.Channels == 2 {
		fr.Channels = stereoMode(chans[0][:bs], chans[1][:bs])
	}
	for c := range chans {
		fr.Subframes = append(fr.Subframes, &frame.Subframe{SubHeader: frame.SubHeader{Pred: frame.PredVerbatim},
			Samples: chans[c][:bs], NSamples: bs})
	}
	return enc.WriteFrame(fr)
}

// stereoMode picks the channel layout whose two signals are cheapest to
// code, estimated by the size of their second differences (the reference
// encoder's estimate for its fixed predictors).
func stereoMode(l, r []int32) frame.Channels {
	var sl, sr, sm, ss int64
	for i := 2; i < len(l); i++ {
		dl := int64(l[i]) - 2*int64(l[i-1]) + int64(l[i-2])
		dr := int64(r[i]) - 2*int64(r[i-1]) + int64(r[i-2])
		sl += abs64(dl)
		sr += abs64(dr)
		sm += abs64((dl + dr) >> 1)
		ss += abs64(dl - dr)
	}
	best, mode := sl+sr, frame.ChannelsLR
	for _, c := range []struct {
		cost int64
		mode frame.Channels
	}{{sl + ss, frame.ChannelsLeftSide}, {ss + sr, frame.ChannelsSideRight}, {sm + ss, frame.ChannelsMidSide}} {
		if c.cost < best {
			best, mode = c.cost, c.mode
		}
	}
	return mode
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// seekBuffer buffers an encoder's many small writes and flushes before it
// seeks back to rewrite STREAMINFO.
type seekBuffer struct {
	w *bufio.Writer
	s io.WriteSeeker
}

func (b *seekBuffer) Write(p []byte) (int, error) { return b.w.Write(p) }

func (b *seekBuffer) Seek(off int64, whence int) (int64, error) {
	if err := b.w.Flush(); err != nil {
		return 0, err
	}
	return b.s.Seek(off, whence)
}

// Close flushes what the encoder wrote last; the file itself stays open
// for its owner to close.
func (b *seekBuffer) Close() error { return b.w.Flush() }
