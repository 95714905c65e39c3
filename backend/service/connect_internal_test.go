package service

import (
	"context"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// connected is the sandbox seen as a provider that pays creators into
// their own accounts (as Stripe Connect does): it takes no card directly.
type connected struct{ payment.Pages }

// TestConnectedAccountsAreSettledAtEachSale: with a provider that pays the
// creator's share into their own account, the sale's entry also moves
// that share out of the platform's balance, a refund takes it back, and
// there is nothing left to pay out.
func TestConnectedAccountsAreSettledAtEachSale(t *testing.T) {
	ctx := context.Background()
	s := openShop(t)
	svc := New(s.db, s.h, connected{payment.NewSandbox()})
	artist := api.AccountIDFromContext(s.creator)
	in := api.CheckoutCreate{ReleaseID: s.rel.ID, AmountCents: 1000, Currency: "EUR"}
	if _, err := svc.Purchases.CreateCheckout(s.fan, "k0", in); api.ErrorCode(err) != api.ECONFLICT {
		t.Fatalf("checkout before the artist's account takes charges: %v", err)
	}
	err := s.db.WithTx(ctx, func(tx store.Tx) error {
		return tx.SetPaymentAccount(ctx, store.PaymentAccount{AccountID: artist, Provider: "sandbox", Ref: "acct_ann", ChargesEnabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	co, err := svc.Purchases.CreateCheckout(s.fan, "k1", in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Purchases.PayOnPage(ctx, strings.TrimPrefix(co.URL, payment.SandboxPagePrefix), payment.CardSuccess); err != nil {
		t.Fatal(err)
	}
	paid, err := svc.Purchases.Checkout(s.fan, co.ID)
	if err != nil || paid.Purchase == nil {
		t.Fatalf("checkout %+v %v", paid, err)
	}
	balance := func(account string) int64 {
		var n int64
		if err := s.db.ReadDB().QueryRow(`SELECT COALESCE(SUM(amount_cents), 0) FROM postings WHERE account = ?`, account).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// 10.00 in, 0.40 Stripe-like fee, 9.00 to the artist's own account.
	if a, p := balance(ledger.CreatorAccount(artist)), balance(ledger.ProviderAccount("sandbox")); a != 0 || p != 60 {
		t.Fatalf("after the sale: artist %d, provider %d; want 0 and 60", a, p)
	}
	if _, err := svc.Purchases.RefundPurchase(s.creator, paid.Purchase.ID, 500); err != nil {
		t.Fatal(err)
	}
	if a, p := balance(ledger.CreatorAccount(artist)), balance(ledger.ProviderAccount("sandbox")); a != 0 || p != 10 {
		t.Fatalf("after a 5.00 refund: artist %d, provider %d; want 0 and 10", a, p)
	}
	if _, err := svc.Earnings.RequestPayout(s.creator, 1000, "EUR"); api.ErrorCode(err) != api.ECONFLICT {
		t.Fatalf("payout request: %v", err)
	}
}
