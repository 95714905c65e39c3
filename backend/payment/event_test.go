package payment_test

import (
	"errors"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/payment"
)

// TestParseStripeEvent: each event the platform acts upon is read into
// its terms; an unpaid completion is not a sale; a delayed payment's
// outcome completes or ends the checkout; untrusted deliveries are
// ErrSignature.
func TestParseStripeEvent(t *testing.T) {
	const secret = "whsec_parse"
	now := time.Now()
	session := func(status string) map[string]any {
		return map[string]any{"id": "cs_1", "object": "checkout.session", "client_reference_id": "co_1", "amount_total": 1000,
			"currency": "eur", "payment_status": status}
	}
	for _, c := range []struct {
		typ    string
		object map[string]any
		want   payment.Event
	}{
		{payment.EventCheckoutCompleted, session("paid"), payment.Event{Kind: payment.EventCheckoutCompleted, SessionRef: "cs_1", CheckoutID: "co_1", AmountCents: 1000, Currency: "EUR"}},
		{payment.EventCheckoutCompleted, session("unpaid"), payment.Event{Kind: payment.EventOther, SessionRef: "cs_1", CheckoutID: "co_1", AmountCents: 1000, Currency: "EUR"}},
		{payment.EventCheckoutAsyncPaid, session("paid"), payment.Event{Kind: payment.EventCheckoutCompleted, SessionRef: "cs_1", CheckoutID: "co_1", AmountCents: 1000, Currency: "EUR"}},
		{payment.EventCheckoutAsyncFailed, session("unpaid"), payment.Event{Kind: payment.EventCheckoutExpired, SessionRef: "cs_1", CheckoutID: "co_1", AmountCents: 1000, Currency: "EUR"}},
		{payment.EventChargeRefunded, map[string]any{"id": "ch_1", "object": "charge", "amount": 1000, "amount_refunded": 250, "currency": "eur"},
			payment.Event{Kind: payment.EventChargeRefunded, ChargeRef: "ch_1", AmountCents: 1000, RefundedCents: 250, Currency: "EUR"}},
		{payment.EventDisputeClosed, map[string]any{"id": "dp_1", "object": "dispute", "charge": "ch_1", "amount": 1000, "currency": "eur", "status": "lost"},
			payment.Event{Kind: payment.EventDisputeClosed, ChargeRef: "ch_1", DisputeRef: "dp_1", DisputeStatus: "lost", AmountCents: 1000, Currency: "EUR"}},
		{payment.EventAccountUpdated, map[string]any{"id": "acct_1", "object": "account", "charges_enabled": true},
			payment.Event{Kind: payment.EventAccountUpdated, AccountRef: "acct_1", ChargesEnabled: true}},
		{"customer.created", map[string]any{"id": "cus_1", "object": "customer"}, payment.Event{Kind: payment.EventOther}},
	} {
		payload, header, err := payment.SignStripeEvent("evt_1", c.typ, c.object, secret, now)
		if err != nil {
			t.Fatal(err)
		}
		e, err := payment.ParseStripeEvent(payload, header, secret, payment.DefaultTolerance)
		if err != nil {
			t.Fatalf("%s: %v", c.typ, err)
		}
		c.want.ID, c.want.Type, c.want.Created = "evt_1", c.typ, time.Unix(now.Unix(), 0).UTC()
		if *e != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.typ, *e, c.want)
		}
	}
	payload, header, _ := payment.SignStripeEvent("evt_2", payment.EventCheckoutCompleted, session("paid"), secret, now.Add(-6*time.Minute))
	if _, err := payment.ParseStripeEvent(payload, header, secret, payment.DefaultTolerance); !errors.Is(err, payment.ErrSignature) {
		t.Errorf("a delivery signed 6 minutes ago: %v", err)
	}
	payload, header, _ = payment.SignStripeEvent("evt_3", payment.EventCheckoutCompleted, session("paid"), "whsec_other", now)
	if _, err := payment.ParseStripeEvent(payload, header, secret, payment.DefaultTolerance); !errors.Is(err, payment.ErrSignature) {
		t.Errorf("another secret: %v", err)
	}
	if _, err := payment.ParseStripeEvent([]byte("{"), header, secret, payment.DefaultTolerance); err == nil {
		t.Error("a malformed delivery was accepted")
	}
}
