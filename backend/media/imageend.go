package media

import "bytes"

// imageEnd walks a PNG's chunks or a JPEG's segments as the bytes arrive
// and finds where the image ends (after IEND, after EOI), so bytes hidden
// after a valid picture are seen without reading the file twice. For a
// JPEG it also keeps the segments that say what the picture is (see
// header), wherever in the file they are: EXIF and ICC data can put the
// frame header hundreds of KiB in.
type imageEnd struct {
	png  bool
	pos  int64  // bytes seen
	next int64  // where the next chunk or marker starts
	win  []byte // the bytes of a chunk or segment header being gathered
	scan bool   // JPEG: inside entropy-coded data, looking for a marker
	ff   bool   // JPEG: the last byte scanned was 0xFF
	end  int64  // where the image ended; -1 until it has
	bad  bool   // the structure broke before the end

	hdr     []byte // JPEG: the segments image/jpeg reads for a config
	keep    int64  // JPEG: bytes of the current segment still to copy to hdr
	hdrDone bool   // JPEG: hdr reached the first SOS or EOI, or its cap
}

// maxJPEGHeader caps what header keeps: a frame header and a scan header
// are at most 64 KiB each, and the few bytes kept of each APP0 and APP14
// add little in any real file.
const maxJPEGHeader = 256 << 10

func newImageEnd(png bool) *imageEnd {
	e := &imageEnd{png: png, end: -1, next: 2}
	if png {
		e.next = 8 // the signature
	} else {
		e.hdr = []byte{0xff, 0xd8}
	}
	return e
}

// Write implements io.Writer; it never fails.
func (e *imageEnd) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && e.end < 0 && !e.bad {
		p = e.step(p)
	}
	e.pos += int64(len(p)) // after the end: trailing bytes
	return n, nil
}

func (e *imageEnd) step(p []byte) []byte {
	if e.pos < e.next {
		skip := min(int64(len(p)), e.next-e.pos)
		if e.keep > 0 {
			k := min(skip, e.keep)
			e.keepBytes(p[:k])
			e.keep -= k
		}
		e.pos += skip
		return p[skip:]
	}
	if e.scan {
		return e.scanEntropy(p)
	}
	need := 4 // JPEG: 0xFF, marker, two length bytes
	if e.png {
		need = 8 // length, type
	}
	take := min(need-len(e.win), len(p))
	e.win = append(e.win, p[:take]...)
	e.pos += int64(take)
	if len(e.win) == need {
		if e.png {
			e.pngChunk()
		} else {
			e.jpegSegment()
		}
	}
	return p[take:]
}

// pngChunk reads a chunk header: length, type; data and CRC follow.
func (e *imageEnd) pngChunk() {
	w := e.win
	e.win = e.win[:0]
	n := int64(w[0])<<24 | int64(w[1])<<16 | int64(w[2])<<8 | int64(w[3])
	if n > 1<<31-1 {
		e.bad = true
		return
	}
	e.next = e.pos + n + 4
	if string(w[4:8]) == "IEND" {
		e.end = e.next // Write counts what follows, the CRC first
	}
}

// jpegSegment reads a marker and, for segments that have one, a length.
func (e *imageEnd) jpegSegment() {
	w := e.win
	start := e.pos - int64(len(w))
	switch {
	case w[0] != 0xff || w[1] == 0xff: // a stray byte, or fill before a marker
		e.win = append(e.win[:0], w[1:]...)
		return
	case w[1] == 0xd9: // EOI
		e.end = start + 2
		e.keepBytes(w[:2])
		e.hdrDone = true
	case w[1] == 0x01 || w[1] >= 0xd0 && w[1] <= 0xd8: // no length
		e.keepBytes(w[:2])
		e.win = append(e.win[:0], w[2:]...)
		return
	default:
		n := int64(w[2])<<8 | int64(w[3])
		if n < 2 {
			e.bad = true
			break
		}
		e.keepSegment(w[1], n-2)
		e.next = start + 2 + n
		e.scan = w[1] == 0xda // SOS: entropy-coded data follows the header
	}
	e.win = e.win[:0]
}

// keepSegment decides how much of a segment with n bytes of data goes
// into the header: image/jpeg, reading only a config, skips tables, EXIF,
// ICC profiles and comments unread, reads five bytes of APP0 (JFIF) and
// twelve of APP14 (Adobe), and stops at the first SOS. The rest (frame
// headers, markers it refuses) is kept whole.
func (e *imageEnd) keepSegment(marker byte, n int64) {
	if e.hdrDone {
		return
	}
	keep := n
	switch {
	case marker == 0xda: // SOS: the decoder stops at its marker
		e.keepBytes([]byte{0xff, marker, 0, 2})
		e.hdrDone = true
		return
	case marker == 0xe0:
		keep = min(n, 5)
	case marker == 0xee:
		keep = min(n, 12)
	case marker > 0xe0 && marker <= 0xef, marker == 0xfe, marker == 0xc4, marker == 0xdb, marker == 0xdd:
		return // APPn, COM, DHT, DQT, DRI
	}
	e.keepBytes([]byte{0xff, marker, byte((keep + 2) >> 8), byte(keep + 2)})
	e.keep = keep
}

// keepBytes adds b to the header; past the cap the header is left cut
// short, which image/jpeg refuses.
func (e *imageEnd) keepBytes(b []byte) {
	if e.hdrDone {
		return
	}
	if len(e.hdr)+len(b) > maxJPEGHeader {
		e.hdrDone = true
		return
	}
	e.hdr = append(e.hdr, b...)
}

// header is the JPEG as image/jpeg's DecodeConfig sees it: SOI and the
// segments it reads, in order, up to the first SOS.
func (e *imageEnd) header() []byte { return e.hdr }

// scanEntropy skips entropy-coded data up to the next marker that is not
// a stuffed 0xFF00 or a restart.
func (e *imageEnd) scanEntropy(p []byte) []byte {
	for i := 0; i < len(p); i++ {
		if !e.ff {
			j := bytes.IndexByte(p[i:], 0xff)
			if j < 0 {
				e.pos += int64(len(p))
				return nil
			}
			i += j
			e.ff = true
			continue
		}
		switch b := p[i]; {
		case b == 0xff: // fill
		case b == 0x00 || b >= 0xd0 && b <= 0xd7:
			e.ff = false
		default: // a marker: hand it, with its 0xFF, to the segment reader
			e.ff, e.scan = false, false
			e.pos += int64(i + 1)
			e.win = append(e.win[:0], 0xff, b)
			e.next = e.pos
			if b == 0xd9 || b == 0x01 || b >= 0xd0 && b <= 0xd8 {
				e.jpegSegment()
			}
			return p[i+1:]
		}
	}
	e.pos += int64(len(p))
	return nil
}

// trailing is how many bytes followed the image's end, and whether the
// end was found at all.
func (e *imageEnd) trailing() (int64, bool) {
	if w := e.win; e.end < 0 && !e.png && len(w) >= 2 && w[0] == 0xff && w[1] == 0xd9 {
		e.end = e.pos - int64(len(w)) + 2 // EOI in the last bytes
	}
	if e.end < 0 || e.pos < e.end {
		return 0, false
	}
	return e.pos - e.end, true
}
