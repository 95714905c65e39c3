// Package payment is the boundary to payment providers. The ledger never
// sees a provider: a provider charges, refunds and reports its fee, and the
// store records the result. The embedded Sandbox behaves like Stripe's test
// cards; a Stripe Connect provider would make destination charges with
// application_fee_amount set to the platform's share.
package payment

import (
	"context"
	"fmt"
	"sync"

	"github.com/megabox-fm/megabox/backend/api"
)

// ChargeRequest is one payment for one purchase.
type ChargeRequest struct {
	// IdempotencyKey makes retries of one checkout one charge.
	IdempotencyKey string
	AmountCents    int64
	Currency       string
	CardNumber     string
	// CreatorID receives the charge minus ApplicationFeeCents (the
	// platform's share) with providers that settle to creators directly.
	CreatorID           int64
	ApplicationFeeCents int64
	Description         string
}

// Charge is a successful payment.
type Charge struct {
	Ref      string // the provider's id for the charge
	FeeCents int64  // what the provider keeps; the platform pays it
}

// Provider takes payments.
type Provider interface {
	// Name identifies the provider in the ledger.
	Name() string
	// Charge takes a payment. api.EPAYMENT when declined, api.EINVALID for
	// a malformed card (Field "payment.card_number"). The same
	// IdempotencyKey returns the same charge.
	Charge(ctx context.Context, r ChargeRequest) (*Charge, error)
	// Refund returns amountCents of a charge to the payer.
	Refund(ctx context.Context, ref string, amountCents int64) error
}

// Sandbox test cards, as Stripe's.
const (
	CardSuccess      = "4242424242424242"
	CardDeclined     = "4000000000000002"
	CardInsufficient = "4000000000009995"
)

// Sandbox is an in-process provider for development and tests.
type Sandbox struct {
	mu      sync.Mutex
	charges map[string]*Charge
	n       int
}

var _ Provider = (*Sandbox)(nil)

// NewSandbox returns an empty sandbox.
func NewSandbox() *Sandbox { return &Sandbox{charges: map[string]*Charge{}} }

// Name implements Provider.
func (s *Sandbox) Name() string { return "sandbox" }

// Charge implements Provider.
func (s *Sandbox) Charge(ctx context.Context, r ChargeRequest) (*Charge, error) {
	if !luhn(r.CardNumber) {
		return nil, &api.Error{Code: api.EINVALID, Field: "payment.card_number", Message: "card number is not valid"}
	}
	switch r.CardNumber {
	case CardDeclined:
		return nil, api.Errorf(api.EPAYMENT, "your card was declined")
	case CardInsufficient:
		return nil, api.Errorf(api.EPAYMENT, "your card has insufficient funds")
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

// Refund implements Provider.
func (s *Sandbox) Refund(ctx context.Context, ref string, amountCents int64) error { return nil }

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
