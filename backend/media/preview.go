package media

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/megabox-fm/megabox/backend/api"
)

// Cut is the part of a stored MP3 a preview plays: bytes [Start, End) of
// the file, whole audio frames only, lasting DurationMS.
//
// Start is the first audio frame: a leading ID3v2 tag and a Xing, Info or
// VBRI header frame are left out. Those describe the whole track (its
// frame count and byte size, a seek table, a length in the tag), and
// browsers believe them: given the full track's header, an <audio>
// element shows the full track's duration, and seeking past the cut asks
// for bytes the preview does not have. Without them, Chromium and Firefox
// estimate the duration from the bytes served and the bitrate, which is
// the preview's own. The cover and titles are on the page already.
type Cut struct {
	Start, End int64
	DurationMS int64
}

// Size is how many bytes the preview has.
func (c Cut) Size() int64 { return c.End - c.Start }

// cutBuffer is how far a preview's walk reads ahead: enough to look for
// the first frame past a little padding (see looksLikeFrames).
const cutBuffer = 16 << 10

// maxFrame is the longest layer III frame: 320 kbit/s at 32 kHz, padded.
const maxFrame = 1441

// maxGap is how many bytes that are not frames may sit between frames
// before the audio counts as ended.
const maxGap = 64 << 10

// FindCut finds the preview of seconds in an MP3 of size bytes read from
// r at its start. It ends after the last whole frame that starts before
// seconds of audio, so the preview lasts at least seconds and less than
// one frame more (or is the whole audio when the track is shorter). It
// reads the file only up to the cut (a buffer's worth past it), and skips
// a leading ID3v2 tag without reading it.
func FindCut(r io.ReadSeeker, size int64, seconds int) (Cut, error) {
	if seconds <= 0 {
		return Cut{}, api.Errorf(api.EINVALID, "a preview lasts at least one second, not %d", seconds)
	}
	w := &cutWalk{r: r, size: size}
	if err := w.skipTags(); err != nil {
		return Cut{}, err
	}
	first, err := w.findFirstFrame()
	if err != nil {
		return Cut{}, err
	}
	return w.walk(first, int64(seconds))
}

// cutWalk reads an MP3 forward, frame header to frame header, knowing the
// file offset of the next byte.
type cutWalk struct {
	r    io.ReadSeeker
	br   *bufio.Reader
	size int64
	pos  int64
}

// skipTags seeks past the ID3v2 tags at the file's start: cover art makes
// them megabytes that the preview never reads.
func (w *cutWalk) skipTags() error {
	for {
		if _, err := w.r.Seek(w.pos, io.SeekStart); err != nil {
			return fmt.Errorf("seek mp3: %w", err)
		}
		w.br = bufio.NewReaderSize(w.r, cutBuffer)
		h, err := w.br.Peek(10)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read mp3: %w", err)
		}
		if len(h) < 10 || string(h[:3]) != "ID3" {
			return nil
		}
		n, ok := id3v2Len(h)
		if !ok {
			return nil
		}
		w.pos += n
	}
}

// findFirstFrame finds the first audio frame (two frame headers in a row,
// as upload checks demand) a little past the tags and returns its header.
// A Xing, Info or VBRI header frame is skipped.
func (w *cutWalk) findFirstFrame() ([]byte, error) {
	for off := 0; off < 4096; off++ {
		b, _ := w.br.Peek(off + 2*maxFrame + 4) // short near the end of the file
		if off+4 > len(b) {
			break
		}
		n, ok := frameLen(b[off:])
		if !ok || off+n+4 > len(b) {
			continue
		}
		if _, ok := frameLen(b[off+n:]); !ok || !sameStream(b[off:], b[off+n:]) {
			continue
		}
		first := []byte{b[off], b[off+1], b[off+2], b[off+3]}
		skip := off
		if isInfoFrame(b[off : off+n]) {
			skip += n
		}
		if err := w.discard(skip); err != nil {
			return nil, err
		}
		return first, nil
	}
	return nil, api.Errorf(api.EUNSUPPORTED, "no MP3 audio frames at the start of the file")
}

// walk reads frame headers from the first audio frame and stops at the
// first frame that starts at or after seconds, or where the audio ends.
func (w *cutWalk) walk(first []byte, seconds int64) (Cut, error) {
	cut := Cut{Start: w.pos, End: w.pos}
	rate := int64(sampleRate(first))
	var samples int64
	for samples < seconds*rate {
		h, err := w.nextFrame(first)
		if err != nil {
			return Cut{}, err
		}
		if h == nil {
			break
		}
		n, _ := frameLen(h)
		if w.pos+int64(n) > w.size { // the last frame is cut short
			break
		}
		if err := w.discard(n); err != nil {
			return Cut{}, err
		}
		samples += samplesPerFrame(h)
		cut.End = w.pos
	}
	cut.DurationMS = samples * 1000 / rate
	return cut, nil
}

// nextFrame returns the header of the frame at the walk's position, past
// any bytes between frames (a tag, stray bytes); nil when the audio ends.
// Frames of another MPEG version or sample rate end it too: the rate is
// what times the preview.
func (w *cutWalk) nextFrame(first []byte) ([]byte, error) {
	for gap := 0; gap < maxGap; gap++ {
		b, err := w.br.Peek(maxFrame + 4)
		if len(b) < 4 {
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("read mp3: %w", err)
			}
			return nil, nil
		}
		if n, ok := frameLen(b); ok && sameStream(first, b) && w.followed(b, n) {
			return b[:4], nil
		}
		if string(b[:3]) == "ID3" && len(b) >= 10 {
			if n, ok := id3v2Len(b); ok {
				if err := w.discard(int(n)); err != nil {
					return nil, err
				}
				continue
			}
		}
		if err := w.discard(1); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// followed reports whether the frame at the start of b, n bytes long, is
// followed by another frame or by the end of the file: after a gap,
// stray bytes can pass for one header.
func (w *cutWalk) followed(b []byte, n int) bool {
	if w.pos+int64(n) >= w.size || n+4 > len(b) {
		return true
	}
	_, ok := frameLen(b[n:])
	return ok || string(b[n:n+3]) == "ID3" || string(b[n:n+3]) == "TAG" || string(b[n:n+4]) == "APET"
}

func (w *cutWalk) discard(n int) error {
	got, err := w.br.Discard(n)
	w.pos += int64(got)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return api.Errorf(api.EUNSUPPORTED, "the MP3 ends before the %d bytes its header announces", w.size)
		}
		return fmt.Errorf("read mp3: %w", err)
	}
	return nil
}

// sameStream reports whether two frame headers share MPEG version and
// sample rate.
func sameStream(a, b []byte) bool {
	return version(a) == version(b) && rateIndex(a) == rateIndex(b)
}

// isInfoFrame reports whether a frame is a Xing, Info or VBRI header:
// a frame without audio that describes the whole file.
func isInfoFrame(f []byte) bool {
	at := sideInfoLen(f) + 4
	if len(f) >= at+4 && (string(f[at:at+4]) == "Xing" || string(f[at:at+4]) == "Info") {
		return true
	}
	return len(f) >= 40 && string(f[36:40]) == "VBRI"
}

// sideInfoLen is the length of a layer III frame's side information,
// which the Xing header follows.
func sideInfoLen(h []byte) int {
	mono := h[3]>>6 == 3
	switch {
	case version(h) == mpeg1 && mono:
		return 17
	case version(h) == mpeg1:
		return 32
	case mono:
		return 9
	}
	return 17
}

// FrameRun walks b, which must hold whole layer III frames only, and
// returns how many there are and how long they play; an error says where
// b holds something else or ends inside a frame.
func FrameRun(b []byte) (frames int, durationMS int64, err error) {
	var samples, rate int64
	for off := 0; off < len(b); {
		n, ok := frameLen(b[off:])
		if !ok {
			return 0, 0, fmt.Errorf("no frame header at byte %d", off)
		}
		if off+n > len(b) {
			return 0, 0, fmt.Errorf("the frame at byte %d needs %d bytes, %d are left", off, n, len(b)-off)
		}
		if rate == 0 {
			rate = int64(sampleRate(b[off:]))
		}
		samples += samplesPerFrame(b[off:])
		frames++
		off += n
	}
	if rate == 0 {
		return 0, 0, errors.New("no frames")
	}
	return frames, samples * 1000 / rate, nil
}

// IsInfoFrame reports whether b starts with a Xing, Info or VBRI header
// frame.
func IsInfoFrame(b []byte) bool {
	n, ok := frameLen(b)
	return ok && n <= len(b) && isInfoFrame(b[:n])
}
