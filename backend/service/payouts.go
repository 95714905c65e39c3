package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// RequestPayout implements api.EarningsService.
func (s *EarningsService) RequestPayout(ctx context.Context, amount int64, currency string) (*api.Payout, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	if s.settled {
		return nil, api.Errorf(api.ECONFLICT, "your share of each sale is paid into your payout account as it happens: there is nothing to request")
	}
	currency = strings.ToUpper(currency)
	if !api.ValidCurrency(currency) {
		return nil, api.FieldErrorf("currency", "must be one of %s", strings.Join(api.Currencies, ", "))
	}
	if amount < api.MinPayoutCents {
		return nil, api.FieldErrorf("amount_cents", "the smallest payout is %s", api.FormatCents(api.MinPayoutCents, currency))
	}
	now := s.clock()
	var id int64
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, c.Account.ID); err != nil {
			return err
		}
		avail, err := tx.CreatorBalance(ctx, c.Account.ID, currency)
		if err != nil {
			return err
		}
		frozen, err := tx.Disputed(ctx, c.Account.ID, currency)
		if err != nil {
			return err
		}
		avail -= frozen
		if amount > avail {
			return api.FieldErrorf("amount_cents", "only %s is available", api.FormatCents(max(avail, 0), currency))
		}
		if id, err = tx.InsertPayout(ctx, c.Account.ID, amount, currency, now); err != nil {
			return err
		}
		if err := settleSales(ctx, tx, id, c.Account.ID, amount, currency); err != nil {
			return err
		}
		return post(ctx, tx, store.Entry{Kind: "payout", PayoutID: id, Txn: ledger.PayoutRequested(c.Account.ID, amount, currency), At: now})
	})
	if err != nil {
		return nil, err
	}
	return s.findPayout(ctx, c.Account.ID, id)
}

// settleSales allocates a payout to the creator's unsettled sales, oldest
// first, so every paid cent traces back to a sale.
func settleSales(ctx context.Context, tx store.Tx, payoutID, artist, amount int64, currency string) error {
	open, err := tx.OpenSales(ctx, artist, currency)
	if err != nil {
		return err
	}
	var items []store.OpenSale
	left := amount
	for _, o := range open {
		if left == 0 {
			break
		}
		if o.Cents > 0 {
			take := min(o.Cents, left)
			items = append(items, store.OpenSale{PurchaseID: o.PurchaseID, Cents: take})
			left -= take
		}
	}
	if left > 0 {
		return fmt.Errorf("payout of %d exceeds unsettled sales by %d", amount, left)
	}
	return tx.InsertPayoutItems(ctx, payoutID, items)
}

// Payouts implements api.EarningsService.
func (s *EarningsService) Payouts(ctx context.Context) ([]api.Payout, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := s.st.PayoutIDs(ctx, c.Account.ID)
	if err != nil {
		return nil, err
	}
	out := []api.Payout{}
	for _, id := range ids {
		p, err := s.findPayout(ctx, c.Account.ID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

func (s *EarningsService) findPayout(ctx context.Context, artist, id int64) (*api.Payout, error) {
	p, err := s.st.Payout(ctx, artist, id)
	if err != nil {
		return nil, notFound(err, "payout %d not found", id)
	}
	return p, nil
}

// MarkPayoutPaid records that a pending payout left the provider; it is
// for operators, not the API.
func (s *EarningsService) MarkPayoutPaid(ctx context.Context, id int64) error {
	now := s.clock()
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		amount, currency, err := tx.MarkPayoutPaid(ctx, id, now)
		if err != nil {
			return notFound(err, "no pending payout %d", id)
		}
		return post(ctx, tx, store.Entry{Kind: "payout_paid", PayoutID: id, Txn: ledger.PayoutPaid(s.provider, amount, currency), At: now})
	})
}
