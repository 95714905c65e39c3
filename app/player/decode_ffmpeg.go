package player

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"
)

// ErrNoFFmpeg means an Opus or AAC track cannot play because ffmpeg, which
// decodes them, is not installed.
var ErrNoFFmpeg = errors.New("playing Opus and AAC needs ffmpeg: install the ffmpeg package")

// ffmpegDecoder decodes what Go has no kept decoder for (Opus, AAC) by
// piping Debian's ffmpeg: 32-bit float stereo at the file's own rate.
type ffmpegDecoder struct {
	path   string
	rate   int
	frames int64
	codec  string
	cmd    *exec.Cmd
	out    io.ReadCloser
	r      *bufio.Reader
	raw    []byte
}

func openFFmpeg(path string) (decoder, error) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return nil, ErrNoFFmpeg
	}
	if _, err := exec.LookPath("ffprobe"); err != nil {
		return nil, ErrNoFFmpeg
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "a:0",
		"-show_entries", "stream=codec_name,sample_rate:format=duration", "-of", "default=nw=1", path).Output()
	if err != nil {
		return nil, fmt.Errorf("not a playable audio file: %w", err)
	}
	d := &ffmpegDecoder{path: path}
	var secs float64
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "codec_name":
			d.codec = v
		case "sample_rate":
			d.rate, _ = strconv.Atoi(v)
		case "duration":
			secs, _ = strconv.ParseFloat(v, 64)
		}
	}
	if d.rate <= 0 || d.codec == "" {
		return nil, errors.New("the file holds no audio")
	}
	d.frames = int64(secs * float64(d.rate))
	return d, d.start(0)
}

// start runs ffmpeg from frame on.
func (d *ffmpegDecoder) start(frame int64) error {
	d.stop()
	args := []string{"-v", "error", "-nostdin"}
	if frame > 0 {
		args = append(args, "-ss", strconv.FormatFloat(float64(frame)/float64(d.rate), 'f', 6, 64))
	}
	args = append(args, "-i", d.path, "-map", "0:a:0", "-ac", "2", "-f", "f32le", "-")
	d.cmd = exec.Command("ffmpeg", args...)
	d.cmd.Stderr = &bytes.Buffer{}
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := d.cmd.Start(); err != nil {
		return fmt.Errorf("run ffmpeg: %w", err)
	}
	d.out, d.r = out, bufio.NewReaderSize(out, 64<<10)
	return nil
}

// stop ends a running ffmpeg and waits for it.
func (d *ffmpegDecoder) stop() {
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Kill() // it may have ended on its own
	_ = d.cmd.Wait()         // killed: its exit status says nothing
	d.cmd = nil
}

func (d *ffmpegDecoder) Rate() int     { return d.rate }
func (d *ffmpegDecoder) Frames() int64 { return d.frames }
func (d *ffmpegDecoder) Close() error  { d.stop(); return nil }

func (d *ffmpegDecoder) Format() string {
	switch d.codec {
	case "opus":
		return "Opus"
	case "aac":
		return "AAC"
	case "vorbis":
		return "Vorbis"
	case "alac":
		return "ALAC"
	}
	return strings.ToUpper(d.codec)
}

func (d *ffmpegDecoder) Read(buf []float32) (int, error) {
	if d.cmd == nil {
		return 0, io.EOF
	}
	want := len(buf) / 2 * 8
	if cap(d.raw) < want {
		d.raw = make([]byte, want)
	}
	k, err := io.ReadFull(d.r, d.raw[:want])
	k = k / 8 * 8
	for i := 0; i < k; i += 4 {
		buf[i/4] = math.Float32frombits(binary.LittleEndian.Uint32(d.raw[i:]))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		stderr := d.cmd.Stderr.(*bytes.Buffer)
		d.stop() // waits for ffmpeg, so its messages are all in
		msg := strings.TrimSpace(stderr.String())
		if msg != "" && k == 0 {
			return 0, fmt.Errorf("ffmpeg: %s", msg)
		}
		if k > 0 {
			return k / 4, nil
		}
		return 0, io.EOF
	}
	return k / 4, err
}

func (d *ffmpegDecoder) SeekFrame(frame int64) error { return d.start(max(frame, 0)) }
