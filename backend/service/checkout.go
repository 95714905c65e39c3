package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// CheckoutTTL is how long a hosted payment page stays open (Stripe allows
// 30 minutes to 24 hours).
const CheckoutTTL = time.Hour

var _ api.CheckoutService = (*PurchaseService)(nil)

// CreateCheckout implements api.CheckoutService. Nothing is charged and
// nothing is sold here: the provider's page takes the payment, and the
// sale is written when the provider confirms it (HandleWebhook). A free
// release needs no page: its sale is written at once.
func (s *PurchaseService) CreateCheckout(ctx context.Context, key string, in api.CheckoutCreate) (*api.Checkout, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	if err := api.CheckIdempotencyKey(key); err != nil {
		return nil, err
	}
	pc := api.PurchaseCreate{ReleaseID: in.ReleaseID, AmountCents: in.AmountCents, Currency: in.Currency, ShareEmail: in.ShareEmail}
	pc.Normalize()
	hash := checkoutHash(pc, in.Code)
	if in.Gift != nil {
		if err := checkGift(in.Gift); err != nil {
			return nil, err
		}
		hash = giftHash(hash, in.Gift)
	}
	if co, err, ok := s.replayCheckout(ctx, c.Account.ID, key, hash); ok {
		return co, err
	}
	var code *store.Code
	if in.Code != "" {
		if code, err = s.findCode(ctx, in.Code, pc.ReleaseID, c.Account.ID); err != nil {
			return nil, err
		}
	}
	co, err := s.prepare(ctx, c.Account, pc, code, in.Gift)
	if err == nil {
		err = s.checkPayees(ctx, co)
	}
	if err != nil {
		if out, rerr, ok := s.replayCheckout(ctx, c.Account.ID, key, hash); ok {
			return out, rerr
		}
		return nil, err
	}
	now := s.clock()
	rec := store.Checkout{ID: "co_" + randomToken(), FanID: c.Account.ID, ReleaseID: co.rel.ID, ArtistID: co.rel.ArtistID,
		Key: key, RequestHash: hash, AmountCents: co.amount, Currency: co.rel.Currency, ShareEmail: co.share,
		Provider: s.provider.Name(), State: api.CheckoutOpen, CreatedAt: now, ExpiresAt: now.Add(CheckoutTTL)}
	if co.amount == 0 && co.gift != nil {
		return nil, &api.Error{Code: api.EINVALID, Field: "amount_cents", Message: "a gift is a paid purchase: enter an amount above zero"}
	}
	if co.amount == 0 {
		return s.freeCheckout(ctx, co, rec, code)
	}
	req := s.checkoutRequest(co, rec, in.ReturnURL)
	sess, err := s.provider.CreateCheckout(ctx, req)
	if err != nil {
		return nil, err
	}
	rec.ReturnURL = req.SuccessURL
	rec.SessionRef, rec.URL = sess.Ref, sess.URL
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.InsertCheckout(ctx, rec); err != nil {
			return err
		}
		if err := s.insertGift(ctx, tx, co, rec); err != nil || code == nil {
			return err
		}
		return codeTaken(tx.ReserveCode(ctx, code.ID, rec.FanID, rec.ID, rec.ExpiresAt.Add(codeHold), now))
	})
	if errors.Is(err, store.ErrConflict) { // a twin with this key got there first
		if out, rerr, ok := s.replayCheckout(ctx, c.Account.ID, key, hash); ok {
			return out, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	return s.checkoutView(ctx, &rec)
}

// checkoutRequest asks the provider for a page paying the release's owner
// its share, the platform keeping floor(10 %).
func (s *PurchaseService) checkoutRequest(co *checkout, rec store.Checkout, back string) payment.CheckoutRequest {
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	back += sep + "checkout=" + rec.ID
	return payment.CheckoutRequest{CheckoutID: rec.ID, IdempotencyKey: fmt.Sprintf("checkout:%d:%s", rec.FanID, rec.Key),
		AmountCents: co.amount, Currency: co.rel.Currency, Description: co.rel.Title + " — " + co.rel.ArtistName,
		CustomerEmail: co.fan.Email, ApplicationFeeCents: co.split.Platform, Payees: co.payees,
		TransferGroup: "checkout_" + rec.ID, ExpiresAt: rec.ExpiresAt, SuccessURL: back, CancelURL: back + "&cancelled=1"}
}

// checkPayees finds the connected account each part of the creator share
// goes to. The sandbox settles nothing to creators, so every creator can
// sell there.
func (s *PurchaseService) checkPayees(ctx context.Context, co *checkout) error {
	co.payees = make([]payment.Payee, 0, len(co.parts))
	for _, p := range co.parts {
		ref, err := s.payeeRef(ctx, p.AccountID, co.amount)
		if err != nil {
			return err
		}
		co.payees = append(co.payees, payment.Payee{AccountRef: ref, Cents: p.Cents})
	}
	return nil
}

// payeeRef is an account's connected account at the provider.
func (s *PurchaseService) payeeRef(ctx context.Context, accountID, amount int64) (string, error) {
	if !s.settlesToCreators() || amount == 0 {
		return fmt.Sprintf("sandbox:%d", accountID), nil
	}
	a, err := s.st.PaymentAccount(ctx, accountID, s.provider.Name())
	if errors.Is(err, store.ErrNotFound) || (err == nil && !a.ChargesEnabled) {
		who, aerr := s.st.Account(ctx, accountID)
		if aerr != nil {
			return "", aerr
		}
		return "", api.Errorf(api.ECONFLICT, "%s cannot take payments yet: their payout account is not set up", who.DisplayName)
	} else if err != nil {
		return "", err
	}
	return a.Ref, nil
}

// freeCheckout writes the sale of a free release with its checkout, paid,
// and uses the code that made it free, if any.
func (s *PurchaseService) freeCheckout(ctx context.Context, co *checkout, rec store.Checkout, code *store.Code) (*api.Checkout, error) {
	key, err := s.receiptKey(ctx)
	if err != nil {
		return nil, err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, rec.FanID); err != nil {
			return err
		}
		if err := tx.InsertCheckout(ctx, rec); err != nil {
			return err
		}
		p, err := s.writeSale(ctx, tx, key, co, &payment.Charge{Ref: "free"}, rec.CreatedAt)
		if err != nil {
			return err
		}
		if code != nil {
			if err := codeTaken(tx.RedeemCode(ctx, code.ID, rec.FanID, p.ID, rec.CreatedAt)); err != nil {
				return err
			}
		}
		rec.PurchaseID, rec.State = p.ID, api.CheckoutPaid
		return tx.CloseCheckout(ctx, rec.ID, api.CheckoutPaid, p.ID, "")
	})
	if errors.Is(err, store.ErrConflict) {
		if out, rerr, ok := s.replayCheckout(ctx, rec.FanID, rec.Key, rec.RequestHash); ok {
			return out, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	return s.checkoutView(ctx, &rec)
}

// Checkout implements api.CheckoutService.
func (s *PurchaseService) Checkout(ctx context.Context, id string) (*api.Checkout, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := s.st.Checkout(ctx, id)
	if err != nil || rec.FanID != c.Account.ID {
		return nil, notFound(orNotFound(err), "checkout %q not found", id)
	}
	return s.checkoutView(ctx, rec)
}

// replayCheckout returns the checkout a fan's key opened, if any.
func (s *PurchaseService) replayCheckout(ctx context.Context, fanID int64, key string, hash []byte) (*api.Checkout, error, bool) {
	rec, err := s.st.CheckoutByKey(ctx, fanID, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, false
	} else if err != nil {
		return nil, err, true
	}
	if string(rec.RequestHash) != string(hash) {
		return nil, api.Errorf(api.EIDEMPOTENCY, "this Idempotency-Key was used for a different checkout"), true
	}
	co, err := s.checkoutView(ctx, rec)
	return co, err, true
}

// checkoutView states a checkout for its fan; an open checkout past its
// page's expiry is expired, whether or not the provider said so yet.
func (s *PurchaseService) checkoutView(ctx context.Context, rec *store.Checkout) (*api.Checkout, error) {
	co := &api.Checkout{ID: rec.ID, State: rec.State, URL: rec.URL, ReleaseID: rec.ReleaseID, AmountCents: rec.AmountCents,
		Currency: rec.Currency, Error: rec.Error, CreatedAt: rec.CreatedAt, ExpiresAt: rec.ExpiresAt}
	if co.State == api.CheckoutOpen && !s.clock().Before(rec.ExpiresAt) {
		co.State = api.CheckoutExpired
	}
	if co.State != api.CheckoutOpen {
		co.URL = ""
	}
	if rec.PurchaseID != 0 {
		p, err := s.findPurchase(ctx, rec.PurchaseID)
		if err != nil {
			return nil, err
		}
		co.Purchase = p
	}
	return co, nil
}

// checkoutHash fingerprints a checkout request and the code it names.
func checkoutHash(pc api.PurchaseCreate, code string) []byte {
	if code == "" {
		return requestHash(pc)
	}
	norm, _ := api.NormalizeCode(code)
	h := sha256.Sum256(append(requestHash(pc), "code:"+norm...))
	return h[:]
}

// randomToken is 128 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
