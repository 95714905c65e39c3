package media

// LooksLikeMP3 reports whether head, the first bytes of a file, starts with
// an MP3 stream: an optional ID3v2 tag, then two consecutive valid MPEG
// audio layer III frame headers. Two in a row keep random bytes that
// happen to contain a sync word from passing.
func LooksLikeMP3(head []byte) bool {
	off := 0
	if len(head) >= 10 && string(head[:3]) == "ID3" {
		size := int(head[6]&0x7f)<<21 | int(head[7]&0x7f)<<14 | int(head[8]&0x7f)<<7 | int(head[9]&0x7f)
		off = 10 + size
		if head[5]&0x10 != 0 {
			off += 10 // footer
		}
	}
	return off <= len(head) && looksLikeFrames(head[off:])
}

// looksLikeFrames reports whether b starts, after at most a little
// padding, with two consecutive layer III frame headers (or with one
// frame that ends where b does).
func looksLikeFrames(head []byte) bool {
	// Tolerate a little padding between the tag and the first frame.
	for off, limit := 0, 4096; off+4 <= len(head) && off < limit; off++ {
		n, ok := frameLen(head[off:])
		if !ok {
			continue
		}
		if off+n+4 > len(head) {
			return off+n <= len(head) // a single-frame file ends here
		}
		if _, ok := frameLen(head[off+n:]); ok {
			return true
		}
	}
	return false
}

var (
	// kbit/s for MPEG-1 and MPEG-2/2.5 layer III, by bitrate index.
	bitratesV1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	bitratesV2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	// Hz for MPEG-1, by sampling rate index; MPEG-2 halves and 2.5 quarters it.
	sampleRatesV1 = [4]int{44100, 48000, 32000, 0}
)

// frameLen parses a layer III frame header and returns the frame's length.
func frameLen(h []byte) (int, bool) {
	if len(h) < 4 || h[0] != 0xff || h[1]&0xe0 != 0xe0 {
		return 0, false
	}
	version := (h[1] >> 3) & 3 // 0: 2.5, 2: 2, 3: 1
	layer := (h[1] >> 1) & 3   // 1: layer III
	bi, si := h[2]>>4, (h[2]>>2)&3
	if version == 1 || layer != 1 || bi == 0 || bi == 15 || si == 3 {
		return 0, false
	}
	padding := int(h[2]>>1) & 1
	rate := sampleRatesV1[si]
	switch version {
	case 3:
		return 144*bitratesV1[bi]*1000/rate + padding, true
	case 2:
		rate /= 2
	default:
		rate /= 4
	}
	return 72*bitratesV2[bi]*1000/rate + padding, true
}
