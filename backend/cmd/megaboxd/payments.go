package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/payment/stripe"
)

// paymentFlags are the payment provider's settings. The secrets come from
// the environment only: a command line shows in every process list.
type paymentFlags struct {
	api, country string
}

func (f *paymentFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.api, "stripe-api", os.Getenv("MEGABOX_STRIPE_API"), "Stripe API base URL (env MEGABOX_STRIPE_API; default: https://api.stripe.com)")
	fs.StringVar(&f.country, "stripe-country", envOr("MEGABOX_STRIPE_COUNTRY", ""), "country of new creator accounts, ISO 3166-1 alpha-2 (env MEGABOX_STRIPE_COUNTRY; default: the platform's)")
}

// provider is Stripe Connect when MEGABOX_STRIPE_SECRET_KEY is set, and
// nil (the embedded sandbox) otherwise.
func (f *paymentFlags) provider() (payment.Provider, error) {
	key, secret := os.Getenv("MEGABOX_STRIPE_SECRET_KEY"), os.Getenv("MEGABOX_STRIPE_WEBHOOK_SECRET")
	if key == "" {
		if secret != "" {
			return nil, fmt.Errorf("MEGABOX_STRIPE_WEBHOOK_SECRET is set without MEGABOX_STRIPE_SECRET_KEY")
		}
		return nil, nil
	}
	if !strings.HasPrefix(key, "sk_") && !strings.HasPrefix(key, "rk_") {
		return nil, fmt.Errorf("MEGABOX_STRIPE_SECRET_KEY must be a secret or restricted key (sk_… or rk_…)")
	}
	if !strings.HasPrefix(secret, "whsec_") {
		return nil, fmt.Errorf("MEGABOX_STRIPE_WEBHOOK_SECRET must be the webhook endpoint's signing secret (whsec_…): without it no payment can be confirmed")
	}
	if f.country != "" && len(f.country) != 2 {
		return nil, fmt.Errorf("--stripe-country must be a two-letter country code, e.g. FR")
	}
	return stripe.New(stripe.Config{SecretKey: key, WebhookSecret: secret, BackendURL: f.api, Country: strings.ToUpper(f.country)}), nil
}
