package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// testHostedCheckouts: a checkout is opened once per key, paid on the
// sandbox's page into exactly one sale, and closed for good.
func testHostedCheckouts(t *testing.T, s Services) {
	ctx := context.Background()
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 1000, "EUR", 1)
	fan := signUp(t, s, "fan", false)
	in := api.CheckoutCreate{ReleaseID: rel.ID, AmountCents: 1200, Currency: "EUR"}
	co, err := s.Purchases.CreateCheckout(fan, "k1", in)
	if err != nil || co.State != api.CheckoutOpen || co.AmountCents != 1200 || co.URL == "" {
		t.Fatalf("checkout = %+v, %v", co, err)
	}
	if again, err := s.Purchases.CreateCheckout(fan, "k1", in); err != nil || again.ID != co.ID || again.URL != co.URL {
		t.Fatalf("same key = %+v, %v; want %s", again, err, co.ID)
	}
	in.AmountCents = 1300
	if _, err := s.Purchases.CreateCheckout(fan, "k1", in); api.ErrorCode(err) != api.EIDEMPOTENCY {
		t.Fatalf("key reused for another amount: %v", err)
	}
	in.AmountCents = 999
	if _, err := s.Purchases.CreateCheckout(fan, "k2", in); api.ErrorCode(err) != api.EINVALID {
		t.Fatalf("under the price: %v", err)
	}
	ref := co.URL[len(payment.SandboxPagePrefix):]
	if _, err := s.Purchases.PayOnPage(ctx, ref, payment.CardDeclined); api.ErrorCode(err) != api.EPAYMENT {
		t.Fatalf("declined card: %v", err)
	}
	out, err := s.Purchases.PayOnPage(ctx, ref, payment.CardSuccess)
	if err != nil || out.Effect != "applied" {
		t.Fatalf("pay = %+v, %v", out, err)
	}
	got, err := s.Purchases.Checkout(fan, co.ID)
	if err != nil || got.State != api.CheckoutPaid || got.Purchase == nil || got.Purchase.GrossCents != 1200 ||
		got.Purchase.CreatorCents != 1080 || got.Purchase.PlatformCents != 120 {
		t.Fatalf("paid checkout = %+v, %v", got, err)
	}
	if _, err := s.Purchases.PayOnPage(ctx, ref, payment.CardSuccess); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("paying a closed page: %v", err)
	}
	if _, err := s.Purchases.Checkout(ann, co.ID); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("someone else's checkout: %v", err)
	}
	if _, err := s.Purchases.CreateCheckout(fan, "k3", api.CheckoutCreate{ReleaseID: rel.ID, AmountCents: 1000, Currency: "EUR"}); api.ErrorCode(err) != api.ECONFLICT {
		t.Fatalf("checkout of an owned release: %v", err)
	}
	lib, err := s.Purchases.Library(fan)
	if err != nil || len(lib.Items) != 1 {
		t.Fatalf("library = %+v, %v", lib, err)
	}
}

// testPaymentRecords: events, disputes and connected accounts are stored
// once and found again.
func testPaymentRecords(t *testing.T, s Services) {
	ctx := context.Background()
	ann := signUp(t, s, "ann", true)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	err := s.Store.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.InsertPaymentEvent(ctx, "stripe", "evt_1", "charge.refunded", now); err != nil {
			return err
		}
		if err := tx.InsertPaymentEvent(ctx, "stripe", "evt_1", "charge.refunded", now); !errors.Is(err, store.ErrConflict) {
			t.Errorf("event again = %v, want ErrConflict", err)
		}
		if err := tx.InsertPaymentEvent(ctx, "sandbox", "evt_1", "charge.refunded", now); err != nil {
			t.Errorf("same id at another provider = %v", err)
		}
		return tx.SetPaymentAccount(ctx, store.PaymentAccount{AccountID: id(ann), Provider: "stripe", Ref: "acct_1", UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Store.WithTx(ctx, func(tx store.Tx) error {
		return tx.SetPaymentAccount(ctx, store.PaymentAccount{AccountID: id(ann), Provider: "stripe", Ref: "acct_1",
			ChargesEnabled: true, UpdatedAt: now.Add(time.Minute)})
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Store.PaymentAccountByRef(ctx, "stripe", "acct_1")
	if err != nil || a.AccountID != id(ann) || !a.ChargesEnabled || a.PayoutsEnabled || !a.UpdatedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("payment account = %+v, %v", a, err)
	}
	if _, err := s.Store.PaymentAccount(ctx, id(ann), "sandbox"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("account at another provider = %v", err)
	}
	if _, err := s.Store.Checkout(ctx, "co_missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing checkout = %v", err)
	}
	if _, err := s.Store.SaleByPaymentRef(ctx, "stripe", "ch_missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing sale = %v", err)
	}
}
