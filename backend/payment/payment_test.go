package payment_test

import (
	"context"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
)

func TestSandboxCards(t *testing.T) {
	s := payment.NewSandbox()
	ctx := context.Background()
	for card, code := range map[string]string{
		payment.CardSuccess: "", "4000056655665556": "", payment.CardDeclined: api.EPAYMENT,
		payment.CardInsufficient: api.EPAYMENT, "4242424242424241": api.EINVALID, "abc": api.EINVALID, "": api.EINVALID,
	} {
		_, err := s.Charge(ctx, payment.ChargeRequest{IdempotencyKey: card, AmountCents: 1000, Currency: "EUR", CardNumber: card})
		if api.ErrorCode(err) != code {
			t.Errorf("card %q: %v, want code %q", card, err, code)
		}
	}
	a, _ := s.Charge(ctx, payment.ChargeRequest{IdempotencyKey: "k", AmountCents: 1000, CardNumber: payment.CardSuccess})
	b, _ := s.Charge(ctx, payment.ChargeRequest{IdempotencyKey: "k", AmountCents: 1000, CardNumber: payment.CardSuccess})
	if a.Ref != b.Ref {
		t.Errorf("one idempotency key made two charges: %s, %s", a.Ref, b.Ref)
	}
	if a.FeeCents != 40 { // 1.5 % of 10.00 + 0.25
		t.Errorf("fee = %d, want 40", a.FeeCents)
	}
}
