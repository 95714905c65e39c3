package media_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// frames returns n layer III frames with the given header and silent bodies.
func frames(n int, header []byte, size int) []byte {
	f := make([]byte, size)
	copy(f, header)
	return bytes.Repeat(f, n)
}

var (
	mpeg1At48k  = []byte{0xff, 0xfb, 0x94, 0x64} // MPEG-1, 128 kbit/s, 48 kHz: 384-byte frames of 1152 samples
	mpeg25At8k  = []byte{0xff, 0xe3, 0x88, 0x64} // MPEG-2.5, 64 kbit/s, 8 kHz: 576-byte frames of 576 samples
	mpeg2At24k  = []byte{0xff, 0xf3, 0x84, 0x64} // MPEG-2, 64 kbit/s, 24 kHz: 192-byte frames of 576 samples
	mpeg1At44k1 = []byte{0xff, 0xfb, 0x90, 0x64} // MPEG-1, 128 kbit/s, 44.1 kHz: 417-byte frames
)

func TestProbeRefusesWhatThePlayerCannotPlay(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		wantMS   int64 // the frame counter's duration
		wantText string
	}{
		{"48 kHz then one MPEG-2.5 frame", append(frames(1000, mpeg1At48k, 384), frames(1, mpeg25At8k, 576)...), 24072, "MPEG-2.5"},
		{"MPEG-2.5 only", frames(200, mpeg25At8k, 576), 14400, "MPEG-2.5 audio (8000 Hz) cannot be played"},
		{"48 kHz then MPEG-2 at 24 kHz", append(frames(500, mpeg1At48k, 384), frames(500, mpeg2At24k, 192)...), 24000, "from MPEG-1 at 48000 Hz to MPEG-2 at 24000 Hz at frame 501"},
		{"44.1 then 48 kHz", append(frames(10, mpeg1At44k1, 417), frames(10, mpeg1At48k, 384)...), 501, "from MPEG-1 at 44100 Hz to MPEG-1 at 48000 Hz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := media.NewFrameCounter()
			c.Write(tt.data)
			if got := c.DurationMS(); got != tt.wantMS {
				t.Errorf("DurationMS = %d, want %d", got, tt.wantMS)
			}
			info, err := media.Probe(bytes.NewReader(tt.data))
			if api.ErrorCode(err) != api.EUNSUPPORTED || !strings.Contains(api.ErrorMessage(err), tt.wantText) {
				t.Fatalf("Probe = %+v, %v; want EUNSUPPORTED naming %q", info, err, tt.wantText)
			}
			if c.Problem() == nil || c.Problem().Error() != api.ErrorMessage(err) {
				t.Errorf("Problem() = %v, want the message Probe gives", c.Problem())
			}
		})
	}
}

func TestProbeDuration48kHz(t *testing.T) {
	// Synthetic: 1,000 frames of 1,152 samples at 48 kHz are 24 s exactly.
	info, err := media.Probe(bytes.NewReader(frames(1000, mpeg1At48k, 384)))
	if err != nil || info.MediaType != api.MediaMP3 || info.DurationMS != 24000 {
		t.Fatalf("Probe = %+v, %v; want audio/mpeg of 24000 ms", info, err)
	}
	// A real 48 kHz file from lame agrees with the player's decoder.
	dir := t.TempDir()
	path := filepath.Join(dir, "48k.mp3")
	cmd := exec.Command("lame", "--quiet", "-r", "-s", "44.1", "--bitwidth", "16", "--signed", "--little-endian", "--resample", "48", "-b", "128", "-", path)
	cmd.Stdin = bytes.NewReader(testmedia.Tone(3, 440))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lame: %v: %s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 4 || b[0] != 0xff || sampleRateOf(b) != 48000 {
		t.Fatalf("lame wrote % x…, want a 48 kHz frame first", b[:4])
	}
	info, err = media.Probe(bytes.NewReader(b))
	if err != nil || info.MediaType != api.MediaMP3 {
		t.Fatalf("Probe = %+v, %v", info, err)
	}
	ref, err := media.MP3Duration(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if info.DurationMS < 3000 || info.DurationMS > 3100 || info.DurationMS < ref-30 || info.DurationMS > ref+30 {
		t.Errorf("DurationMS = %d, want about 3000 (decoder says %d)", info.DurationMS, ref)
	}
}

// sampleRateOf reads the sample rate of a file that starts with a frame.
func sampleRateOf(b []byte) int {
	return map[byte]int{0: 44100, 1: 48000, 2: 32000}[(b[2]>>2)&3]
}
