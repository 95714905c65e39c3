// Package stripetest points a test at the stripe-mock server that
// scripts/services.sh starts: MEGABOX_TEST_STRIPE is its URL. stripe-mock
// checks every request against Stripe's API description and answers with
// fixtures; it keeps no state. Without the variable a test skips, unless
// MEGABOX_REQUIRE_SERVICES=1, where it fails.
package stripetest

import (
	"os"
	"testing"
)

// URL returns the stripe-mock server's URL, or skips the test.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("MEGABOX_TEST_STRIPE")
	if u != "" {
		return u
	}
	if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "1" {
		tb.Fatal("MEGABOX_TEST_STRIPE is not set but MEGABOX_REQUIRE_SERVICES=1: run the tests through scripts/services.sh")
	}
	tb.Skip("no stripe-mock: MEGABOX_TEST_STRIPE is not set (scripts/services.sh sets it)")
	return ""
}
