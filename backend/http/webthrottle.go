package http

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Web form paths whose attempts are counted like the API's.
const (
	webSignIn = "/signin"
	webSignUp = "/signup"
	webRedeem = "/redeem" // and /redeem/…: the code forms
	webDelete = "/settings/privacy/delete"
)

// throttleWeb counts the web's sign-in and sign-up forms against the same
// limits, in the same tables, as POST /api/v1/sessions and /accounts: a
// guesser gains nothing by switching from one to the other. What a form
// did is read from its answer: a session cookie set, or the status.
func (s *Server) throttleWeb(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, webRedeem) {
			s.tryCodeWeb(&statusRecorder{ResponseWriter: w, status: http.StatusOK}, r, next)
			return
		}
		if r.Method == http.MethodPost && r.URL.Path == webDelete {
			s.webDeleteAccount(&statusRecorder{ResponseWriter: w, status: http.StatusOK}, r, next)
			return
		}
		if r.Method != http.MethodPost || (r.URL.Path != webSignIn && r.URL.Path != webSignUp) {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		_ = r.ParseForm() // parsed once: the form's handler reads the same values
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if r.URL.Path == webSignIn {
			s.webSignIn(rec, r, next)
		} else {
			s.webSignUp(rec, r, next)
		}
	})
}

// webDeleteAccount counts the delete form's password with the account's
// sign-ins, as DELETE /api/v1/me does; the page answers 401 for a wrong one.
func (s *Server) webDeleteAccount(rec *statusRecorder, r *http.Request, next http.Handler) {
	ck, err := r.Cookie(api.SessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 200 {
		next.ServeHTTP(rec, r) // not signed in: the page sends them to sign in
		return
	}
	c, err := s.svc.Auth.Authenticate(r.Context(), ck.Value)
	if err != nil {
		next.ServeHTTP(rec, r)
		return
	}
	acct := accountKey(c.Account.Email)
	if wait, full := s.throttle.signIns.reserve(limit{acct, maxAttemptsAccount}); full || wait > 0 {
		tooManyPage(rec, wait, "Too many wrong passwords: try again in %d minutes.")
		return
	}
	next.ServeHTTP(rec, r)
	if rec.status != http.StatusUnauthorized {
		s.throttle.signIns.release(acct)
	}
}

func (s *Server) webSignIn(rec *statusRecorder, r *http.Request, next http.Handler) {
	acct, ip := accountKey(r.PostForm.Get("email")), ipKey(s.clientKey(r))
	wait, full := s.throttle.signIns.reserve(limit{acct, maxAttemptsAccount}, limit{ip, maxAttemptsIP})
	if full || wait > 0 {
		tooManyPage(rec, wait, "Too many sign-in attempts: try again in %d minutes.")
		return
	}
	next.ServeHTTP(rec, r)
	switch {
	case setsSession(rec):
		s.throttle.signIns.reset(acct)
		s.throttle.signIns.release(ip)
	case rec.status != http.StatusUnauthorized: // no password was checked
		s.throttle.signIns.release(acct)
		s.throttle.signIns.release(ip)
	}
}

func (s *Server) webSignUp(rec *statusRecorder, r *http.Request, next http.Handler) {
	n := s.cfg.SignUpsPerHour
	if n <= 0 {
		next.ServeHTTP(rec, r)
		return
	}
	ip := ipKey(s.clientKey(r))
	if wait, full := s.throttle.signUps.reserve(limit{ip, n}); full || wait > 0 {
		tooManyPage(rec, wait, "Too many sign-ups from your address: try again in %d minutes.")
		return
	}
	next.ServeHTTP(rec, r)
	if !setsSession(rec) && rec.status != http.StatusConflict { // refused before any account was made
		s.throttle.signUps.release(ip)
	}
}

// setsSession reports whether an answer signed its visitor in.
func setsSession(rec *statusRecorder) bool {
	for _, c := range rec.Header().Values("Set-Cookie") {
		if strings.HasPrefix(c, api.SessionCookie+"=") && !strings.HasPrefix(c, api.SessionCookie+"=;") {
			return true
		}
	}
	return false
}

// tooManyPage refuses a form for a while, as a page.
func tooManyPage(w http.ResponseWriter, wait time.Duration, format string) {
	w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
	w.Header().Set("Cache-Control", "no-store")
	_ = plainPageStatus(w, http.StatusTooManyRequests, fmt.Sprintf(format, int(math.Ceil(wait.Minutes()))))
}
