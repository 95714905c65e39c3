package payment

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// DefaultTolerance is how old a signed delivery may be: Stripe's default.
// An older one is refused, so a captured delivery cannot be replayed later.
const DefaultTolerance = 5 * time.Minute

// ParseStripeEvent verifies a Stripe-signed webhook delivery (HMAC-SHA256
// of "timestamp.payload" with the endpoint secret, within tolerance) and
// returns its event in the platform's terms. A delivery that cannot be
// trusted wraps ErrSignature; one that is signed but malformed does not.
func ParseStripeEvent(payload []byte, header, secret string, tolerance time.Duration) (*Event, error) {
	se, err := webhook.ConstructEventWithOptions(payload, header, secret, webhook.ConstructEventOptions{
		Tolerance: tolerance,
		// The endpoint's API version is set at Stripe; the fields read
		// here are the same in every version since 2020.
		IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		if errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) ||
			errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld) {
			return nil, fmt.Errorf("%w: %v", ErrSignature, err)
		}
		return nil, fmt.Errorf("payment: malformed event: %w", err)
	}
	if se.ID == "" || se.Data == nil {
		return nil, errors.New("payment: malformed event: no id or data")
	}
	e := &Event{ID: se.ID, Type: string(se.Type), Created: time.Unix(se.Created, 0).UTC()}
	return e, fill(e, se.Data.Raw)
}

// fill reads the fields of the event's object the platform acts upon.
func fill(e *Event, raw json.RawMessage) error {
	var err error
	switch e.Type {
	case EventCheckoutCompleted, EventCheckoutExpired, EventCheckoutAsyncPaid, EventCheckoutAsyncFailed:
		var s stripe.CheckoutSession
		if err = json.Unmarshal(raw, &s); err == nil {
			e.Kind, e.SessionRef, e.CheckoutID = checkoutKind(e.Type), s.ID, s.ClientReferenceID
			e.AmountCents, e.Currency = s.AmountTotal, strings.ToUpper(string(s.Currency))
			if s.CustomerDetails != nil && s.CustomerDetails.Address != nil {
				e.Country = CountryCode(s.CustomerDetails.Address.Country)
			}
			if e.Kind == EventCheckoutCompleted && s.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
				// A delayed payment method completes unpaid; only a paid
				// session is a sale (its async_payment_succeeded follows).
				e.Kind = EventOther
			}
		}
	case EventChargeRefunded:
		var c stripe.Charge
		if err = json.Unmarshal(raw, &c); err == nil {
			e.Kind, e.ChargeRef, e.AmountCents, e.RefundedCents = e.Type, c.ID, c.Amount, c.AmountRefunded
			e.Currency = strings.ToUpper(string(c.Currency))
		}
	case EventDisputeCreated, EventDisputeClosed:
		var d stripe.Dispute
		if err = json.Unmarshal(raw, &d); err == nil {
			e.Kind, e.DisputeRef, e.DisputeStatus, e.AmountCents = e.Type, d.ID, string(d.Status), d.Amount
			e.Currency = strings.ToUpper(string(d.Currency))
			if d.Charge != nil {
				e.ChargeRef = d.Charge.ID
			}
		}
	case EventAccountUpdated:
		var a stripe.Account
		if err = json.Unmarshal(raw, &a); err == nil {
			e.Kind, e.AccountRef, e.ChargesEnabled, e.PayoutsEnabled = e.Type, a.ID, a.ChargesEnabled, a.PayoutsEnabled
		}
	}
	if err != nil {
		return fmt.Errorf("payment: malformed %s event: %w", e.Type, err)
	}
	return nil
}

// checkoutKind is what a checkout event means here: a delayed payment
// that succeeds completes the checkout, one that fails ends it as an
// expired page would.
func checkoutKind(eventType string) string {
	switch eventType {
	case EventCheckoutAsyncPaid:
		return EventCheckoutCompleted
	case EventCheckoutAsyncFailed:
		return EventCheckoutExpired
	}
	return eventType
}

// SignStripeEvent builds a Stripe-format event around object and signs it
// as Stripe does, at the time given. The sandbox delivers its events this
// way; tests forge deliveries with it.
func SignStripeEvent(id, eventType string, object any, secret string, at time.Time) (payload []byte, header string, err error) {
	obj, err := json.Marshal(object)
	if err != nil {
		return nil, "", err
	}
	payload, err = json.Marshal(map[string]any{
		"id": id, "object": "event", "type": eventType, "created": at.Unix(), "api_version": stripe.APIVersion,
		"livemode": false, "data": map[string]json.RawMessage{"object": obj},
	})
	if err != nil {
		return nil, "", err
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
	return payload, signed.Header, nil
}

// CountryCode is s as an ISO 3166-1 alpha-2 code in upper case, or ""
// when it is not two letters.
func CountryCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return ""
	}
	return s
}
