// Package testmedia makes real media files for tests: MP3s encoded by the
// lame encoder from generated tones, and small images.
package testmedia

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Tags are ID3 tags written into a generated MP3.
type Tags struct {
	Title, Artist, Album, Year, Genre string
	Track                             string // "3" or "3/10"
	Cover                             string // path of an image to embed
}

// MP3 encodes seconds of a stereo sine tone at freq Hz into path and
// returns the file's bytes.
func MP3(tb testing.TB, path string, seconds float64, freq float64, tags Tags) []byte {
	tb.Helper()
	args := []string{"--quiet", "-r", "-s", "44.1", "--bitwidth", "16", "--signed", "--little-endian", "-m", "j", "-b", "128"}
	for flag, v := range map[string]string{"--tt": tags.Title, "--ta": tags.Artist, "--tl": tags.Album, "--ty": tags.Year, "--tg": tags.Genre, "--tn": tags.Track, "--ti": tags.Cover} {
		if v != "" {
			args = append(args, flag, v)
		}
	}
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

// MP3Bytes is MP3 into a temporary file.
func MP3Bytes(tb testing.TB, seconds, freq float64) []byte {
	tb.Helper()
	return MP3(tb, filepath.Join(tb.TempDir(), "t"+strconv.Itoa(int(freq))+".mp3"), seconds, freq, Tags{})
}

// Tone returns 16-bit little-endian stereo PCM of a sine at 44.1 kHz.
func Tone(seconds, freq float64) []byte {
	n := int(seconds * 44100)
	buf := make([]byte, n*4)
	for i := range n {
		v := int16(math.Sin(2*math.Pi*freq*float64(i)/44100) * 12000)
		binary.LittleEndian.PutUint16(buf[i*4:], uint16(v))
		binary.LittleEndian.PutUint16(buf[i*4+2:], uint16(v))
	}
	return buf
}

// PNG returns a w×h PNG image.
func PNG(w, h int) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, gradient(w, h)) // an in-memory image into a buffer cannot fail
	return b.Bytes()
}

// JPEG returns a w×h JPEG image.
func JPEG(w, h int) []byte {
	var b bytes.Buffer
	_ = jpeg.Encode(&b, gradient(w, h), &jpeg.Options{Quality: 80}) // an in-memory image into a buffer cannot fail
	return b.Bytes()
}

func gradient(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 160, 255})
		}
	}
	return img
}
