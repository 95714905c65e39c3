package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// testRefunds: a creator refunds part, then the rest, of a sale, each
// split exactly and dated by the clock; beyond what remains is EINVALID;
// another creator's purchase does not exist for them; the journal stays
// balanced and the creator's balance falls by the creator's share.
func testRefunds(t *testing.T, s Services) {
	t0 := at(t, "2026-04-01T08:00:00.250Z")
	clk := setClock(s, t0)
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	fan := signUp(t, s, "fan", false)
	rel := release(t, s, ann, "Returned", 999, "EUR", 1)
	p := buy(t, s, fan, rel, 999) // 900 + 99

	_, err := s.Purchases.RefundPurchase(bob, p.ID, 100)
	code(t, err, api.ENOTFOUND)
	_, err = s.Purchases.RefundPurchase(fan, p.ID, 100)
	code(t, err, api.EFORBIDDEN)
	_, err = s.Purchases.RefundPurchase(context.Background(), p.ID, 100)
	code(t, err, api.EUNAUTHORIZED)
	_, err = s.Purchases.RefundPurchase(ann, p.ID+1000, 100)
	code(t, err, api.ENOTFOUND)
	for _, amount := range []int64{0, -1, 1000} {
		_, err = s.Purchases.RefundPurchase(ann, p.ID, amount)
		field(t, err, "amount_cents")
	}

	clk.set(t0.Add(time.Hour))
	r1 := refund(t, s, ann, p.ID, 500)
	same(t, "first refund", *r1, api.Refund{ID: r1.ID, PurchaseID: p.ID, AmountCents: 500, CreatorCents: 450, PlatformCents: 50, Currency: "EUR", CreatedAt: t0.Add(time.Hour)})
	_, err = s.Purchases.RefundPurchase(ann, p.ID, 500) // 499 remain
	field(t, err, "amount_cents")
	clk.set(t0.Add(2 * time.Hour))
	r2 := refund(t, s, ann, p.ID, 499)
	same(t, "the rest", *r2, api.Refund{ID: r2.ID, PurchaseID: p.ID, AmountCents: 499, CreatorCents: 450, PlatformCents: 49, Currency: "EUR", CreatedAt: t0.Add(2 * time.Hour)})
	if r2.ID == r1.ID {
		t.Fatalf("two refunds share id %d", r1.ID)
	}
	_, err = s.Purchases.RefundPurchase(ann, p.ID, 1)
	field(t, err, "amount_cents")
	got, err := s.Store.Purchase(context.Background(), p.ID)
	if err != nil || got.RefundedCents != 999 {
		t.Fatalf("purchase after refunds = %+v, %v; want 999 refunded", got, err)
	}
	if b := creatorBalance(t, s, ann, "EUR"); b != 0 {
		t.Fatalf("creator balance after a full refund = %d", b)
	}
	if n := s.Payments.refunds.Load(); n != 2 {
		t.Fatalf("%d refunds at the provider, want 2", n)
	}

	// An operator may refund any sale.
	p2 := buy(t, s, fan, release(t, s, bob, "Bob's", 1000, "EUR", 1), 1000)
	r3, err := s.Purchases.AdminRefund(context.Background(), p2.ID, 1000)
	if err != nil || r3.CreatorCents != 900 || r3.PlatformCents != 100 {
		t.Fatalf("operator refund = %+v, %v", r3, err)
	}
	balanced(t, s)
}

// testRefundsToTheLastCent: nineteen one-cent refunds of a 19-cent sale
// (18 to the creator, 1 to the platform) take each side to exactly zero,
// never below.
func testRefundsToTheLastCent(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	p := buy(t, s, fan, release(t, s, ann, "Cents", 19, "EUR", 1), 19)
	if p.CreatorCents != 18 || p.PlatformCents != 1 {
		t.Fatalf("split of 19 = %d + %d", p.CreatorCents, p.PlatformCents)
	}
	var creator, platform int64
	for i := range 19 {
		r := refund(t, s, ann, p.ID, 1)
		creator += r.CreatorCents
		platform += r.PlatformCents
		if r.CreatorCents+r.PlatformCents != 1 || creator > 18 || platform > 1 {
			t.Fatalf("refund %d = %+v; so far %d + %d", i+1, r, creator, platform)
		}
	}
	if creator != 18 || platform != 1 {
		t.Fatalf("refunded %d + %d, want 18 + 1", creator, platform)
	}
	_, err := s.Purchases.RefundPurchase(ann, p.ID, 1)
	field(t, err, "amount_cents")
	if b := creatorBalance(t, s, ann, "EUR"); b != 0 {
		t.Fatalf("creator balance = %d", b)
	}
	balanced(t, s)
}
