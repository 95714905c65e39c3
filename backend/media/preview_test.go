package media_test

import (
	"bytes"
	"io"
	"sync"
	"testing"

	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// encoded keeps each encoding's 40-second file for the whole test binary:
// lame runs once per variant, not once per -count.
var encoded sync.Map // testmedia.Encoding → []byte

func track(t *testing.T, enc testmedia.Encoding) []byte {
	t.Helper()
	if b, ok := encoded.Load(enc); ok {
		return b.([]byte)
	}
	b, _ := encoded.LoadOrStore(enc, testmedia.EncodeMP3(t, 40, 330, enc))
	return b.([]byte)
}

// frameMS is the length of one MPEG-1 layer III frame at 44.1 kHz.
const frameMS = 1152 * 1000 / 44100

// TestFindCutOnFrameBoundaries: for every encoding (CBR, VBR, with and
// without a Xing/Info frame and an ID3v2 tag), the preview starts at the
// first audio frame, holds whole frames only, and lasts the seconds asked
// for and less than one frame more.
func TestFindCutOnFrameBoundaries(t *testing.T) {
	for _, enc := range testmedia.Encodings() {
		t.Run(enc.String(), func(t *testing.T) {
			master := track(t, enc)
			for _, seconds := range []int{5, 30} {
				r := &countingReader{r: bytes.NewReader(master)}
				cut, err := media.FindCut(r, int64(len(master)), seconds)
				if err != nil {
					t.Fatal(err)
				}
				preview := master[cut.Start:cut.End]
				_, ms, err := media.FrameRun(preview)
				if err != nil {
					t.Fatalf("%d s: preview is not whole frames: %v", seconds, err)
				}
				if want := int64(seconds) * 1000; ms < want || ms >= want+frameMS+1 {
					t.Errorf("%d s: preview plays %d ms, want [%d, %d]", seconds, ms, want, want+frameMS)
				}
				if cut.DurationMS != ms {
					t.Errorf("%d s: cut says %d ms, frames play %d ms", seconds, cut.DurationMS, ms)
				}
				if media.IsInfoFrame(preview) {
					t.Errorf("%d s: the preview starts with the full track's Xing/Info frame", seconds)
				}
				if (enc.ID3v2 && cut.Start < 10) || bytes.HasPrefix(preview, []byte("ID3")) {
					t.Errorf("%d s: the preview starts at %d, inside the ID3v2 tag", seconds, cut.Start)
				}
				if !enc.NoXing && !enc.ID3v2 && cut.Start == 0 {
					t.Errorf("%d s: the Xing/Info frame at byte 0 was kept", seconds)
				}
				// Only the head is read: the tag is skipped, and no more
				// than a buffer past the cut.
				if limit := cut.End + 32<<10; r.read > limit-tagLen(master) {
					t.Errorf("%d s: read %d bytes of %d to cut at %d", seconds, r.read, len(master), cut.End)
				}
			}
		})
	}
}

// TestFindCutShortTrack: a track shorter than its preview is previewed
// whole: every frame, without the tag and the header frame.
func TestFindCutShortTrack(t *testing.T) {
	master := testmedia.EncodeMP3(t, 3, 440, testmedia.Encoding{ID3v2: true})
	cut, err := media.FindCut(bytes.NewReader(master), int64(len(master)), 30)
	if err != nil {
		t.Fatal(err)
	}
	frames, ms, err := media.FrameRun(master[cut.Start:cut.End])
	if err != nil {
		t.Fatal(err)
	}
	if ms < 3000 || ms > 3000+2*frameMS+50 {
		t.Errorf("preview plays %d ms (%d frames), want the whole 3 s", ms, frames)
	}
	// Only an ID3v1 tag or nothing may follow the cut.
	if rest := len(master) - int(cut.End); rest != 0 && rest != 128 {
		t.Errorf("%d bytes follow the cut of a short track", rest)
	}
}

// TestFindCutRejectsNonAudio: bytes that are not MP3 get a clear error,
// not a preview.
func TestFindCutRejectsNonAudio(t *testing.T) {
	png := testmedia.PNG(64, 64)
	if _, err := media.FindCut(bytes.NewReader(png), int64(len(png)), 30); err == nil {
		t.Fatal("a PNG got a preview")
	}
}

// tagLen is the length of a leading ID3v2 tag, which FindCut never reads.
func tagLen(b []byte) int64 {
	if len(b) < 10 || string(b[:3]) != "ID3" {
		return 0
	}
	return 10 + (int64(b[6])<<21 | int64(b[7])<<14 | int64(b[8])<<7 | int64(b[9]))
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r    io.ReadSeeker
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

func (c *countingReader) Seek(off int64, whence int) (int64, error) { return c.r.Seek(off, whence) }
