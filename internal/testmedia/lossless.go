package testmedia

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// NeedTools skips the test when one of the command-line tools is missing,
// unless MEGABOX_REQUIRE_SERVICES=1 (CI), where it fails.
func NeedTools(tb testing.TB, names ...string) {
	tb.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "1" {
				tb.Fatalf("%s is required (MEGABOX_REQUIRE_SERVICES=1): %v", n, err)
			}
			tb.Skipf("%s is not installed", n)
		}
	}
}

// Sound is what Music synthesizes.
type Sound struct {
	Seconds  float64
	Rate     int    // 44100 if 0
	Bits     int    // 16 if 0
	Channels int    // 2 if 0
	Root     string // the chord's root note ("G2" if empty)
}

func (s Sound) fill() Sound {
	if s.Rate == 0 {
		s.Rate = 44100
	}
	if s.Bits == 0 {
		s.Bits = 16
	}
	if s.Channels == 0 {
		s.Channels = 2
	}
	if s.Root == "" {
		s.Root = "G2"
	}
	if s.Seconds == 0 {
		s.Seconds = 2
	}
	return s
}

// Music writes music-like audio made by sox (a plucked chord repeated,
// with reverb, over quiet pink noise: it compresses as real recordings
// do, not as a pure tone) to path, a .wav, .aiff or .flac (sox picks the
// format by the extension).
func Music(tb testing.TB, path string, s Sound) {
	tb.Helper()
	NeedTools(tb, "sox")
	if out, err := exec.Command("sox", MusicArgs(path, s)...).CombinedOutput(); err != nil {
		tb.Fatalf("sox: %v: %s", err, out)
	}
}

// MusicArgs are the arguments of the sox command Music runs, for callers
// outside tests (benchmarks).
func MusicArgs(path string, s Sound) []string {
	s = s.fill()
	rate, bits, ch := strconv.Itoa(s.Rate), strconv.Itoa(s.Bits), strconv.Itoa(s.Channels)
	chord := "|sox -n -r " + rate + " -c 2 -p synth 2"
	n := semitones(s.Root)
	for _, step := range []int{0, 4, 7, 12, 19, 24} {
		chord += fmt.Sprintf(" pluck %%%d", n+step)
	}
	chord += " delay 0 .05 .1 .15 .2 .25 remix 1,3,5 2,4,6 reverb 40 repeat " + strconv.Itoa(int(s.Seconds/2)+1)
	noise := fmt.Sprintf("|sox -n -r %s -c 2 -p synth %g pinknoise tremolo 3 60", rate, s.Seconds+1)
	args := []string{"-m", "-v", "1", chord, "-v", "0.08", noise, "-r", rate, "-b", bits, "-c", ch, path, "trim", "0", fmt.Sprint(s.Seconds)}
	if s.Channels == 1 {
		args = append(args, "remix", "-")
	}
	return append(args, "norm", "-1")
}

// semitones is a note name like "G2" in semitones from A4, as sox's
// pluck takes it ("%-14").
func semitones(note string) int {
	names := map[byte]int{'C': -9, 'D': -7, 'E': -5, 'F': -4, 'G': -2, 'A': 0, 'B': 2}
	oct, err := strconv.Atoi(note[1:])
	if err != nil {
		oct = 2
	}
	return names[note[0]] + (oct-4)*12
}

// FLAC encodes a WAV or AIFF file with Debian's flac (its default level)
// and writes the given Vorbis comments (TITLE, TRACKNUMBER, ...).
func FLAC(tb testing.TB, src, dst string, tags map[string]string) {
	tb.Helper()
	NeedTools(tb, "flac")
	args := []string{"--silent", "-f", "-o", dst}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-T", k+"="+tags[k])
	}
	args = append(args, src)
	if out, err := exec.Command("flac", args...).CombinedOutput(); err != nil {
		tb.Fatalf("flac: %v: %s", err, out)
	}
}

// MusicFLAC is Music into a WAV beside dst, then FLAC.
func MusicFLAC(tb testing.TB, dst string, s Sound, tags map[string]string) {
	tb.Helper()
	wav := filepath.Join(tb.TempDir(), "src.wav")
	Music(tb, wav, s)
	FLAC(tb, wav, dst, tags)
}

// BreakFLACMD5 changes one byte of the MD5 checksum in a FLAC file's
// STREAMINFO: the audio is intact, but no longer matches its checksum,
// as if the audio had been damaged after encoding.
func BreakFLACMD5(tb testing.TB, path string) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	// "fLaC", a 4-byte block header, then STREAMINFO: its MD5 is the last
	// 16 of its 34 bytes.
	if len(b) < 42 || string(b[:4]) != "fLaC" || b[4]&0x7f != 0 {
		tb.Fatalf("%s: not a FLAC file starting with STREAMINFO", path)
	}
	b[8+18] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}
