package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// PayoutAccount implements api.PayoutAccountService.
func (s *PurchaseService) PayoutAccount(ctx context.Context) (*api.PayoutAccount, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	out := &api.PayoutAccount{Provider: s.provider.Name()}
	if _, sandbox := s.provider.(payment.DirectCharger); sandbox {
		out.ChargesEnabled, out.PayoutsEnabled = true, true
		return out, nil
	}
	a, err := s.st.PaymentAccount(ctx, c.Account.ID, s.provider.Name())
	if errors.Is(err, store.ErrNotFound) {
		out.NeedsOnboarding = true
		return out, nil
	} else if err != nil {
		return nil, err
	}
	out.Started, out.ChargesEnabled, out.PayoutsEnabled = true, a.ChargesEnabled, a.PayoutsEnabled
	out.NeedsOnboarding = !a.ChargesEnabled
	return out, nil
}

// StartOnboarding implements api.PayoutAccountService: it creates the
// creator's connected account once, and a fresh link to complete it each
// time (links expire within minutes).
func (s *PurchaseService) StartOnboarding(ctx context.Context, returnURL string) (*api.Onboarding, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	ref := ""
	a, err := s.st.PaymentAccount(ctx, c.Account.ID, s.provider.Name())
	if err == nil {
		ref = a.Ref
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	o, err := s.provider.Onboard(ctx, payment.OnboardRequest{IdempotencyKey: fmt.Sprintf("onboard:%d", c.Account.ID), AccountRef: ref, Email: c.Account.Email,
		ReturnURL: returnURL, RefreshURL: returnURL})
	if errors.Is(err, payment.ErrNoOnboarding) {
		return nil, api.Errorf(api.ECONFLICT, "this platform pays artists without onboarding: nothing to set up")
	} else if err != nil {
		return nil, err
	}
	if ref == "" {
		err = s.st.WithTx(ctx, func(tx store.Tx) error {
			return tx.SetPaymentAccount(ctx, store.PaymentAccount{AccountID: c.Account.ID, Provider: s.provider.Name(),
				Ref: o.AccountRef})
		})
		if err != nil {
			return nil, err
		}
	}
	return &api.Onboarding{URL: o.URL}, nil
}
