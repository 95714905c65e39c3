package loudness

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"os/exec"
	"strings"

	"github.com/mewkiz/flac"
)

// Result is what one decode of a track measured.
type Result struct {
	LUFS       float64 // integrated loudness, no lower than Floor
	Peak       float64 // true peak over the channels, linear
	SampleRate int
	Channels   int
	Frames     int64 // samples per channel decoded
	// FLAC masters: the bit depth, and whether STREAMINFO's MD5 was
	// checked (an encoder may leave it unset) and matched the audio.
	BitDepth    int
	MD5Checked  bool
	MD5Mismatch bool
	// Undecodable: the file could not be decoded to its end (set by
	// callers that record ErrUndecodable as a finding).
	Undecodable bool
}

// ErrUndecodable is returned when ffmpeg cannot decode the file read: a
// damaged or foreign file, which another try would not change.
var ErrUndecodable = errors.New("loudness: the audio cannot be decoded")

// GainDB is the ReplayGain 2.0 gain for loudness lufs: what brings it to
// the reference.
func GainDB(lufs float64) float64 { return ReplayGainReference - lufs }

// ReplayGainReference is the loudness ReplayGain 2.0 aims for, in LUFS.
const ReplayGainReference = -18.0

// Measure decodes a whole FLAC or MP3 file read from r, of size bytes,
// once, with ffmpeg, and measures it. For FLAC it also checks the decoded
// audio against the MD5 in the file's STREAMINFO. The meter it returns,
// open, holds the track's measurement for an album's (AlbumLoudness); the
// caller closes it. progress, if not nil, is told the part of the file
// read, 0 to 1.
func Measure(ctx context.Context, r io.Reader, size int64, progress func(done float64)) (*Result, *Meter, error) {
	in := &counter{r: r, size: size, progress: progress}
	var head bytes.Buffer
	br := bufio.NewReaderSize(io.TeeReader(in, &head), 4)
	sig, _ := br.Peek(4)
	res := &Result{}
	var sum hash.Hash
	var want [md5.Size]byte
	if string(sig) == "fLaC" {
		// flac.New reads STREAMINFO (and a buffer's worth more, kept in
		// head for ffmpeg).
		s, err := flac.New(br)
		if err != nil {
			return nil, nil, fmt.Errorf("loudness: FLAC header: %w", err)
		}
		res.BitDepth = int(s.Info.BitsPerSample)
		want = s.Info.MD5sum
		if want != [md5.Size]byte{} {
			sum, res.MD5Checked = md5.New(), true
		}
	}
	m, err := decode(ctx, io.MultiReader(&head, in), res, sum)
	if in.err != nil || ctx.Err() != nil { // not the file's fault: the read or the caller stopped
		if m != nil {
			m.Close()
		}
		return nil, nil, fmt.Errorf("loudness: read the audio: %w", cmp.Or(in.err, ctx.Err()))
	}
	if err == nil && size > 0 && in.n != size {
		m.Close()
		err = fmt.Errorf("%w: ffmpeg stopped after %d of %d bytes", ErrUndecodable, in.n, size)
	}
	if err != nil {
		return nil, nil, err
	}
	if sum != nil {
		res.MD5Mismatch = !bytes.Equal(sum.Sum(nil), want[:])
	}
	if res.LUFS, err = m.Integrated(); err == nil {
		res.Peak, err = m.TruePeak()
	}
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return res, m, nil
}

// decode runs ffmpeg over src and feeds the meter what it writes: 32-bit
// integers for a lossless master (exact, so the MD5 can be checked),
// floats for an MP3 (whose decoded peaks may pass full scale).
func decode(ctx context.Context, src io.Reader, res *Result, sum hash.Hash) (*Meter, error) {
	codec := "pcm_f32le"
	if res.BitDepth > 0 {
		codec = "pcm_s32le"
	}
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
		"-i", "pipe:0", "-map", "0:a:0", "-map_metadata", "-1", "-fflags", "+bitexact", "-c:a", codec, "-f", "wav", "pipe:1")
	cmd.Stdin = src
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("loudness: start ffmpeg: %w", err)
	}
	m, err := readWAV(bufio.NewReaderSize(out, 1<<16), res, sum)
	if err != nil {
		_, _ = io.Copy(io.Discard, out) // let ffmpeg end; the decode error is the one to report
	}
	if werr := cmd.Wait(); werr != nil && err == nil {
		err = fmt.Errorf("%w: ffmpeg: %v: %s", ErrUndecodable, werr, strings.TrimSpace(stderr.String()))
	}
	if err != nil {
		if m != nil {
			m.Close()
		}
		return nil, err
	}
	return m, nil
}

// readWAV reads the WAV ffmpeg writes down a pipe (its sizes unknown, so
// the data runs to the end) into a new meter.
func readWAV(r io.Reader, res *Result, sum hash.Hash) (*Meter, error) {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return nil, fmt.Errorf("%w: no audio decoded", ErrUndecodable)
	}
	if string(riff[:4]) != "RIFF" || string(riff[8:]) != "WAVE" {
		return nil, errors.New("loudness: ffmpeg wrote no WAV header")
	}
	var float bool
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, fmt.Errorf("loudness: WAV header: %w", err)
		}
		id, n := string(ch[:4]), int64(binary.LittleEndian.Uint32(ch[4:]))
		if id == "data" {
			break
		}
		body := make([]byte, min(n+n%2, 1<<16))
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, fmt.Errorf("loudness: WAV header: %w", err)
		}
		if id == "fmt " && len(body) >= 16 {
			tag := binary.LittleEndian.Uint16(body)
			res.Channels = int(binary.LittleEndian.Uint16(body[2:]))
			res.SampleRate = int(binary.LittleEndian.Uint32(body[4:]))
			if tag == 0xFFFE && len(body) >= 26 { // extensible: the format is in the sub-format GUID
				tag = binary.LittleEndian.Uint16(body[24:])
			}
			float = tag == 3
		}
	}
	m, err := NewMeter(res.SampleRate, res.Channels)
	if err != nil {
		return nil, err
	}
	if err := feed(r, m, res, float, sum); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// feed reads interleaved 32-bit samples to the end into the meter, and the
// lossless ones, at the master's own width, into sum.
func feed(r io.Reader, m *Meter, res *Result, float bool, sum hash.Hash) error {
	frame := 4 * res.Channels
	buf := make([]byte, (1<<16)/frame*frame)
	ints := make([]int32, len(buf)/4)
	floats := make([]float32, len(buf)/4)
	var pcm []byte
	for {
		n, err := io.ReadFull(r, buf)
		n -= n % frame
		if n > 0 {
			res.Frames += int64(n / frame)
			if ferr := addSamples(m, buf[:n], ints, floats, float); ferr != nil {
				return ferr
			}
			if sum != nil {
				pcm = packSamples(pcm[:0], ints[:n/4], res.BitDepth)
				sum.Write(pcm)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("loudness: read decoded audio: %w", err)
		}
	}
}

func addSamples(m *Meter, b []byte, ints []int32, floats []float32, float bool) error {
	n := len(b) / 4
	if float {
		for i := range n {
			floats[i] = mathFloat(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return m.AddFloat(floats[:n])
	}
	for i := range n {
		ints[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return m.AddInt32(ints[:n])
}

// packSamples writes samples, left-justified in 32 bits by the decoder, as
// FLAC's MD5 takes them: little-endian, in the bytes the bit depth needs.
func packSamples(dst []byte, samples []int32, bits int) []byte {
	width := (bits + 7) / 8
	shift := 32 - bits
	for _, s := range samples {
		v := uint32(s >> shift)
		for i := range width {
			dst = append(dst, byte(v>>(8*i)))
		}
	}
	return dst
}

// counter reports how much of the file was read.
type counter struct {
	r        io.Reader
	size     int64
	n        int64
	err      error // a read error other than the end
	last     float64
	progress func(float64)
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		c.err = err
	}
	if c.progress != nil && c.size > 0 {
		done := min(float64(c.n)/float64(c.size), 1)
		if done-c.last >= 0.01 || (done == 1 && c.last < 1) {
			c.last = done
			c.progress(done)
		}
	}
	return n, err
}
