package http

import (
	"net/http"

	"github.com/megabox-fm/megabox/backend/api"
)

func (s *Server) createRelease(w http.ResponseWriter, r *http.Request) error {
	if _, err := api.RequireCreator(r.Context()); err != nil {
		return err
	}
	var m api.Manifest
	if err := decodeJSON(w, r, &m); err != nil {
		return err
	}
	rel, err := s.svc.Releases.CreateRelease(r.Context(), m)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/releases/"+itoa(rel.ID))
	writeJSON(w, http.StatusCreated, rel)
	return nil
}

func (s *Server) updateRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := api.RequireCreator(r.Context()); err != nil {
		return err
	}
	var m api.Manifest
	if err := decodeJSON(w, r, &m); err != nil {
		return err
	}
	return s.writeRelease(w)(s.svc.Releases.UpdateRelease(r.Context(), id, m))
}

func (s *Server) deleteRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Releases.DeleteRelease(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) publishRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeRelease(w)(s.svc.Releases.PublishRelease(r.Context(), id))
}

func (s *Server) unpublishRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeRelease(w)(s.svc.Releases.UnpublishRelease(r.Context(), id))
}

func (s *Server) findRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeRelease(w)(s.svc.Releases.FindRelease(r.Context(), id))
}

func (s *Server) writeRelease(w http.ResponseWriter) func(*api.Release, error) error {
	return func(rel *api.Release, err error) error {
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rel)
		return nil
	}
}

func (s *Server) myReleases(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	page, err := s.svc.Releases.MyReleases(r.Context(), limit, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) searchReleases(w http.ResponseWriter, r *http.Request) error {
	f := api.ReleaseFilter{Query: r.URL.Query().Get("q"), Cursor: r.URL.Query().Get("cursor")}
	var err error
	if f.Limit, err = queryInt(r, "limit"); err != nil {
		return err
	}
	if f.ArtistID, err = queryID(r, "artist"); err != nil {
		return err
	}
	page, err := s.svc.Releases.SearchReleases(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) findArtist(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc.Releases.FindArtist(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
