package media

import (
	"bytes"
	"fmt"
)

// FrameCounter measures an MP3 stream written through it, so a file can be
// hashed and measured in one pass. It skips a leading ID3v2 tag, walks the
// layer III frame headers, and tells whether the stream ends on a frame
// boundary: a file cut mid-copy almost always ends inside a frame.
type FrameCounter struct {
	pos      int64 // bytes seen
	next     int64 // where the next frame header starts; -1 until known
	hdr      []byte
	frames   int64
	samples  [4][3]int64 // by MPEG version and sample-rate index: a rate change must not rescale what came before
	first    []byte      // the first frame's header
	problem  error
	junk     int64
	lastEnd  int64
	tagBytes int64
}

// NewFrameCounter returns a counter for a stream starting at byte 0.
func NewFrameCounter() *FrameCounter { return &FrameCounter{next: -1} }

// Write implements io.Writer; it never fails.
func (c *FrameCounter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		p = c.step(p)
	}
	return n, nil
}

// step consumes what it can of p and returns the rest.
func (c *FrameCounter) step(p []byte) []byte {
	if c.next < 0 { // need the first 10 bytes to look for an ID3v2 tag
		need := 10 - len(c.hdr)
		take := min(need, len(p))
		c.hdr = append(c.hdr, p[:take]...)
		c.pos += int64(take)
		if len(c.hdr) < 10 {
			return p[take:]
		}
		c.next = 0
		if bytes.HasPrefix(c.hdr, []byte("ID3")) {
			h := c.hdr
			c.tagBytes = 10 + (int64(h[6]&0x7f)<<21 | int64(h[7]&0x7f)<<14 | int64(h[8]&0x7f)<<7 | int64(h[9]&0x7f))
			c.next = c.tagBytes
		}
		buffered := c.hdr
		c.hdr = nil
		c.pos = 0
		for len(buffered) > 0 { // replay the bytes against the frame walker
			buffered = c.walk(buffered)
		}
		return p[take:]
	}
	return c.walk(p)
}

// walk advances through frame bodies and parses headers.
func (c *FrameCounter) walk(p []byte) []byte {
	if c.pos < c.next { // inside a tag or frame body: skip
		skip := min(int64(len(p)), c.next-c.pos)
		c.pos += skip
		return p[skip:]
	}
	need := 4 - len(c.hdr)
	take := min(need, len(p))
	c.hdr = append(c.hdr, p[:take]...)
	c.pos += int64(take)
	p = p[take:]
	if len(c.hdr) < 4 {
		return p
	}
	if n, ok := frameLen(c.hdr); ok {
		c.frames++
		c.samples[version(c.hdr)][rateIndex(c.hdr)] += samplesPerFrame(c.hdr)
		c.check(c.hdr)
		c.next = c.pos - 4 + int64(n)
		c.lastEnd = c.next
		c.hdr = c.hdr[:0]
		return p
	}
	// Not a header: slide one byte and look again.
	c.junk++
	c.hdr = append(c.hdr[:0], c.hdr[1:]...)
	c.next = c.pos
	return p
}

// DurationMS is the playing time of the frames seen.
func (c *FrameCounter) DurationMS() int64 {
	var us int64
	for v := range c.samples {
		for si, n := range c.samples[v] {
			if n > 0 {
				us += n * 1_000_000 / int64(rateOf(byte(v), byte(si)))
			}
		}
	}
	return us / 1000
}

// Problem says why the app's player (go-mp3) could not play the stream, or
// returns nil. It decodes only MPEG-1 and MPEG-2 layer III, takes the
// sample rate of the first frame for the whole file, and seeks by the size
// of one frame: MPEG-2.5, or frames whose version or sample rate change
// mid-stream, would stop playback, play at the wrong speed or crash a seek.
func (c *FrameCounter) Problem() error { return c.problem }

func (c *FrameCounter) check(h []byte) {
	if c.problem != nil {
		return
	}
	if version(h) == mpeg25 {
		c.problem = fmt.Errorf("MPEG-2.5 audio (%d Hz) cannot be played: export it again as a standard MP3 (44.1 or 48 kHz)", sampleRate(h))
		return
	}
	if c.first == nil {
		c.first = []byte{h[0], h[1], h[2], h[3]}
		return
	}
	if version(h) != version(c.first) || rateIndex(h) != rateIndex(c.first) {
		c.problem = fmt.Errorf("the audio changes from %s at %d Hz to %s at %d Hz at frame %d: export it again as one MP3 stream",
			versionName(c.first), sampleRate(c.first), versionName(h), sampleRate(h), c.frames)
	}
}

// Frames is the number of audio frames seen.
func (c *FrameCounter) Frames() int64 { return c.frames }

// Truncated reports whether the stream stops inside its last frame.
func (c *FrameCounter) Truncated() bool { return c.frames > 0 && c.lastEnd > c.pos }

// MPEG version field values.
const (
	mpeg25 = 0
	mpeg2  = 2
	mpeg1  = 3
)

func version(h []byte) byte   { return (h[1] >> 3) & 3 }
func rateIndex(h []byte) byte { return (h[2] >> 2) & 3 }

func versionName(h []byte) string {
	return map[byte]string{mpeg25: "MPEG-2.5", mpeg2: "MPEG-2", mpeg1: "MPEG-1"}[version(h)]
}

func sampleRate(h []byte) int { return rateOf(version(h), rateIndex(h)) }

func rateOf(version, index byte) int {
	rate := sampleRatesV1[index]
	switch version {
	case mpeg2:
		return rate / 2
	case mpeg25:
		return rate / 4
	}
	return rate
}

func samplesPerFrame(h []byte) int64 {
	if (h[1]>>3)&3 == 3 {
		return 1152
	}
	return 576
}
