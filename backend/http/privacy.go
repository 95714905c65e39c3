package http

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/megabox-fm/megabox/backend/api"
)

func (s *Server) privacyRoutes() {
	s.mux.Handle("GET /api/v1/me/export", s.handle(s.exportData))
	s.mux.Handle("DELETE /api/v1/me", s.handle(s.deleteAccount))
}

// exportData streams the caller's data as a zip. Its headers go out with
// the first byte, so a refusal before it is an ordinary error; a failure
// after it cuts the response, which the client sees as a broken download
// rather than a truncated zip taken for whole.
func (s *Server) exportData(w http.ResponseWriter, r *http.Request) error {
	if s.svc.Privacy == nil {
		return api.Errorf(api.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path)
	}
	c, err := api.RequireCaller(r.Context())
	if err != nil {
		return err
	}
	lw := &lateHeaders{w: w, set: func(h http.Header) {
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, api.ExportFilename(c.Account.ID)))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
	}}
	err = s.svc.Privacy.ExportData(r.Context(), lw)
	if err != nil && lw.wrote {
		s.log.ErrorContext(r.Context(), "export cut short", "account", c.Account.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
	if api.ErrorCode(err) == api.ERATELIMIT {
		w.Header().Set("Retry-After", "60")
	}
	return err
}

// lateHeaders sets a response's headers just before its first byte.
type lateHeaders struct {
	w     http.ResponseWriter
	set   func(http.Header)
	wrote bool
}

func (l *lateHeaders) Write(p []byte) (int, error) {
	if !l.wrote {
		l.wrote = true
		l.set(l.w.Header())
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) error {
	if s.svc.Privacy == nil {
		return api.Errorf(api.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path)
	}
	c, err := api.RequireCaller(r.Context())
	if err != nil {
		return err
	}
	var in api.AccountDeletion
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	// The password is checked again: guesses count with the sign-in's.
	acct := accountKey(c.Account.Email)
	if wait, full := s.throttle.signIns.reserve(limit{acct, maxAttemptsAccount}); full {
		return tooMany(w, wait, "too many attempts right now: try again in %d minutes")
	} else if wait > 0 {
		return tooMany(w, wait, "too many wrong passwords: try again in %d minutes")
	}
	err = s.svc.Privacy.DeleteAccount(r.Context(), in)
	if e := api.ErrorCode(err); e != api.EINVALID || api.ErrorField(err) != "password" {
		s.throttle.signIns.release(acct) // only a wrong password counts
	}
	if err != nil {
		return busy(w, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ExportData implements api.PrivacyService: it writes the caller's data
// export (a zip) to w.
func (c *Client) ExportData(ctx context.Context, w io.Writer) error {
	return c.download(ctx, "/api/v1/me/export", w)
}

// DeleteAccount implements api.PrivacyService; the client forgets its
// token once the account is gone.
func (c *Client) DeleteAccount(ctx context.Context, in api.AccountDeletion) error {
	if err := c.call(ctx, http.MethodDelete, "/api/v1/me", in, nil); err != nil {
		return err
	}
	c.SetToken("")
	return nil
}

var _ api.PrivacyService = (*Client)(nil)
