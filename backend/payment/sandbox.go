package payment

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Sandbox test cards, as Stripe's.
const (
	CardSuccess      = "4242424242424242"
	CardDeclined     = "4000000000000002"
	CardInsufficient = "4000000000009995"
	// CardDisputed pays, then its charge is disputed at once.
	CardDisputed = "4000000000000259"
)

// SandboxPagePrefix is where megaboxd serves the sandbox's hosted pages.
const SandboxPagePrefix = "/pay/"

// ErrNoBalance: the sandbox moves no money, so it has no balance to
// reconcile the ledger with.
var ErrNoBalance = errors.New("payment: the sandbox keeps no balance to reconcile with")

// Sandbox is the embedded provider for development, demos and tests: its
// hosted page takes Stripe's test cards, and it confirms payments with
// Stripe-format events signed with its own secret, delivered to the same
// webhook path as Stripe's. Its state is the platform's checkouts, so it
// works on every node and across restarts (given one Secret).
type Sandbox struct {
	secret string

	mu      sync.Mutex
	charges map[string]*Charge // direct charges by idempotency key
	n       int
}

var (
	_ Provider      = (*Sandbox)(nil)
	_ DirectCharger = (*Sandbox)(nil)
	_ Pages         = (*Sandbox)(nil)
)

// Pages is a provider whose hosted payment pages megaboxd serves itself:
// what the page's form is paid with becomes a signed event.
type Pages interface {
	Provider
	Pay(sessionRef, checkoutID string, amount int64, currency, card, country string, at time.Time) (payload []byte, header string, err error)
	Dispute(chargeRef string, amount int64, currency string, at time.Time) (payload []byte, header string, err error)
}

// NewSandbox returns a sandbox signing its events with a random secret.
func NewSandbox() *Sandbox { return NewSandboxWithSecret(randomID(32)) }

// NewSandboxWithSecret returns a sandbox signing with secret, so nodes
// sharing it accept each other's events.
func NewSandboxWithSecret(secret string) *Sandbox {
	return &Sandbox{secret: secret, charges: map[string]*Charge{}}
}

// Secret is the webhook signing secret.
func (s *Sandbox) Secret() string { return s.secret }

// Name implements Provider.
func (s *Sandbox) Name() string { return "sandbox" }

// CreateCheckout implements Provider: the page is megaboxd's own, at a
// path only the fan is given (the session id is unguessable).
func (s *Sandbox) CreateCheckout(ctx context.Context, r CheckoutRequest) (*Session, error) {
	ref := "cs_sb_" + randomID(16)
	return &Session{Ref: ref, URL: SandboxPagePrefix + ref}, nil
}

// Pay takes a test card on the hosted page and returns the signed
// checkout.session.completed delivery for the webhook path, with the
// payer's country in its address as Stripe's (none when country is
// empty). A declined card is api.EPAYMENT and delivers nothing; the fan
// may try again.
func (s *Sandbox) Pay(sessionRef, checkoutID string, amount int64, currency, card, country string, at time.Time) (payload []byte, header string, err error) {
	if err := checkCard(card); err != nil {
		return nil, "", err
	}
	session := map[string]any{
		"id": sessionRef, "object": "checkout.session", "client_reference_id": checkoutID, "amount_total": amount,
		"currency": strings.ToLower(currency), "payment_status": "paid", "status": "complete",
		"payment_intent": "pi_" + strings.TrimPrefix(sessionRef, "cs_"),
	}
	if country != "" {
		session["customer_details"] = map[string]any{"address": map[string]any{"country": country}}
	}
	return SignStripeEvent("evt_sb_"+randomID(12), EventCheckoutCompleted, session, s.secret, at)
}

// Dispute returns the signed charge.dispute.created delivery for a charge
// paid with CardDisputed.
func (s *Sandbox) Dispute(chargeRef string, amount int64, currency string, at time.Time) (payload []byte, header string, err error) {
	d := map[string]any{"id": "dp_" + strings.TrimPrefix(chargeRef, "ch_"), "object": "dispute", "charge": chargeRef,
		"amount": amount, "currency": strings.ToLower(currency), "status": "needs_response"}
	return SignStripeEvent("evt_sb_"+randomID(12), EventDisputeCreated, d, s.secret, at)
}

// Settlement implements Provider: a sandbox charge costs SandboxFee.
func (s *Sandbox) Settlement(ctx context.Context, e *Event) (*Settlement, error) {
	return &Settlement{ChargeRef: "ch_" + strings.TrimPrefix(e.SessionRef, "cs_"), AmountCents: e.AmountCents,
		Currency: e.Currency, FeeCents: SandboxFee(e.AmountCents), Country: e.Country}, nil
}

// Transfer implements Provider; one key is one transfer.
func (s *Sandbox) Transfer(ctx context.Context, r TransferRequest) (string, error) {
	return "tr_sb_" + digest(r.IdempotencyKey), nil
}

// Refund implements Provider. The sandbox reverses what it is asked to.
func (s *Sandbox) Refund(ctx context.Context, r RefundRequest) (*RefundResult, error) {
	res := &RefundResult{Ref: "re_sb_" + digest(r.IdempotencyKey), AmountCents: r.AmountCents}
	for _, t := range r.TransferReversals {
		res.TransferReversed += t.Cents
	}
	return res, nil
}

// ParseWebhook implements Provider.
func (s *Sandbox) ParseWebhook(payload []byte, header string) (*Event, error) {
	return ParseStripeEvent(payload, header, s.secret, DefaultTolerance)
}

// Onboard implements Provider: sandbox creators sell without onboarding.
func (s *Sandbox) Onboard(ctx context.Context, r OnboardRequest) (*Onboarding, error) {
	return nil, ErrNoOnboarding
}

// BalanceTransactions implements Provider.
func (s *Sandbox) BalanceTransactions(ctx context.Context, since time.Time) ([]BalanceTxn, error) {
	return nil, ErrNoBalance
}

// Charge implements DirectCharger.
func (s *Sandbox) Charge(ctx context.Context, r ChargeRequest) (*Charge, error) {
	if err := checkCard(r.CardNumber); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.charges[r.IdempotencyKey]; ok {
		return c, nil
	}
	s.n++
	c := &Charge{Ref: fmt.Sprintf("sb_ch_%d", s.n), FeeCents: SandboxFee(r.AmountCents)}
	s.charges[r.IdempotencyKey] = c
	return c, nil
}

// checkCard answers a test card as Stripe's test mode would.
func checkCard(card string) error {
	if !luhn(card) {
		return &api.Error{Code: api.EINVALID, Field: "payment.card_number", Message: "card number is not valid"}
	}
	switch card {
	case CardDeclined:
		return api.Errorf(api.EPAYMENT, "your card was declined")
	case CardInsufficient:
		return api.Errorf(api.EPAYMENT, "your card has insufficient funds")
	}
	return nil
}

// SandboxFee models a European card fee: 1.5 % (rounded up) + 0.25.
func SandboxFee(amount int64) int64 {
	if amount <= 0 {
		return 0
	}
	return (amount*150+9_999)/10_000 + 25
}

func luhn(number string) bool {
	if len(number) < 12 || len(number) > 19 {
		return false
	}
	sum := 0
	for i := range len(number) {
		d := int(number[len(number)-1-i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
