package testmedia

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Encoding is how EncodeMP3 makes a file: the variants players meet.
type Encoding struct {
	VBR    bool // variable bitrate (lame -V 4) instead of 128 kbit/s
	NoXing bool // no Xing/Info header frame (lame -t)
	ID3v2  bool // a leading ID3v2 tag with a title and a cover image
}

// String names the encoding for subtests.
func (e Encoding) String() string {
	s := "cbr"
	if e.VBR {
		s = "vbr"
	}
	if e.NoXing {
		s += "-noxing"
	} else {
		s += "-xing"
	}
	if e.ID3v2 {
		s += "-id3v2"
	}
	return s
}

// Encodings are every combination of Encoding's choices.
func Encodings() []Encoding {
	var all []Encoding
	for _, vbr := range []bool{false, true} {
		for _, noXing := range []bool{false, true} {
			for _, tag := range []bool{false, true} {
				all = append(all, Encoding{VBR: vbr, NoXing: noXing, ID3v2: tag})
			}
		}
	}
	return all
}

// EncodeMP3 encodes seconds of a stereo sine tone at freq Hz with lame as
// enc says and returns the file's bytes.
func EncodeMP3(tb testing.TB, seconds, freq float64, enc Encoding) []byte {
	tb.Helper()
	dir := tb.TempDir()
	args := []string{"--quiet", "-r", "-s", "44.1", "--bitwidth", "16", "--signed", "--little-endian", "-m", "j"}
	if enc.VBR {
		args = append(args, "-V", "4")
	} else {
		args = append(args, "-b", "128")
	}
	if enc.NoXing {
		args = append(args, "-t")
	}
	if enc.ID3v2 {
		cover := filepath.Join(dir, "cover.jpg")
		if err := os.WriteFile(cover, JPEG(300, 300), 0o600); err != nil {
			tb.Fatal(err)
		}
		args = append(args, "--add-id3v2", "--tt", "Preview", "--ta", "Artist", "--ti", cover)
	}
	path := filepath.Join(dir, "t.mp3")
	args = append(args, "-", path)
	cmd := exec.Command("lame", args...)
	cmd.Stdin = bytes.NewReader(Tone(seconds, freq))
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("lame: %v: %s (install the lame package)", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
