package stripe

import (
	"testing"

	stripego "github.com/stripe/stripe-go/v82"
)

// The payer's country is the address the checkout collected, else the
// card's billing address.
func TestPayerCountry(t *testing.T) {
	addr := func(c string) *stripego.Address { return &stripego.Address{Country: c} }
	for _, tc := range []struct {
		name    string
		session *stripego.CheckoutSession
		charge  *stripego.Charge
		want    string
	}{
		{"the session's address", &stripego.CheckoutSession{CustomerDetails: &stripego.CheckoutSessionCustomerDetails{Address: addr("fr")}},
			&stripego.Charge{BillingDetails: &stripego.ChargeBillingDetails{Address: addr("DE")}}, "FR"},
		{"the card's, when the session has none", &stripego.CheckoutSession{CustomerDetails: &stripego.CheckoutSessionCustomerDetails{}},
			&stripego.Charge{BillingDetails: &stripego.ChargeBillingDetails{Address: addr("DE")}}, "DE"},
		{"neither", &stripego.CheckoutSession{}, &stripego.Charge{}, ""},
	} {
		if got := payerCountry(tc.session, tc.charge); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
