package app

import "github.com/megabox-fm/megabox/backend/api"

// RulesAPI answers the window's questions about the platform's rules with
// the rules themselves, so what the window says while the user types is
// what the platform will apply.
type RulesAPI struct{}

// Rules returns what the window needs before it asks anything.
func (RulesAPI) Rules() RulesView { return rulesView() }

// Split is how the platform books a payment of grossCents.
func (RulesAPI) Split(grossCents int64) (SplitView, error) {
	s, err := splitView(grossCents)
	return s, uiError(err)
}

// SplitPayees is how the platform would book a payment of grossCents
// for a release owned by ownerEmail and shared with collaborators; what
// is wrong with the list, if anything, comes back in Problem.
func (RulesAPI) SplitPayees(grossCents int64, ownerEmail string, collaborators []api.ManifestCollaborator) (PayeesView, error) {
	v, err := payeesView(grossCents, ownerEmail, collaborators)
	return v, uiError(err)
}

// CheckPrice says what is wrong with a release price, naming the field;
// nil when the platform would accept it.
func (RulesAPI) CheckPrice(priceCents int64, currency string, pwyw bool, minCents int64) error {
	return uiError(checkPrice(priceCents, currency, pwyw, minCents))
}

// RulesView is the platform's limits, as data for labels and choices.
type RulesView struct {
	Currencies     []string `json:"currencies"`
	MaxPriceCents  int64    `json:"max_price_cents"`
	MinPayoutCents int64    `json:"min_payout_cents"`
	MaxPayees      int      `json:"max_payees"` // a release's owner and collaborators
}

// SplitView is one payment divided between creator and platform, in cents.
type SplitView struct {
	Gross    int64 `json:"gross"`
	Creator  int64 `json:"creator"`
	Platform int64 `json:"platform"`
}
