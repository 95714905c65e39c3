package http_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/wait"
	"github.com/stripe/stripe-go/v82/webhook"
)

const webhookSecret = "whsec_test_megabox"

// shop is a creator's published release and a fan about to buy it, on a
// server whose sandbox signs with a secret the test knows.
type shop struct {
	*env
	ann, fan *mhttp.Client
	rel      *api.Release
}

func openShop(t *testing.T) *shop {
	cfg := platform.DefaultConfig
	cfg.Payments = payment.NewSandboxWithSecret(webhookSecret)
	e := newEnv(t, cfg)
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	return &shop{env: e, ann: ann, fan: fan, rel: e.published(ann, "Night <Drive>", 2, nil)}
}

func (s *shop) checkout(key string, amount int64) *api.Checkout {
	s.t.Helper()
	co, err := s.fan.CreateCheckout(context.Background(), key, api.CheckoutCreate{ReleaseID: s.rel.ID, AmountCents: amount, Currency: "EUR"})
	if err != nil {
		s.t.Fatal(err)
	}
	return co
}

// session is the sandbox session id in a checkout's page address.
func session(t *testing.T, co *api.Checkout) string {
	u, err := neturl.Parse(co.URL)
	if err != nil || !strings.HasPrefix(u.Path, payment.SandboxPagePrefix) {
		t.Fatalf("checkout url %q", co.URL)
	}
	return strings.TrimPrefix(u.Path, payment.SandboxPagePrefix)
}

// page GETs or POSTs (with a card) the sandbox's hosted page.
func (s *shop) page(co *api.Checkout, card string) (int, string) {
	s.t.Helper()
	var resp *http.Response
	var err error
	if card == "" {
		resp, err = http.Get(co.URL)
	} else {
		resp, err = http.PostForm(co.URL, neturl.Values{"card": {card}})
	}
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// deliver posts a signed event to the webhook path.
func (s *shop) deliver(payload []byte, sig string) (int, string) {
	s.t.Helper()
	code, body, _ := s.raw("POST", mhttp.WebhookPath, "", strings.NewReader(string(payload)), "Stripe-Signature", sig)
	return code, string(body)
}

// completed is a signed checkout.session.completed event for co.
func completed(t *testing.T, id string, co *api.Checkout, at time.Time) ([]byte, string) {
	ref := session(t, co)
	payload, sig, err := payment.SignStripeEvent(id, payment.EventCheckoutCompleted, map[string]any{
		"id": ref, "object": "checkout.session", "client_reference_id": co.ID, "amount_total": co.AmountCents,
		"currency": strings.ToLower(co.Currency), "payment_status": "paid", "status": "complete"}, webhookSecret, at)
	if err != nil {
		t.Fatal(err)
	}
	return payload, sig
}

func (s *shop) state(co *api.Checkout) *api.Checkout {
	s.t.Helper()
	got, err := s.fan.Checkout(context.Background(), co.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return got
}

func (s *shop) count(query string) int {
	s.t.Helper()
	var n int
	if err := s.p.DB.ReadDB().QueryRow(query).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// TestHostedCheckout: the fan pays on the sandbox's page; a declined card
// leaves the checkout open; the sale is written once, and the app learns
// of it from the checkout, never from the page.
func TestHostedCheckout(t *testing.T) {
	s := openShop(t)
	co := s.checkout("order-1", 1000)
	if co.State != api.CheckoutOpen || !strings.HasPrefix(co.URL, s.srv.URL+payment.SandboxPagePrefix+"cs_sb_") {
		t.Fatalf("checkout = %+v", co)
	}
	if again := s.checkout("order-1", 1000); again.ID != co.ID || again.URL != co.URL {
		t.Fatalf("same key, another checkout: %+v vs %+v", again, co)
	}
	code, html := s.page(co, "")
	if code != 200 || !strings.Contains(html, "Night &lt;Drive&gt;") || strings.Contains(html, "Night <Drive>") ||
		!strings.Contains(html, "10.00 EUR") || !strings.Contains(html, "9.00 EUR to the artist, 1.00 EUR to Megabox") {
		t.Fatalf("page %d:\n%s", code, html)
	}
	code, html = s.page(co, payment.CardDeclined)
	if code != http.StatusPaymentRequired || !strings.Contains(html, "your card was declined") {
		t.Fatalf("declined: %d\n%s", code, html)
	}
	if st := s.state(co); st.State != api.CheckoutOpen || st.Purchase != nil {
		t.Fatalf("after a decline: %+v", st)
	}
	if n := s.count(`SELECT COUNT(*) FROM purchases`); n != 0 {
		t.Fatalf("%d purchases after a decline", n)
	}
	code, html = s.page(co, "4242 4242 4242 4242")
	back := `href="` + s.srv.URL + mhttp.PaidPath + `?checkout=` + co.ID + `"`
	if code != 200 || !strings.Contains(html, `data-testid="paid"`) || !strings.Contains(html, back) {
		t.Fatalf("pay: %d (want a link %s)\n%s", code, back, html)
	}
	st := s.state(co)
	if st.State != api.CheckoutPaid || st.Purchase == nil || st.Purchase.GrossCents != 1000 || st.Purchase.CreatorCents != 900 ||
		st.Purchase.PlatformCents != 100 || st.URL != "" {
		t.Fatalf("paid checkout = %+v", st)
	}
	lib, err := s.fan.Library(context.Background())
	if err != nil || len(lib.Items) != 1 || lib.Items[0].Release.ID != s.rel.ID {
		t.Fatalf("library = %+v, %v", lib, err)
	}
	// Paying the page again charges nothing more.
	if code, _ := s.page(co, payment.CardSuccess); code != 200 {
		t.Fatalf("page after payment: %d", code)
	}
	if n := s.count(`SELECT COUNT(*) FROM purchases`); n != 1 {
		t.Fatalf("%d purchases", n)
	}
	// The journal: provider +10.00 − fee 0.40, creator −9.00, platform −1.00, fees +0.40.
	if got := s.count(`SELECT SUM(amount_cents) FROM postings WHERE account = 'creator:` + fmt.Sprint(s.rel.ArtistID) + `'`); got != -900 {
		t.Fatalf("creator posting %d", got)
	}
	if got := s.count(`SELECT SUM(amount_cents) FROM postings WHERE account = 'platform:fees'`); got != 40 {
		t.Fatalf("fee posting %d", got)
	}
	// The payment page sends the fan back to a page of the platform's.
	for q, want := range map[string]string{"?checkout=" + co.ID: "Megabox confirms the payment", "?checkout=" + co.ID + "&cancelled=1": "nothing was charged"} {
		if code, body, _ := s.raw("GET", mhttp.PaidPath+q, "", nil); code != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("back from the payment page %s: %d %s", q, code, body)
		}
	}
	// A page that does not exist is a page saying so, for a browser.
	missing := *co
	missing.URL = s.srv.URL + payment.SandboxPagePrefix + "cs_sb_nothing"
	if code, html := s.page(&missing, ""); code != 404 || !strings.Contains(html, `data-testid="missing"`) || !strings.Contains(html, "Start again from Megabox") {
		t.Fatalf("missing page: %d\n%s", code, html)
	}
	if code, html := s.page(&missing, payment.CardSuccess); code != 404 || !strings.Contains(html, `data-testid="missing"`) {
		t.Fatalf("paying a missing page: %d\n%s", code, html)
	}
	// Someone else's checkout is not found; the direct card path still
	// works in sandbox mode.
	other, _ := s.signUp("Other", false)
	if _, err := other.Checkout(context.Background(), co.ID); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("another fan's checkout: %v", err)
	}
}

// TestWebhookDeliveries: signed deliveries are trusted once; bad or stale
// signatures are refused; a replay, five concurrent copies and events out
// of order make exactly one sale and one refund.
func TestWebhookDeliveries(t *testing.T) {
	s := openShop(t)
	co := s.checkout("order-1", 1000)
	now := time.Now()
	payload, sig := completed(t, "evt_1", co, now)

	for name, h := range map[string]string{
		"bad signature": strings.Replace(sig, "v1=", "v1=00", 1),
		"no signature":  "",
		"other secret":  mustSig(t, payload, "whsec_other", now),
		"stale":         mustSig(t, payload, webhookSecret, now.Add(-10*time.Minute)),
	} {
		if code, body := s.deliver(payload, h); code != http.StatusUnauthorized {
			t.Fatalf("%s: %d %s", name, code, body)
		}
	}
	if n := s.count(`SELECT COUNT(*) FROM purchases`); n != 0 {
		t.Fatalf("%d purchases from untrusted deliveries", n)
	}

	// A refund of the charge delivered before the payment: not yet.
	charge := "ch_" + strings.TrimPrefix(session(t, co), "cs_")
	refund, rsig, err := payment.SignStripeEvent("evt_r1", payment.EventChargeRefunded, map[string]any{
		"id": charge, "object": "charge", "amount": 1000, "amount_refunded": 500, "currency": "eur"}, webhookSecret, now)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := s.deliver(refund, rsig); code != http.StatusServiceUnavailable {
		t.Fatalf("refund before its sale: %d %s", code, body)
	}

	// Five copies at once, then a replay.
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range codes {
		wg.Go(func() { codes[i], _ = s.deliver(payload, sig) })
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Fatalf("copy %d: %d", i, c)
		}
	}
	if code, body := s.deliver(payload, sig); code != 200 || !strings.Contains(body, `"duplicate"`) {
		t.Fatalf("replay: %d %s", code, body)
	}
	if n := s.count(`SELECT COUNT(*) FROM purchases`); n != 1 {
		t.Fatalf("%d purchases from 6 deliveries", n)
	}
	if n := s.count(`SELECT COUNT(*) FROM ledger_txns WHERE kind = 'sale'`); n != 1 {
		t.Fatalf("%d sale entries", n)
	}
	if st := s.state(co); st.State != api.CheckoutPaid {
		t.Fatalf("checkout %+v", st)
	}

	// The refund delivered again now books 5.00: 4.50 creator, 0.50 platform.
	for range 3 {
		if code, body := s.deliver(refund, rsig); code != 200 {
			t.Fatalf("refund: %d %s", code, body)
		}
	}
	var n, amount, creator, platform int
	if err := s.p.DB.ReadDB().QueryRow(`SELECT COUNT(*), SUM(amount_cents), SUM(creator_cents), SUM(platform_cents) FROM refunds`).
		Scan(&n, &amount, &creator, &platform); err != nil {
		t.Fatal(err)
	}
	if n != 1 || amount != 500 || creator != 450 || platform != 50 {
		t.Fatalf("refunds: %d of %d = %d + %d", n, amount, creator, platform)
	}

	// An event the platform does not act upon is acknowledged.
	other, osig, _ := payment.SignStripeEvent("evt_x", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}, webhookSecret, now)
	if code, body := s.deliver(other, osig); code != 200 || !strings.Contains(body, `"ignored"`) {
		t.Fatalf("unknown event: %d %s", code, body)
	}
	if sums, unbalanced, err := s.p.DB.LedgerCheck(context.Background()); err != nil || unbalanced != 0 || sums["EUR"] != 0 {
		t.Fatalf("ledger %v %d %v", sums, unbalanced, err)
	}
}

// TestDisputeFreezesThenReverses: a disputed sale cannot be refunded nor
// paid out; lost, it is reversed on both sides and leaves the library.
func TestDisputeFreezesThenReverses(t *testing.T) {
	s := openShop(t)
	ctx := context.Background()
	co := s.checkout("order-1", 2000)
	if code, html := s.page(co, payment.CardDisputed); code != 200 {
		t.Fatalf("pay: %d %s", code, html)
	}
	st := s.state(co)
	if st.Purchase == nil {
		t.Fatalf("checkout %+v", st)
	}
	if _, err := s.ann.RefundPurchase(ctx, st.Purchase.ID, 100); api.ErrorCode(err) != api.ECONFLICT {
		t.Fatalf("refund of a disputed sale: %v", err)
	}
	e, err := s.ann.Earnings(ctx, api.EarningsFilter{})
	if err != nil || e.Totals.DisputedCents != 1800 || e.Totals.AvailableCents != 0 {
		t.Fatalf("earnings %+v %v", e.Totals, err)
	}
	if _, err := s.ann.RequestPayout(ctx, 1000, "EUR"); api.ErrorCode(err) != api.EINVALID {
		t.Fatalf("payout of frozen money: %v", err)
	}
	var dispute string
	if err := s.p.DB.ReadDB().QueryRow(`SELECT ref FROM disputes`).Scan(&dispute); err != nil {
		t.Fatal(err)
	}
	lost, sig, _ := payment.SignStripeEvent("evt_lost", payment.EventDisputeClosed, map[string]any{"id": dispute, "object": "dispute",
		"amount": 2000, "currency": "eur", "status": "lost"}, webhookSecret, time.Now())
	for range 2 {
		if code, body := s.deliver(lost, sig); code != 200 {
			t.Fatalf("dispute lost: %d %s", code, body)
		}
	}
	var amount, creator, platform int
	if err := s.p.DB.ReadDB().QueryRow(`SELECT SUM(amount_cents), SUM(creator_cents), SUM(platform_cents) FROM refunds`).
		Scan(&amount, &creator, &platform); err != nil || amount != 2000 || creator != 1800 || platform != 200 {
		t.Fatalf("reversal %d = %d + %d (%v)", amount, creator, platform, err)
	}
	lib, err := s.fan.Library(ctx)
	if err != nil || len(lib.Items) != 0 {
		t.Fatalf("library after a lost dispute: %+v %v", lib, err)
	}
	e, err = s.ann.Earnings(ctx, api.EarningsFilter{})
	if err != nil || e.Totals.DisputedCents != 0 || e.Totals.AvailableCents != 0 {
		t.Fatalf("earnings after: %+v %v", e.Totals, err)
	}
}

func mustSig(t *testing.T, payload []byte, secret string, at time.Time) string {
	t.Helper()
	return "t=" + fmt.Sprint(at.Unix()) + ",v1=" + fmt.Sprintf("%x", webhook.ComputeSignature(at, payload, secret))
}

// TestWebhookDeliveriesAreBounded: deliveries whose bodies are still
// arriving hold at most 16 slots; one more is answered 503 (the provider
// delivers it again), and slots free as the bodies end.
func TestWebhookDeliveriesAreBounded(t *testing.T) {
	s := openShop(t)
	co := s.checkout("order-1", 1000)
	payload, sig := completed(t, "evt_1", co, time.Now())
	addr := strings.TrimPrefix(s.srv.URL, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 16 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{", mhttp.WebhookPath, addr)
	}
	// Polled with a forged signature (401 while a slot is free), so no
	// poll makes a sale before the slots are all taken.
	forged := strings.Replace(sig, "v1=", "v1=00", 1)
	wait.Until(t, 10*time.Second, "a delivery refused while 16 are being read", func() bool {
		code, _ := s.deliver(payload, forged)
		return code == http.StatusServiceUnavailable
	})
	if code, _ := s.deliver(payload, sig); code != http.StatusServiceUnavailable {
		t.Fatalf("a 17th delivery: %d", code)
	}
	if n := s.count(`SELECT COUNT(*) FROM purchases`); n != 0 {
		t.Fatalf("%d purchases from refused deliveries", n)
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	wait.Until(t, 10*time.Second, "the delivery taken once the slots are free", func() bool {
		code, _ := s.deliver(payload, sig)
		return code == http.StatusOK
	})
	if n := s.count(`SELECT COUNT(*) FROM purchases`); n != 1 {
		t.Fatalf("%d purchases", n)
	}
}
