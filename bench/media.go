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
func encodeMP3(path string) ([]byte, error) {
	cmd := exec.Command("lame", "--quiet", "-r", "-s", "44.1", "--bitwidth", "16", "--signed", "--little-endian", "-m", "j", "-b", "128", "-", path)
	cmd.Stdin = bytes.NewReader(testmedia.Tone(3, 440))
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("lame: %v: %s", err, out)
	}
	return os.ReadFile(path)
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
