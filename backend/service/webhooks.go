package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// Webhook effects, for the log.
const (
	EffectApplied   = "applied"
	EffectDuplicate = "duplicate" // delivered before: nothing more to do
	EffectIgnored   = "ignored"   // not an event the platform acts upon, or not ours
)

// patience is how long an event about a sale not recorded yet (a refund
// delivered before its payment) is answered "try again": the provider
// retries, and by then the sale is there. Past it, the charge is not ours.
const patience = time.Hour

// errDuplicate: this delivery, or another of the same event, was applied.
var errDuplicate = errors.New("event applied before")

// HandleWebhook verifies one delivery from the payment provider and
// applies its event once, whatever the number of deliveries: EUNAUTHORIZED
// for a delivery that cannot be trusted (bad signature, too old), and
// EUNAVAILABLE when the provider should deliver it again later.
func (s *PurchaseService) HandleWebhook(ctx context.Context, payload []byte, signature string) (*api.WebhookOutcome, error) {
	e, err := s.provider.ParseWebhook(payload, signature)
	if errors.Is(err, payment.ErrSignature) {
		return nil, api.Errorf(api.EUNAUTHORIZED, "webhook signature refused: %v", err)
	} else if err != nil {
		return nil, api.Errorf(api.EINVALID, "%v", err)
	}
	// Once verified, an event is applied to the end even if its sender
	// hangs up.
	ctx = context.WithoutCancel(ctx)
	out := &api.WebhookOutcome{EventID: e.ID, Type: e.Type, Effect: EffectApplied}
	switch e.Kind {
	case payment.EventCheckoutCompleted:
		err = s.completeCheckout(ctx, e, out)
	case payment.EventCheckoutExpired:
		err = s.expireCheckout(ctx, e)
	case payment.EventChargeRefunded:
		err = s.providerRefund(ctx, e, out)
	case payment.EventDisputeCreated:
		err = s.openDispute(ctx, e, out)
	case payment.EventDisputeClosed:
		err = s.closeDispute(ctx, e, out)
	case payment.EventAccountUpdated:
		err = s.accountUpdated(ctx, e, out)
	default:
		out.Effect = EffectIgnored
	}
	switch {
	case errors.Is(err, errDuplicate):
		out.Effect, err = EffectDuplicate, nil
	case errors.Is(err, store.ErrNotFound):
		out.Effect, out.Detail, err = EffectIgnored, "not a payment of this platform", nil
	}
	return out, err
}

// remember records an event in tx; errDuplicate if it was recorded before.
func (s *PurchaseService) remember(ctx context.Context, tx store.Tx, e *payment.Event) error {
	err := tx.InsertPaymentEvent(ctx, s.provider.Name(), e.ID, e.Type, s.clock())
	if errors.Is(err, store.ErrConflict) {
		return errDuplicate
	}
	return err
}

// completeCheckout writes the sale a confirmed payment paid for, with its
// receipt and journal entry, and closes the checkout, in one transaction.
func (s *PurchaseService) completeCheckout(ctx context.Context, e *payment.Event, out *api.WebhookOutcome) error {
	rec, err := s.st.CheckoutBySession(ctx, s.provider.Name(), e.SessionRef)
	if err != nil {
		return err
	}
	group := "checkout_" + rec.ID
	if rec.State == api.CheckoutPaid {
		if err := s.sendTransfers(ctx, rec.PurchaseID, group); err != nil {
			return err
		}
		return errDuplicate
	}
	set, err := s.provider.Settlement(ctx, e)
	if err != nil {
		return api.Errorf(api.EUNAVAILABLE, "read the payment of checkout %s: %v", rec.ID, err)
	}
	co, err := s.checkoutOf(ctx, rec, set)
	if err != nil {
		return err
	}
	key, err := s.receiptKey(ctx)
	if err != nil {
		return err
	}
	charge := &payment.Charge{Ref: set.ChargeRef, FeeCents: set.FeeCents}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, rec.FanID); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, e); err != nil {
			return err
		}
		now := s.clock()
		p, err := s.writeSale(ctx, tx, key, co, charge, now)
		if err != nil {
			return err
		}
		if err := tx.UseCheckoutCode(ctx, rec.ID, rec.FanID, p.ID, now); err != nil {
			return err
		}
		if err := setCountry(ctx, tx, p.ID, set.Country, e.Country); err != nil {
			return err
		}
		out.Detail = fmt.Sprintf("checkout %s paid: purchase %d", rec.ID, p.ID)
		if err := s.payGift(ctx, tx, co, rec, p); err != nil {
			return err
		}
		return closeOpen(tx.CloseCheckout(ctx, rec.ID, api.CheckoutPaid, p.ID, ""))
	})
	if api.ErrorCode(err) == api.ECONFLICT {
		return s.failCheckout(ctx, e, rec, charge, err, out)
	} else if err != nil {
		return err
	}
	s.mailQueued()
	paid, err := s.st.Checkout(ctx, rec.ID)
	if err != nil {
		return err
	}
	return s.sendTransfers(ctx, paid.PurchaseID, group)
}

// closeOpen: a checkout no longer open was closed by another delivery.
func closeOpen(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errDuplicate
	}
	return err
}

// checkoutOf is the sale a checkout's confirmed payment makes, split on
// what the provider actually charged.
func (s *PurchaseService) checkoutOf(ctx context.Context, rec *store.Checkout, set *payment.Settlement) (*checkout, error) {
	if set.AmountCents != rec.AmountCents || set.Currency != rec.Currency {
		return nil, fmt.Errorf("checkout %s: the provider charged %s, not %s", rec.ID,
			api.FormatCents(set.AmountCents, set.Currency), api.FormatCents(rec.AmountCents, rec.Currency))
	}
	rel, shares, err := s.st.ReleaseForSale(ctx, rec.ReleaseID)
	if err != nil {
		return nil, err
	}
	fan, err := s.st.Account(ctx, rec.FanID)
	if err != nil {
		return nil, err
	}
	split, err := ledger.SplitGross(set.AmountCents, s.rateBps)
	if err != nil {
		return nil, err
	}
	gift, err := s.checkoutGift(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	co := &checkout{rel: rel, fan: *fan, split: split, share: rec.ShareEmail, amount: set.AmountCents, gift: gift}
	return co, co.divide(shares)
}

// failCheckout gives back a payment that cannot become a sale (the fan
// came to own the release another way meanwhile) and says so on the
// checkout; the event is remembered with it.
func (s *PurchaseService) failCheckout(ctx context.Context, e *payment.Event, rec *store.Checkout, charge *payment.Charge, why error, out *api.WebhookOutcome) error {
	_, err := s.provider.Refund(ctx, payment.RefundRequest{IdempotencyKey: "giveback:" + rec.ID, ChargeRef: charge.Ref,
		AmountCents: rec.AmountCents, ReverseTransfer: true, RefundApplicationFee: true})
	if err != nil {
		return api.Errorf(api.EUNAVAILABLE, "give back the payment of checkout %s: %v", rec.ID, err)
	}
	msg := api.ErrorMessage(why) + ": the payment was given back"
	out.Detail = "checkout " + rec.ID + " failed: " + msg
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := s.remember(ctx, tx, e); err != nil {
			return err
		}
		if err := tx.ReleaseCheckoutCode(ctx, rec.ID); err != nil {
			return err
		}
		return closeOpen(tx.CloseCheckout(ctx, rec.ID, api.CheckoutFailed, 0, msg))
	})
}

// expireCheckout closes a checkout whose page expired unpaid.
func (s *PurchaseService) expireCheckout(ctx context.Context, e *payment.Event) error {
	rec, err := s.st.CheckoutBySession(ctx, s.provider.Name(), e.SessionRef)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := s.remember(ctx, tx, e); err != nil {
			return err
		}
		if err := tx.ReleaseCheckoutCode(ctx, rec.ID); err != nil {
			return err
		}
		return closeOpen(tx.CloseCheckout(ctx, rec.ID, api.CheckoutExpired, 0, ""))
	})
}

// saleOf finds the sale a charge event is about. A charge unknown for
// less than patience may belong to a payment whose confirmation has not
// arrived yet: the provider is asked to deliver again.
func (s *PurchaseService) saleOf(ctx context.Context, e *payment.Event) (int64, error) {
	id, err := s.st.SaleByPaymentRef(ctx, s.provider.Name(), e.ChargeRef)
	if errors.Is(err, store.ErrNotFound) && s.clock().Sub(e.Created) < patience {
		return 0, api.Errorf(api.EUNAVAILABLE, "no sale for charge %s yet: deliver again later", e.ChargeRef)
	}
	return id, err
}

// providerRefund books a refund made at the provider (from its dashboard,
// or the one this platform asked for): the event states the charge's
// total refunded, and what the ledger lacks of it is booked by the split
// rule.
func (s *PurchaseService) providerRefund(ctx context.Context, e *payment.Event, out *api.WebhookOutcome) error {
	id, err := s.saleOf(ctx, e)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := s.remember(ctx, tx, e); err != nil {
			return err
		}
		sale, err := tx.Sale(ctx, id)
		if err != nil {
			return err
		}
		if err := lockPayees(ctx, tx, sale); err != nil {
			return err
		}
		done, err := tx.Refunded(ctx, id)
		if err != nil {
			return err
		}
		missing := e.RefundedCents - done.Gross
		if missing <= 0 {
			out.Detail = fmt.Sprintf("purchase %d: refunds already booked", id)
			return nil
		}
		out.Detail = fmt.Sprintf("purchase %d: refund of %s booked", id, api.FormatCents(missing, sale.Currency))
		plan, err := planRefund(ctx, tx, sale, done, missing)
		if err != nil {
			return err
		}
		_, err = s.bookRefund(ctx, tx, sale, plan, 0, nil)
		return err
	})
}

// lockPayees holds the balances of a sale's payees, which a refund
// shrinks: no payout may read them meanwhile. Accounts are locked in id
// order, so two refunds sharing payees never wait for each other in turn.
func lockPayees(ctx context.Context, tx store.Tx, sale *store.SaleRecord) error {
	payees, err := tx.SaleShares(ctx, sale.ID)
	if err != nil {
		return err
	}
	ids := []int64{sale.ArtistID}
	for _, p := range payees {
		ids = append(ids, p.AccountID)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := tx.Lock(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// refundPlan is a refund divided by the split rule: the platform's side
// and each payee's part of the creator side.
type refundPlan struct {
	split ledger.Split
	parts []ledger.Part
}

// planRefund divides a refund of amount against what remains of a sale.
func planRefund(ctx context.Context, tx store.Tx, sale *store.SaleRecord, done ledger.Split, amount int64) (*refundPlan, error) {
	rem := ledger.Remaining(sale.Split, []ledger.Split{done})
	split, err := ledger.SplitRefund(rem, amount, sale.RateBps)
	if err != nil {
		return nil, &api.Error{Code: api.EINVALID, Field: "amount_cents",
			Message: fmt.Sprintf("refund must be between 0.01 and the %s not yet refunded", api.FormatCents(rem.Gross, sale.Currency))}
	}
	payees, err := tx.SaleShares(ctx, sale.ID)
	if err != nil {
		return nil, err
	}
	if len(payees) == 0 { // a sale from before shares were recorded
		payees = []store.SaleShare{{AccountID: sale.ArtistID, Bps: 10_000, Cents: sale.Split.Creator, Refunded: done.Creator}}
	}
	shares, left := make([]ledger.Share, len(payees)), make([]ledger.Part, len(payees))
	for i, p := range payees {
		shares[i] = ledger.Share{AccountID: p.AccountID, Bps: p.Bps}
		left[i] = ledger.Part{AccountID: p.AccountID, Cents: p.Cents - p.Refunded}
	}
	parts, err := ledger.RefundParts(left, split.Creator, sale.ArtistID, shares)
	if err != nil {
		return nil, fmt.Errorf("divide the refund of purchase %d: %w", sale.ID, err)
	}
	return &refundPlan{split: split, parts: parts}, nil
}

// bookRefund writes a planned refund of a sale and its journal entry; res
// is what the provider says it did, kept next to it.
func (s *PurchaseService) bookRefund(ctx context.Context, tx store.Tx, sale *store.SaleRecord, plan *refundPlan, by int64, res *payment.RefundResult) (*api.Refund, error) {
	split := plan.split
	r := &api.Refund{PurchaseID: sale.ID, AmountCents: split.Gross, CreatorCents: split.Creator, PlatformCents: split.Platform,
		Currency: sale.Currency, CreatedAt: s.clock()}
	rec := store.RefundRecord{PurchaseID: sale.ID, Split: split, Parts: plan.parts, RefundedBy: by, CreatedAt: r.CreatedAt}
	if res != nil {
		rec.ProviderRef = res.Ref
		// A destination charge's transfer is the whole charge: Stripe
		// takes the whole refund back from the artist and returns them the
		// refunded part of the platform's fee. What the payees lose is the
		// difference, which the split rule should match.
		if res.TransferReversed != 0 {
			lost := res.TransferReversed - res.ApplicationFeeCents
			rec.Reversed = &lost
		}
	}
	var err error
	if r.ID, err = tx.InsertRefund(ctx, rec); err != nil {
		return nil, err
	}
	txn := ledger.RefundPartsTxn(sale.Provider, plan.parts, split.Platform, r.Currency)
	if s.settlesToCreators() { // each transfer is reversed by as much
		for _, p := range plan.parts {
			if p.Cents > 0 {
				txn = append(txn, ledger.Transfer(sale.Provider, p.AccountID, -p.Cents, r.Currency)...)
			}
		}
	}
	return r, post(ctx, tx, store.Entry{Kind: "refund", PurchaseID: sale.ID, RefundID: r.ID, Txn: txn, At: r.CreatedAt})
}

// reversals are the transfers a refund of a sale with several payees
// takes its parts back from.
func (s *PurchaseService) reversals(ctx context.Context, tx store.Tx, purchaseID int64, parts []ledger.Part) ([]payment.TransferReversal, error) {
	if !s.settlesToCreators() || len(parts) < 2 {
		return nil, nil
	}
	sent, err := tx.Transfers(ctx, purchaseID)
	if err != nil {
		return nil, err
	}
	refs := map[int64]string{}
	for _, t := range sent {
		refs[t.AccountID] = t.Ref
	}
	var out []payment.TransferReversal
	for _, p := range parts {
		if p.Cents == 0 {
			continue
		}
		if refs[p.AccountID] == "" {
			return nil, api.Errorf(api.EUNAVAILABLE, "purchase %d: a payee's part has not been transferred yet: try again in a minute", purchaseID)
		}
		out = append(out, payment.TransferReversal{TransferRef: refs[p.AccountID], Cents: p.Cents})
	}
	return out, nil
}

// sendTransfers sends each payee of a sale with several their part, once
// each; the provider delivers the payment's event again while one is
// missing, and the next delivery sends the rest. A sale with one payee is
// a destination charge: Stripe transfers its part with the charge.
func (s *PurchaseService) sendTransfers(ctx context.Context, purchaseID int64, group string) error {
	if !s.settlesToCreators() {
		return nil
	}
	payees, err := s.st.SaleShares(ctx, purchaseID)
	if err != nil || len(payees) < 2 {
		return err
	}
	sale, err := s.st.Sale(ctx, purchaseID)
	if err != nil {
		return err
	}
	sent, err := s.st.Transfers(ctx, purchaseID)
	if err != nil {
		return err
	}
	done := map[int64]bool{}
	for _, t := range sent {
		done[t.AccountID] = true
	}
	for _, p := range payees {
		if done[p.AccountID] || p.Cents == 0 {
			continue
		}
		if err := s.transfer(ctx, sale, p, group); err != nil {
			return api.Errorf(api.EUNAVAILABLE, "transfer of purchase %d to account %d: %v", purchaseID, p.AccountID, err)
		}
	}
	return nil
}

// transfer sends one payee their part and records it.
func (s *PurchaseService) transfer(ctx context.Context, sale *store.SaleRecord, p store.SaleShare, group string) error {
	ref, err := s.payeeRef(ctx, p.AccountID, p.Cents)
	if err != nil {
		return err
	}
	id, err := s.provider.Transfer(ctx, payment.TransferRequest{IdempotencyKey: fmt.Sprintf("transfer:%d:%d", sale.ID, p.AccountID),
		Payee: payment.Payee{AccountRef: ref, Cents: p.Cents}, Currency: sale.Currency, SourceChargeRef: sale.PaymentRef, TransferGroup: group})
	if err != nil {
		return err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		return tx.InsertTransfer(ctx, store.Transfer{PurchaseID: sale.ID, AccountID: p.AccountID, Ref: id, Cents: p.Cents, CreatedAt: s.clock()})
	})
	if errors.Is(err, store.ErrConflict) { // another delivery recorded the same transfer
		return nil
	}
	return err
}

// openDispute freezes a disputed sale: no refund and no payout of its
// money until the dispute closes.
func (s *PurchaseService) openDispute(ctx context.Context, e *payment.Event, out *api.WebhookOutcome) error {
	id, err := s.saleOf(ctx, e)
	if err != nil {
		return err
	}
	out.Detail = fmt.Sprintf("purchase %d disputed", id)
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := s.remember(ctx, tx, e); err != nil {
			return err
		}
		err := tx.InsertDispute(ctx, store.Dispute{Provider: s.provider.Name(), Ref: e.DisputeRef, PurchaseID: id,
			AmountCents: e.AmountCents, Status: e.DisputeStatus, Open: true, CreatedAt: s.clock()})
		if errors.Is(err, store.ErrConflict) {
			return errDuplicate
		}
		return err
	})
}

// closeDispute ends a dispute: a lost one reverses what remains of the
// sale on both sides, as a full refund would; a won one unfreezes it.
func (s *PurchaseService) closeDispute(ctx context.Context, e *payment.Event, out *api.WebhookOutcome) error {
	d, err := s.st.Dispute(ctx, s.provider.Name(), e.DisputeRef)
	if errors.Is(err, store.ErrNotFound) && s.clock().Sub(e.Created) < patience {
		return api.Errorf(api.EUNAVAILABLE, "dispute %s not known yet: deliver again later", e.DisputeRef)
	} else if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := s.remember(ctx, tx, e); err != nil {
			return err
		}
		if err := tx.CloseDispute(ctx, s.provider.Name(), e.DisputeRef, e.DisputeStatus, s.clock()); err != nil {
			return err
		}
		out.Detail = fmt.Sprintf("purchase %d: dispute %s", d.PurchaseID, e.DisputeStatus)
		if e.DisputeStatus != "lost" {
			return nil
		}
		sale, err := tx.Sale(ctx, d.PurchaseID)
		if err != nil {
			return err
		}
		if err := lockPayees(ctx, tx, sale); err != nil {
			return err
		}
		done, err := tx.Refunded(ctx, d.PurchaseID)
		if err != nil || sale.Split.Gross-done.Gross == 0 {
			return err
		}
		plan, err := planRefund(ctx, tx, sale, done, sale.Split.Gross-done.Gross)
		if err != nil {
			return err
		}
		_, err = s.bookRefund(ctx, tx, sale, plan, 0, &payment.RefundResult{Ref: e.DisputeRef})
		return err
	})
}

// accountUpdated enables or disables a creator's sales as the provider
// reports their connected account.
func (s *PurchaseService) accountUpdated(ctx context.Context, e *payment.Event, out *api.WebhookOutcome) error {
	a, err := s.st.PaymentAccountByRef(ctx, s.provider.Name(), e.AccountRef)
	if err != nil {
		return err
	}
	if e.Created.Before(a.UpdatedAt) { // an older state delivered late
		return errDuplicate
	}
	a.ChargesEnabled, a.PayoutsEnabled, a.UpdatedAt = e.ChargesEnabled, e.PayoutsEnabled, e.Created
	out.Detail = fmt.Sprintf("account %d: charges enabled %t", a.AccountID, a.ChargesEnabled)
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := s.remember(ctx, tx, e); err != nil {
			return err
		}
		return tx.SetPaymentAccount(ctx, *a)
	})
}

// setCountry records where a sale's payer is, as the provider's reading
// of the payment says, else as its event did; nothing when neither knows.
func setCountry(ctx context.Context, tx store.Tx, purchaseID int64, countries ...string) error {
	for _, c := range countries {
		if c = payment.CountryCode(c); c != "" {
			return tx.SetPurchaseCountry(ctx, purchaseID, c)
		}
	}
	return nil
}
