package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
)

// balanceProvider is the sandbox with a balance the test writes.
type balanceProvider struct {
	*payment.Sandbox
	txns []payment.BalanceTxn
}

func (p *balanceProvider) BalanceTransactions(ctx context.Context, since time.Time) ([]payment.BalanceTxn, error) {
	return p.txns, nil
}

// TestReconcile: a ledger matching the provider's balance has no
// difference; each kind of mismatch is one line naming the cents.
func TestReconcile(t *testing.T) {
	ctx := context.Background()
	s := openShop(t)
	provider := &balanceProvider{Sandbox: payment.NewSandbox()}
	svc := New(s.db, s.h, provider)
	paid := s.payOnPage(t, svc, 1000)
	ref, err := svc.Purchases.RefundPurchase(s.creator, paid.Purchase.ID, 300)
	if err != nil {
		t.Fatal(err)
	}
	sale, _ := s.db.Sale(ctx, paid.Purchase.ID)
	moves, _ := s.db.Movements(ctx, "sandbox", time.Time{})
	if len(moves) != 2 || moves[1].Kind != "refund" || moves[1].ID != ref.ID {
		t.Fatalf("movements %+v", moves)
	}
	day := time.Now().UTC()
	provider.txns = []payment.BalanceTxn{
		{Type: "charge", SourceRef: sale.PaymentRef, AmountCents: 1000, FeeCents: 40, Currency: "EUR", Created: day},
		{Type: "refund", SourceRef: moves[1].Ref, AmountCents: -300, Currency: "EUR", Created: day},
		{Type: "transfer", SourceRef: "tr_1", AmountCents: -900, Currency: "EUR", Created: day},
	}
	rec, err := svc.Purchases.Reconcile(ctx, day.Add(-time.Hour))
	if err != nil || rec.Sales != 1 || rec.Refunds != 1 || len(rec.Differences) != 0 {
		t.Fatalf("matching ledger: %+v, %v", rec, err)
	}
	// A refund made at the provider and booked from its charge.refunded
	// event (which names no refund) pairs with the provider's refund of
	// that amount.
	refunded, sig, err := payment.SignStripeEvent("evt_r", payment.EventChargeRefunded, map[string]any{"id": sale.PaymentRef,
		"object": "charge", "amount": 1000, "amount_refunded": 500, "currency": "eur"}, provider.Secret(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if out, err := svc.Purchases.HandleWebhook(ctx, refunded, sig); err != nil || out.Effect != EffectApplied {
		t.Fatalf("charge.refunded: %+v, %v", out, err)
	}
	provider.txns = append(provider.txns, payment.BalanceTxn{Type: "refund", SourceRef: "re_dashboard", AmountCents: -200, Currency: "EUR", Created: day})
	rec, err = svc.Purchases.Reconcile(ctx, day.Add(-time.Hour))
	if err != nil || rec.Refunds != 2 || len(rec.Differences) != 0 {
		t.Fatalf("with a refund made at the provider: %+v, %v", rec, err)
	}
	provider.txns = provider.txns[:3]
	provider.txns[0].FeeCents = 41
	provider.txns[1].SourceRef = "re_other"
	rec, err = svc.Purchases.Reconcile(ctx, day.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"sale " + itoa(paid.Purchase.ID) + " (" + sale.PaymentRef + "): the ledger has a fee of 0.40 EUR, the provider 0.41 EUR",
		"refund " + itoa(ref.ID) + " (" + moves[1].Ref + "): the provider has no such refund",
		"refund " + itoa(ref.ID+1) + ": the provider has no refund of 2.00 EUR",
		"refund re_other of -3.00 EUR on " + day.Format(time.DateOnly) + ": not in the ledger",
	}
	if strings.Join(rec.Differences, "\n") != strings.Join(want, "\n") {
		t.Fatalf("differences:\n%s\nwant:\n%s", strings.Join(rec.Differences, "\n"), strings.Join(want, "\n"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// payOnPage is the fan's checkout of the shop's release for amount, paid
// with the good card on the sandbox's page.
func (s *shop) payOnPage(t *testing.T, svc *Services, amount int64) *api.Checkout {
	t.Helper()
	co, err := svc.Purchases.CreateCheckout(s.fan, fmt.Sprint("k", amount), api.CheckoutCreate{ReleaseID: s.rel.ID, AmountCents: amount, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Purchases.PayOnPage(context.Background(), strings.TrimPrefix(co.URL, payment.SandboxPagePrefix), payment.CardSuccess); err != nil {
		t.Fatal(err)
	}
	paid, err := svc.Purchases.Checkout(s.fan, co.ID)
	if err != nil || paid.Purchase == nil {
		t.Fatalf("checkout %+v %v", paid, err)
	}
	return paid
}
