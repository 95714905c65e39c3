package app

import (
	"slices"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
)

// The window asks these instead of knowing the rules itself: the platform's
// own functions are the only place a rule is written.

func rulesView() RulesView {
	return RulesView{Currencies: slices.Clone(api.Currencies), MaxPriceCents: api.MaxPriceCents, MinPayoutCents: api.MinPayoutCents, MaxPayees: ledger.MaxPayees}
}

// splitView divides a payment at the rate the platform books sales at.
func splitView(grossCents int64) (SplitView, error) {
	s, err := ledger.SplitGross(grossCents, ledger.DefaultRateBps)
	if err != nil {
		return SplitView{}, api.FieldErrorf("amount_cents", "must not be negative")
	}
	return SplitView{Gross: s.Gross, Creator: s.Creator, Platform: s.Platform}, nil
}

// normalPrice is a price as the platform will read it from the release's
// manifest (currency upper-cased, no minimum without pay-what-you-want).
func normalPrice(priceCents int64, currency string, pwyw bool, minCents int64) api.Manifest {
	m := api.Manifest{PriceCents: priceCents, Currency: currency, PayWhatYouWant: pwyw, MinCents: minCents}
	m.Normalize("")
	return m
}

// checkPrice is the platform's price rule applied to what the creator entered.
func checkPrice(priceCents int64, currency string, pwyw bool, minCents int64) error {
	m := normalPrice(priceCents, currency, pwyw, minCents)
	return api.CheckPrice(m.PriceCents, m.Currency, m.PayWhatYouWant, m.MinCents)
}
