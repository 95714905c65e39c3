package testmedia

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// HaveTools skips the test when a program it runs is missing, or fails it
// where the services (and tools) are required (MEGABOX_REQUIRE_SERVICES=1).
func HaveTools(tb testing.TB, names ...string) {
	tb.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "1" {
				tb.Fatalf("%s is required: %v", n, err)
			}
			tb.Skipf("%s not installed", n)
		}
	}
}

// MusicMasterFLAC writes dir/name, a FLAC master Debian's flac encoded
// from music-like audio sox synthesized (plucked strings over a held
// tone, with tremolo and reverb, normalized to −3 dBFS) at the given
// rate, bit depth and channels (1 or 2), and returns its path.
func MusicMasterFLAC(tb testing.TB, dir, name string, seconds float64, rate, bits, channels int) string {
	tb.Helper()
	HaveTools(tb, "sox", "flac")
	wav := filepath.Join(dir, name+".wav")
	remix := []string{"remix", "1,3,5", "2,4,5"}
	if channels == 1 {
		remix = []string{"remix", "1-5"}
	}
	args := []string{"-n", "-r", fmt.Sprint(rate), "-b", fmt.Sprint(bits), "-c", fmt.Sprint(channels), wav,
		"synth", fmt.Sprint(seconds), "pluck", "A2", "pluck", "E3", "pluck", "C4", "pluck", "G4", "sine", "523"}
	args = append(args, remix...)
	args = append(args, "tremolo", "5", "30", "reverb", "30", "gain", "-n", "-3")
	musicRun(tb, "sox", args...)
	out := filepath.Join(dir, name)
	musicRun(tb, "flac", "-s", "-f", "-o", out, wav)
	os.Remove(wav)
	return out
}

func musicRun(tb testing.TB, name string, args ...string) {
	tb.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}
