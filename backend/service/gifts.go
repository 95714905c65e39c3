package service

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/mail"
	"github.com/megabox-fm/megabox/backend/store"
)

// A gift is a checkout with a recipient's address. Its payment is a sale
// like any other (the ledger books it with the normal split, the giver
// gets the receipt), but the purchase is held: nobody owns the release by
// it, and the giver cannot download it. The recipient gets a link with a
// random token (only its hash is kept); claiming it makes the purchase
// theirs, once. Refunds go to the giver's card: an unclaimed gift refunded
// in full can no longer be claimed; a claimed one leaves its recipient's
// library as any refunded purchase does.

var _ api.GiftService = (*PurchaseService)(nil)

// checkGift normalizes and checks a checkout's gift.
func checkGift(g *api.GiftCreate) error {
	g.Normalize()
	return g.Validate()
}

// giftHash adds a gift to a checkout's fingerprint.
func giftHash(h []byte, g *api.GiftCreate) []byte {
	sum := sha256.Sum256(fmt.Appendf(h, "gift:%q:%q:%q", g.Email, g.Message, g.Lang))
	return sum[:]
}

// insertGift records a checkout's gift with the checkout.
func (s *PurchaseService) insertGift(ctx context.Context, tx store.Tx, co *checkout, rec store.Checkout) error {
	if co.gift == nil {
		return nil
	}
	_, err := tx.InsertGift(ctx, store.Gift{CheckoutID: rec.ID, GiverID: rec.FanID, ReleaseID: rec.ReleaseID,
		Email: co.gift.Email, Message: co.gift.Message, Lang: co.gift.Lang, CreatedAt: rec.CreatedAt})
	return err
}

// checkoutGift is the gift a checkout pays for; nil for none.
func (s *PurchaseService) checkoutGift(ctx context.Context, checkoutID string) (*api.GiftCreate, error) {
	g, err := s.st.GiftByCheckout(ctx, checkoutID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &api.GiftCreate{Email: g.Email, Message: g.Message, Lang: g.Lang}, nil
}

// giftMail is what the gift email says.
type giftMail struct {
	Giver, Title, Artist, Message, Link string
}

// payGift ties a paid checkout's gift to its sale, in the sale's
// transaction, and queues the email with the claim link when the platform
// sends email (otherwise the giver makes the link: GiftLink).
func (s *PurchaseService) payGift(ctx context.Context, tx store.Tx, co *checkout, rec *store.Checkout, p *api.Purchase) error {
	if co.gift == nil {
		return nil
	}
	token := randomToken()
	g, err := tx.PayGift(ctx, rec.ID, p.ID, auth.HashToken(token), p.Receipt)
	if err != nil {
		return fmt.Errorf("pay gift: %w", err)
	}
	if !s.mailOn() {
		return nil
	}
	data := giftMail{Giver: co.fan.DisplayName, Title: co.rel.Title, Artist: co.rel.ArtistName, Message: g.Message,
		Link: originOf(rec.ReturnURL) + "/gift/" + token}
	_, err = mail.Queue(ctx, tx, fmt.Sprintf("gift:%d", g.ID), g.Email, "gift", g.Lang, data, s.clock())
	return err
}

// originOf is the scheme and host of the platform's address a checkout
// came back to.
func originOf(returnURL string) string {
	u, err := url.Parse(returnURL)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// Gifts implements api.GiftService.
func (s *PurchaseService) Gifts(ctx context.Context) ([]api.Gift, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	gs, err := s.st.GiftsFrom(ctx, c.Account.ID)
	if err != nil {
		return nil, err
	}
	out := make([]api.Gift, 0, len(gs))
	for i := range gs {
		g, err := s.giftView(ctx, &gs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, nil
}

// giftView states a gift for its giver.
func (s *PurchaseService) giftView(ctx context.Context, g *store.Gift) (*api.Gift, error) {
	out := &api.Gift{ID: g.ID, ReleaseID: g.ReleaseID, PurchaseID: g.PurchaseID, Email: g.Email, Message: g.Message,
		State: giftState(g), Receipt: g.GiverReceipt, CreatedAt: g.CreatedAt}
	if g.ClaimedBy != 0 {
		at := g.ClaimedAt
		out.ClaimedAt = &at
	}
	m, err := s.st.MailByKey(ctx, fmt.Sprintf("gift:%d", g.ID))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	out.Emailed = err == nil && m.State != store.MailFailed
	return out, nil
}

func giftState(g *store.Gift) string {
	switch {
	case g.ClaimedBy != 0:
		return api.GiftClaimed
	case g.Refunded:
		return api.GiftRefunded
	}
	return api.GiftWaiting
}

// GiftLink implements api.GiftService.
func (s *PurchaseService) GiftLink(ctx context.Context, id int64, origin string) (*api.Gift, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	g, err := s.st.Gift(ctx, id)
	if err != nil || g.GiverID != c.Account.ID || g.PurchaseID == 0 {
		return nil, notFound(orNotFound(err), "gift %d not found", id)
	}
	view, err := s.giftView(ctx, g)
	if err != nil {
		return nil, err
	}
	switch {
	case view.State != api.GiftWaiting:
		return nil, api.Errorf(api.ECONFLICT, "this gift is %s: it has no link any more", view.State)
	case view.Emailed:
		return nil, api.Errorf(api.ECONFLICT, "the claim link was emailed to %s", g.Email)
	}
	token := randomToken()
	err = s.st.WithTx(ctx, func(tx store.Tx) error { return tx.SetGiftToken(ctx, g.ID, auth.HashToken(token)) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, api.Errorf(api.ECONFLICT, "this gift was claimed meanwhile")
	} else if err != nil {
		return nil, err
	}
	view.ClaimURL = origin + "/gift/" + token
	return view, nil
}

// giftByToken finds the gift a claim token opens.
func (s *PurchaseService) giftByToken(ctx context.Context, token string) (*store.Gift, error) {
	if token == "" || len(token) > 64 {
		return nil, api.Errorf(api.ENOTFOUND, "this gift link is not valid")
	}
	g, err := s.st.GiftByToken(ctx, auth.HashToken(token))
	return g, notFound(err, "this gift link is not valid (its giver may have made a new one)")
}

// GiftOffer implements api.GiftService.
func (s *PurchaseService) GiftOffer(ctx context.Context, token string) (*api.GiftOffer, error) {
	g, err := s.giftByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	rel, err := s.st.Release(ctx, g.ReleaseID)
	if err != nil {
		return nil, err
	}
	giver, err := s.st.Account(ctx, g.GiverID)
	if err != nil {
		return nil, err
	}
	return &api.GiftOffer{Release: *rel, GiverName: giver.DisplayName, Message: g.Message, State: giftState(g)}, nil
}

// ClaimGift implements api.GiftService.
func (s *PurchaseService) ClaimGift(ctx context.Context, token string) (*api.Purchase, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	g, err := s.giftByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	switch {
	case g.ClaimedBy != 0:
		return nil, errClaimed
	case g.Refunded:
		return nil, &api.Error{Code: api.ECONFLICT, Field: "token", Message: "this gift was refunded: it can no longer be claimed"}
	case g.GiverID == c.Account.ID:
		return nil, &api.Error{Code: api.ECONFLICT, Field: "giver", Message: "this gift is from you: pass the link on to the person it is for"}
	}
	jws, rel, err := s.claimReceipt(ctx, g, c.Account)
	if err != nil {
		return nil, err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, c.Account.ID); err != nil {
			return err
		}
		if owns, err := tx.Owns(ctx, c.Account.ID, g.ReleaseID); err != nil {
			return err
		} else if owns {
			return &api.Error{Code: api.ECONFLICT, Field: "release_id",
				Message: fmt.Sprintf("you already own %q: the gift stays unclaimed, and its giver can ask for a refund", rel.Title)}
		}
		return tx.ClaimGift(ctx, g.ID, c.Account.ID, jws, s.clock())
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, errClaimed
	} else if err != nil {
		return nil, err
	}
	return s.findPurchase(ctx, g.PurchaseID)
}

// A refused claim names what stands in the way, so each refusal can be
// said in the fan's language: the link ("token": claimed or refunded),
// the caller as its giver ("giver"), or the release they own already
// ("release_id").
var errClaimed = &api.Error{Code: api.ECONFLICT, Field: "token", Message: "this gift was claimed already"}

// claimReceipt signs the receipt of a gift's purchase for the fan who
// claims it: the tracks as sold, the split as booked.
func (s *PurchaseService) claimReceipt(ctx context.Context, g *store.Gift, fan api.Account) (string, *api.Release, error) {
	key, err := s.receiptKey(ctx)
	if err != nil {
		return "", nil, err
	}
	p, err := s.st.Purchase(ctx, g.PurchaseID)
	if err != nil {
		return "", nil, err
	}
	rel, err := s.st.Release(ctx, g.ReleaseID)
	if err != nil {
		return "", nil, err
	}
	_, tracks, err := s.st.PurchaseTracks(ctx, g.PurchaseID)
	if err != nil {
		return "", nil, err
	}
	sold := *rel
	sold.Tracks = make([]api.Track, len(tracks))
	for i, t := range tracks {
		sold.Tracks[i] = api.Track{Position: t.Position, Title: t.Title, AudioSHA256: t.AudioSHA256}
	}
	co := &checkout{rel: &sold, fan: fan, split: splitOf(p)}
	jws, err := s.signReceipt(key, p.ID, co, p.CreatedAt)
	return jws, rel, err
}

// splitOf is a purchase's split as booked.
func splitOf(p *api.Purchase) ledger.Split {
	return ledger.Split{Gross: p.GrossCents, Creator: p.CreatorCents, Platform: p.PlatformCents}
}
