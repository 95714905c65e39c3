package media

import (
	"fmt"
)

// FrameCounter measures an MP3 stream written through it, so a file can be
// hashed and measured in one pass. It walks the layer III frame headers,
// skips the tags players read (ID3v2 anywhere between frames, APE, ID3v1),
// counts the bytes that are neither, and tells whether the stream ends on
// a frame boundary: a file cut mid-copy almost always ends inside a frame.
type FrameCounter struct {
	pos     int64  // bytes seen
	next    int64  // where the next header or tag starts
	win     []byte // bytes from next on, until they say what starts there
	inTag   bool   // the skip to next is a tag's, not a frame's
	frames  int64
	samples [4][3]int64 // by MPEG version and sample-rate index: a rate change must not rescale what came before
	first   []byte      // the first frame's header
	problem error
	junk    int64 // bytes that are neither frames nor tags
	run     int64 // junk bytes since the last frame or tag
	// A frame counts as audio once a frame or tag follows it: random
	// bytes pass for a lone frame header now and then.
	pending, pendingRun int64
	pendingHdr          [4]byte
	tags                int64 // bytes in tags, the whole of each tag found
	lastEnd             int64
}

// NewFrameCounter returns a counter for a stream starting at byte 0.
func NewFrameCounter() *FrameCounter { return &FrameCounter{} }

// Write implements io.Writer; it never fails.
func (c *FrameCounter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		p = c.walk(p)
	}
	return n, nil
}

// walk skips through frame bodies and tags, and gathers the bytes that
// follow them until they say what comes next.
func (c *FrameCounter) walk(p []byte) []byte {
	if c.pos < c.next {
		skip := min(int64(len(p)), c.next-c.pos)
		c.pos += skip
		return p[skip:]
	}
	c.inTag = false
	take := min(windowNeed(c.win)-len(c.win), len(p))
	c.win = append(c.win, p[:take]...)
	c.pos += int64(take)
	for len(c.win) >= windowNeed(c.win) {
		start := c.pos - int64(len(c.win))
		n, ok := c.match()
		if !ok { // neither a header nor a tag: slide one byte and look again
			if c.pending > 0 { // the frame before was a lone one
				c.junk += c.pending
				c.run = c.pendingRun + c.pending
				c.pending = 0
			}
			c.junk++
			c.run++
			c.win = append(c.win[:0], c.win[1:]...)
			continue
		}
		c.confirm()
		c.pendingRun = c.run
		if c.lastEnd == start+n { // a frame: counts once something follows it
			c.pending = n
			copy(c.pendingHdr[:], c.win)
		}
		c.run = 0
		if end := start + n; end <= c.pos {
			c.win = append(c.win[:0], c.win[n:]...)
		} else {
			c.win = c.win[:0]
			c.next = end
		}
	}
	return p[take:]
}

// confirm counts the frame waiting for what follows it as audio.
func (c *FrameCounter) confirm() {
	if c.pending == 0 {
		return
	}
	h := c.pendingHdr[:]
	c.frames++
	c.samples[version(h)][rateIndex(h)] += samplesPerFrame(h)
	c.check(h)
	c.pending = 0
}

// windowNeed is how many bytes at a position decide what starts there.
func windowNeed(w []byte) int {
	switch {
	case len(w) >= 3 && string(w[:3]) == "ID3":
		return 10
	case len(w) >= 4 && string(w[:4]) == "APET":
		return 32
	}
	return 4
}

// match says whether c.win starts with a frame or a tag, and how long it
// is from its first byte.
func (c *FrameCounter) match() (int64, bool) {
	w := c.win
	if n, ok := frameLen(w); ok {
		c.lastEnd = c.pos - int64(len(w)) + int64(n)
		return int64(n), true
	}
	n, ok := int64(0), false
	switch {
	case string(w[:3]) == "ID3":
		n, ok = id3v2Len(w)
	case string(w[:3]) == "TAG":
		n, ok = 128, true // ID3v1
	case string(w[:4]) == "APET":
		n, ok = c.apeLen(w)
	}
	if ok {
		c.inTag = true
		c.tags += n
	}
	return n, ok
}

// id3v2Len is the length of an ID3v2 tag from its 10-byte header.
func id3v2Len(h []byte) (int64, bool) {
	if h[3] < 2 || h[3] > 4 || h[4] == 0xff || h[6]|h[7]|h[8]|h[9] >= 0x80 {
		return 0, false
	}
	n := 10 + (int64(h[6])<<21 | int64(h[7])<<14 | int64(h[8])<<7 | int64(h[9]))
	if h[5]&0x10 != 0 {
		n += 10 // footer
	}
	return n, true
}

// apeLen is the length of an APE tag from its 32-byte header, or, for
// the footer of a tag that had no header, the footer's; the items before
// such a footer were counted as junk and are taken back as tag.
func (c *FrameCounter) apeLen(h []byte) (int64, bool) {
	if string(h[:8]) != "APETAGEX" {
		return 0, false
	}
	version, size, flags := le32(h[8:]), int64(le32(h[12:])), le32(h[20:])
	if (version != 1000 && version != 2000) || size < 32 {
		return 0, false
	}
	if flags&(1<<29) != 0 { // the header: the tag's items and footer follow
		return 32 + size, true
	}
	items := min(size-32, c.run)
	c.junk -= items
	c.tags += items
	return 32, true
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// MaxTagBytes is how many bytes of tags (cover art and all) an MP3 may
// carry; more is counted as bytes that are not audio.
const MaxTagBytes = 16 << 20

// Unaccounted is how many of the bytes seen are neither audio frames nor
// tags a player reads, counting tags beyond MaxTagBytes.
func (c *FrameCounter) Unaccounted() int64 {
	tags := c.tags
	if c.inTag && c.next > c.pos {
		tags -= c.next - c.pos // the last tag is cut short
	}
	return c.junk + int64(len(c.win)) + max(0, tags-MaxTagBytes)
}

// Size is the number of bytes seen.
func (c *FrameCounter) Size() int64 { return c.pos }

// DurationMS is the playing time of the frames seen.
func (c *FrameCounter) DurationMS() int64 {
	c.confirm() // the last frame has nothing after it
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
func (c *FrameCounter) Problem() error {
	c.confirm()
	return c.problem
}

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
func (c *FrameCounter) Frames() int64 {
	c.confirm()
	return c.frames
}

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
