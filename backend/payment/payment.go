// Package payment is the boundary to payment providers. The ledger never
// sees a provider: a provider hosts a payment page, confirms payments by
// signed webhook events, refunds and reports its fees, and the services
// record the results. Every provider speaks Stripe's event format: the
// embedded Sandbox signs Stripe-shaped events with its own secret, so the
// sandbox and Stripe share one webhook path and one parser.
package payment

import (
	"context"
	"errors"
	"time"
)

// Provider takes payments through hosted checkout pages.
type Provider interface {
	// Name identifies the provider in the ledger ("sandbox", "stripe").
	Name() string
	// CreateCheckout opens a hosted payment page for one purchase.
	CreateCheckout(ctx context.Context, r CheckoutRequest) (*Session, error)
	// Settlement reads what a completed checkout (its event) charged: the
	// charge and the provider's fee, which the platform pays.
	Settlement(ctx context.Context, e *Event) (*Settlement, error)
	// Transfer sends part of a charge to a payee's connected account
	// (sales with several payees); the same IdempotencyKey is one transfer.
	Transfer(ctx context.Context, r TransferRequest) (string, error)
	// Refund returns part of a charge to the payer and says what the
	// provider reversed on each side.
	Refund(ctx context.Context, r RefundRequest) (*RefundResult, error)
	// ParseWebhook verifies a webhook delivery's signature and age and
	// returns its event; ErrSignature when it cannot be trusted.
	ParseWebhook(payload []byte, signatureHeader string) (*Event, error)
	// Onboard starts or resumes a creator's connected-account onboarding.
	// A provider with nothing to onboard returns ErrNoOnboarding.
	Onboard(ctx context.Context, r OnboardRequest) (*Onboarding, error)
	// BalanceTransactions lists the platform balance's movements since a
	// time, oldest first, for reconciliation.
	BalanceTransactions(ctx context.Context, since time.Time) ([]BalanceTxn, error)
}

// DirectCharger takes a card number directly. Only the sandbox does: with
// a real provider, card data never reaches the platform.
type DirectCharger interface {
	// Charge takes a payment. api.EPAYMENT when declined, api.EINVALID for
	// a malformed card (Field "payment.card_number"). The same
	// IdempotencyKey returns the same charge.
	Charge(ctx context.Context, r ChargeRequest) (*Charge, error)
}

// Errors a provider returns.
var (
	ErrSignature    = errors.New("payment: webhook signature cannot be trusted")
	ErrNoOnboarding = errors.New("payment: this provider needs no onboarding")
)

// Payee is a connected account and the cents it receives of a sale.
type Payee struct {
	AccountRef string // the provider's id of the connected account
	Cents      int64
}

// CheckoutRequest asks for a hosted payment page.
type CheckoutRequest struct {
	CheckoutID     string // ours; comes back as the event's CheckoutID
	IdempotencyKey string
	AmountCents    int64
	Currency       string // ISO 4217, upper case
	Description    string // the release title, shown on the page
	CustomerEmail  string
	// ApplicationFeeCents is the platform's share. With one payee it is a
	// destination charge: the payee receives AmountCents minus it, and the
	// provider's fee comes out of it. With several payees the platform
	// keeps the whole charge and sends each payee a Transfer tied to
	// TransferGroup once the payment is confirmed.
	ApplicationFeeCents int64
	Payees              []Payee
	TransferGroup       string
	SuccessURL          string
	CancelURL           string
	ExpiresAt           time.Time
}

// Session is an open hosted payment page.
type Session struct {
	Ref string // the provider's id of the checkout session
	URL string // where the fan pays
}

// Settlement is what a completed checkout charged.
type Settlement struct {
	ChargeRef   string
	AmountCents int64
	Currency    string
	FeeCents    int64  // the provider's processing fee
	Country     string // the payer's (ISO 3166-1 alpha-2), if the provider knows it
}

// TransferRequest moves part of a charge to a payee.
type TransferRequest struct {
	IdempotencyKey  string
	Payee           Payee
	Currency        string
	SourceChargeRef string
	TransferGroup   string
}

// RefundRequest returns part of a charge.
type RefundRequest struct {
	IdempotencyKey string
	ChargeRef      string
	AmountCents    int64
	// A destination charge's refund also reverses the payee's transfer and
	// the platform's application fee in proportion.
	ReverseTransfer      bool
	RefundApplicationFee bool
	// Transfers to reverse for a sale with several payees, with the cents
	// to take back from each.
	TransferReversals []TransferReversal
}

// TransferReversal takes cents back from one transfer.
type TransferReversal struct {
	TransferRef string
	Cents       int64
}

// RefundResult is what the provider reversed.
type RefundResult struct {
	Ref                 string
	AmountCents         int64 // returned to the payer
	TransferReversed    int64 // taken back from payees
	ApplicationFeeCents int64 // of the platform's fee, returned
}

// OnboardRequest starts a creator's onboarding.
type OnboardRequest struct {
	// IdempotencyKey makes retries of a creator's first onboarding one
	// connected account.
	IdempotencyKey string
	AccountRef     string // empty for a creator not yet onboarding
	Email          string
	Country        string
	ReturnURL      string
	RefreshURL     string
}

// Onboarding is a connected account and where its owner completes it.
type Onboarding struct {
	AccountRef string
	URL        string
}

// Event kinds the platform acts upon; any other event is EventOther,
// acknowledged and logged.
const (
	EventOther             = ""
	EventCheckoutCompleted = "checkout.session.completed"
	EventCheckoutExpired   = "checkout.session.expired"
	// A delayed payment method (a bank debit) confirms or fails later.
	EventCheckoutAsyncPaid   = "checkout.session.async_payment_succeeded"
	EventCheckoutAsyncFailed = "checkout.session.async_payment_failed"
	EventChargeRefunded      = "charge.refunded"
	EventDisputeCreated      = "charge.dispute.created"
	EventDisputeClosed       = "charge.dispute.closed"
	EventAccountUpdated      = "account.updated"
)

// Event is a verified webhook event in the platform's terms.
type Event struct {
	ID      string // the provider's event id: one delivery or many, one effect
	Type    string // the provider's event type
	Kind    string // one of the Event* kinds
	Created time.Time

	CheckoutID  string // ours, for checkout events
	SessionRef  string
	ChargeRef   string // charge events, disputes
	AmountCents int64  // checkout total, dispute amount
	Currency    string
	// RefundedCents is a charge's total refunded so far (charge.refunded).
	RefundedCents int64
	// Country is the payer's, from a checkout's address (ISO 3166-1
	// alpha-2); empty when the provider did not ask.
	Country string

	DisputeRef    string
	DisputeStatus string // "won", "lost", … (charge.dispute.closed)

	AccountRef     string // account.updated
	ChargesEnabled bool
	PayoutsEnabled bool
}

// BalanceTxn is one movement of the platform's balance at the provider.
type BalanceTxn struct {
	Ref         string
	Type        string // charge, refund, transfer, application_fee, adjustment, …
	SourceRef   string // the charge, refund or transfer it comes from
	AmountCents int64  // signed: + into the balance
	FeeCents    int64
	Currency    string
	Created     time.Time
}

// ChargeRequest is one direct payment (sandbox only).
type ChargeRequest struct {
	// IdempotencyKey makes retries of one checkout one charge.
	IdempotencyKey      string
	AmountCents         int64
	Currency            string
	CardNumber          string
	CreatorID           int64
	ApplicationFeeCents int64
	Description         string
}

// Charge is a successful direct payment.
type Charge struct {
	Ref      string // the provider's id for the charge
	FeeCents int64  // what the provider keeps; the platform pays it
}
