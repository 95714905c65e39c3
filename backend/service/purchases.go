package service

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/receipt"
	"github.com/megabox-fm/megabox/backend/store"
)

// PurchaseService implements api.PurchaseService.
type PurchaseService struct {
	*env
	provider payment.Provider
	rateBps  int64
}

var _ api.PurchaseService = (*PurchaseService)(nil)

// checkout is a validated purchase about to be charged.
type checkout struct {
	rel    *api.Release
	fan    api.Account
	split  ledger.Split
	hash   []byte
	key    string
	share  bool
	amount int64
	parts  []ledger.Part   // the creator share, divided between the release's payees
	bps    []int64         // each part's share of it, in basis points
	payees []payment.Payee // where the parts go, for hosted checkouts
	gift   *api.GiftCreate // a gift: the sale is held for its recipient
}

// divide splits the creator share between the release's payees (none:
// the owner alone).
func (co *checkout) divide(shares []ledger.Share) error {
	if len(shares) == 0 {
		shares = ledger.OwnerOnly(co.rel.ArtistID)
	}
	parts, err := ledger.SplitParts(co.split.Creator, co.rel.ArtistID, shares)
	if err != nil {
		return err
	}
	co.parts, co.bps = parts, make([]int64, len(shares))
	for i, sh := range shares {
		co.bps[i] = sh.Bps
	}
	return nil
}

// salePayees are a checkout's parts as the store records them.
func (co *checkout) salePayees() []store.SaleShare {
	out := make([]store.SaleShare, len(co.parts))
	for i, p := range co.parts {
		out[i] = store.SaleShare{AccountID: p.AccountID, Bps: co.bps[i], Cents: p.Cents}
	}
	return out
}

// CreatePurchase implements api.PurchaseService.
//
// The provider is called outside any transaction with an idempotency key
// derived from the fan's, so a retry (or a concurrent twin, on any node)
// reaches the same charge; the sale, its postings and the key are then
// written in one transaction, and a twin that loses the race on the key's
// unique row replays the winner's result.
func (s *PurchaseService) CreatePurchase(ctx context.Context, key string, in api.PurchaseCreate) (*api.Purchase, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	if err := api.CheckIdempotencyKey(key); err != nil {
		return nil, err
	}
	in.Normalize()
	if err := s.checkDirect(in); err != nil {
		return nil, err
	}
	hash := requestHash(in)
	if p, err, ok := s.replay(ctx, c.Account.ID, key, hash); ok {
		return p, err
	}
	co, err := s.prepare(ctx, c.Account, in, nil, nil)
	if err != nil {
		// A twin request with this key may have completed meanwhile
		// ("already owned"): its result is the answer.
		if p, rerr, ok := s.replay(ctx, c.Account.ID, key, hash); ok {
			return p, rerr
		}
		return nil, err
	}
	co.hash, co.key = hash, key
	charge, err := s.charge(ctx, co, in.Payment.CardNumber)
	if api.ErrorCode(err) == api.EPAYMENT {
		return nil, s.recordDecline(ctx, co, err)
	} else if err != nil {
		return nil, err
	}
	// The money has moved: the sale is recorded even if the client has
	// gone, or a retry would find the charge given back by this request.
	ctx = context.WithoutCancel(ctx)
	p, err := s.record(ctx, co, charge)
	if errors.Is(err, errTwinWon) {
		if p, err, ok := s.replay(ctx, c.Account.ID, key, hash); ok {
			return p, err
		}
		return nil, fmt.Errorf("idempotency key %q taken but not found", key)
	}
	return p, err
}

// checkDirect refuses card data unless the provider is the sandbox; a
// free release needs no payment at all.
func (s *PurchaseService) checkDirect(in api.PurchaseCreate) error {
	if _, ok := s.provider.(payment.DirectCharger); !ok && (in.AmountCents != 0 || in.Payment.CardNumber != "") {
		return errCardRefused
	}
	if in.Payment.Method != "sandbox" {
		return &api.Error{Code: api.EINVALID, Field: "payment.method", Message: "payment method must be \"sandbox\""}
	}
	return nil
}

// charge takes the payment; a free release is not charged.
func (s *PurchaseService) charge(ctx context.Context, co *checkout, card string) (*payment.Charge, error) {
	if co.amount == 0 {
		return &payment.Charge{Ref: "free"}, nil
	}
	direct, ok := s.provider.(payment.DirectCharger)
	if !ok {
		return nil, errCardRefused
	}
	return direct.Charge(ctx, payment.ChargeRequest{
		IdempotencyKey: fmt.Sprintf("purchase:%d:%s", co.fan.ID, co.key), AmountCents: co.amount, Currency: co.rel.Currency,
		CardNumber: card, CreatorID: co.rel.ArtistID, ApplicationFeeCents: co.split.Platform, Description: co.rel.Title,
	})
}

// settlesToCreators reports whether the provider pays creators' shares
// into their own accounts at each sale (Stripe Connect), rather than the
// platform paying them out later (the sandbox).
func (s *PurchaseService) settlesToCreators() bool {
	_, direct := s.provider.(payment.DirectCharger)
	return !direct
}

// errCardRefused: with a real provider, card data never reaches the
// platform.
var errCardRefused = &api.Error{Code: api.EINVALID, Field: "payment",
	Message: "card payments are taken on the payment page: create a checkout with POST /api/v1/checkouts"}

// requestHash fingerprints a checkout so a reused key can be told apart.
func requestHash(in api.PurchaseCreate) []byte {
	b, _ := json.Marshal(in) // plain strings, numbers and bools always marshal
	h := sha256.Sum256(b)
	return h[:]
}

// replay returns the stored outcome of an idempotency key, if any.
func (s *PurchaseService) replay(ctx context.Context, fanID int64, key string, hash []byte) (*api.Purchase, error, bool) {
	k, err := s.st.IdempotencyKey(ctx, fanID, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, false
	} else if err != nil {
		return nil, err, true
	}
	if string(k.RequestHash) != string(hash) {
		return nil, api.Errorf(api.EIDEMPOTENCY, "this Idempotency-Key was used for a different purchase request"), true
	}
	if k.PurchaseID == 0 {
		return nil, api.Errorf(k.ErrCode, "%s", k.ErrMessage), true
	}
	p, err := s.findPurchase(ctx, k.PurchaseID)
	return p, err, true
}

// prepare checks a checkout against the release before any money moves;
// a discount code, if any, lowers the price it is checked against.
func (s *PurchaseService) prepare(ctx context.Context, fan api.Account, in api.PurchaseCreate, code *store.Code, gift *api.GiftCreate) (*checkout, error) {
	rel, shares, err := s.st.ReleaseForSale(ctx, in.ReleaseID)
	if err != nil || rel.State != api.StatePublished {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		return nil, &api.Error{Code: api.ENOTFOUND, Field: "release_id", Message: fmt.Sprintf("release %d is not for sale", in.ReleaseID)}
	}
	priced := *rel
	if code != nil {
		priced = discounted(*rel, code.Batch)
	}
	if err := priced.CheckPayment(in.AmountCents, in.Currency); err != nil {
		return nil, err
	}
	if gift == nil {
		if err := s.canBuy(ctx, fan, rel); err != nil {
			return nil, err
		}
	} else if rel.ArtistID == fan.ID { // a fan may give a release they own
		return nil, &api.Error{Code: api.ECONFLICT, Field: "release_id", Message: "you cannot give your own release: make a download code instead"}
	}
	split, err := ledger.SplitGross(in.AmountCents, s.rateBps)
	if err != nil {
		return nil, &api.Error{Code: api.EINVALID, Field: "amount_cents", Message: err.Error()}
	}
	co := &checkout{rel: rel, fan: fan, split: split, share: in.ShareEmail, amount: in.AmountCents, gift: gift}
	return co, co.divide(shares)
}

// canBuy refuses a fan their own release, or one they own already.
func (s *PurchaseService) canBuy(ctx context.Context, fan api.Account, rel *api.Release) error {
	if rel.ArtistID == fan.ID {
		return api.Errorf(api.ECONFLICT, "you cannot buy your own release")
	}
	if owns, err := s.st.Owns(ctx, fan.ID, rel.ID); err != nil {
		return err
	} else if owns {
		return api.Errorf(api.ECONFLICT, "you already own %q", rel.Title)
	}
	return nil
}

// recordDecline stores a declined payment under its key so a retry gets
// the same answer without charging again.
func (s *PurchaseService) recordDecline(ctx context.Context, co *checkout, decline error) error {
	err := s.st.WithTx(ctx, func(tx store.Tx) error {
		err := tx.InsertIdempotencyKey(ctx, store.IdempotencyKey{FanID: co.fan.ID, Key: co.key, RequestHash: co.hash,
			ErrCode: api.EPAYMENT, ErrMessage: api.ErrorMessage(decline), CreatedAt: s.clock()})
		if errors.Is(err, store.ErrConflict) {
			return nil // a twin got there first; the answer is the same decline
		}
		return err
	})
	if err != nil {
		return err
	}
	return decline
}

// errTwinWon: a request with the same idempotency key recorded its
// outcome first; that outcome is the answer, and the charge is the same.
var errTwinWon = errors.New("idempotency key taken by a twin request")

// record writes the sale, its receipt and its journal entry at once. If
// they cannot be written, a charge is given back, unless a twin with the
// same key (and so the same charge) recorded its sale.
func (s *PurchaseService) record(ctx context.Context, co *checkout, charge *payment.Charge) (*api.Purchase, error) {
	key, err := s.receiptKey(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var p *api.Purchase
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, co.fan.ID); err != nil {
			return err
		}
		err := tx.InsertIdempotencyKey(ctx, store.IdempotencyKey{FanID: co.fan.ID, Key: co.key, RequestHash: co.hash, CreatedAt: now})
		if errors.Is(err, store.ErrConflict) {
			return errTwinWon
		} else if err != nil {
			return err
		}
		p, err = s.writeSale(ctx, tx, key, co, charge, now)
		return err
	})
	if err != nil && !errors.Is(err, errTwinWon) {
		return nil, s.unrecorded(ctx, co, charge, err)
	}
	return p, err
}

// writeSale writes a sale, its receipt and its journal entry in tx; the
// idempotency key co.key, if any, is tied to it.
func (s *PurchaseService) writeSale(ctx context.Context, tx store.Tx, key receipt.Key, co *checkout, charge *payment.Charge, now time.Time) (*api.Purchase, error) {
	id, err := tx.InsertPurchase(ctx, store.Sale{FanID: co.fan.ID, ReleaseID: co.rel.ID, ArtistID: co.rel.ArtistID,
		Split: co.split, FeeCents: charge.FeeCents, RateBps: s.rateBps, Currency: co.rel.Currency, Provider: s.provider.Name(),
		PaymentRef: charge.Ref, ShareEmail: co.share, Gift: co.gift != nil, Tracks: manifestTracks(co.rel.Tracks), Payees: co.salePayees(), CreatedAt: now})
	if errors.Is(err, store.ErrConflict) { // bought meanwhile under another key
		return nil, api.Errorf(api.ECONFLICT, "you already own %q", co.rel.Title)
	} else if err != nil {
		return nil, fmt.Errorf("insert purchase: %w", err)
	}
	jws, err := s.signReceipt(key, id, co, now)
	if err != nil {
		return nil, err
	}
	txn, err := ledger.SaleParts(s.provider.Name(), co.parts, co.split.Platform, charge.FeeCents, co.rel.Currency)
	if err != nil {
		return nil, err
	}
	if s.settlesToCreators() {
		// Each part goes to its payee's own account: with the charge for
		// one payee, by a transfer right after it for several.
		for _, p := range co.parts {
			if p.Cents > 0 {
				txn = append(txn, ledger.Transfer(s.provider.Name(), p.AccountID, p.Cents, co.rel.Currency)...)
			}
		}
	}
	if !txn.Balanced() {
		return nil, errors.New("ledger: refusing an unbalanced transaction")
	}
	err = tx.CompleteSale(ctx, store.CompletedSale{PurchaseID: id, Receipt: jws, FanID: co.fan.ID, Key: co.key,
		Entry: store.Entry{Kind: "sale", PurchaseID: id, Txn: txn, At: now}})
	if err != nil {
		return nil, err
	}
	return s.purchase(&api.Purchase{ID: id, ReleaseID: co.rel.ID, GrossCents: co.split.Gross, CreatorCents: co.split.Creator,
		PlatformCents: co.split.Platform, Currency: co.rel.Currency, CreatedAt: now, Receipt: jws}), nil
}

// unrecorded answers a charge whose sale could not be recorded. The charge
// is given back only once the key remembers that it was: a retry with the
// key reaches the same charge at the provider, and must find the outcome
// rather than record a sale on money returned. If even that cannot be
// written, the charge stands and a retry records the sale.
func (s *PurchaseService) unrecorded(ctx context.Context, co *checkout, charge *payment.Charge, why error) error {
	if charge.Ref == "free" {
		return why
	}
	answer := why
	if api.ErrorCode(why) != api.ECONFLICT {
		answer = api.Errorf(api.EUNAVAILABLE, "the sale could not be recorded and the payment was given back: try again")
	}
	err := s.st.WithTx(ctx, func(tx store.Tx) error {
		return tx.InsertIdempotencyKey(ctx, store.IdempotencyKey{FanID: co.fan.ID, Key: co.key, RequestHash: co.hash,
			ErrCode: api.ErrorCode(answer), ErrMessage: api.ErrorMessage(answer), CreatedAt: s.clock()})
	})
	if err != nil {
		return errors.Join(why, fmt.Errorf("the payment stands; retry with the same Idempotency-Key to record the sale: %w", err))
	}
	return giveBack(ctx, s.provider, charge, co.amount, answer)
}

// giveBack refunds a charge whose sale could not be recorded and returns
// why it could not.
func giveBack(ctx context.Context, provider payment.Provider, charge *payment.Charge, amount int64, err error) error {
	if charge.Ref == "free" {
		return err
	}
	r := payment.RefundRequest{IdempotencyKey: "giveback:" + charge.Ref, ChargeRef: charge.Ref, AmountCents: amount,
		ReverseTransfer: true, RefundApplicationFee: true}
	if _, rerr := provider.Refund(context.WithoutCancel(ctx), r); rerr != nil {
		err = errors.Join(err, fmt.Errorf("refund unrecorded charge %s: %w", charge.Ref, rerr))
	}
	return err
}

func manifestTracks(tracks []api.Track) []api.ManifestTrack {
	out := make([]api.ManifestTrack, len(tracks))
	for i, t := range tracks {
		out[i] = api.ManifestTrack{Position: t.Position, Title: t.Title, AudioSHA256: t.AudioSHA256}
	}
	return out
}

// post appends a balanced transaction to the journal.
func post(ctx context.Context, tx store.Tx, e store.Entry) error {
	if !e.Txn.Balanced() {
		return errors.New("ledger: refusing an unbalanced transaction")
	}
	if err := tx.Post(ctx, e); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// splitWords states a split for people.
func splitWords(s ledger.Split, currency string) string {
	return api.FormatCents(s.Creator, currency) + " to the artist, " + api.FormatCents(s.Platform, currency) + " to Megabox"
}

func (s *PurchaseService) findPurchase(ctx context.Context, id int64) (*api.Purchase, error) {
	p, err := s.st.Purchase(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find purchase: %w", err)
	}
	return s.purchase(p), nil
}

// purchase words a purchase's split.
func (s *PurchaseService) purchase(p *api.Purchase) *api.Purchase {
	p.Split = splitWords(ledger.Split{Gross: p.GrossCents, Creator: p.CreatorCents, Platform: p.PlatformCents}, p.Currency)
	return p
}
