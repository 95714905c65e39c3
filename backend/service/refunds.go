package service

import (
	"context"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// RefundPurchase implements api.PurchaseService: the release's creator
// refunds one of its sales.
func (s *PurchaseService) RefundPurchase(ctx context.Context, purchaseID, amount int64) (*api.Refund, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	return s.refund(ctx, purchaseID, amount, c.Account.ID)
}

// AdminRefund refunds any purchase; it is for operators, not the API.
func (s *PurchaseService) AdminRefund(ctx context.Context, purchaseID, amount int64) (*api.Refund, error) {
	return s.refund(ctx, purchaseID, amount, 0)
}

// refund reverses amount of a purchase; by is the refunding creator, or 0
// for an administrator.
func (s *PurchaseService) refund(ctx context.Context, purchaseID, amount, by int64) (*api.Refund, error) {
	// Once the provider has given money back, the refund must be recorded:
	// a client hanging up must not roll it back (a retry would refund twice).
	ctx = context.WithoutCancel(ctx)
	var r *api.Refund
	err := s.st.WithTx(ctx, func(tx store.Tx) error {
		sale, err := tx.Sale(ctx, purchaseID)
		if err != nil || (by != 0 && sale.ArtistID != by) {
			return notFound(orNotFound(err), "purchase %d not found", purchaseID)
		}
		if sale.Disputed {
			return api.Errorf(api.ECONFLICT, "purchase %d is disputed: its money is frozen until the bank decides", purchaseID)
		}
		if err := lockPayees(ctx, tx, sale); err != nil {
			return err
		}
		done, err := tx.Refunded(ctx, purchaseID)
		if err != nil {
			return err
		}
		plan, err := planRefund(ctx, tx, sale, done, amount)
		if err != nil {
			return err
		}
		req := payment.RefundRequest{IdempotencyKey: fmt.Sprintf("refund:%d:%d:%d", purchaseID, done.Gross, amount),
			ChargeRef: sale.PaymentRef, AmountCents: amount, ReverseTransfer: true, RefundApplicationFee: true}
		if req.TransferReversals, err = s.reversals(ctx, tx, purchaseID, plan.parts); err != nil {
			return err
		} else if req.TransferReversals != nil { // separate transfers: each is reversed by its part
			req.ReverseTransfer, req.RefundApplicationFee = false, false
		}
		// The provider is asked inside the transaction so a failed refund
		// leaves no trace in the ledger; the key is the refund's place in
		// the sale's history, so a retry is the same refund.
		res, err := s.provider.Refund(ctx, req)
		if err != nil {
			return err
		}
		r, err = s.bookRefund(ctx, tx, sale, plan, by, res)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Library implements api.PurchaseService.
func (s *PurchaseService) Library(ctx context.Context) (*api.Library, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	items, err := s.st.Library(ctx, c.Account.ID)
	if err != nil {
		return nil, err
	}
	for i := range items {
		// Owned releases stay visible to their buyers even unpublished.
		r, err := s.st.Release(ctx, items[i].Release.ID)
		if err != nil {
			return nil, fmt.Errorf("library release %d: %w", items[i].Release.ID, err)
		}
		items[i].Release = *r
		items[i].Release.HoldPreorder(s.clock())
	}
	if items == nil {
		items = []api.LibraryItem{}
	}
	return &api.Library{Items: items}, nil
}
