package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// errNoPage: the session is not an open sandbox checkout.
var errNoPage = api.Errorf(api.ENOTFOUND, "this payment page does not exist or has expired")

// PaymentPage returns what the sandbox's hosted page for a session shows.
// The session id in its address is the page's only key: it is random and
// given to the fan alone.
func (s *PurchaseService) PaymentPage(ctx context.Context, sessionRef string) (*api.PaymentPage, error) {
	_, rec, err := s.sandboxCheckout(ctx, sessionRef)
	if err != nil {
		return nil, err
	}
	view, err := s.checkoutView(ctx, rec)
	if err != nil {
		return nil, err
	}
	rel, err := s.st.Release(ctx, rec.ReleaseID)
	if err != nil {
		return nil, err
	}
	fan, err := s.st.Account(ctx, rec.FanID)
	if err != nil {
		return nil, err
	}
	split, err := ledger.SplitGross(rec.AmountCents, s.rateBps)
	if err != nil {
		return nil, err
	}
	return &api.PaymentPage{Checkout: *view, Title: rel.Title, ArtistName: rel.ArtistName,
		SplitWords: splitWords(split, rec.Currency), FanEmail: fan.Email, ReturnURL: rec.ReturnURL}, nil
}

// PayOnPage takes a test card on the sandbox's page and delivers the
// signed confirmation to the webhook path, as Stripe would. A declined
// card is api.EPAYMENT and leaves the checkout open.
func (s *PurchaseService) PayOnPage(ctx context.Context, sessionRef, card string) (*api.WebhookOutcome, error) {
	return s.PayOnPageFrom(ctx, sessionRef, card, "")
}

// PayOnPageFrom is PayOnPage by a payer in country (ISO 3166-1 alpha-2;
// empty or malformed: unknown), which the confirmation carries as
// Stripe's carries the address the page collected.
func (s *PurchaseService) PayOnPageFrom(ctx context.Context, sessionRef, card, country string) (*api.WebhookOutcome, error) {
	sb, rec, err := s.sandboxCheckout(ctx, sessionRef)
	if err != nil {
		return nil, err
	}
	if rec.State != api.CheckoutOpen || !s.clock().Before(rec.ExpiresAt) {
		return nil, errNoPage
	}
	card = strings.Join(strings.Fields(card), "")
	// Signed at the real time, as the provider's would be: the webhook
	// path refuses old deliveries whatever the services' clock says.
	payload, header, err := sb.Pay(rec.SessionRef, rec.ID, rec.AmountCents, rec.Currency, card, payment.CountryCode(country), time.Now())
	if err != nil {
		return nil, err
	}
	out, err := s.HandleWebhook(ctx, payload, header)
	if err != nil || card != payment.CardDisputed {
		return out, err
	}
	p, err := s.st.Checkout(ctx, rec.ID)
	if err != nil || p.PurchaseID == 0 {
		return out, err
	}
	sale, err := s.st.Sale(ctx, p.PurchaseID)
	if err != nil {
		return out, err
	}
	payload, header, err = sb.Dispute(sale.PaymentRef, rec.AmountCents, rec.Currency, time.Now())
	if err != nil {
		return out, err
	}
	_, err = s.HandleWebhook(ctx, payload, header)
	return out, err
}

// sandboxCheckout finds the checkout behind a sandbox page.
func (s *PurchaseService) sandboxCheckout(ctx context.Context, sessionRef string) (payment.Pages, *store.Checkout, error) {
	sb, ok := s.provider.(payment.Pages)
	if !ok {
		return nil, nil, errNoPage
	}
	rec, err := s.st.CheckoutBySession(ctx, sb.Name(), sessionRef)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errNoPage
	}
	return sb, rec, err
}
