package http

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	var in api.AccountCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ip := ipKey(s.clientKey(r))
	if n := s.cfg.SignUpsPerHour; n > 0 {
		if wait, full := s.throttle.signUps.reserve(limit{ip, n}); full {
			return tooMany(w, wait, "too many sign-ups right now: try again in %d minutes")
		} else if wait > 0 {
			return tooMany(w, wait, "too many sign-ups from your address: try again in %d minutes")
		}
	}
	a, err := s.svc.Accounts.CreateAccount(r.Context(), in)
	if code := api.ErrorCode(err); code == api.EINVALID || code == api.EBUSY {
		s.throttle.signUps.release(ip) // refused before any work: a corrected form may try again
	}
	if err != nil {
		return busy(w, err)
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) error {
	var in api.Credentials
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	acct, ip := accountKey(in.Email), ipKey(s.clientKey(r))
	if wait, full := s.throttle.signIns.reserve(limit{acct, maxAttemptsAccount}, limit{ip, maxAttemptsIP}); full {
		return tooMany(w, wait, "too many sign-ins right now: try again in %d minutes")
	} else if wait > 0 {
		return tooMany(w, wait, "too many failed sign-ins: try again in %d minutes")
	}
	sess, err := s.svc.Accounts.CreateSession(r.Context(), in)
	switch {
	case err == nil:
		s.throttle.signIns.reset(acct)
		s.throttle.signIns.release(ip)
	case api.ErrorCode(err) == api.EBUSY:
		// Never checked: the attempt does not count.
		s.throttle.signIns.release(acct)
		s.throttle.signIns.release(ip)
	}
	if err != nil {
		return busy(w, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, sess)
	return nil
}

// busyRetryAfter is the Retry-After, in seconds, of an EBUSY answer: a
// hash slot frees in well under a second.
const busyRetryAfter = "2"

// busy adds Retry-After to an EBUSY error and returns err.
func busy(w http.ResponseWriter, err error) error {
	if api.ErrorCode(err) == api.EBUSY {
		w.Header().Set("Retry-After", busyRetryAfter)
	}
	return err
}

// tooMany returns an ERATELIMIT error whose message (a format with one %d)
// gives the minutes left, and sets Retry-After.
func tooMany(w http.ResponseWriter, wait time.Duration, format string) error {
	w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
	return api.Errorf(api.ERATELIMIT, format, int(math.Ceil(wait.Minutes())))
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
