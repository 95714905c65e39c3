package service

import (
	"context"
	"sync"
	"testing"

	"github.com/megabox-fm/megabox/backend/payment"
)

// hangUpProvider is the sandbox seen by a creator whose client hangs up
// while a refund is with the provider: the request's context ends just
// after the money went back. It sums what it gave back.
type hangUpProvider struct {
	*payment.Sandbox
	mu       sync.Mutex
	hangUp   func()
	refunded int64
}

func (p *hangUpProvider) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refunded += r.AmountCents
	if p.hangUp != nil {
		p.hangUp()
		p.hangUp = nil
	}
	return &payment.RefundResult{AmountCents: r.AmountCents}, nil
}

// TestRefundWhoseClientLeftIsRecorded: money the provider gave back is in
// the books even when the creator's client hung up meanwhile, so the sale
// is not refunded twice.
func TestRefundWhoseClientLeftIsRecorded(t *testing.T) {
	ctx := context.Background()
	shop := openShop(t)
	provider := &hangUpProvider{Sandbox: payment.NewSandbox()}
	svc := New(shop.db, shop.h, provider)
	p, err := shop.buy(svc, "k1")
	if err != nil {
		t.Fatal(err)
	}
	creator := shop.creator

	leaving, hangUp := context.WithCancel(creator)
	defer hangUp()
	provider.hangUp = hangUp
	_, firstErr := svc.Purchases.RefundPurchase(leaving, p.ID, 500)
	// The creator, seeing no answer, tries again.
	_, retryErr := svc.Purchases.RefundPurchase(creator, p.ID, 500)
	provider.mu.Lock()
	given := provider.refunded
	provider.mu.Unlock()
	got, err := svc.Purchases.findPurchase(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if given != got.RefundedCents || given != 500 {
		t.Fatalf("the provider gave back %d cents, the books say %d refunded, want 500 both (first: %v, retry: %v)",
			given, got.RefundedCents, firstErr, retryErr)
	}
}
