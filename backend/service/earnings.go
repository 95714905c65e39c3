package service

import (
	"context"
	"errors"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// EarningsService implements api.EarningsService.
type EarningsService struct {
	*env
	provider string // the ledger account payouts leave from
	// settled: the provider pays each sale's creator share into the
	// creator's own account, so there is nothing to pay out.
	settled bool
}

var _ api.EarningsService = (*EarningsService)(nil)

// window checks a filter and states it for the store.
func (s *EarningsService) window(ctx context.Context, f api.EarningsFilter) (*store.Window, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	w := &store.Window{ArtistID: c.Account.ID, Currency: strings.ToUpper(f.Currency), From: f.From, To: f.To}
	if w.Currency == "" {
		if w.Currency, err = s.st.MainCurrency(ctx, c.Account.ID); err != nil || w.Currency == "" {
			w.Currency = "EUR"
		}
	} else if !api.ValidCurrency(w.Currency) {
		return nil, api.FieldErrorf("currency", "must be one of %s", strings.Join(api.Currencies, ", "))
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, api.FieldErrorf("to", "must be after from")
	}
	return w, nil
}

// Earnings implements api.EarningsService.
func (s *EarningsService) Earnings(ctx context.Context, f api.EarningsFilter) (*api.Earnings, error) {
	w, err := s.window(ctx, f)
	if err != nil {
		return nil, err
	}
	e := &api.Earnings{Currency: w.Currency}
	if !f.From.IsZero() {
		e.From = &f.From
	}
	if !f.To.IsZero() {
		e.To = &f.To
	}
	switch f.Group {
	case "", api.GroupMonth:
		e.Rows, e.Totals.RefundedCents, err = s.st.EarningsByPeriod(ctx, *w, false)
	case api.GroupDay:
		e.Rows, e.Totals.RefundedCents, err = s.st.EarningsByPeriod(ctx, *w, true)
	case api.GroupRelease, api.GroupTrack:
		e.Rows, e.Totals.RefundedCents, err = s.st.EarningsByRelease(ctx, *w)
	default:
		return nil, api.FieldErrorf("group", "must be day, month, release or track")
	}
	if err != nil {
		return nil, err
	}
	if e.Rows == nil {
		e.Rows = []api.EarningsRow{}
	}
	// Either grouping counts every sale in the window exactly once.
	for i, r := range e.Rows {
		if f.Group == api.GroupTrack {
			// Sales are of whole releases.
			e.Rows[i].TrackTitle = "whole release"
		}
		e.Totals.Sales += r.Sales
		e.Totals.GrossCents += r.GrossCents
		e.Totals.CreatorCents += r.CreatorCents
		e.Totals.PlatformCents += r.PlatformCents
	}
	t := &e.Totals
	t.PaidOutCents, t.PendingPayoutCents, t.AvailableCents, t.DisputedCents, err = s.st.Balances(ctx, *w)
	if err != nil {
		return nil, errors.Join(errors.New("earnings balances"), err)
	}
	t.AvailableCents -= t.DisputedCents
	return e, nil
}

// Statement implements api.EarningsService.
func (s *EarningsService) Statement(ctx context.Context, f api.EarningsFilter) ([]api.StatementLine, error) {
	w, err := s.window(ctx, f)
	if err != nil {
		return nil, err
	}
	lines, err := s.st.Statement(ctx, *w)
	if err != nil {
		return nil, err
	}
	for i := range lines {
		if lines[i].Type != "payout" {
			lines[i].Track = "whole release"
		}
	}
	return lines, nil
}

// Fans implements api.EarningsService.
func (s *EarningsService) Fans(ctx context.Context) (*api.FanList, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	fans, err := s.st.Fans(ctx, c.Account.ID)
	if err != nil {
		return nil, err
	}
	if fans == nil {
		fans = []api.Fan{}
	}
	return &api.FanList{Items: fans}, nil
}

// Follow implements api.EarningsService.
func (s *EarningsService) Follow(ctx context.Context, artistID int64) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		a, err := tx.Account(ctx, artistID)
		if err != nil || !a.Creator {
			return notFound(orNotFound(err), "artist %d not found", artistID)
		}
		if artistID == c.Account.ID {
			return api.Errorf(api.ECONFLICT, "you cannot follow yourself")
		}
		return tx.InsertFollow(ctx, c.Account.ID, artistID, s.clock())
	})
}

// Following reports whether the caller follows an artist; false for
// anyone not signed in.
func (s *EarningsService) Following(ctx context.Context, artistID int64) (bool, error) {
	c := api.CallerFromContext(ctx)
	if c == nil {
		return false, nil
	}
	return s.st.Follows(ctx, c.Account.ID, artistID)
}

// Unfollow implements api.EarningsService.
func (s *EarningsService) Unfollow(ctx context.Context, artistID int64) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	// Who stops following stops getting the artist's email too; whether
	// they share their address stays their choice.
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.DeleteFollow(ctx, c.Account.ID, artistID); err != nil {
			return err
		}
		p, err := tx.MailPrefs(ctx, c.Account.ID, artistID)
		if err != nil || !p.Email {
			return err
		}
		p.Email = false
		return tx.SetMailPrefs(ctx, c.Account.ID, artistID, p, s.clock())
	})
}
