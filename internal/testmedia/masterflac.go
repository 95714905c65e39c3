package testmedia

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// MasterFLAC encodes seconds of a sine tone at freq Hz, made by sox at
// the given sample rate, bit depth and channel count, with Debian's flac
// encoder, and returns the file's bytes. It skips the test when sox or
// flac is missing, unless MEGABOX_REQUIRE_SERVICES is set.
func MasterFLAC(tb testing.TB, seconds float64, freq float64, rate, bits, channels int) []byte {
	tb.Helper()
	for _, tool := range []string{"sox", "flac"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "" {
				tb.Skipf("%s is not installed", tool)
			}
			tb.Fatalf("%s is not installed (apt-get install sox flac)", tool)
		}
	}
	dir := tb.TempDir()
	wav, out := filepath.Join(dir, "m.wav"), filepath.Join(dir, "m.flac")
	masterRun(tb, "sox", "-n", "-r", fmt.Sprint(rate), "-b", fmt.Sprint(bits), "-c", fmt.Sprint(channels), wav,
		"synth", fmt.Sprint(seconds), "sine", fmt.Sprint(freq), "vol", "0.5")
	masterRun(tb, "flac", "--silent", "--force", "-o", out, wav)
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func masterRun(tb testing.TB, name string, args ...string) {
	tb.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s: %v: %s", name, err, out)
	}
}
