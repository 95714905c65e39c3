package service

import (
	"context"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// Reconciliation compares the ledger with the provider's balance.
type Reconciliation struct {
	Sales, Refunds int      // ledger movements checked
	Differences    []string // one line each; none expected
}

// Reconcile compares the ledger's sales, fees and refunds since a time
// with the provider's balance transactions, and lists every difference:
// a charge or refund on one side only, another amount, another fee, and
// a refund whose reversal from the artist differs from the split rule.
func (s *PurchaseService) Reconcile(ctx context.Context, since time.Time) (*Reconciliation, error) {
	moves, err := s.st.Movements(ctx, s.provider.Name(), since)
	if err != nil {
		return nil, err
	}
	txns, err := s.provider.BalanceTransactions(ctx, since)
	if err != nil {
		return nil, err
	}
	bySource := map[string]payment.BalanceTxn{}
	for _, t := range txns {
		if t.Type == "charge" || t.Type == "payment" || t.Type == "refund" || t.Type == "payment_refund" {
			bySource[t.SourceRef] = t
		}
	}
	rec := &Reconciliation{}
	for _, m := range moves {
		t, ok := bySource[m.Ref]
		delete(bySource, m.Ref)
		rec.Differences = append(rec.Differences, compare(m, t, ok)...)
		if m.Kind == "sale" {
			rec.Sales++
		} else {
			rec.Refunds++
		}
	}
	for _, t := range txns {
		if _, left := bySource[t.SourceRef]; left {
			rec.Differences = append(rec.Differences, fmt.Sprintf("%s %s of %s on %s: not in the ledger",
				t.Type, t.SourceRef, api.FormatCents(t.AmountCents, t.Currency), t.Created.Format(time.DateOnly)))
		}
	}
	return rec, nil
}

// compare states how one ledger movement differs from the provider's.
func compare(m store.Movement, t payment.BalanceTxn, found bool) []string {
	name := fmt.Sprintf("%s %d (%s)", m.Kind, m.ID, m.Ref)
	if m.Ref == "" {
		return []string{name + ": booked without a provider reference"}
	}
	if !found {
		return []string{name + ": the provider has no such " + map[string]string{"sale": "charge", "refund": "refund"}[m.Kind]}
	}
	want := m.AmountCents
	if m.Kind == "refund" {
		want = -want
	}
	var out []string
	if t.AmountCents != want || t.Currency != m.Currency {
		out = append(out, fmt.Sprintf("%s: the ledger has %s, the provider %s", name,
			api.FormatCents(want, m.Currency), api.FormatCents(t.AmountCents, t.Currency)))
	}
	if m.Kind == "sale" && t.FeeCents != m.FeeCents {
		out = append(out, fmt.Sprintf("%s: the ledger has a fee of %s, the provider %s", name,
			api.FormatCents(m.FeeCents, m.Currency), api.FormatCents(t.FeeCents, t.Currency)))
	}
	if m.Reversed != nil && *m.Reversed != m.Creator {
		out = append(out, fmt.Sprintf("%s: the provider took %s back from the artist, the split rule %s", name,
			api.FormatCents(*m.Reversed, m.Currency), api.FormatCents(m.Creator, m.Currency)))
	}
	return out
}
