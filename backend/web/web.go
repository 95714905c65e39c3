// Package web serves Megabox's public pages: discover, artist and release
// pages, their Atom feeds, embeds and oEmbed, as HTML rendered on the
// server, complete without JavaScript, in English and French.
//
//	request → pickLang → route → load (services) → page data → template → headers + body
//
// Pages read only what anyone may see: published releases and public
// profiles. Money shown on a page (the split of a price) comes from the
// ledger, as checkout computes it.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/service"
)

// Config sets how pages name themselves.
type Config struct {
	// TrustedProxies are the reverse proxies whose X-Forwarded-Proto is
	// believed when pages write their absolute addresses.
	TrustedProxies []netip.Prefix
	// RateBps is the platform's share shown on release pages; 0 for the
	// ledger's standard rate.
	RateBps int64
	Log     *slog.Logger
	// Formats make purchases' downloads in the formats buyers choose;
	// nil: the masters only.
	Formats formats
}

// directory reads public profiles and blobs' metadata.
type directory interface {
	Profile(ctx context.Context, accountID int64) (*api.Profile, error)
	AccountByHandle(ctx context.Context, handle string) (int64, string, error)
	Blob(ctx context.Context, sha256 string) (*api.Blob, error)
}

// Handler serves the public pages.
type Handler struct {
	profiles  api.ProfileService
	releases  api.ReleaseService
	accounts  accounts
	purchases purchases
	follows   follows
	codes     codes
	gifts     gifts
	news      announcements // nil for none
	privacy   api.PrivacyService
	archives  archives
	formats   formats // nil: the masters only
	dir       directory
	bucket    blob.Bucket
	cfg       Config
	log       *slog.Logger
	assets    *assets
	pages     map[string]map[string]*template.Template // language → page → template
	mux       *http.ServeMux
	now       func() time.Time // the platform's clock; nil: the wall clock
}

// New returns the pages over a platform's services and bucket.
func New(svc *service.Services, bucket blob.Bucket, cfg Config) *Handler {
	h := newHandler(svc.Profiles, svc.Releases, svc.Store(), bucket, cfg)
	h.accounts, h.purchases, h.follows = svc.Accounts, svc.Purchases, svc.Earnings
	h.codes = svc.Codes
	h.privacy = svc.Privacy
	h.gifts = svc.Purchases
	h.archives, h.formats = svc.Purchases, cfg.Formats
	h.now = svc.Now
	if svc.Announcements != nil {
		h.news = svc.Announcements
	}
	return h
}

func newHandler(profiles api.ProfileService, releases api.ReleaseService, dir directory, bucket blob.Bucket, cfg Config) *Handler {
	if cfg.RateBps == 0 {
		cfg.RateBps = ledger.DefaultRateBps
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{profiles: profiles, releases: releases, dir: dir, bucket: bucket, cfg: cfg, log: cfg.Log,
		assets: loadAssets(), mux: http.NewServeMux()}
	h.pages = parsePages(h.assets)
	h.routes()
	return h
}

func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /{$}", h.page(h.discover))
	m.HandleFunc("GET /static/{name}", h.static)
	m.HandleFunc("GET /embed/release/{id}", h.page(h.embed))
	m.HandleFunc("GET /oembed", h.oembed)
	m.HandleFunc("GET /signin", h.page(h.signinForm))
	m.HandleFunc("POST /signin", h.page(h.signin))
	m.HandleFunc("GET /signup", h.page(h.signupForm))
	m.HandleFunc("POST /signup", h.page(h.signup))
	m.HandleFunc("POST /signout", h.page(h.signout))
	m.HandleFunc("GET /library", h.page(h.library))
	m.HandleFunc("GET /library/{id}/download", h.page(h.download))
	m.HandleFunc("GET /gift/{token}", h.page(h.giftPage))
	m.HandleFunc("POST /gift/{token}", h.page(h.claimGift))
	m.HandleFunc("GET /gifts", h.page(h.giftsPage))
	m.HandleFunc("POST /gifts", h.page(h.give))
	m.HandleFunc("POST /gifts/{id}/link", h.page(h.giftLink))
	m.HandleFunc("GET /unsubscribe/{token}", h.page(h.unsubscribeForm))
	m.HandleFunc("POST /unsubscribe/{token}", h.page(h.unsubscribe))
	m.HandleFunc("GET /redeem", h.page(h.redeemForm))
	m.HandleFunc("POST /redeem", h.page(h.redeem))
	m.HandleFunc("POST /redeem/checkout", h.page(h.redeemCheckout))
	m.HandleFunc("GET /settings", h.page(h.settingsForm))
	m.HandleFunc("POST /settings", h.page(h.saveSettings))
	h.privacyRoutes()
	m.HandleFunc("POST /{who}", h.page(h.follow))
	m.HandleFunc("POST /{who}/{rest...}", h.page(h.buy))
	m.HandleFunc("GET /{who}", h.page(h.artist))
	m.HandleFunc("GET /{who}/{rest...}", h.page(h.underArtist))
	m.HandleFunc("/", h.page(func(w http.ResponseWriter, r *http.Request, v *visit) error {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}))
}

// ServeHTTP implements http.Handler: headers every answer carries, then
// the routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("Content-Security-Policy", csp(false))
	hd.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
	h.mux.ServeHTTP(w, r)
}

// hostedCheckout is the payment provider's page a buy form's answer
// redirects to: browsers hold a form's redirects to form-action too.
const hostedCheckout = "https://checkout.stripe.com"

// csp is the pages' policy: nothing inline runs, everything comes from
// this server, and only embeds may be framed, by anyone.
func csp(frameable bool) string {
	ancestors := "'none'"
	if frameable {
		ancestors = "*"
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; " +
		"connect-src 'self'; form-action 'self' " + hostedCheckout + "; base-uri 'none'; frame-ancestors " + ancestors
}

// visit is what every page knows of its request.
type visit struct {
	lang   string
	origin string      // scheme://host, for absolute addresses
	caller *api.Caller // the signed-in visitor; nil for none
	token  string      // their session token
}

// ctx is the request's context with the visitor as the services' caller.
func (v *visit) ctx(r *http.Request) context.Context {
	if v.caller == nil {
		return r.Context()
	}
	return asCaller(r.Context(), v.caller)
}

// page adapts a page handler: language, origin and errors as HTML.
func (h *Handler) page(fn func(w http.ResponseWriter, r *http.Request, v *visit) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang, chosen := pickLang(r)
		secure := h.scheme(r) == "https"
		if chosen {
			rememberLang(w, lang, secure)
			w.Header().Set("Cache-Control", "private, no-cache") // a shared cache must not keep the cookie
		}
		w.Header().Set("Vary", "Accept-Language, Cookie")
		v := &visit{lang: lang, origin: h.scheme(r) + "://" + r.Host}
		if v.caller, v.token = h.signedIn(r); v.caller != nil {
			// The page names the visitor: no shared cache may keep it.
			w.Header().Set("Cache-Control", "private, no-cache")
		}
		if err := fn(w, r, v); err != nil {
			h.fail(w, r, v, err)
		}
	}
}

// scheme is the one the visitor used: https when the connection is TLS or
// a trusted proxy says so.
func (h *Handler) scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if r.Header.Get("X-Forwarded-Proto") == "https" && h.trusted(r.RemoteAddr) {
		return "https"
	}
	return "http"
}

func (h *Handler) trusted(remote string) bool {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	for _, p := range h.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// fail answers an error as a page: 404 for what does not exist (or is not
// public), 400 for an address that cannot be read, 500 for the rest,
// logged.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	status, key := http.StatusNotFound, "notfound"
	switch api.ErrorCode(err) {
	case api.ENOTFOUND:
	case api.EINVALID:
		status, key = http.StatusBadRequest, "badrequest"
	case api.EFORBIDDEN:
		status, key = http.StatusForbidden, "forbidden"
		w.Header().Set("Cache-Control", "no-store")
	default:
		status, key = http.StatusInternalServerError, "error"
		w.Header().Set("Cache-Control", "no-store")
		h.log.ErrorContext(r.Context(), "web page", "path", r.URL.Path, "err", err)
	}
	p := h.base(r, v, translate(v.lang, key+".title"), "/")
	p.Canonical = ""
	p.Body = key
	h.render(w, v, status, "error", p)
}

// redirect sends a visitor to a page's current address for good.
func redirect(w http.ResponseWriter, r *http.Request, path string) {
	if q := r.URL.RawQuery; q != "" {
		path += "?" + q
	}
	http.Redirect(w, r, path, http.StatusMovedPermanently)
}

// handleOf reads "@name" from a path segment.
func handleOf(seg string) (string, bool) {
	h, ok := strings.CutPrefix(seg, "@")
	return strings.ToLower(h), ok && h != ""
}
