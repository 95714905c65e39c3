package http

import (
	"net/http"
	"net/url"

	"github.com/megabox-fm/megabox/backend/api"
)

// extraRoutes serves a release's bonus files to those who may have them.
func (s *Server) extraRoutes() {
	s.mux.Handle("GET /api/v1/releases/{id}/extras/{name}", s.handle(s.releaseExtra))
}

// releaseExtra serves one bonus file, found by its name among the
// release's in the database (the name never reaches a file system), with
// Range support.
func (s *Server) releaseExtra(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	extras, ok := s.svc.Downloads.(api.ExtraService)
	if !ok {
		return api.Errorf(api.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path)
	}
	e, err := extras.AuthorizeExtra(r.Context(), id, r.PathValue("name"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(e.Name))
	h.Set("Cache-Control", "private, max-age=0")
	h.Set("Megabox-Blob-Sha256", e.SHA256)
	return s.serveBlob(w, r, e.SHA256, e.MediaType)
}
