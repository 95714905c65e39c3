package payment

import (
	"testing"
	"time"
)

// A completed checkout's event carries the payer's country from the
// address the page collected, as a two-letter code or nothing.
func TestCheckoutEventCarriesTheCountry(t *testing.T) {
	for _, tc := range []struct {
		details any
		want    string
	}{
		{map[string]any{"address": map[string]any{"country": "fr"}}, "FR"},
		{map[string]any{"address": map[string]any{"country": "BE"}}, "BE"},
		{map[string]any{"address": map[string]any{"country": "France"}}, ""},
		{map[string]any{"address": nil}, ""},
		{nil, ""},
	} {
		session := map[string]any{"id": "cs_1", "object": "checkout.session", "client_reference_id": "co_1", "amount_total": 500,
			"currency": "eur", "payment_status": "paid", "status": "complete", "customer_details": tc.details}
		payload, header, err := SignStripeEvent("evt_1", EventCheckoutCompleted, session, "whsec_x", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		e, err := ParseStripeEvent(payload, header, "whsec_x", DefaultTolerance)
		if err != nil {
			t.Fatal(err)
		}
		if e.Country != tc.want {
			t.Errorf("customer_details %v: country %q, want %q", tc.details, e.Country, tc.want)
		}
	}
}

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{"fr": "FR", " de ": "DE", "GB": "GB", "": "", "F": "", "FRA": "", "1A": "", "é1": ""} {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// The sandbox's confirmation says the country it was paid from, and its
// settlement passes it on.
func TestSandboxPaysFromACountry(t *testing.T) {
	sb := NewSandboxWithSecret("whsec_x")
	payload, header, err := sb.Pay("cs_sb_1", "co_1", 500, "EUR", CardSuccess, "PT", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e, err := sb.ParseWebhook(payload, header)
	if err != nil {
		t.Fatal(err)
	}
	set, err := sb.Settlement(t.Context(), e)
	if err != nil || set.Country != "PT" {
		t.Fatalf("settlement = %+v, %v; want country PT", set, err)
	}
}
