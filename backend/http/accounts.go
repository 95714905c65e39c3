package http

import (
	"fmt"
	"math"
	"net/http"

	"github.com/megabox-fm/megabox/backend/api"
)

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	var in api.AccountCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.Accounts.CreateAccount(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) error {
	var in api.Credentials
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	acct, ip := accountKey(in.Email), ipKey(clientIP(r))
	for key, limit := range map[string]int{acct: maxFailuresAccount, ip: maxFailuresIP} {
		if wait := s.throttle.blocked(key, limit); wait > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			return api.Errorf(api.ERATELIMIT, "too many failed sign-ins: try again in %d minutes", int(math.Ceil(wait.Minutes())))
		}
	}
	sess, err := s.svc.Accounts.CreateSession(r.Context(), in)
	if api.ErrorCode(err) == api.EUNAUTHORIZED {
		s.throttle.fail(acct)
		s.throttle.fail(ip)
	}
	if err != nil {
		return err
	}
	s.throttle.reset(acct)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, sess)
	return nil
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Accounts.DeleteSession(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svc.Accounts.Me(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
