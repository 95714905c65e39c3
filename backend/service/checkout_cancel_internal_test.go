package service

import (
	"context"
	"sync"
	"testing"

	"github.com/megabox-fm/megabox/backend/payment"
)

// leavingProvider is the sandbox seen by a client that hangs up while its
// card is charged: the request's context ends just after the charge. It
// remembers which charges were refunded.
type leavingProvider struct {
	*payment.Sandbox
	mu       sync.Mutex
	hangUp   func() // ends the current request's context after its charge
	refunded map[string]int64
}

func (p *leavingProvider) Charge(ctx context.Context, r payment.ChargeRequest) (*payment.Charge, error) {
	c, err := p.Sandbox.Charge(ctx, r)
	p.mu.Lock()
	if p.hangUp != nil {
		p.hangUp()
		p.hangUp = nil
	}
	p.mu.Unlock()
	return c, err
}

func (p *leavingProvider) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundResult, error) {
	p.mu.Lock()
	p.refunded[r.ChargeRef] += r.AmountCents
	p.mu.Unlock()
	return p.Sandbox.Refund(ctx, r)
}

// TestCheckoutWhoseClientLeftKeepsTheSale: a client that hangs up once its
// card is charged, then retries with the same key, gets one sale whose
// money was not given back; never a sale recorded on a refunded charge.
func TestCheckoutWhoseClientLeftKeepsTheSale(t *testing.T) {
	ctx := context.Background()
	shop := openShop(t)
	provider := &leavingProvider{Sandbox: payment.NewSandbox(), refunded: map[string]int64{}}
	svc := New(shop.db, shop.h, provider)
	// A server that has signed receipts before has its key at hand.
	if _, err := svc.Receipts.ReceiptKeySet(ctx); err != nil {
		t.Fatal(err)
	}
	fan, in := shop.fan, shop.checkout()

	leaving, hangUp := context.WithCancel(fan)
	defer hangUp()
	provider.hangUp = hangUp
	first, firstErr := svc.Purchases.CreatePurchase(leaving, "k1", in)
	retry, err := svc.Purchases.CreatePurchase(fan, "k1", in)
	if err != nil {
		t.Fatalf("retry: %v (first: %+v, %v)", err, first, firstErr)
	}
	sale, err := shop.db.Sale(ctx, retry.ID)
	if err != nil {
		t.Fatal(err)
	}
	provider.mu.Lock()
	refunded := provider.refunded[sale.PaymentRef]
	provider.mu.Unlock()
	if refunded != 0 {
		t.Fatalf("sale %d is recorded on charge %s, of which %d cents were refunded (first attempt: %v)",
			retry.ID, sale.PaymentRef, refunded, firstErr)
	}
	if firstErr == nil && first.ID != retry.ID {
		t.Fatalf("one key made sales %d and %d", first.ID, retry.ID)
	}
	lib, err := svc.Purchases.Library(fan)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Items) != 1 {
		t.Fatalf("library holds %d items, want 1", len(lib.Items))
	}
}
