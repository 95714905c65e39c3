package http

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/megabox-fm/megabox/backend/api"
)

// FormatService makes downloads in the format a buyer chose (package
// transcode). Each method takes what the caller was already allowed to
// download and answers either the file to serve or, while a transcode
// is still being made, its progress.
type FormatService interface {
	// TrackIn is a track in f, tagged for the caller, and the format it
	// is really in (an MP3 master is always itself).
	TrackIn(ctx context.Context, tf *api.TrackFile, f api.Format) (*api.ArchiveFile, api.Format, *api.TranscodeProgress, error)
	// ArchiveIn is a purchase's archive with its tracks in f.
	ArchiveIn(ctx context.Context, purchaseID int64, a *api.Archive, f api.Format) (*api.Archive, *api.TranscodeProgress, error)
}

// queryFormat reads ?format=; ok is false when the request names none.
func queryFormat(r *http.Request) (f api.Format, ok bool, err error) {
	q := r.URL.Query()
	if !q.Has("format") {
		return "", false, nil
	}
	f, err = api.ParseFormat(q.Get("format"))
	return f, true, err
}

func (s *Server) formats() (FormatService, error) {
	if s.svc.Formats == nil {
		return nil, api.Errorf(api.EUNSUPPORTED, "this platform makes no other formats")
	}
	return s.svc.Formats, nil
}

// trackAudioIn serves an allowed track in f, or 202 with the progress of
// its transcode.
func (s *Server) trackAudioIn(w http.ResponseWriter, r *http.Request, tf *api.TrackFile, f api.Format) error {
	fs, err := s.formats()
	if err != nil {
		return err
	}
	file, served, p, err := fs.TrackIn(r.Context(), tf, f)
	if err != nil {
		return err
	}
	if p != nil {
		writeProgress(w, p)
		return nil
	}
	h := w.Header()
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(file.Name))
	h.Set("Cache-Control", "private, max-age=0")
	h.Set("Megabox-Blob-Sha256", file.SHA256)
	return s.serveBlob(w, r, file.SHA256, served.MediaType())
}

// writeProgress answers a download still being made: 202, when to ask
// again, and how far it got.
func writeProgress(w http.ResponseWriter, p *api.TranscodeProgress) {
	w.Header().Set("Retry-After", strconv.Itoa(max(p.RetryAfterS, 1)))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusAccepted, p)
}

// archiveIn is a purchase's archive with its tracks in f; nil after
// answering 202 with the progress of their transcodes.
func (s *Server) archiveIn(w http.ResponseWriter, r *http.Request, id int64, a *api.Archive, f api.Format) (*api.Archive, error) {
	fs, err := s.formats()
	if err != nil {
		return nil, err
	}
	out, p, err := fs.ArchiveIn(r.Context(), id, a, f)
	if err != nil {
		return nil, err
	}
	if p != nil {
		writeProgress(w, p)
		return nil, nil
	}
	return out, nil
}

// zipSums remembers the sha256 of laid-out zips by their ETag (their
// entries' names, blobs and checksums): a zip's bytes are read whole once
// to name them in Megabox-Blob-Sha256.
var zipSums = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// zipSHA256 is the sha256 of a laid-out zip's bytes.
func (s *Server) zipSHA256(ctx context.Context, z *zipLayout) (string, error) {
	zipSums.Lock()
	sum, ok := zipSums.m[z.etag]
	zipSums.Unlock()
	if ok {
		return sum, nil
	}
	rs := &segmentReader{ctx: ctx, bucket: s.svc.Bucket, segs: z.segs, size: z.size}
	defer rs.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rs); err != nil {
		return "", err
	}
	sum = hex.EncodeToString(h.Sum(nil))
	zipSums.Lock()
	if len(zipSums.m) >= 10_000 {
		clear(zipSums.m)
	}
	zipSums.m[z.etag] = sum
	zipSums.Unlock()
	return sum, nil
}
