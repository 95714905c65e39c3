package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
)

// Web sessions. A signed-in visitor's browser holds the session token in
// the mb_session cookie (HttpOnly, SameSite=Lax), the same sessions the
// API gives the desktop app. Every form that changes something carries a
// CSRF token: for a signed-in visitor one derived from the session token,
// which a page on another site cannot read; for the sign-in and sign-up
// forms a random value kept both in the mb_csrf cookie (SameSite=Strict)
// and in the form, which another site can neither read nor set. On top of
// either, a POST whose Origin (or Referer) names another host is refused.

// csrfCookie holds the anonymous forms' double-submit value.
const csrfCookie = "mb_csrf"

// csrfField is the forms' hidden field.
const csrfField = "csrf"

// maxFormBody bounds a posted form: a few fields of short text.
const maxFormBody = 16 << 10

// accounts signs visitors up, in and out.
type accounts interface {
	CreateAccount(ctx context.Context, in api.AccountCreate) (*api.Account, error)
	CreateSession(ctx context.Context, in api.Credentials) (*api.Session, error)
	DeleteSession(ctx context.Context) error
	Authenticate(ctx context.Context, token string) (*api.Caller, error)
}

// signedIn resolves the session cookie: nil when there is none, or it
// has ended (a stale cookie is no session, not an error).
func (h *Handler) signedIn(r *http.Request) (*api.Caller, string) {
	ck, err := r.Cookie(api.SessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 200 {
		return nil, ""
	}
	c, err := h.accounts.Authenticate(r.Context(), ck.Value)
	if err != nil {
		return nil, ""
	}
	return c, ck.Value
}

// setSession gives the browser a session for sessionLifetime.
func (h *Handler) setSession(w http.ResponseWriter, r *http.Request, token string, lifetime time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: api.SessionCookie, Value: token, Path: "/", MaxAge: int(lifetime / time.Second),
		HttpOnly: true, Secure: h.scheme(r) == "https", SameSite: http.SameSiteLaxMode})
}

// clearSession removes the session cookie.
func (h *Handler) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: api.SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.scheme(r) == "https", SameSite: http.SameSiteLaxMode})
}

// sessionCSRF is the CSRF token of a signed-in visitor's forms: bound to
// the session, so it changes when they sign in again and is worth nothing
// without the cookie.
func sessionCSRF(token string) string {
	sum := sha256.Sum256([]byte("csrf:" + token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// anonCSRF returns the visitor's double-submit value, setting the cookie
// when there is none yet.
func (h *Handler) anonCSRF(w http.ResponseWriter, r *http.Request) (string, error) {
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 100 {
		return ck.Value, nil
	}
	v, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true,
		Secure: h.scheme(r) == "https", SameSite: http.SameSiteStrictMode})
	return v, nil
}

// errForbidden is a refused form: the visitor sees a 403 page.
var errForbidden = api.Errorf(api.EFORBIDDEN, "this form cannot be accepted")

// readForm reads a posted form and checks where it comes from: the
// Origin or Referer host, when the browser sends one, and the CSRF token,
// against want (the session's token, or "" for the double-submit cookie).
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request, want string) error {
	if !sameOrigin(r) {
		return errForbidden
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return api.Errorf(api.EINVALID, "the form could not be read")
	}
	if want == "" {
		ck, err := r.Cookie(csrfCookie)
		if err != nil {
			return errForbidden
		}
		want = ck.Value
	} else {
		want = sessionCSRF(want)
	}
	got := r.PostForm.Get(csrfField)
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errForbidden
	}
	return nil
}

// sameOrigin reports whether a POST comes from this site's own pages:
// the Origin header names the request's host, or, without one, the
// Referer does. A request with neither (an old browser, a privacy
// setting) is left to the CSRF token.
func sameOrigin(r *http.Request) bool {
	from := r.Header.Get("Origin")
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return true
	}
	u, err := url.Parse(from)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // includes Origin: null
	}
	return strings.EqualFold(u.Host, r.Host)
}

// localPath is next if it is a path on this site, or "/": a link can say
// where to go after signing in, never to another site.
func localPath(next string) string {
	if next == "" || len(next) > 2000 || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\x00") || strings.ContainsFunc(next, isControl) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return next
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// asCaller is ctx with the visitor as the services' caller.
func asCaller(ctx context.Context, c *api.Caller) context.Context {
	return api.NewContextWithCaller(ctx, c)
}
