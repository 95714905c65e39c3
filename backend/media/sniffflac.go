package media

import (
	"encoding/binary"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
)

// What a FLAC master may be: the formats the platform sells as lossless.
const (
	minFLACRate = 44_100
	maxFLACRate = 192_000
	minFLACBits = 16
	maxFLACBits = 24
	// flacUnaccounted is how many bytes may follow the last frame
	// (trailing tags some taggers append).
	flacUnaccounted = 64 << 10
)

// sniffFLACWalk follows a FLAC stream's metadata blocks to where its
// frames begin, without keeping the blocks: a picture block can be
// megabytes. Positions count from the "fLaC" marker.
type sniffFLACWalk struct {
	pos     int64  // bytes seen
	next    int64  // where the next block header (or the first frame) starts
	win     []byte // a block header or frame sync being gathered
	blocks  int
	audio   int64 // where frames start; 0 while metadata goes on
	synced  bool  // a frame sync was found where the metadata ends
	problem string
}

func newSniffFLACWalk() *sniffFLACWalk { return &sniffFLACWalk{next: 4} }

// Write implements io.Writer; it never fails.
func (w *sniffFLACWalk) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && !w.done() {
		if skip := w.next - w.pos; skip > 0 {
			take := min(skip, int64(len(p)))
			w.pos += take
			p = p[take:]
			continue
		}
		need := 4
		if w.audio > 0 {
			need = 2
		}
		take := min(need-len(w.win), len(p))
		w.win = append(w.win, p[:take]...)
		w.pos += int64(take)
		p = p[take:]
		if len(w.win) == need {
			w.step()
		}
	}
	w.pos += int64(len(p))
	return n, nil
}

func (w *sniffFLACWalk) done() bool { return w.synced || w.problem != "" }

// step reads a gathered block header, or the frame sync after the last.
func (w *sniffFLACWalk) step() {
	h := w.win
	w.win = nil
	if w.audio > 0 {
		if binary.BigEndian.Uint16(h)&0xfffe != 0xfff8 {
			w.problem = "no audio frame where its metadata ends"
			return
		}
		w.synced = true
		return
	}
	last, typ := h[0]&0x80 != 0, h[0]&0x7f
	length := int64(h[1])<<16 | int64(h[2])<<8 | int64(h[3])
	switch {
	case typ == 127:
		w.problem = "a metadata block of an invalid type"
	case w.blocks == 0 && (typ != 0 || length != 34):
		w.problem = "it does not start with a STREAMINFO block"
	case w.blocks > 0 && typ == 0:
		w.problem = "it has a second STREAMINFO block"
	}
	w.blocks++
	w.next = w.pos + length
	if last {
		w.audio = w.next
	}
}

// sniffStreamInfo is a FLAC stream's STREAMINFO block.
type sniffStreamInfo struct {
	minBlock, maxBlock int64
	minFrame, maxFrame int64
	rate               int64
	channels, bits     int
	samples            int64
}

// parseSniffStreamInfo reads the 34-byte STREAMINFO block.
func parseSniffStreamInfo(b []byte) sniffStreamInfo {
	x := binary.BigEndian.Uint64(b[10:18]) // rate:20 channels-1:3 bits-1:5 samples:36
	return sniffStreamInfo{
		minBlock: int64(binary.BigEndian.Uint16(b[0:2])),
		maxBlock: int64(binary.BigEndian.Uint16(b[2:4])),
		minFrame: int64(b[4])<<16 | int64(b[5])<<8 | int64(b[6]),
		maxFrame: int64(b[7])<<16 | int64(b[8])<<8 | int64(b[9]),
		rate:     int64(x >> 44),
		channels: int(x>>41&7) + 1,
		bits:     int(x>>36&31) + 1,
		samples:  int64(x & (1<<36 - 1)),
	}
}

// flacInfo judges a FLAC stream of size bytes (from its "fLaC" marker)
// by its STREAMINFO, the walk of its metadata, and whether its size fits
// the frame sizes STREAMINFO declares.
func flacInfo(head []byte, w *sniffFLACWalk, size int64) (Info, error) {
	if len(head) < 42 {
		return Info{}, api.Errorf(api.EINVALID, "damaged FLAC: it stops inside its STREAMINFO header")
	}
	if w.problem != "" {
		return Info{}, api.Errorf(api.EINVALID, "damaged FLAC: %s", w.problem)
	}
	if !w.synced {
		return Info{}, api.Errorf(api.EINVALID, "damaged FLAC: it has no audio frames after its metadata")
	}
	si := parseSniffStreamInfo(head[8:42])
	if err := si.check(size - w.audio); err != nil {
		return Info{}, err
	}
	return Info{MediaType: api.MediaFLAC, DurationMS: si.samples * 1000 / si.rate,
		SampleRate: int(si.rate), BitDepth: si.bits, Channels: si.channels}, nil
}

// check refuses a STREAMINFO no encoder writes, one outside what the
// platform sells, and audio whose size its frame sizes rule out.
func (si sniffStreamInfo) check(audio int64) error {
	switch {
	case si.minBlock < 16 || si.maxBlock < si.minBlock:
		return api.Errorf(api.EINVALID, "damaged FLAC: its STREAMINFO gives block sizes %d to %d samples", si.minBlock, si.maxBlock)
	case si.maxFrame != 0 && si.minFrame > si.maxFrame:
		return api.Errorf(api.EINVALID, "damaged FLAC: its STREAMINFO gives frame sizes %d to %d bytes", si.minFrame, si.maxFrame)
	case si.rate == 0:
		return api.Errorf(api.EINVALID, "damaged FLAC: its STREAMINFO gives a sample rate of 0 Hz")
	case si.bits < 4:
		return api.Errorf(api.EINVALID, "damaged FLAC: its STREAMINFO gives %d bits per sample", si.bits)
	case si.samples == 0:
		return api.Errorf(api.EUNSUPPORTED, "the FLAC does not say how many samples it holds: encode it again with the flac tool")
	case si.rate < minFLACRate || si.rate > maxFLACRate:
		return api.Errorf(api.EUNSUPPORTED, "FLAC at %s is not taken: masters are 44.1 to 192 kHz, export it at one of those rates", sniffKHz(si.rate))
	case si.bits < minFLACBits || si.bits > maxFLACBits:
		return api.Errorf(api.EUNSUPPORTED, "%d-bit FLAC is not taken: masters are 16- or 24-bit, export it at one of those depths", si.bits)
	}
	// Frames hold at most maxBlock samples (the last may hold fewer).
	fewest := (si.samples + si.maxBlock - 1) / si.maxBlock
	most := si.samples/si.minBlock + 1
	if si.minFrame > 0 && audio < fewest*si.minFrame {
		return api.Errorf(api.EINVALID, "damaged FLAC: it stops before its end (%d bytes of audio, at least %d expected)", audio, fewest*si.minFrame)
	}
	if si.maxFrame > 0 && audio > most*si.maxFrame+flacUnaccounted {
		return api.Errorf(api.EUNSUPPORTED, "the file holds %d bytes more than its FLAC frames can: only the audio itself can be uploaded, export it again as a plain FLAC", audio-most*si.maxFrame)
	}
	return nil
}

// sniffKHz names a sample rate: "44.1 kHz", "8 kHz".
func sniffKHz(hz int64) string {
	if hz%1000 == 0 {
		return fmt.Sprintf("%d kHz", hz/1000)
	}
	return fmt.Sprintf("%g kHz", float64(hz)/1000)
}
