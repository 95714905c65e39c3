package testmedia

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Synth makes a WAV at path with sox: channels of bits-bit audio at rate
// Hz from sox's synth and effects, e.g.
// Synth(tb, p, 48000, 24, 2, "synth", "10", "pinknoise", "gain", "-12").
func Synth(tb testing.TB, path string, rate, bits, channels int, effects ...string) string {
	tb.Helper()
	need(tb, "sox")
	args := append([]string{"-q", "-R", "-n", "-r", strconv.Itoa(rate), "-b", strconv.Itoa(bits), "-c", strconv.Itoa(channels), path}, effects...)
	if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
		tb.Fatalf("sox %v: %v: %s", args, err, out)
	}
	return path
}

// EncodeFLAC encodes a WAV with Debian's flac into a .flac beside it and
// returns its path.
func EncodeFLAC(tb testing.TB, wav string) string {
	tb.Helper()
	need(tb, "flac")
	out := wav[:len(wav)-len(filepath.Ext(wav))] + ".flac"
	if b, err := exec.Command("flac", "-s", "-f", "-o", out, wav).CombinedOutput(); err != nil {
		tb.Fatalf("flac: %v: %s", err, b)
	}
	return out
}

// EncodeLame encodes a WAV with lame at 320 kbit/s into a .mp3 beside it
// and returns its path.
func EncodeLame(tb testing.TB, wav string) string {
	tb.Helper()
	need(tb, "lame")
	out := wav[:len(wav)-len(filepath.Ext(wav))] + ".mp3"
	if b, err := exec.Command("lame", "--quiet", "-b", "320", wav, out).CombinedOutput(); err != nil {
		tb.Fatalf("lame: %v: %s", err, b)
	}
	return out
}

// need skips a test when a tool is missing, unless the services are
// required (CI), where it fails.
func need(tb testing.TB, tool string) {
	tb.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("MEGABOX_REQUIRE_SERVICES") != "" {
			tb.Fatalf("%s is not installed: %v", tool, err)
		}
		tb.Skipf("%s is not installed", tool)
	}
}
