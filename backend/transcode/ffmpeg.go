// Package transcode makes the formats buyers download from a release's
// masters, with Debian's ffmpeg (libmp3lame, libopus, its native AAC
// encoder and FLAC): the encoders Navidrome, Funkwhale and Mirlo deliver
// with, kept up to date by the distribution, run as a separate process so
// a bad file can never take the server down.
//
//	master blob ──► job "transcode" (one per master, format, settings version)
//	                 ffmpeg encode ──► untagged blob, recorded in transcodes
//	download ──► ready? ──► ffmpeg -c copy with the buyer's tags ──► tagged blob ──► served
//	                └─ no ──► 202 with the job's progress
//
// A FLAC download of a FLAC master is the master itself, retagged: its
// audio frames are copied, so it decodes to exactly the master's samples.
// An MP3 master is delivered as itself whatever format is asked.
package transcode

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/megabox-fm/megabox/backend/api"
)

// Encoder runs ffmpeg.
type Encoder struct {
	// FFmpeg is the program to run; "ffmpeg" on the PATH when empty.
	FFmpeg string
}

func (e Encoder) bin() string {
	if e.FFmpeg == "" {
		return "ffmpeg"
	}
	return e.FFmpeg
}

// Source is what an encode needs to know of a master.
type Source struct {
	SampleRate int     // 0 when unknown: ffmpeg keeps what it finds
	Channels   int     // 0 when unknown
	Seconds    float64 // duration, for progress; 0 when unknown
}

// Encode transcodes the master at in to f, written to out, reporting
// progress (0 to 1) as ffmpeg goes.
func (e Encoder) Encode(ctx context.Context, in, out string, f api.Format, src Source, progress func(float64)) error {
	s, ok := settings[f]
	if !ok {
		return api.Errorf(api.EUNSUPPORTED, "no encoder for format %q", f)
	}
	args := []string{"-hide_banner", "-nostdin", "-y", "-v", "error", "-nostats", "-progress", "pipe:1",
		"-i", in, "-map", "0:a:0", "-map_metadata", "-1", "-fflags", "+bitexact"}
	args = append(args, s.args...)
	if rate := s.rate(src.SampleRate); rate != 0 && rate != src.SampleRate {
		args = append(args, "-af", "aresample=resampler=soxr", "-ar", strconv.Itoa(rate))
	}
	if src.Channels > 2 {
		args = append(args, "-ac", "2")
	}
	args = append(args, "-f", s.muxer, out)
	return e.run(ctx, args, func(outTimeS float64) {
		if progress != nil && src.Seconds > 0 {
			progress(min(outTimeS/src.Seconds, 1))
		}
	})
}

// run runs ffmpeg with args (no shell), reading its -progress output
// when asked; its error carries the tail of what ffmpeg said.
func (e Encoder) run(ctx context.Context, args []string, at func(outTimeS float64)) error {
	cmd := exec.CommandContext(ctx, e.bin(), args...)
	stderr := &tail{max: 4 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start ffmpeg: %w", err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "out_time_us=")
		if !ok || at == nil {
			continue
		}
		if us, err := strconv.ParseInt(v, 10, 64); err == nil && us >= 0 {
			at(float64(us) / 1e6)
		}
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("ffmpeg: %v: %s", err, strings.TrimSpace(stderr.String()))
		}
		return fmt.Errorf("ffmpeg: %w", err)
	}
	return nil
}

// tail keeps the last max bytes written to it: enough of ffmpeg's
// complaint to say what went wrong, however much it writes.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// Probe reads a master's sample rate, channels and duration with
// ffprobe (it comes with ffmpeg).
func (e Encoder) Probe(ctx context.Context, path string) (Source, error) {
	probe := "ffprobe"
	if e.FFmpeg != "" {
		probe = filepath.Join(filepath.Dir(e.FFmpeg), "ffprobe")
	}
	cmd := exec.CommandContext(ctx, probe, "-v", "error", "-select_streams", "a:0",
		"-show_entries", "stream=sample_rate,channels:format=duration", "-of", "default=noprint_wrappers=1", path)
	stderr := &tail{max: 4 << 10}
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return Source{}, fmt.Errorf("ffprobe: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var s Source
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "sample_rate":
			s.SampleRate, _ = strconv.Atoi(v)
		case "channels":
			s.Channels, _ = strconv.Atoi(v)
		case "duration":
			s.Seconds, _ = strconv.ParseFloat(v, 64)
		}
	}
	if s.SampleRate == 0 {
		return Source{}, fmt.Errorf("ffprobe: no audio stream in %s", filepath.Base(path))
	}
	return s, nil
}
