package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/payment/stripe"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/stripetest"
)

// TestStripeMode: with Stripe configured (stripe-mock here), card data is
// refused; a creator sells only once Stripe says their account takes
// charges; a checkout is a Stripe Checkout Session.
func TestStripeMode(t *testing.T) {
	cfg := platform.DefaultConfig
	cfg.Payments = stripe.New(stripe.Config{SecretKey: "sk_test_megabox", WebhookSecret: webhookSecret, BackendURL: stripetest.URL(t)})
	e := newEnv(t, cfg)
	s := &shop{env: e}
	s.ann, _ = e.signUp("Ann", true)
	s.fan, _ = e.signUp("Fan", false)
	s.rel = e.published(s.ann, "Tides", 1, nil)
	ctx := context.Background()

	if _, err := buy(s.fan, s.rel.ID, 1000, "k0"); api.ErrorCode(err) != api.EINVALID || !strings.Contains(api.ErrorMessage(err), "/api/v1/checkouts") {
		t.Fatalf("card data with Stripe: %v", err)
	}
	in := api.CheckoutCreate{ReleaseID: s.rel.ID, AmountCents: 1000, Currency: "EUR"}
	if _, err := s.fan.CreateCheckout(ctx, "k1", in); api.ErrorCode(err) != api.ECONFLICT {
		t.Fatalf("checkout before onboarding: %v", err)
	}
	acct, err := s.ann.PayoutAccount(ctx)
	if err != nil || acct.Provider != "stripe" || !acct.NeedsOnboarding || acct.Started {
		t.Fatalf("payout account before onboarding = %+v, %v", acct, err)
	}
	o, err := s.ann.StartOnboarding(ctx, "")
	if err != nil || !strings.HasPrefix(o.URL, "https://") {
		t.Fatalf("onboarding = %+v, %v", o, err)
	}
	var ref string
	if err := e.p.DB.ReadDB().QueryRow(`SELECT ref FROM payment_accounts`).Scan(&ref); err != nil || !strings.HasPrefix(ref, "acct_") {
		t.Fatalf("connected account %q, %v", ref, err)
	}
	updated, sig, err := payment.SignStripeEvent("evt_acct", payment.EventAccountUpdated, map[string]any{"id": ref, "object": "account",
		"charges_enabled": true, "payouts_enabled": true}, webhookSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code, body := s.deliver(updated, sig); code != 200 || !strings.Contains(body, `"applied"`) {
		t.Fatalf("account.updated: %d %s", code, body)
	}
	if acct, err = s.ann.PayoutAccount(ctx); err != nil || acct.NeedsOnboarding || !acct.ChargesEnabled {
		t.Fatalf("payout account after onboarding = %+v, %v", acct, err)
	}
	co, err := s.fan.CreateCheckout(ctx, "k1", in)
	if err != nil || co.State != api.CheckoutOpen || !strings.HasPrefix(co.URL, "https://") {
		t.Fatalf("checkout = %+v, %v", co, err)
	}
	var session string
	if err := e.p.DB.ReadDB().QueryRow(`SELECT session_ref FROM checkouts WHERE id = ?`, co.ID).Scan(&session); err != nil || !strings.HasPrefix(session, "cs_") {
		t.Fatalf("session %q, %v", session, err)
	}
	// The sandbox's page does not exist in Stripe mode.
	if code, _, _ := e.raw("GET", payment.SandboxPagePrefix+session, "", nil); code != 404 {
		t.Fatalf("sandbox page in Stripe mode: %d", code)
	}
}
