package app

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment/stripe"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/stripetest"
)

// appOn is the app signed in as a new creator on a real megaboxd
// configured as cfg, with the system browser replaced by a recorder.
func appOn(t *testing.T, cfg platform.Config) (*App, *pageOpener) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	p, err := platform.Open(context.Background(), t.TempDir(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	a := New(Config{Home: t.TempDir(), PlatformURL: srv.URL, Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	browser := &pageOpener{}
	a.browse = browser.open
	if _, err := (&AccountAPI{a}).SignUp("ann@example.com", "a long enough password", "Ann", true); err != nil {
		t.Fatal(err)
	}
	return a, browser
}

// In sandbox mode there is nothing to set up: the account takes charges,
// and asking to set it up opens nothing.
func TestPayoutAccountInSandboxMode(t *testing.T) {
	a, browser := appOn(t, platform.DefaultConfig)
	x := &EarningsAPI{a}
	acct, err := x.PayoutAccount()
	if err != nil || acct.NeedsOnboarding || acct.Started || !acct.ChargesEnabled {
		t.Fatalf("sandbox payout account = %+v, %v", acct, err)
	}
	if got := decodeUIError(t, x.SetUpPayouts()); got["code"] != api.ECONFLICT {
		t.Fatalf("setting up payouts in sandbox mode: %v, want a conflict", got)
	}
	if pages := browser.opened(); len(pages) != 0 {
		t.Fatalf("opened %q", pages)
	}
}

// With Stripe, a new creator needs onboarding; setting up payouts opens
// Stripe's onboarding link in the system browser, and the account is then
// started.
func TestSetUpPayoutsOpensStripeOnboarding(t *testing.T) {
	cfg := platform.DefaultConfig
	cfg.Payments = stripe.New(stripe.Config{SecretKey: "sk_test_megabox", WebhookSecret: "whsec_test", BackendURL: stripetest.URL(t)})
	a, browser := appOn(t, cfg)
	x := &EarningsAPI{a}
	acct, err := x.PayoutAccount()
	if err != nil || acct.Provider != "stripe" || !acct.NeedsOnboarding || acct.Started || acct.ChargesEnabled {
		t.Fatalf("payout account before onboarding = %+v, %v", acct, err)
	}
	if err := x.SetUpPayouts(); err != nil {
		t.Fatal(err)
	}
	pages := browser.opened()
	if len(pages) != 1 || !strings.HasPrefix(pages[0], "https://") {
		t.Fatalf("opened %q, want one https onboarding page", pages)
	}
	acct, err = x.PayoutAccount()
	if err != nil || !acct.Started || !acct.NeedsOnboarding {
		t.Fatalf("payout account after opening onboarding = %+v, %v", acct, err)
	}
}
