package api

import (
	"context"
	"time"
)

// CheckoutCreate asks for a hosted payment page for one release.
type CheckoutCreate struct {
	ReleaseID   int64  `json:"release_id"`
	AmountCents int64  `json:"amount_cents"`
	Currency    string `json:"currency"`
	// ShareEmail lets the artist see the fan's email address.
	ShareEmail bool `json:"share_email"`
	// Code is a discount code for the release; the checkout holds it
	// until it is paid (the code is then used) or ends unpaid.
	Code string `json:"code,omitempty"`
	// Gift buys the release for someone else, by email address.
	Gift *GiftCreate `json:"gift,omitempty"`
	// ReturnURL is where the payment page sends the fan back: set by the
	// platform (a page of its own), never by a client.
	ReturnURL string `json:"-"`
}

// Checkout states. A checkout is open until the provider confirms the
// payment (paid), its page expires (expired), or a confirmed payment
// cannot become a sale and is given back (failed).
const (
	CheckoutOpen    = "open"
	CheckoutPaid    = "paid"
	CheckoutExpired = "expired"
	CheckoutFailed  = "failed"
)

// Checkout is a purchase waiting for its payment.
type Checkout struct {
	ID          string `json:"id"`
	State       string `json:"state"`
	URL         string `json:"url"` // the hosted payment page: open it in a browser
	ReleaseID   int64  `json:"release_id"`
	AmountCents int64  `json:"amount_cents"`
	Currency    string `json:"currency"`
	// Purchase is the sale once the checkout is paid.
	Purchase *Purchase `json:"purchase,omitempty"`
	// Error says why a failed checkout failed.
	Error     string    `json:"error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CheckoutService sells releases through the provider's hosted page; the
// sale is written when the provider confirms the payment.
type CheckoutService interface {
	// CreateCheckout opens a payment page for the caller. The same
	// idempotency key returns the same checkout; with another request body
	// it is EIDEMPOTENCY. EINVALID, ENOTFOUND and ECONFLICT as for
	// CreatePurchase.
	CreateCheckout(ctx context.Context, idempotencyKey string, in CheckoutCreate) (*Checkout, error)
	// Checkout returns one of the caller's checkouts; ENOTFOUND for
	// anyone else's.
	Checkout(ctx context.Context, id string) (*Checkout, error)
}

// WebhookOutcome is what one delivery of a provider's event did.
type WebhookOutcome struct {
	EventID string
	Type    string
	Effect  string // applied, duplicate, ignored
	Detail  string
}

// PaymentPage is what the sandbox's hosted payment page shows.
type PaymentPage struct {
	Checkout   Checkout
	Title      string
	ArtistName string
	SplitWords string // "9.00 EUR to the artist, 1.00 EUR to Megabox"
	FanEmail   string
	// ReturnURL is where the fan goes back to once they have paid.
	ReturnURL string
}

// PayoutAccount is how a creator gets paid at the payment provider.
type PayoutAccount struct {
	Provider        string `json:"provider"`
	Started         bool   `json:"started"`
	NeedsOnboarding bool   `json:"needs_onboarding"` // sales wait until it is complete
	ChargesEnabled  bool   `json:"charges_enabled"`
	PayoutsEnabled  bool   `json:"payouts_enabled"`
}

// Onboarding is where a creator completes their payout account.
type Onboarding struct {
	URL string `json:"url"` // open in a browser
}

// PayoutAccountService sets creators up to be paid.
type PayoutAccountService interface {
	PayoutAccount(ctx context.Context) (*PayoutAccount, error)
	// StartOnboarding returns a link to the provider's onboarding, which
	// comes back to returnURL. ECONFLICT when the provider needs none.
	StartOnboarding(ctx context.Context, returnURL string) (*Onboarding, error)
}
