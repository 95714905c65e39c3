package api

import (
	"fmt"
	"slices"
)

// Currencies accepted for prices. All have two decimal places, so every
// amount is in cents.
var Currencies = []string{"AUD", "CAD", "CHF", "DKK", "EUR", "GBP", "NOK", "NZD", "SEK", "USD"}

// ValidCurrency reports whether c is an accepted ISO 4217 code.
func ValidCurrency(c string) bool { return slices.Contains(Currencies, c) }

// MaxPriceCents caps a release price (one million in any currency).
const MaxPriceCents = 100_000_000

// FormatCents renders an amount like "9.00 EUR".
func FormatCents(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, cents/100, cents%100, currency)
}
