package media

import (
	"bytes"
	"errors"

	"github.com/megabox-fm/megabox/backend/api"
)

// headSize is how much of a file's start decides what it is.
const headSize = 64 << 10

// Sniffer reaches Probe's verdict on a file written through it, so an
// upload is identified and measured in the same pass that hashes it and
// is never read back. It keeps the first 64 KiB; once they show MP3 audio
// it walks the frame headers of everything that follows.
type Sniffer struct {
	head    []byte
	decided bool
	kind    int
	frames  *FrameCounter
}

const (
	kindUnknown = iota
	kindImage
	kindMP3
)

// NewSniffer returns a sniffer for a stream starting at byte 0.
func NewSniffer() *Sniffer { return &Sniffer{} }

// Write implements io.Writer; it never fails.
func (s *Sniffer) Write(p []byte) (int, error) {
	n := len(p)
	if !s.decided {
		take := min(headSize-len(s.head), len(p))
		s.head = append(s.head, p[:take]...)
		p = p[take:]
		if len(s.head) < headSize {
			return n, nil
		}
		s.decide()
	}
	if s.kind == kindMP3 {
		_, _ = s.frames.Write(p) // a FrameCounter never fails a write
	}
	return n, nil
}

// WantsMore reports whether bytes after those seen can change the verdict.
func (s *Sniffer) WantsMore() bool { return !s.decided || s.kind == kindMP3 }

// decide looks at the head, as Probe does.
func (s *Sniffer) decide() {
	s.decided = true
	switch {
	case bytes.HasPrefix(s.head, []byte("\xff\xd8\xff")), bytes.HasPrefix(s.head, []byte("\x89PNG\r\n\x1a\n")):
		s.kind = kindImage
	case LooksLikeMP3(s.head):
		s.kind = kindMP3
		s.frames = NewFrameCounter()
		_, _ = s.frames.Write(s.head)
	default:
		s.kind = kindUnknown
	}
}

// Info is Probe's verdict on the bytes written so far, taken as the whole
// file.
func (s *Sniffer) Info() (Info, error) {
	if !s.decided {
		s.decide()
	}
	switch s.kind {
	case kindImage:
		return probeImage(bytes.NewReader(s.head))
	case kindMP3:
		return mp3Info(s.frames)
	}
	return Info{MediaType: api.MediaUnknown}, nil
}

// mp3Info turns a walk of a whole MP3 stream into Probe's verdict.
func mp3Info(c *FrameCounter) (Info, error) {
	if c.Frames() == 0 || c.DurationMS() == 0 {
		return Info{}, errors.New("MP3 has no audio frames")
	}
	if err := c.Problem(); err != nil {
		return Info{}, api.Errorf(api.EUNSUPPORTED, "%s", err)
	}
	return Info{MediaType: api.MediaMP3, DurationMS: c.DurationMS()}, nil
}
