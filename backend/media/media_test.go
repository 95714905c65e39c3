package media_test

import (
	"bytes"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

func TestProbeMP3Duration(t *testing.T) {
	for _, secs := range []float64{1, 7.5} {
		mp3 := testmedia.MP3(t, filepath.Join(t.TempDir(), "a.mp3"), secs, 440, testmedia.Tags{Title: "T", Artist: "A", Track: "1/2"})
		info, err := media.Probe(bytes.NewReader(mp3))
		if err != nil {
			t.Fatal(err)
		}
		if info.MediaType != api.MediaMP3 {
			t.Fatalf("MediaType = %q, want %q", info.MediaType, api.MediaMP3)
		}
		// lame pads the stream with encoder delay: allow one frame and a bit.
		want := int64(secs * 1000)
		if info.DurationMS < want || info.DurationMS > want+80 {
			t.Errorf("%vs: DurationMS = %d, want %d..%d", secs, info.DurationMS, want, want+80)
		}
	}
}

func TestProbeImages(t *testing.T) {
	for _, c := range []struct {
		data []byte
		want string
	}{{testmedia.PNG(300, 200), api.MediaPNG}, {testmedia.JPEG(64, 48), api.MediaJPEG}} {
		info, err := media.Probe(bytes.NewReader(c.data))
		if err != nil || info.MediaType != c.want {
			t.Fatalf("Probe = %+v, %v; want %s", info, err, c.want)
		}
	}
	info, _ := media.Probe(bytes.NewReader(testmedia.PNG(300, 200)))
	if info.Width != 300 || info.Height != 200 {
		t.Errorf("size = %d×%d, want 300×200", info.Width, info.Height)
	}
}

func TestProbeRejectsBadInput(t *testing.T) {
	random := make([]byte, 1<<20)
	rand.Read(random)
	mp3 := testmedia.MP3Bytes(t, 2, 330)
	cases := map[string]struct {
		data      []byte
		wantType  string
		wantError bool
	}{
		"random bytes":       {random, api.MediaUnknown, false},
		"text":               {[]byte("hello, this is not audio"), api.MediaText, false},
		"text with a NUL":    {[]byte("hello\x00world"), api.MediaUnknown, false},
		"latin-1 text":       {[]byte("caf\xe9"), api.MediaUnknown, false},
		"empty":              {nil, api.MediaUnknown, false},
		"truncated png":      {testmedia.PNG(50, 50)[:20], "", true},
		"huge png header":    {hugePNGHeader(), "", true},
		"mp3 sync then junk": {append([]byte{0xff, 0xfb, 0x90, 0x64}, random[:1000]...), api.MediaUnknown, false},
	}
	for name, c := range cases {
		info, err := media.Probe(bytes.NewReader(c.data))
		if (err != nil) != c.wantError || (!c.wantError && info.MediaType != c.wantType) {
			t.Errorf("%s: Probe = %+v, %v; want type %q, error %v", name, info, err, c.wantType, c.wantError)
		}
	}
	// A truncated MP3 still has a (shorter) duration: buyers of a cut
	// upload would notice, so the creator sees it first.
	info, err := media.Probe(bytes.NewReader(mp3[:len(mp3)/2]))
	if err != nil || info.MediaType != api.MediaMP3 || info.DurationMS > 1100 {
		t.Errorf("half an MP3: %+v, %v", info, err)
	}
}

// hugePNGHeader is a PNG header declaring 100000×100000 pixels.
func hugePNGHeader() []byte {
	p := testmedia.PNG(1, 1)
	b := append([]byte(nil), p...)
	// IHDR width and height start at byte 16.
	copy(b[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	return b
}
