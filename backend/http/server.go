// Package http serves the Megabox API v1 over HTTP and provides the Go
// client that implements the same api services against a remote server.
package http

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/receipt"
)

// Services are what the server serves; a store package provides them.
type Services struct {
	Accounts  api.AccountService
	Auth      api.Authenticator
	Releases  api.ReleaseService
	Downloads api.DownloadService
	// Previews say what of a track plays before purchase; nil for none.
	Previews  api.PreviewService
	Blobs     api.BlobService
	Uploads   api.UploadService
	Bucket    blob.Bucket
	Purchases api.PurchaseService
	// Payments are the hosted checkout and the provider's webhook.
	Payments Payments
	Profiles api.ProfileService
	Archives api.ArchiveService
	// Formats make downloads in other formats than the masters; nil for none.
	Formats FormatService
	// Web serves the public pages (/, /@handle, …); nil for none.
	Web      http.Handler
	Earnings api.EarningsService
	// Codes are download and discount codes; nil for none.
	Codes api.CodeService
	// Announcements are creators' news and fans' choices about their
	// email; nil for none.
	Announcements api.AnnouncementService
	// Gifts are releases bought for an email address.
	Gifts api.GiftService
	// Privacy exports and deletes a person's own data; nil for none.
	Privacy api.PrivacyService
	// Insight counts plays and previews and reports them; nil for none.
	Insight api.InsightService
	// ReceiptKeys publishes the keys receipts are signed with.
	ReceiptKeys interface {
		ReceiptKeySet(ctx context.Context) (receipt.KeySet, error)
	}
	// Checks are what GET /readyz asks, by name ("database", "blobs"):
	// each returns nil when its dependency answers.
	Checks map[string]func(ctx context.Context) error
	// LedgerCheck, if set, counts the ledger's unbalanced transactions
	// for /metrics; an error means the journal could not be read whole.
	LedgerCheck func(ctx context.Context) (unbalanced int, err error)
}

// Config holds the server's limits.
type Config struct {
	MaxUploadSize  int64  // bytes in one upload
	Quota          int64  // bytes stored per account; 0 for no limit
	SignUpsPerHour int    // sign-ups from one address; 0 for no limit
	UploadDir      string // tus staging, on the same file system as the bucket
	// Shared keeps uploads in progress in S3 instead of UploadDir, for
	// several servers behind one address; nil for one server.
	Shared *SharedUploads
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; none by default.
	TrustedProxies []netip.Prefix
	// Busy is told while a request that changes something is served
	// (upload bytes arriving, a purchase, a release saved), so background
	// work can yield to the people doing it; nil for nobody.
	Busy interface{ Begin() (end func()) }
}

// Server is the platform's HTTP front.
type Server struct {
	svc      Services
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	throttle *loginThrottle
	staging  *hashingStore // uploads staged on this server's disk
	shared   *sharedStore  // or in S3, shared with other servers
	reserved *reservations
	metrics  *metrics
	// webhookSlots bound the payment events read at once.
	webhookSlots chan struct{}

	transport atomic.Pointer[Transport] // nil: DefaultTransport
	hosts     atomic.Pointer[hostList]  // nil: loopback names only
}

// NewServer wires the API routes. Records logged with a request's context
// carry its id.
func NewServer(svc Services, cfg Config, log *slog.Logger) (*Server, error) {
	log = slog.New(LogRequestIDs(log.Handler()))
	s := &Server{svc: svc, cfg: cfg, log: log, mux: http.NewServeMux(), throttle: newLoginThrottle(),
		metrics: newMetrics(svc.LedgerCheck, log), reserved: newReservations(), webhookSlots: make(chan struct{}, webhookSlots)}
	tus, err := s.tusHandler()
	if err != nil {
		return nil, err
	}
	s.routes(tus)
	return s, nil
}

func (s *Server) routes(tus http.Handler) {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("POST /api/v1/accounts", s.handle(s.createAccount))
	m.Handle("POST /api/v1/sessions", s.handle(s.createSession))
	m.Handle("DELETE /api/v1/sessions/current", s.handle(s.deleteSession))
	m.Handle("GET /api/v1/me", s.handle(s.me))
	m.Handle("GET /api/v1/me/releases", s.handle(s.myReleases))
	m.Handle("GET /api/v1/me/profile", s.handle(s.myProfile))
	m.Handle("PUT /api/v1/me/profile", s.handle(s.updateProfile))
	m.Handle("POST /api/v1/releases", s.handle(s.createRelease))
	m.Handle("GET /api/v1/releases", s.handle(s.searchReleases))
	m.Handle("GET /api/v1/releases/{id}", s.handle(s.findRelease))
	m.Handle("PUT /api/v1/releases/{id}", s.handle(s.updateRelease))
	m.Handle("DELETE /api/v1/releases/{id}", s.handle(s.deleteRelease))
	m.Handle("POST /api/v1/releases/{id}/publish", s.handle(s.publishRelease))
	m.Handle("POST /api/v1/releases/{id}/unpublish", s.handle(s.unpublishRelease))
	m.Handle("GET /api/v1/releases/{id}/cover", s.handle(s.releaseCover))
	m.Handle("GET /api/v1/artists/{id}", s.handle(s.findArtist))
	m.Handle("HEAD /api/v1/blobs/{sha256}", s.handle(s.headBlob))
	m.Handle("GET /api/v1/tracks/{id}/audio", s.handle(s.trackAudio))
	m.Handle("GET /api/v1/tracks/{id}/preview", s.handle(s.trackPreview))
	m.Handle("/api/v1/uploads/", s.authenticate(tus))
	m.Handle("POST /api/v1/purchases", s.handle(s.createPurchase))
	m.Handle("POST /api/v1/purchases/{id}/refunds", s.handle(s.createRefund))
	m.Handle("POST /api/v1/checkouts", s.handle(s.createCheckout))
	m.Handle("GET /api/v1/checkouts/{id}", s.handle(s.findCheckout))
	m.Handle("POST "+WebhookPath, s.handle(s.webhook))
	m.Handle("GET /api/v1/me/payout-account", s.handle(s.payoutAccount))
	m.Handle("POST /api/v1/me/payout-account/onboarding", s.handle(s.startOnboarding))
	m.Handle("GET "+OnboardedPath, s.handle(s.onboarded))
	m.Handle("GET "+PaidPath, s.handle(s.paid))
	m.Handle("GET "+payment.SandboxPagePrefix+"{session}", s.handle(s.paymentPage))
	m.Handle("POST "+payment.SandboxPagePrefix+"{session}", s.handle(s.payOnPage))
	m.Handle("GET /api/v1/me/library", s.handle(s.library))
	m.Handle("GET /api/v1/me/gifts", s.handle(s.gifts))
	m.Handle("POST /api/v1/me/gifts/{id}/link", s.handle(s.giftLink))
	m.Handle("GET /api/v1/gifts/{token}", s.handle(s.giftOffer))
	m.Handle("POST /api/v1/gifts/{token}/claim", s.handle(s.claimGift))
	m.Handle("GET /api/v1/purchases/{id}/archive.zip", s.handle(s.purchaseArchive))
	m.Handle("GET /api/v1/me/earnings", s.handle(s.earnings))
	m.Handle("GET /api/v1/me/earnings.csv", s.handle(s.earningsCSV))
	m.Handle("GET /api/v1/me/fans", s.handle(s.fans))
	m.Handle("GET /api/v1/me/fans.csv", s.handle(s.fansCSV))
	m.Handle("POST /api/v1/me/payouts", s.handle(s.requestPayout))
	m.Handle("GET /api/v1/me/payouts", s.handle(s.payouts))
	m.Handle("POST /api/v1/artists/{id}/follow", s.handle(s.follow))
	m.Handle("DELETE /api/v1/artists/{id}/follow", s.handle(s.follow))
	m.Handle("GET /api/v1/receipts/keys", s.handle(s.receiptKeys))
	s.codeRoutes()
	s.announcementRoutes()
	s.privacyRoutes()
	s.insightRoutes()
	s.extraRoutes()
	m.Handle("/api/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return api.Errorf(api.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path)
	}))
	// Everything else is the public web: pages for people, with a session
	// of their own (cookies), not the API's bearer tokens.
	m.Handle("/", s.throttleWeb(s.web()))
}

// withCookie signs in a request by the web's session cookie, for reads
// only: a page's links (a download, a cover) work in the browser, while
// anything that changes something needs the bearer token a page from
// another site cannot send. A stale cookie is no session, not an error.
func (s *Server) withCookie(r *http.Request) *http.Request {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return r
	}
	ck, err := r.Cookie(api.SessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 200 {
		return r
	}
	c, err := s.svc.Auth.Authenticate(r.Context(), ck.Value)
	if err != nil {
		return r
	}
	return r.WithContext(api.NewContextWithCaller(r.Context(), c))
}

// web is the public pages' handler, or a plain 404.
func (s *Server) web() http.Handler {
	if s.svc.Web != nil {
		return s.svc.Web
	}
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return api.Errorf(api.ENOTFOUND, "no such page: %s", r.URL.Path)
	})
}

// ServeHTTP implements http.Handler: request id, recovery, metrics and
// access logs around the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r, id := s.withRequestID(r)
	w.Header().Set(RequestIDHeader, id)
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	var body *countingBody
	if strings.HasPrefix(r.URL.Path, UploadsPath) && r.Body != nil && r.Body != http.NoBody {
		body = &countingBody{ReadCloser: r.Body}
		r.Body = body
	}
	route := ""
	s.metrics.inFlight.Inc()
	defer s.metrics.inFlight.Dec() // even when the handler aborts
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p)
			if !rec.wrote {
				writeError(rec, r, s.log, api.Errorf(api.EINTERNAL, "internal error"))
			}
		}
		took := time.Since(start)
		s.metrics.observe(route, r.Method, rec.status, took)
		if body != nil {
			s.metrics.uploadBytes.Add(float64(body.n))
		}
		s.log.InfoContext(r.Context(), "request", "method", r.Method, "route", route, "path", r.URL.Path, "status", rec.status,
			"bytes", rec.bytes, "ms", float64(took.Microseconds())/1000, "ip", s.clientIP(r))
	}()
	if !s.admit(rec, r) {
		return
	}
	if s.cfg.Busy != nil && !safeMethod(r.Method) {
		defer s.cfg.Busy.Begin()()
	}
	gw, gr := s.guard(rec, r)
	defer func() { route = gr.Pattern }() // the mux names the route on the request it is given
	s.mux.ServeHTTP(gw, gr)
}

// handle adapts an error-returning handler and resolves the caller.
func (s *Server) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := s.withCaller(r)
		if err == nil {
			err = fn(w, r)
		}
		if err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

// authenticate requires a valid session before next runs.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if _, err := api.RequireCaller(r.Context()); err != nil {
			return err
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

// withCaller resolves a bearer token. No token is an anonymous request; a
// bad token is an error even where anonymous access is allowed, so clients
// learn their session ended.
func (s *Server) withCaller(r *http.Request) (*http.Request, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return s.withCookie(r), nil
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" || len(token) > 200 {
		return r, api.Errorf(api.EUNAUTHORIZED, "Authorization must be \"Bearer <token>\"")
	}
	c, err := s.svc.Auth.Authenticate(r.Context(), token)
	if err != nil {
		return r, err
	}
	return r.WithContext(api.NewContextWithCaller(r.Context(), c)), nil
}

// clientAddr is the address a request comes from: the connection's peer,
// or, when the peer is a trusted reverse proxy, the right-most address in
// X-Forwarded-For that is not itself a trusted proxy. Proxies append the
// address they saw, so everything left of that one is the client's own say
// and is never believed. Without trusted proxies the header is ignored.
func clientAddr(remoteAddr string, forwarded []string, trusted []netip.Prefix) netip.Addr {
	peer := parseAddr(remoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	hops := strings.Split(strings.Join(forwarded, ","), ",")
	addr := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop := parseAddr(strings.TrimSpace(hops[i]))
		if !hop.IsValid() {
			break // not written by a proxy we trust: stop at the last good hop
		}
		addr = hop
		if !isTrusted(hop, trusted) {
			break
		}
	}
	return addr
}

// parseAddr reads "ip" or "ip:port" (IPv6 in brackets with a port), drops
// any zone and unmaps IPv4-mapped IPv6; it returns the zero Addr for
// anything else.
func parseAddr(s string) netip.Addr {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}
		}
		a = ap.Addr()
	}
	return a.WithZone("").Unmap()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// addrKey is what per-address limits count against: an IPv4 address, or
// an IPv6 address's /64, the smallest block a single subscriber is given.
func addrKey(a netip.Addr) string {
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

// clientIP is the address of r's client, for logs.
func (s *Server) clientIP(r *http.Request) string {
	if a := clientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.cfg.TrustedProxies); a.IsValid() {
		return a.String()
	}
	return r.RemoteAddr
}

// clientKey is the key r's client is limited by.
func (s *Server) clientKey(r *http.Request) string {
	if a := clientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.cfg.TrustedProxies); a.IsValid() {
		return addrKey(a)
	}
	return r.RemoteAddr
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (tus sets read
// deadlines through it).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// safeMethod says whether a request of this method only reads.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
