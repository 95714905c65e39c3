package player

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// decoder yields a file's audio as interleaved float32 stereo (full scale
// ±1) at the file's own sample rate; the source resamples it.
type decoder interface {
	// Read fills buf with whole stereo frames and returns how many
	// samples it wrote; io.EOF once the audio is over.
	Read(buf []float32) (int, error)
	// SeekFrame moves to frame (at the file's rate).
	SeekFrame(frame int64) error
	Rate() int
	// Frames is the track's length at its own rate.
	Frames() int64
	// Format is how the file's format is named to people: "FLAC 24/96",
	// "MP3 320", "Opus".
	Format() string
	Close() error
}

// openDecoder picks a decoder by the file's first bytes (its name only
// when they say nothing).
func openDecoder(path string) (decoder, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() > maxTrackBytes {
		err = errors.New("file too large to play")
	}
	var head [12]byte
	if err == nil {
		_, err = io.ReadFull(f, head[:])
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = errors.New("file too short to hold audio")
		}
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	switch kindOf(head[:], path) {
	case "flac":
		return openFLAC(f)
	case "ffmpeg":
		f.Close()
		return openFFmpeg(path)
	}
	defer f.Close()
	return openMP3(f, fi.Size())
}

func kindOf(head []byte, path string) string {
	switch {
	case string(head[:4]) == "fLaC":
		return "flac"
	case string(head[:4]) == "OggS", string(head[4:8]) == "ftyp":
		return "ffmpeg"
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".flac":
		return "flac"
	case ".opus", ".ogg", ".m4a", ".aac", ".mp4":
		return "ffmpeg"
	}
	return "mp3"
}

// rateLabel names a sample rate the way record shops do: 44.1, 48, 96.
func rateLabel(hz int) string {
	if hz%1000 == 0 {
		return fmt.Sprint(hz / 1000)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.1f", float64(hz)/1000), "0"), ".")
}
