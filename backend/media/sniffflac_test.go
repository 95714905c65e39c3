package media_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestProbeFLAC: masters made by Debian's flac at the formats the
// platform sells are FLAC with the duration and format STREAMINFO gives,
// with or without an ID3v2 tag before them, whichever way they arrive.
func TestProbeFLAC(t *testing.T) {
	for _, c := range []struct {
		secs                 float64
		rate, bits, channels int
	}{{2, 44100, 16, 2}, {1.5, 48000, 24, 1}, {1, 96000, 24, 2}} {
		flac := testmedia.MasterFLAC(t, c.secs, 440, c.rate, c.bits, c.channels)
		want := media.Info{MediaType: api.MediaFLAC, DurationMS: int64(c.secs * 1000), SampleRate: c.rate, BitDepth: c.bits, Channels: c.channels}
		for name, data := range map[string][]byte{"plain": flac, "after an ID3v2 tag": concat(id3v2(100<<10), flac)} {
			got, err := media.Probe(bytes.NewReader(data))
			if err != nil || got != want {
				t.Errorf("%d/%d %s: Probe = %+v, %v; want %+v", c.bits, c.rate, name, got, err, want)
			}
			for _, piece := range []int{3, 4096, 64<<10 + 1} {
				if got, err := sniffInPieces(data, piece); err != nil || got != want {
					t.Errorf("%d/%d %s in pieces of %d: %+v, %v; want %+v", c.bits, c.rate, name, piece, got, err, want)
				}
			}
		}
	}
}

// TestProbeRefusesDamagedFLAC: a FLAC whose header is cut, wrong or
// implausible, that stops early, carries bytes beyond its frames, or is
// at a rate or depth the platform does not sell is refused, saying why.
func TestProbeRefusesDamagedFLAC(t *testing.T) {
	flac := testmedia.MasterFLAC(t, 2, 440, 44100, 16, 2)
	audio, lastBlock := flacAudioStart(t, flac)
	cases := []struct {
		name, want string
		code       string
		data       []byte
	}{
		{"cut inside STREAMINFO", "stops inside its STREAMINFO", api.EINVALID, flac[:30]},
		{"cut where the frames begin", "no audio frames after its metadata", api.EINVALID, flac[:audio]},
		{"cut in half", "stops before its end", api.EINVALID, flac[:len(flac)/2]},
		{"first block not STREAMINFO", "does not start with a STREAMINFO block", api.EINVALID, patched(flac, 4, 0x04)},
		{"sample rate 0", "sample rate of 0 Hz", api.EINVALID, withStreamInfo(flac, func(x uint64) uint64 { return x &^ (0xfffff << 44) })},
		{"no sample count", "does not say how many samples", api.EUNSUPPORTED, withStreamInfo(flac, func(x uint64) uint64 { return x &^ (1<<36 - 1) })},
		{"block size 0", "block sizes 0 to", api.EINVALID, patchedN(flac, 8, 0, 0)},
		{"metadata over the frames", "no audio frame where its metadata ends", api.EINVALID, patched(flac, lastBlock+3, flac[lastBlock+3]-1)},
		{"frames then 1 MiB of junk", "more than its FLAC frames can", api.EUNSUPPORTED, concat(flac, junk(1<<20))},
		{"8 kHz", "FLAC at 8 kHz is not taken", api.EUNSUPPORTED, testmedia.MasterFLAC(t, 1, 440, 8000, 16, 1)},
		{"8-bit", "8-bit FLAC is not taken", api.EUNSUPPORTED, testmedia.MasterFLAC(t, 1, 440, 44100, 8, 1)},
	}
	for _, c := range cases {
		for _, piece := range []int{len(c.data) + 1, 5} {
			info, err := sniffInPieces(c.data, piece)
			if api.ErrorCode(err) != c.code || !strings.Contains(api.ErrorMessage(err), c.want) {
				t.Errorf("%s (pieces of %d): %+v, %v; want %s saying %q", c.name, piece, info, err, c.code, c.want)
			}
		}
	}
}

// flacAudioStart walks the metadata blocks of a FLAC to its first frame;
// it returns where that is and where the last block's header is.
func flacAudioStart(t *testing.T, b []byte) (audio, lastBlock int) {
	t.Helper()
	off := 4
	for {
		last, n := b[off]&0x80 != 0, int(b[off+1])<<16|int(b[off+2])<<8|int(b[off+3])
		if last {
			if n == 0 {
				t.Fatal("the last metadata block is empty")
			}
			return off + 4 + n, off
		}
		off += 4 + n
	}
}

func patched(b []byte, at int, v byte) []byte { return patchedN(b, at, v) }

func patchedN(b []byte, at int, v ...byte) []byte {
	c := bytes.Clone(b)
	copy(c[at:], v)
	return c
}

// withStreamInfo changes the word of STREAMINFO holding the sample rate,
// channels, depth and sample count.
func withStreamInfo(b []byte, f func(uint64) uint64) []byte {
	c := bytes.Clone(b)
	binary.BigEndian.PutUint64(c[18:26], f(binary.BigEndian.Uint64(c[18:26])))
	return c
}
