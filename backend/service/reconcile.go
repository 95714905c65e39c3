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
		if matched[t.Type] {
			bySource[t.SourceRef] = t
		}
	}
	rec := &Reconciliation{}
	for _, m := range moves {
		if m.Kind == "sale" {
			rec.Sales++
		} else {
			rec.Refunds++
		}
		if m.Ref == "" && m.Kind == "refund" {
			// Booked from a charge.refunded event, which does not name
			// the refund: paired with a provider refund of that amount.
			m.Ref = refundOf(bySource, m)
		}
		t, ok := bySource[m.Ref]
		delete(bySource, m.Ref)
		rec.Differences = append(rec.Differences, compare(m, t, ok)...)
	}
	for _, t := range txns {
		if _, left := bySource[t.SourceRef]; left {
			rec.Differences = append(rec.Differences, fmt.Sprintf("%s %s of %s on %s: not in the ledger",
				t.Type, t.SourceRef, api.FormatCents(t.AmountCents, t.Currency), t.Created.Format(time.DateOnly)))
		}
	}
	return rec, nil
}

// matched are the balance transactions compared with the ledger: charges,
// refunds, and the adjustments of lost disputes. Transfers to creators and
// fees' own lines follow from those.
var matched = map[string]bool{"charge": true, "payment": true, "refund": true, "payment_refund": true, "adjustment": true}

// refundOf finds an unmatched provider refund of a ledger refund's amount,
// the closest in time, and returns its source.
func refundOf(bySource map[string]payment.BalanceTxn, m store.Movement) string {
	best, ref := time.Duration(1<<62), ""
	for src, t := range bySource {
		if (t.Type != "refund" && t.Type != "payment_refund") || t.AmountCents != -m.AmountCents || t.Currency != m.Currency {
			continue
		}
		d := t.Created.Sub(m.At)
		if d < 0 {
			d = -d
		}
		if d < best || (d == best && src < ref) {
			best, ref = d, src
		}
	}
	return ref
}

// compare states how one ledger movement differs from the provider's.
func compare(m store.Movement, t payment.BalanceTxn, found bool) []string {
	name := fmt.Sprintf("%s %d (%s)", m.Kind, m.ID, m.Ref)
	if m.Ref == "" {
		return []string{fmt.Sprintf("%s %d: the provider has no refund of %s", m.Kind, m.ID, api.FormatCents(m.AmountCents, m.Currency))}
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
