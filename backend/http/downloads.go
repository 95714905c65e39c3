package http

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// trackAudio serves a track's master, or with ?format= the track in
// that format, with Range support.
func (s *Server) trackAudio(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	format, in, err := queryFormat(r)
	if err != nil {
		return err
	}
	f, err := s.svc.Downloads.AuthorizeTrack(r.Context(), id)
	if err != nil {
		return err
	}
	if in {
		return s.trackAudioIn(w, r, f, format)
	}
	b, err := s.svc.Uploads.FindBlob(r.Context(), f.AudioSHA256)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%02d%s", f.Position, masterExt(b.MediaType))
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "private, max-age=0")
	return s.serveBlob(w, r, f.AudioSHA256, b.MediaType)
}

// releaseCover serves a visible release's cover image.
func (s *Server) releaseCover(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rel, err := s.svc.Releases.FindRelease(r.Context(), id)
	if err != nil {
		return err
	}
	if rel.CoverSHA256 == "" {
		return api.Errorf(api.ENOTFOUND, "release %d has no cover", id)
	}
	b, err := s.svc.Uploads.FindBlob(r.Context(), rel.CoverSHA256)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	return s.serveBlob(w, r, rel.CoverSHA256, b.MediaType)
}

// serveBlob streams a blob; http.ServeContent handles Range, If-Range and
// HEAD. The ETag is the content hash, so it never lies.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, sha, mediaType string) error {
	obj, err := s.svc.Bucket.Open(r.Context(), sha)
	if err != nil {
		return err
	}
	defer obj.Close()
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("ETag", `"`+sha+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, obj)
	return nil
}

// headBlob tells a client whether it already uploaded a blob.
func (s *Server) headBlob(w http.ResponseWriter, r *http.Request) error {
	sha := r.PathValue("sha256")
	if !api.ValidSHA256(sha) {
		return api.Errorf(api.ENOTFOUND, "blob not found")
	}
	ok, err := s.svc.Blobs.HasBlob(r.Context(), sha)
	if err != nil {
		return err
	}
	if !ok {
		return api.Errorf(api.ENOTFOUND, "blob not found")
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// masterExt is the file extension of a master of this media type.
func masterExt(mediaType string) string {
	if mediaType == api.MediaFLAC {
		return api.FormatFLAC.Ext()
	}
	return api.FormatMP3.Ext()
}
