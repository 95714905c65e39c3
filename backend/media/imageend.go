package media

import "bytes"

// imageEnd walks a PNG's chunks or a JPEG's segments as the bytes arrive
// and finds where the image ends (after IEND, after EOI), so bytes hidden
// after a valid picture are seen without reading the file twice.
type imageEnd struct {
	png  bool
	pos  int64  // bytes seen
	next int64  // where the next chunk or marker starts
	win  []byte // the bytes of a chunk or segment header being gathered
	scan bool   // JPEG: inside entropy-coded data, looking for a marker
	ff   bool   // JPEG: the last byte scanned was 0xFF
	end  int64  // where the image ended; -1 until it has
	bad  bool   // the structure broke before the end
}

func newImageEnd(png bool) *imageEnd {
	e := &imageEnd{png: png, end: -1, next: 2}
	if png {
		e.next = 8 // the signature
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
	case w[1] == 0x01 || w[1] >= 0xd0 && w[1] <= 0xd8: // no length
		e.win = append(e.win[:0], w[2:]...)
		return
	default:
		n := int64(w[2])<<8 | int64(w[3])
		if n < 2 {
			e.bad = true
			break
		}
		e.next = start + 2 + n
		e.scan = w[1] == 0xda // SOS: entropy-coded data follows the header
	}
	e.win = e.win[:0]
}

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
