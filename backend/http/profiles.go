package http

import (
	"context"
	"net/http"

	"github.com/megabox-fm/megabox/backend/api"
)

func (s *Server) myProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Profiles.MyProfile(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request) error {
	if _, err := api.RequireCaller(r.Context()); err != nil {
		return err
	}
	var in api.Profile
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.Profiles.UpdateProfile(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// MyProfile returns the signed-in account's public profile.
func (c *Client) MyProfile(ctx context.Context) (*api.Profile, error) {
	var p api.Profile
	return &p, c.call(ctx, http.MethodGet, "/api/v1/me/profile", nil, &p)
}

// UpdateProfile saves the signed-in account's public profile.
func (c *Client) UpdateProfile(ctx context.Context, in api.Profile) (*api.Profile, error) {
	var p api.Profile
	return &p, c.call(ctx, http.MethodPut, "/api/v1/me/profile", in, &p)
}
