package http

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
)

// previewMaxAge is how long browsers and shared caches keep a preview
// without asking again. Short, because a creator may shorten previews or
// unpublish: within that time every cache stops serving what changed,
// and asking again costs a 304 when nothing did.
const previewMaxAge = 5 * time.Minute

// trackPreview serves what anyone may hear of a track before buying: a
// section of the stored file, whole frames only, with Range support.
// Offsets in a Range are the preview's own: nothing past its end can be
// asked for (416), so the rest of the track never leaves through here.
func (s *Server) trackPreview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if s.svc.Previews == nil {
		return api.Errorf(api.ENOTFOUND, "previews are not served here")
	}
	p, err := s.svc.Previews.TrackPreview(r.Context(), id)
	if err != nil {
		return err
	}
	if p.Progress != nil {
		return previewPending(w, p.Progress)
	}
	obj, err := s.svc.Bucket.Open(r.Context(), p.AudioSHA256)
	if err != nil {
		return err
	}
	if b, ok := obj.(blob.Bounded); ok {
		b.ReadUntil(p.End) // a bucket over the network asks for the preview's bytes only
	}
	defer obj.Close()
	if p.End > obj.Size() {
		return fmt.Errorf("preview of track %d ends at %d, past its %d bytes", id, p.End, obj.Size())
	}
	h := w.Header()
	h.Set("Content-Type", api.MediaMP3)
	h.Set("ETag", fmt.Sprintf(`"%s-%d-%d"`, p.AudioSHA256, p.Start, p.End))
	h.Set("Accept-Ranges", "bytes")
	h.Set("X-Content-Type-Options", "nosniff")
	if p.Public {
		h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(previewMaxAge.Seconds())))
	} else { // a draft: only its creator and buyers may have it
		h.Set("Cache-Control", "private, max-age=0")
	}
	if p.Public {
		s.countPreview(r, id)
	}
	http.ServeContent(w, r, "", time.Time{}, newSection(obj, p.Start, p.End-p.Start))
	return nil
}

// section is bytes [start, start+size) of a seekable object, seen as a
// file of its own. The object is positioned only when read, so seeks that
// http.ServeContent makes to learn the size cost nothing (a seek of an S3
// object ends its current GET).
type section struct {
	obj         io.ReadSeeker
	start, size int64
	pos         int64 // within the section
	objPos      int64 // the object's offset; -1 until known
}

func newSection(obj io.ReadSeeker, start, size int64) *section {
	return &section{obj: obj, start: start, size: size, objPos: -1}
}

func (s *section) Read(p []byte) (int, error) {
	if s.pos >= s.size {
		return 0, io.EOF
	}
	if s.objPos != s.start+s.pos {
		if _, err := s.obj.Seek(s.start+s.pos, io.SeekStart); err != nil {
			s.objPos = -1
			return 0, err
		}
		s.objPos = s.start + s.pos
	}
	if rest := s.size - s.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.obj.Read(p)
	s.pos += int64(n)
	s.objPos += int64(n)
	if errors.Is(err, io.EOF) && s.pos < s.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (s *section) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += s.pos
	case io.SeekEnd:
		offset += s.size
	default:
		return s.pos, fmt.Errorf("seek: bad whence %d", whence)
	}
	if offset < 0 {
		return s.pos, fmt.Errorf("seek: negative offset %d", offset)
	}
	s.pos = offset
	return offset, nil
}
