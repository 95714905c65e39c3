package media

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
)

// headSize is how much of a file's start decides what it is.
const headSize = 64 << 10

// Limits on how much of an upload may be something other than what it
// says it is, and on the size of a cover image.
const (
	// MaxImageBytes is the largest image accepted.
	MaxImageBytes = 20 << 20
	// imageTrailing is how many bytes may follow an image's end
	// (padding some editors leave).
	imageTrailing = 4 << 10
	// mp3Unaccounted is how many bytes of an MP3 may be neither frames
	// nor tags (stray bytes some encoders leave), or 1 % of the file
	// when that is more.
	mp3Unaccounted = 64 << 10
)

// Sniffer reaches Probe's verdict on a file written through it, so an
// upload is identified and measured in the same pass that hashes it and
// is never read back. It keeps the first 64 KiB after any leading ID3v2
// tag; once they show MP3 audio it walks the frame headers of the whole
// file, and once they show an image it follows the image to its end.
type Sniffer struct {
	n       int64  // bytes written
	head    []byte // up to headSize bytes after the leading tag
	tagEnd  int64  // where a leading ID3v2 tag ends; 0 without one
	decided bool
	kind    int
	frames  *FrameCounter
	image   *imageEnd
	flac    *sniffFLACWalk
	text    *sniffText
}

const (
	kindUnknown = iota
	kindImage
	kindMP3
	kindFLAC
	kindPDF
	kindZIP
	kindText
)

// NewSniffer returns a sniffer for a stream starting at byte 0.
func NewSniffer() *Sniffer { return &Sniffer{} }

// Write implements io.Writer; it never fails.
func (s *Sniffer) Write(p []byte) (int, error) {
	n := len(p)
	if !s.decided {
		p = s.gather(p)
	}
	s.n += int64(len(p))
	switch s.kind {
	case kindMP3:
		_, _ = s.frames.Write(p) // never fails
	case kindImage:
		_, _ = s.image.Write(p) // never fails
	case kindFLAC:
		_, _ = s.flac.Write(p) // never fails
	case kindText:
		_, _ = s.text.Write(p) // never fails
	}
	return n, nil
}

// gather keeps the head and returns what is left of p once the head
// decides the file's kind. A file that starts with an ID3v2 tag (cover
// art can make it megabytes) is judged by what follows the tag, and its
// frame walk starts at byte 0.
func (s *Sniffer) gather(p []byte) []byte {
	for len(p) > 0 && !s.decided {
		switch {
		case s.n < 10 && s.frames == nil: // the first bytes: is there a tag?
			take := min(10-len(s.head), len(p))
			s.head = append(s.head, p[:take]...)
			s.n += int64(take)
			p = p[take:]
			if len(s.head) == 10 && string(s.head[:3]) == "ID3" {
				if n, ok := id3v2Len(s.head); ok {
					s.tagEnd = n
					s.frames = NewFrameCounter()
					_, _ = s.frames.Write(s.head)
					s.head = s.head[:0]
				}
			}
		case s.n < s.tagEnd: // inside the leading tag: counted, not kept
			take := min(s.tagEnd-s.n, int64(len(p)))
			_, _ = s.frames.Write(p[:take])
			s.n += take
			p = p[take:]
		default:
			take := min(headSize-len(s.head), len(p))
			s.head = append(s.head, p[:take]...)
			if s.frames != nil {
				_, _ = s.frames.Write(p[:take])
			}
			s.n += int64(take)
			p = p[take:]
			if len(s.head) == headSize {
				s.decide()
			}
		}
	}
	return p
}

// WantsMore reports whether bytes after those seen can change the verdict.
func (s *Sniffer) WantsMore() bool {
	return !s.decided || (s.kind != kindUnknown && s.kind != kindPDF && s.kind != kindZIP)
}

// decide looks at the head, as Probe does.
func (s *Sniffer) decide() {
	s.decided = true
	switch {
	case s.frames != nil: // after a leading tag, only audio can follow
		switch {
		case bytes.HasPrefix(s.head, []byte("fLaC")):
			s.frames = nil
			s.startFLAC()
		case looksLikeFrames(s.head):
			s.kind = kindMP3
		}
	case bytes.HasPrefix(s.head, []byte("fLaC")):
		s.startFLAC()
	case bytes.HasPrefix(s.head, []byte("\xff\xd8\xff")), bytes.HasPrefix(s.head, []byte("\x89PNG\r\n\x1a\n")):
		s.kind = kindImage
		s.image = newImageEnd(s.head[0] == 0x89)
		_, _ = s.image.Write(s.head)
	case LooksLikeMP3(s.head):
		s.kind = kindMP3
		s.frames = NewFrameCounter()
		_, _ = s.frames.Write(s.head)
	case bytes.HasPrefix(s.head, []byte("%PDF-")):
		s.kind = kindPDF
	case bytes.HasPrefix(s.head, []byte("PK\x03\x04")):
		s.kind = kindZIP
	default:
		s.startText()
	}
}

// startFLAC begins the walk of a FLAC stream's metadata at its marker.
func (s *Sniffer) startFLAC() {
	s.kind = kindFLAC
	s.flac = newSniffFLACWalk()
	_, _ = s.flac.Write(s.head)
}

// startText takes a head that reads as UTF-8 text for the start of a
// text file, to be checked to its end.
func (s *Sniffer) startText() {
	t := &sniffText{}
	_, _ = t.Write(s.head)
	if len(s.head) > 0 && !t.bad {
		s.kind = kindText
		s.text = t
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
		return s.imageInfo()
	case kindMP3:
		return mp3Info(s.frames)
	case kindFLAC:
		return flacInfo(s.head, s.flac, s.n-s.tagEnd)
	case kindPDF:
		return Info{MediaType: api.MediaPDF}, nil
	case kindZIP:
		return Info{MediaType: api.MediaZIP}, nil
	case kindText:
		return s.text.info()
	}
	return Info{MediaType: api.MediaUnknown}, nil
}

// imageInfo judges an image by its header, its size, and what follows
// its end.
func (s *Sniffer) imageInfo() (Info, error) {
	head := s.head
	if !s.image.png {
		head = s.image.header() // the frame header can be far past the head
	}
	info, err := probeImage(bytes.NewReader(head))
	if err != nil {
		return Info{}, err
	}
	name := map[string]string{api.MediaPNG: "PNG", api.MediaJPEG: "JPEG"}[info.MediaType]
	if s.n > MaxImageBytes {
		return Info{}, api.Errorf(api.EUNSUPPORTED, "the image is %.1f MiB, over the %d MiB limit for images: export it smaller", float64(s.n)/(1<<20), MaxImageBytes>>20)
	}
	trailing, ended := s.image.trailing()
	if !ended {
		return Info{}, fmt.Errorf("damaged %s image: it stops before its end (%s)", name, map[bool]string{true: "no IEND chunk", false: "no EOI marker"}[info.MediaType == api.MediaPNG])
	}
	if trailing > imageTrailing {
		return Info{}, api.Errorf(api.EUNSUPPORTED, "%d bytes follow the end of the %s image: only the image itself can be uploaded", trailing, name)
	}
	return info, nil
}

// mp3Info turns a walk of a whole MP3 stream into Probe's verdict.
func mp3Info(c *FrameCounter) (Info, error) {
	if c.Frames() == 0 || c.DurationMS() == 0 {
		return Info{}, errors.New("MP3 has no audio frames")
	}
	// Bytes that are not audio come first: stray bytes can pass for
	// frames of any kind.
	if other, size := c.Unaccounted(), c.Size(); other > max(mp3Unaccounted, size/100) {
		return Info{}, api.Errorf(api.EUNSUPPORTED, "%d of its %d bytes are neither MP3 audio nor tags: only the audio itself can be uploaded, export it again as a plain MP3", other, size)
	}
	if err := c.Problem(); err != nil {
		return Info{}, api.Errorf(api.EUNSUPPORTED, "%s", err)
	}
	return Info{MediaType: api.MediaMP3, DurationMS: c.DurationMS()}, nil
}
