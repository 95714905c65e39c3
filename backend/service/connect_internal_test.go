package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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
	paid := s.payOnPage(t, svc, in.AmountCents)
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

// transferring records the transfers and refunds asked of a connected
// provider, and fails transfers while down is set.
type transferring struct {
	payment.Pages
	mu        sync.Mutex
	down      bool
	transfers []payment.TransferRequest
	refunds   []payment.RefundRequest
}

func (p *transferring) Transfer(ctx context.Context, r payment.TransferRequest) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return "", errors.New("provider unreachable")
	}
	p.transfers = append(p.transfers, r)
	return p.Pages.Transfer(ctx, r)
}

func (p *transferring) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundResult, error) {
	p.mu.Lock()
	p.refunds = append(p.refunds, r)
	p.mu.Unlock()
	return p.Pages.Refund(ctx, r)
}

// TestSeveralPayeesAreEachTransferredOnce: a sale shared by three payees
// is one charge, then one transfer of each part; a transfer that fails
// makes the payment's event be delivered again, which sends the rest and
// never a transfer twice; a refund reverses each transfer by its part.
func TestSeveralPayeesAreEachTransferredOnce(t *testing.T) {
	ctx := context.Background()
	s := openShop(t)
	sb := payment.NewSandbox()
	provider := &transferring{Pages: sb, down: true}
	svc := New(s.db, s.h, provider)
	ann := api.AccountIDFromContext(s.creator)
	bob := signedIn(t, svc, "bob@example.com", true)
	cy := signedIn(t, svc, "cy@example.com", true)
	ids := []int64{ann, api.AccountIDFromContext(bob), api.AccountIDFromContext(cy)}
	err := s.db.WithTx(ctx, func(tx store.Tx) error {
		for _, id := range ids {
			err := tx.SetPaymentAccount(ctx, store.PaymentAccount{AccountID: id, Provider: "sandbox", Ref: fmt.Sprint("acct_", id), ChargesEnabled: true})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := api.Manifest{Title: s.rel.Title, PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: s.rel.Tracks[0].AudioSHA256}},
		Collaborators: []api.ManifestCollaborator{{Email: "bob@example.com", ShareBps: 3000}, {Email: "cy@example.com", ShareBps: 2000}}}
	if _, err := svc.Releases.UpdateRelease(s.creator, s.rel.ID, m); err != nil {
		t.Fatal(err)
	}
	co, err := svc.Purchases.CreateCheckout(s.fan, "k1", api.CheckoutCreate{ReleaseID: s.rel.ID, AmountCents: 999, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimPrefix(co.URL, payment.SandboxPagePrefix)
	payload, header, err := sb.Pay(ref, co.ID, 999, "EUR", payment.CardSuccess, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Purchases.HandleWebhook(ctx, payload, header); api.ErrorCode(err) != api.EUNAVAILABLE {
		t.Fatalf("delivery while transfers fail: %v; want unavailable, so it comes again", err)
	}
	provider.down = false
	for range 3 {
		if _, err := svc.Purchases.HandleWebhook(ctx, payload, header); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int64{}
	for _, tr := range provider.transfers {
		got[tr.Payee.AccountRef] += tr.Payee.Cents
		if tr.SourceChargeRef == "" || tr.TransferGroup != "checkout_"+co.ID {
			t.Fatalf("transfer %+v", tr)
		}
	}
	want := map[string]int64{fmt.Sprint("acct_", ids[0]): 450, fmt.Sprint("acct_", ids[1]): 270, fmt.Sprint("acct_", ids[2]): 180}
	if len(provider.transfers) != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("transfers %v (%d), want %v", got, len(provider.transfers), want)
	}
	paid, err := svc.Purchases.Checkout(s.fan, co.ID)
	if err != nil || paid.Purchase == nil {
		t.Fatalf("checkout %+v %v", paid, err)
	}
	if _, err := svc.Purchases.RefundPurchase(s.creator, paid.Purchase.ID, 505); err != nil {
		t.Fatal(err)
	}
	r := provider.refunds[len(provider.refunds)-1]
	var reversed []int64
	for _, tr := range r.TransferReversals {
		reversed = append(reversed, tr.Cents)
	}
	if r.ReverseTransfer || r.RefundApplicationFee || fmt.Sprint(reversed) != "[228 136 91]" {
		t.Fatalf("refund request %+v; want the three transfers reversed by 2.28, 1.36, 0.91", r)
	}
	for _, id := range ids {
		var bal int64
		if err := s.db.ReadDB().QueryRow(`SELECT COALESCE(SUM(amount_cents), 0) FROM postings WHERE account = ?`, ledger.CreatorAccount(id)).Scan(&bal); err != nil || bal != 0 {
			t.Fatalf("creator %d balance %d, %v: every part was transferred", id, bal, err)
		}
	}
}

// recordingPages keeps the checkout requests a provider is sent.
type recordingPages struct {
	*payment.Sandbox
	mu   sync.Mutex
	reqs []payment.CheckoutRequest
}

func (p *recordingPages) CreateCheckout(ctx context.Context, r payment.CheckoutRequest) (*payment.Session, error) {
	p.mu.Lock()
	p.reqs = append(p.reqs, r)
	p.mu.Unlock()
	return p.Sandbox.CreateCheckout(ctx, r)
}

// TestCheckoutReturnsToThePlatform: the payment page sends the fan back to
// the address the platform gives, naming the checkout, and says when the
// fan cancelled.
func TestCheckoutReturnsToThePlatform(t *testing.T) {
	s := openShop(t)
	provider := &recordingPages{Sandbox: payment.NewSandbox()}
	svc := New(s.db, s.h, provider)
	co, err := svc.Purchases.CreateCheckout(s.fan, "k1", api.CheckoutCreate{ReleaseID: s.rel.ID, AmountCents: 500, Currency: "EUR",
		ReturnURL: "https://megabox.example/payments/done"})
	if err != nil {
		t.Fatal(err)
	}
	r := provider.reqs[0]
	if r.SuccessURL != "https://megabox.example/payments/done?checkout="+co.ID || r.CancelURL != r.SuccessURL+"&cancelled=1" {
		t.Fatalf("return addresses %q, %q", r.SuccessURL, r.CancelURL)
	}
}
