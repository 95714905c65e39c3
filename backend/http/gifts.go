package http

import (
	"net/http"
	"strconv"

	"github.com/megabox-fm/megabox/backend/api"
)

// A gift is bought with POST /api/v1/checkouts and a "gift" object; these
// routes list a giver's gifts, make a claim link when the platform sends
// no email, and let the recipient see and claim a gift.

func (s *Server) gifts(w http.ResponseWriter, r *http.Request) error {
	gs, err := s.svc.Gifts.Gifts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"gifts": gs})
	return nil
}

func (s *Server) giftLink(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return api.Errorf(api.ENOTFOUND, "gift %q not found", r.PathValue("id"))
	}
	g, err := s.svc.Gifts.GiftLink(r.Context(), id, s.absoluteURL(r, ""))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) giftOffer(w http.ResponseWriter, r *http.Request) error {
	o, err := s.svc.Gifts.GiftOffer(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) claimGift(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Gifts.ClaimGift(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
