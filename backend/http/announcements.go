package http

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/megabox-fm/megabox/backend/api"
)

func (s *Server) announcementRoutes() {
	if s.svc.Announcements == nil {
		return
	}
	m := s.mux
	m.Handle("POST /api/v1/me/announcements", s.handle(s.createAnnouncement))
	m.Handle("GET /api/v1/me/announcements", s.handle(s.myAnnouncements))
	m.Handle("GET /api/v1/me/feed", s.handle(s.feed))
	m.Handle("GET /api/v1/artists/{id}/announcements", s.handle(s.artistAnnouncements))
	m.Handle("GET /api/v1/artists/{id}/follow", s.handle(s.followState))
	m.Handle("PUT /api/v1/artists/{id}/follow", s.handle(s.setFollow))
}

func (s *Server) createAnnouncement(w http.ResponseWriter, r *http.Request) error {
	var in api.AnnouncementCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	// The email's links lead to the address the creator reached us by.
	a, err := s.svc.Announcements.CreateAnnouncement(r.Context(), in, s.absoluteURL(r, ""))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// pageArgs reads ?cursor= and ?limit=.
func pageArgs(r *http.Request) (string, int, error) {
	limit, err := queryInt(r, "limit")
	return r.URL.Query().Get("cursor"), int(limit), err
}

func (s *Server) myAnnouncements(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := pageArgs(r)
	if err != nil {
		return err
	}
	p, err := s.svc.Announcements.MyAnnouncements(r.Context(), cursor, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) feed(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := pageArgs(r)
	if err != nil {
		return err
	}
	p, err := s.svc.Announcements.Feed(r.Context(), cursor, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) artistAnnouncements(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cursor, limit, err := pageArgs(r)
	if err != nil {
		return err
	}
	p, err := s.svc.Announcements.ArtistAnnouncements(r.Context(), id, cursor, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) followState(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := s.svc.Announcements.FollowState(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) setFollow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in api.MailPrefs
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.svc.Announcements.SetFollow(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// CreateAnnouncement publishes an announcement; the server makes the
// email's links from its own address, so origin is not sent.
func (c *Client) CreateAnnouncement(ctx context.Context, in api.AnnouncementCreate, _ string) (*api.Announcement, error) {
	var a api.Announcement
	return &a, c.call(ctx, http.MethodPost, "/api/v1/me/announcements", in, &a)
}

func pageQuery(cursor string, limit int) string {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	setNonZero(q, "limit", int64(limit))
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// MyAnnouncements lists the caller's announcements, newest first.
func (c *Client) MyAnnouncements(ctx context.Context, cursor string, limit int) (*api.AnnouncementPage, error) {
	var p api.AnnouncementPage
	return &p, c.call(ctx, http.MethodGet, "/api/v1/me/announcements"+pageQuery(cursor, limit), nil, &p)
}

// Feed lists the announcements of the artists the caller follows.
func (c *Client) Feed(ctx context.Context, cursor string, limit int) (*api.AnnouncementPage, error) {
	var p api.AnnouncementPage
	return &p, c.call(ctx, http.MethodGet, "/api/v1/me/feed"+pageQuery(cursor, limit), nil, &p)
}

// ArtistAnnouncements lists an artist's public announcements.
func (c *Client) ArtistAnnouncements(ctx context.Context, artistID int64, cursor string, limit int) (*api.AnnouncementPage, error) {
	var p api.AnnouncementPage
	return &p, c.call(ctx, http.MethodGet, "/api/v1/artists/"+strconv.FormatInt(artistID, 10)+"/announcements"+pageQuery(cursor, limit), nil, &p)
}

// FollowState says whether the caller follows an artist, with their
// choices about email.
func (c *Client) FollowState(ctx context.Context, artistID int64) (*api.FollowState, error) {
	var st api.FollowState
	return &st, c.call(ctx, http.MethodGet, "/api/v1/artists/"+strconv.FormatInt(artistID, 10)+"/follow", nil, &st)
}

// SetFollow follows an artist with the caller's choices about email.
func (c *Client) SetFollow(ctx context.Context, artistID int64, p api.MailPrefs) (*api.FollowState, error) {
	var st api.FollowState
	return &st, c.call(ctx, http.MethodPut, "/api/v1/artists/"+strconv.FormatInt(artistID, 10)+"/follow", p, &st)
}
