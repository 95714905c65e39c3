package media_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// appSegment is a JPEG APPn segment of n bytes of data (n ≤ 65533).
func appSegment(marker byte, n int, fill byte) []byte {
	seg := []byte{0xff, marker, byte((n + 2) >> 8), byte(n + 2)}
	return append(seg, bytes.Repeat([]byte{fill}, n)...)
}

// withBigHeader puts 100 KiB of EXIF (two APP1 segments) and 70 KiB of
// ICC profile (two APP2 segments) right after a JPEG's SOI, as phone
// photos do, so its frame header starts beyond the first 170 KiB.
func withBigHeader(jpg []byte) []byte {
	out := append([]byte(nil), jpg[:2]...)
	out = append(out, appSegment(0xe1, 60<<10, 'E')...)
	out = append(out, appSegment(0xe1, 40<<10, 'X')...)
	out = append(out, appSegment(0xe2, 50<<10, 'I')...)
	out = append(out, appSegment(0xe2, 20<<10, 'C')...)
	return append(out, jpg[2:]...)
}

// sofAt is where a JPEG's first SOF0..SOF2 marker starts.
func sofAt(t *testing.T, b []byte) int {
	t.Helper()
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			t.Fatalf("no marker at %d", i)
		}
		if m := b[i+1]; m >= 0xc0 && m <= 0xc2 {
			return i
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	t.Fatal("no SOF")
	return 0
}

// sniffInPieces writes data through a Sniffer piece bytes at a time.
func sniffInPieces(data []byte, piece int) (media.Info, error) {
	s := media.NewSniffer()
	for off := 0; off < len(data); off += piece {
		s.Write(data[off:min(off+piece, len(data))])
	}
	return s.Info()
}

func TestProbeJPEGWithFrameHeaderPast64KiB(t *testing.T) {
	data := withBigHeader(testmedia.JPEG(640, 427))
	if at := sofAt(t, data); at < 170<<10 {
		t.Fatalf("SOF at %d, want past 170 KiB", at)
	}
	want := media.Info{MediaType: api.MediaJPEG, Width: 640, Height: 427}
	if got, err := media.Probe(bytes.NewReader(data)); got != want || err != nil {
		t.Errorf("Probe = %+v, %v; want %+v", got, err, want)
	}
	for _, piece := range []int{1, 7, 4093, 64<<10 + 1} {
		if got, err := sniffInPieces(data, piece); got != want || err != nil {
			t.Errorf("Sniffer in pieces of %d = %+v, %v; want %+v", piece, got, err, want)
		}
	}
}

// A JPEG whose segments stop before the frame header, or whose header
// is damaged, is still refused however far in that happens.
func TestProbeRefusesJPEGWithoutFrameHeader(t *testing.T) {
	jpg := withBigHeader(testmedia.JPEG(64, 48))
	sof := sofAt(t, jpg)
	onlyApps := append(append([]byte(nil), jpg[:sof]...), 0xff, 0xd9) // SOI, APPn…, EOI
	badSOF := bytes.Clone(jpg)
	badSOF[sof+4] = 12 // 12-bit precision: not decodable
	cases := map[string]struct {
		data []byte
		want string
	}{
		"segments then EOI, no SOF":    {onlyApps, "unreadable image"},
		"cut inside the APP2 segments": {jpg[:150<<10], "unreadable image"},
		"cut before the scan":          {jpg[:sof+30], "unreadable image"},
		"cut inside the scan":          {jpg[:len(jpg)-200], "no EOI marker"},
		"12-bit frame header":          {badSOF, "unreadable image"},
		"junk after EOI":               {append(bytes.Clone(jpg), junk(100<<10)...), "bytes follow the end of the JPEG image"},
	}
	for name, c := range cases {
		info, err := media.Probe(bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Probe = %+v, %v; want an error saying %q", name, info, err, c.want)
		}
		for _, piece := range []int{1, 4093} {
			got, serr := sniffInPieces(c.data, piece)
			if got != info || fmt.Sprint(serr) != fmt.Sprint(err) {
				t.Errorf("%s in pieces of %d: %+v, %v; Probe says %+v, %v", name, piece, got, serr, info, err)
			}
		}
	}
}
