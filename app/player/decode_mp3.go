package player

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"

	"github.com/hajimehoshi/go-mp3"
)

// maxMP3Bytes bounds an MP3, which is read into memory whole.
const maxMP3Bytes = 512 << 20

// mp3Decoder decodes MP3 with go-mp3 from the file read into memory, so
// decoding never waits on the disk. go-mp3 panics on some damaged streams;
// every call recovers and says the file is damaged.
type mp3Decoder struct {
	dec  *mp3.Decoder
	size int64
	raw  []byte
}

func openMP3(f *os.File, size int64) (d decoder, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("damaged MP3: %v", p)
		}
	}()
	if size > maxMP3Bytes {
		return nil, errors.New("MP3 too large to play")
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	dec, err := mp3.NewDecoder(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not a playable MP3: %w", err)
	}
	if dec.Length() <= 0 || dec.SampleRate() <= 0 {
		return nil, fmt.Errorf("MP3 has no audio")
	}
	return &mp3Decoder{dec: dec, size: size}, nil
}

func (d *mp3Decoder) Rate() int     { return d.dec.SampleRate() }
func (d *mp3Decoder) Frames() int64 { return d.dec.Length() / 4 }
func (d *mp3Decoder) Close() error  { return nil }

// Format names the average bit rate, snapped to the usual constant rates.
func (d *mp3Decoder) Format() string {
	secs := float64(d.Frames()) / float64(d.Rate())
	if secs <= 0 {
		return "MP3"
	}
	kbps := float64(d.size) * 8 / secs / 1000
	for _, std := range []float64{320, 256, 224, 192, 160, 128, 112, 96, 64} {
		if kbps > std*0.97 && kbps < std*1.03 {
			return fmt.Sprintf("MP3 %.0f", std)
		}
	}
	return fmt.Sprintf("MP3 %.0f", kbps)
}

func (d *mp3Decoder) Read(buf []float32) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("damaged MP3: %v", r)
		}
	}()
	want := len(buf) / 2 * 4
	if cap(d.raw) < want {
		d.raw = make([]byte, want)
	}
	k, err := io.ReadFull(d.dec, d.raw[:want])
	k = k / 4 * 4
	toFloat(buf[:k/2], d.raw[:k])
	if err == io.ErrUnexpectedEOF || (err == io.EOF && k > 0) {
		err = nil
	}
	return k / 2, err
}

// SeekFrame never panics on damaged data (go-mp3's Seek indexes past its frame
// table on some mixed streams).
func (d *mp3Decoder) SeekFrame(frame int64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("damaged MP3: %v", r)
		}
	}()
	_, err = d.dec.Seek(max(frame, 0)*4, io.SeekStart)
	return err
}

// toFloat converts 16-bit little-endian samples to float32.
func toFloat(dst []float32, src []byte) {
	if len(src) == 0 {
		return
	}
	if littleEndian {
		for i, v := range unsafe.Slice((*int16)(unsafe.Pointer(&src[0])), len(src)/2) {
			dst[i] = float32(v) * (1.0 / 32768)
		}
		return
	}
	for i := range dst {
		dst[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:]))) * (1.0 / 32768)
	}
}
