package http

import (
	"context"
	"html/template"
	"io"
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
)

// WebhookPath is where the payment provider delivers its events.
const WebhookPath = "/api/v1/webhooks/payments"

// maxWebhookBody bounds one event delivery (Stripe's are a few KiB), and
// webhookSlots how many are read at once.
const (
	maxWebhookBody = 1 << 20
	webhookSlots   = 16
)

// Payments takes payments through the provider's hosted page and learns
// of them from its signed webhook events.
type Payments interface {
	api.CheckoutService
	api.PayoutAccountService
	// HandleWebhook verifies and applies one delivery.
	HandleWebhook(ctx context.Context, payload []byte, signature string) (*api.WebhookOutcome, error)
	// PaymentPage and PayOnPageFrom serve the sandbox's own hosted page;
	// country is the payer's, as a real provider's page would collect it.
	PaymentPage(ctx context.Context, sessionRef string) (*api.PaymentPage, error)
	PayOnPageFrom(ctx context.Context, sessionRef, card, country string) (*api.WebhookOutcome, error)
}

func (s *Server) createCheckout(w http.ResponseWriter, r *http.Request) error {
	if _, err := api.RequireCaller(r.Context()); err != nil {
		return err
	}
	var in api.CheckoutCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.ReturnURL = s.absoluteURL(r, PaidPath)
	var co *api.Checkout
	var err error
	create := func() error {
		co, err = s.svc.Payments.CreateCheckout(r.Context(), r.Header.Get("Idempotency-Key"), in)
		return err
	}
	if in.Code != "" { // a code is tried here too: the same limits
		c, _ := api.RequireCaller(r.Context())
		err = s.tryCode(w, r, c.Account.ID, create)
	} else {
		err = create()
	}
	if err != nil {
		return err
	}
	s.absolute(r, co)
	w.Header().Set("Location", "/api/v1/checkouts/"+co.ID)
	writeJSON(w, http.StatusCreated, co)
	return nil
}

func (s *Server) findCheckout(w http.ResponseWriter, r *http.Request) error {
	co, err := s.svc.Payments.Checkout(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	s.absolute(r, co)
	writeJSON(w, http.StatusOK, co)
	return nil
}

// absolute makes a page served by this server (the sandbox's) an address
// a browser can open: the request's host, and the scheme a trusted proxy
// states.
func (s *Server) absolute(r *http.Request, co *api.Checkout) {
	if strings.HasPrefix(co.URL, "/") {
		co.URL = s.absoluteURL(r, co.URL)
	}
}

// absoluteURL is a path of this server as the client reaches it.
func (s *Server) absoluteURL(r *http.Request, path string) string {
	s.forwardedProto(r)
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// PaidPath is where a payment page sends the fan back.
const PaidPath = "/payments/done"

// paid thanks a fan back from a payment page; the app (or the page the
// fan came from) learns the outcome from the platform, not from here.
func (s *Server) paid(w http.ResponseWriter, r *http.Request) error {
	msg := "Thank you. Megabox confirms the payment in a moment: you can close this page and return to Megabox."
	if r.URL.Query().Get("cancelled") != "" {
		msg = "The payment was cancelled: nothing was charged. You can close this page and return to Megabox."
	}
	return plainPage(w, msg)
}

func (s *Server) payoutAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svc.Payments.PayoutAccount(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// OnboardedPath is where the provider's onboarding sends a creator back.
const OnboardedPath = "/payments/onboarded"

func (s *Server) startOnboarding(w http.ResponseWriter, r *http.Request) error {
	back := &api.Checkout{URL: OnboardedPath}
	s.absolute(r, back)
	o, err := s.svc.Payments.StartOnboarding(r.Context(), back.URL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) onboarded(w http.ResponseWriter, r *http.Request) error {
	return plainPage(w, "Thank you. Your payout details are being checked: you can close this page and return to Megabox.")
}

// plainPage is a page of one sentence, where a payment provider sends
// people back.
func plainPage(w http.ResponseWriter, msg string) error {
	return plainPageStatus(w, http.StatusOK, msg)
}

func plainPageStatus(w http.ResponseWriter, status int, msg string) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	return plainTemplate.Execute(w, msg)
}

var plainTemplate = template.Must(template.New("plain").Parse(`<!doctype html><html lang="en"><meta charset="utf-8">` +
	`<meta name="viewport" content="width=device-width, initial-scale=1"><title>Megabox</title>` +
	`<style>body{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0 16px}</style>` +
	`<p role="status">{{.}}</p></html>`))

// webhook takes one event delivery from the payment provider. Any answer
// but 2xx makes the provider deliver it again later.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) error {
	// Deliveries are read whole before their signature can be checked: at
	// most webhookSlots of them are in memory at once; the provider
	// delivers a refused one again.
	select {
	case s.webhookSlots <- struct{}{}:
		defer func() { <-s.webhookSlots }()
	default:
		return api.Errorf(api.EUNAVAILABLE, "too many event deliveries at once: deliver again later")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		if isMaxBytes(err) {
			return errTooLarge
		}
		return api.Errorf(api.EINVALID, "read the event: %v", err)
	}
	out, err := s.svc.Payments.HandleWebhook(r.Context(), body, r.Header.Get("Stripe-Signature"))
	if err != nil {
		s.log.WarnContext(r.Context(), "payment event refused", "error", err)
		return err
	}
	s.log.InfoContext(r.Context(), "payment event", "id", out.EventID, "type", out.Type, "effect", out.Effect, "detail", out.Detail)
	writeJSON(w, http.StatusOK, map[string]any{"received": true, "effect": out.Effect})
	return nil
}

// pageData is what the payment page template shows.
type pageData struct {
	Missing string // the page does not exist: why
	Page    *api.PaymentPage
	Amount  string // "10.00 EUR"
	Error   string
	Card    string
	Paid    bool
	Cards   []testCard
}

type testCard struct{ Number, Outcome string }

var testCards = []testCard{
	{"4242 4242 4242 4242", "pays"},
	{"4000 0000 0000 0002", "is declined"},
	{"4000 0000 0000 9995", "has insufficient funds"},
	{"4000 0000 0000 0259", "pays, then the payment is disputed"},
}

func newPageData(page *api.PaymentPage) pageData {
	return pageData{Page: page, Amount: api.FormatCents(page.Checkout.AmountCents, page.Checkout.Currency),
		Paid: page.Checkout.State == api.CheckoutPaid, Cards: testCards}
}

func (s *Server) paymentPage(w http.ResponseWriter, r *http.Request) error {
	page, err := s.svc.Payments.PaymentPage(r.Context(), r.PathValue("session"))
	if err != nil {
		return pageError(w, err)
	}
	return renderPage(w, http.StatusOK, newPageData(page))
}

// pageError answers a browser in HTML: a page that does not exist says so
// as a page, not as an API problem.
func pageError(w http.ResponseWriter, err error) error {
	if api.ErrorCode(err) != api.ENOTFOUND {
		return err
	}
	return renderPage(w, http.StatusNotFound, pageData{Missing: api.ErrorMessage(err)})
}

func (s *Server) payOnPage(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		return api.Errorf(api.EINVALID, "the payment form could not be read")
	}
	ref, card := r.PathValue("session"), r.PostForm.Get("card")
	_, payErr := s.svc.Payments.PayOnPageFrom(r.Context(), ref, card, payerCountry(r))
	page, err := s.svc.Payments.PaymentPage(r.Context(), ref)
	if err != nil {
		return pageError(w, err)
	}
	d := newPageData(page)
	status := http.StatusOK
	if payErr != nil && !d.Paid {
		d.Error, d.Card, status = api.ErrorMessage(payErr), card, http.StatusPaymentRequired
		if api.ErrorCode(payErr) == api.EINVALID {
			status = http.StatusBadRequest
		}
	}
	return renderPage(w, status, d)
}

// renderPage writes the payment page. The page's address is its key, so
// it is never sent as a referrer, framed, or cached.
func renderPage(w http.ResponseWriter, status int, d pageData) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return pageTemplate.Execute(w, d)
}

var pageTemplate = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{if .Missing}}Payment page not found{{else}}Pay for {{.Page.Title}}{{end}} · Megabox</title>
<style>
:root { color-scheme: light dark; --accent: #c4391a; --bad: #c53030; }
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: Canvas; }
main { width: min(420px, 100% - 32px); padding: 24px; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 12px; }
h1 { font-size: 1.25rem; margin: 0 0 4px; }
.amount { font-size: 2rem; font-weight: 700; margin: 12px 0 0; }
.muted { opacity: .7; font-size: .9rem; }
label { display: block; margin: 16px 0 4px; font-weight: 600; }
input { width: 100%; box-sizing: border-box; font: inherit; padding: 10px; border-radius: 8px; border: 1px solid color-mix(in srgb, CanvasText 30%, transparent); }
button { width: 100%; margin-top: 16px; padding: 12px; font: inherit; font-weight: 600; border: 0; border-radius: 8px; background: var(--accent); color: white; cursor: pointer; }
button:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.error { color: var(--bad); margin: 8px 0 0; }
.error::first-letter { text-transform: uppercase; }
.ok { font-size: 1.1rem; }
.back { display: block; text-align: center; padding: 12px; border-radius: 8px; background: var(--accent); color: white; font-weight: 600; text-decoration: none; }
.badge { display: inline-block; font-size: .75rem; padding: 2px 8px; border-radius: 99px; background: #ffe082; color: #5d4000; }
ul { padding-left: 20px; margin: 4px 0 0; }
code { font-size: .9rem; }
</style>
</head>
<body>
<main>
{{if .Missing}}
<h1>Payment page not found</h1>
<p class="error" data-testid="missing" role="alert">{{.Missing}}. Start again from Megabox.</p>
{{else}}
<p><span class="badge">Test mode — no real money moves</span></p>
<h1>{{.Page.Title}}</h1>
<p class="muted">by {{.Page.ArtistName}}</p>
<p class="amount" data-testid="amount">{{.Amount}}</p>
<p class="muted" data-testid="split">{{.Page.SplitWords}}</p>
{{if .Paid}}
<p class="ok" data-testid="paid" role="status">Payment received. You can close this page and return to Megabox: your purchase is in your library.</p>
{{with .Page.ReturnURL}}<p><a class="back" data-testid="back" href="{{.}}">Back to Megabox</a></p>{{end}}
{{else if eq .Page.Checkout.State "open"}}
<form method="post" autocomplete="off">
<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required value="{{.Card}}"{{if .Error}} aria-invalid="true" aria-describedby="card-error"{{end}}>
{{if .Error}}<p class="error" id="card-error" role="alert" data-testid="error">{{.Error}}</p>{{end}}
<button type="submit">Pay {{.Amount}}</button>
</form>
<p class="muted">Test cards (any expiry, any CVC):</p>
<ul class="muted">{{range .Cards}}<li><code>{{.Number}}</code> {{.Outcome}}</li>{{end}}</ul>
{{else}}
<p class="error" data-testid="closed" role="alert">This payment page has {{if eq .Page.Checkout.State "expired"}}expired{{else}}closed{{end}}. Start again from Megabox.{{with .Page.Checkout.Error}} {{.}}{{end}}</p>
{{end}}
{{end}}
</main>
</body>
</html>
`))

// payerCountry is where the sandbox's payer is: the form's country field
// if it has one, else the region of the browser's preferred language
// ("fr-BE" → BE), as close as a test page gets to a billing address.
func payerCountry(r *http.Request) string {
	if c := payment.CountryCode(r.PostForm.Get("country")); c != "" {
		return c
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil {
		return ""
	}
	for _, t := range tags {
		if reg, conf := t.Region(); conf == language.Exact {
			return payment.CountryCode(reg.String())
		}
	}
	return ""
}
