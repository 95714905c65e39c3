package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// soxSamples decodes a file with sox into int32 samples at its own bit
// depth: the reference our readers are compared with.
func soxSamples(t *testing.T, path string, bits int) []int32 {
	t.Helper()
	out, err := exec.Command("sox", path, "-t", "raw", "-e", "signed", "-b", "32", "-L", "-").Output()
	if err != nil {
		t.Fatalf("sox decode %s: %v", path, err)
	}
	s := make([]int32, len(out)/4)
	for i := range s {
		s[i] = int32(binary.LittleEndian.Uint32(out[i*4:])) >> (32 - bits)
	}
	return s
}

func readAll(t *testing.T, r media.PCMReader) []int32 {
	t.Helper()
	var all []int32
	buf := make([]int32, 1000*r.Format().Channels)
	for {
		n, err := r.ReadSamples(buf)
		all = append(all, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatalf("read samples: %v", err)
		}
	}
}

func open(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func sameSamples(t *testing.T, got, want []int32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d samples, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d: got %d, want %d", i, got[i], want[i])
		}
	}
}

var masters = []testmedia.Sound{
	{Seconds: 1.5, Rate: 44100, Bits: 16, Channels: 2},
	{Seconds: 1.5, Rate: 48000, Bits: 24, Channels: 2},
	{Seconds: 1.5, Rate: 96000, Bits: 24, Channels: 2},
	{Seconds: 1, Rate: 44100, Bits: 16, Channels: 1},
}

func soundName(s testmedia.Sound) string {
	return strconv.Itoa(s.Bits) + "-" + strconv.Itoa(s.Rate) + "-" + strconv.Itoa(s.Channels) + "ch"
}

// FLAC files made by Debian's flac decode to the same samples sox reads
// from the WAV they were made from, their MD5 checks out, and the format
// and duration are reported.
func TestCheckFLACRealFiles(t *testing.T) {
	testmedia.NeedTools(t, "sox", "flac")
	for _, s := range masters {
		t.Run(soundName(s), func(t *testing.T) {
			dir := t.TempDir()
			wav, fl := filepath.Join(dir, "m.wav"), filepath.Join(dir, "m.flac")
			testmedia.Music(t, wav, s)
			testmedia.FLAC(t, wav, fl, nil)
			a, err := media.CheckFLAC(open(t, fl))
			if err != nil {
				t.Fatalf("CheckFLAC: %v", err)
			}
			wantFrames := int64(s.Seconds * float64(s.Rate))
			if f := a.Format; f.SampleRate != s.Rate || f.BitDepth != s.Bits || f.Channels != s.Channels || f.Frames != wantFrames {
				t.Fatalf("format %+v, want %d Hz %d bit %d ch %d frames", f, s.Rate, s.Bits, s.Channels, wantFrames)
			}
			if a.DurationMS != int64(s.Seconds*1000) {
				t.Fatalf("duration %d ms, want %d", a.DurationMS, int64(s.Seconds*1000))
			}
			if a.Clipped() || a.Silent || a.Peak < 0.8 || a.Peak > 0.9 {
				t.Fatalf("analysis %+v: want no clipping, not silent, peak near -1 dBFS", a)
			}
			fr, err := media.OpenFLAC(open(t, fl))
			if err != nil {
				t.Fatal(err)
			}
			sameSamples(t, readAll(t, fr), soxSamples(t, wav, s.Bits))
		})
	}
}

// A FLAC whose STREAMINFO MD5 does not match its audio is refused with a
// clear error of kind ErrAudioChecksum.
func TestCheckFLACWrongMD5(t *testing.T) {
	testmedia.NeedTools(t, "sox", "flac")
	fl := filepath.Join(t.TempDir(), "m.flac")
	testmedia.MusicFLAC(t, fl, testmedia.Sound{Seconds: 1, Bits: 24, Rate: 48000}, nil)
	if _, err := media.CheckFLAC(open(t, fl)); err != nil {
		t.Fatalf("intact file: %v", err)
	}
	testmedia.BreakFLACMD5(t, fl)
	_, err := media.CheckFLAC(open(t, fl))
	if !errors.Is(err, media.ErrAudioChecksum) {
		t.Fatalf("got %v, want ErrAudioChecksum", err)
	}
	if got, want := err.Error(), "FLAC audio does not match its MD5 checksum: the file is damaged"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
}

// Damaged frames and a cut file are refused as damaged, naming why.
func TestCheckFLACDamaged(t *testing.T) {
	testmedia.NeedTools(t, "sox", "flac")
	fl := filepath.Join(t.TempDir(), "m.flac")
	testmedia.MusicFLAC(t, fl, testmedia.Sound{Seconds: 1}, nil)
	b, err := os.ReadFile(fl)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(b)
	flipped[len(b)*2/3] ^= 0x55
	cut := b[:len(b)*2/3]
	for name, data := range map[string][]byte{"flipped": flipped, "cut": cut} {
		_, err := media.CheckFLAC(bytes.NewReader(data))
		if !errors.Is(err, media.ErrAudioDamaged) {
			t.Fatalf("%s: got %v, want ErrAudioDamaged", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	if _, err := media.CheckFLAC(bytes.NewReader([]byte("RIFF....WAVE"))); !errors.Is(err, media.ErrAudioFormat) {
		t.Fatalf("a WAV header: got %v, want ErrAudioFormat", err)
	}
}

// WAV (plain and WAVE_FORMAT_EXTENSIBLE, 8 to 32 bit) and AIFF (and
// AIFF-C) read as the same samples sox reads.
func TestPCMReadersMatchSox(t *testing.T) {
	testmedia.NeedTools(t, "sox")
	cases := []struct {
		ext  string
		bits int
		ch   int
		rate int
	}{
		{".wav", 16, 2, 44100}, {".wav", 24, 2, 48000}, {".wav", 32, 2, 44100}, {".wav", 8, 1, 22050},
		{".wav", 16, 6, 48000}, // extensible
		{".aiff", 16, 2, 44100}, {".aiff", 24, 2, 96000}, {".aiff", 8, 1, 8000}, {".aifc", 16, 2, 44100},
	}
	for _, c := range cases {
		t.Run(c.ext[1:]+strconv.Itoa(c.bits)+"-"+strconv.Itoa(c.ch), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "m"+c.ext)
			testmedia.Music(t, p, testmedia.Sound{Seconds: 0.5, Rate: c.rate, Bits: c.bits, Channels: c.ch})
			var r media.PCMReader
			var err error
			if c.ext == ".wav" {
				r, err = media.OpenWAV(open(t, p))
			} else {
				r, err = media.OpenAIFF(open(t, p))
			}
			if err != nil {
				t.Fatal(err)
			}
			if f := r.Format(); f.BitDepth != c.bits || f.Channels != c.ch || f.SampleRate != c.rate || f.Frames != int64(c.rate/2) {
				t.Fatalf("format %+v, want %d bit %d ch %d Hz %d frames", f, c.bits, c.ch, c.rate, c.rate/2)
			}
			sameSamples(t, readAll(t, r), soxSamples(t, p, c.bits))
		})
	}
}

// EncodeFLAC makes FLAC the reference decoder accepts (flac -t checks its
// MD5), that decodes back to the very samples encoded, and that is
// smaller than the WAV.
func TestEncodeFLACBitExact(t *testing.T) {
	testmedia.NeedTools(t, "sox", "flac")
	for _, s := range masters {
		t.Run(soundName(s), func(t *testing.T) {
			dir := t.TempDir()
			wav, fl := filepath.Join(dir, "m.wav"), filepath.Join(dir, "m.flac")
			testmedia.Music(t, wav, s)
			src, err := media.OpenWAV(open(t, wav))
			if err != nil {
				t.Fatal(err)
			}
			out, err := os.Create(fl)
			if err != nil {
				t.Fatal(err)
			}
			in, err := media.EncodeFLAC(out, src)
			if err != nil {
				t.Fatalf("EncodeFLAC: %v", err)
			}
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}
			if b, err := exec.Command("flac", "-t", "-s", fl).CombinedOutput(); err != nil {
				t.Fatalf("flac -t: %v: %s", err, b)
			}
			back, err := media.CheckFLAC(open(t, fl))
			if err != nil {
				t.Fatalf("CheckFLAC: %v", err)
			}
			if back.MD5 != in.MD5 || back.Format != in.Format {
				t.Fatalf("decoded %+v, encoded %+v", back, in)
			}
			ws, fs := fileSize(t, wav), fileSize(t, fl)
			if fs >= ws*9/10 {
				t.Fatalf("FLAC %d bytes, WAV %d: want at least 10%% smaller", fs, ws)
			}
			t.Logf("%s: WAV %d → FLAC %d bytes (%.0f%% smaller)", soundName(s), ws, fs, 100*(1-float64(fs)/float64(ws)))
		})
	}
}

func fileSize(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Silence and clipping are found; music peaking at -1 dBFS is neither.
func TestAnalyzeClippingAndSilence(t *testing.T) {
	testmedia.NeedTools(t, "sox")
	dir := t.TempDir()
	silent, clipped := filepath.Join(dir, "silent.wav"), filepath.Join(dir, "clipped.wav")
	for p, args := range map[string][]string{
		silent:  {"-n", "-r", "44100", "-b", "16", "-c", "2", silent, "trim", "0", "1"},
		clipped: {"-r", "44100", "-c", "2", "-n", "-b", "24", clipped, "synth", "1", "sine", "440", "gain", "6"},
	} {
		if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
			t.Fatalf("sox %s: %v: %s", p, err, out)
		}
	}
	analyze := func(p string) media.Analysis {
		r, err := media.OpenWAV(open(t, p))
		if err != nil {
			t.Fatal(err)
		}
		a, err := media.Analyze(r)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := analyze(silent); !a.Silent || a.Clipped() || a.Peak > 1e-4 { // sox dithers: ±1 LSB
		t.Fatalf("silence: %+v", a)
	}
	// A 440 Hz sine 6 dB over full scale is flat at full scale for a
	// third of each half cycle: 880 runs a second in each channel.
	if a := analyze(clipped); a.Silent || a.ClippedRuns != 1760 || a.Peak != 1 {
		t.Fatalf("clipped sine: %+v, want 1760 clipped runs", a)
	}
}

// An encode whose last block is short still names the block size as its
// minimum (the format leaves the last block out), so a track of any
// length is a valid stream.
func TestEncodeFLACShortLastBlock(t *testing.T) {
	testmedia.NeedTools(t, "sox", "flac")
	dir := t.TempDir()
	wav, fl := filepath.Join(dir, "m.wav"), filepath.Join(dir, "m.flac")
	// 10 blocks of 4096 samples and 5 more.
	if out, err := exec.Command("sox", "-r", "44100", "-c", "2", "-n", "-b", "16", wav, "synth", "40965s", "pinknoise").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	src, err := media.OpenWAV(open(t, wav))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(fl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := media.EncodeFLAC(out, src); err != nil {
		t.Fatal(err)
	}
	out.Close()
	b, _ := os.ReadFile(fl)
	if minBlock, maxBlock := int(b[8])<<8|int(b[9]), int(b[10])<<8|int(b[11]); minBlock != 4096 || maxBlock != 4096 {
		t.Fatalf("STREAMINFO block sizes %d to %d, want 4096 to 4096", minBlock, maxBlock)
	}
	if b, err := exec.Command("flac", "-t", "-s", fl).CombinedOutput(); err != nil {
		t.Fatalf("flac -t: %v: %s", err, b)
	}
	a, err := media.CheckFLAC(open(t, fl))
	if err != nil || a.Format.Frames != 40965 {
		t.Fatalf("decoded %d frames (%v), want 40965", a.Format.Frames, err)
	}
}

// Formats the platform does not sell as masters are refused before any
// work: under 44.1 kHz, over 192 kHz, other than 16 to 24 bit.
func TestCheckMaster(t *testing.T) {
	for _, c := range []struct {
		f  media.PCMFormat
		ok bool
	}{
		{media.PCMFormat{SampleRate: 44100, BitDepth: 16, Channels: 2}, true},
		{media.PCMFormat{SampleRate: 192000, BitDepth: 24, Channels: 6}, true},
		{media.PCMFormat{SampleRate: 22050, BitDepth: 16, Channels: 2}, false},
		{media.PCMFormat{SampleRate: 384000, BitDepth: 24, Channels: 2}, false},
		{media.PCMFormat{SampleRate: 48000, BitDepth: 8, Channels: 1}, false},
		{media.PCMFormat{SampleRate: 48000, BitDepth: 32, Channels: 2}, false},
	} {
		err := media.CheckMaster(c.f)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, media.ErrAudioUnsupported)) {
			t.Errorf("%+v: %v, want ok %v", c.f, err, c.ok)
		}
	}
}
