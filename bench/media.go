package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// encodeMP3 writes a few seconds of tone as an MP3 with the lame encoder.
func encodeMP3(path string) ([]byte, error) { return encodeMP3At(path, 3, 128) }

// encodeMP3At encodes seconds of tone at kbps.
func encodeMP3At(path string, seconds float64, kbps int) ([]byte, error) {
	cmd := exec.Command("lame", "--quiet", "-r", "-s", "44.1", "--bitwidth", "16", "--signed", "--little-endian", "-m", "j", "-b", fmt.Sprint(kbps), "-", path)
	cmd.Stdin = bytes.NewReader(testmedia.Tone(seconds, 440))
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("lame: %v: %s", err, out)
	}
	return os.ReadFile(path)
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
