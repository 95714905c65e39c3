package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// Codes. A creator makes a batch of random single-use codes for a
// release; the plain codes are returned once and only their hashes are
// kept, like session tokens: a creator who loses them revokes the batch
// and makes another. A fan redeems a free code for a zero-amount sale (a
// receipt, and the release in their library) or a discount code in a
// checkout, which holds the code until its payment is confirmed (the code
// is then used, with the sale, in one transaction) or the checkout ends.
//
//	redeem(code) ─ free ──────────→ sale of 0 + code used      (one transaction)
//	             └ discount → quote
//	checkout(code) → page → paid ─→ sale at the lower price + code used
//	                      └ expired/failed → code free again

// CodeService implements api.CodeService.
type CodeService struct {
	*env
	purchases *PurchaseService
}

var _ api.CodeService = (*CodeService)(nil)

// codeHold is how long a checkout holds its code past its page's expiry:
// a payment made on the page just before it closed is confirmed late.
const codeHold = patience

// CreateCodes implements api.CodeService: the codes and the batch are
// written in one transaction.
func (s *CodeService) CreateCodes(ctx context.Context, releaseID int64, in api.CodeBatchCreate) (*api.CodeBatchCreated, error) {
	rel, err := s.ownRelease(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	in.Normalize()
	now := s.clock()
	if err := in.Validate(rel, now); err != nil {
		return nil, err
	}
	b := store.CodeBatch{ReleaseID: rel.ID, ArtistID: rel.ArtistID, Kind: in.Kind, PercentOff: in.PercentOff,
		OffCents: in.OffCents, Label: in.Label, Count: in.Count, CreatedAt: now}
	if in.ExpiresAt != nil {
		t := in.ExpiresAt.UTC().Truncate(time.Millisecond)
		b.ExpiresAt = &t
	}
	// A code already taken (one chance in 10^9 per code) makes the whole
	// batch again: nothing of a failed attempt is kept.
	for range 3 {
		codes, hashes := newCodes(in.Count)
		err = s.st.WithTx(ctx, func(tx store.Tx) error {
			b.ID, err = tx.InsertCodeBatch(ctx, b, hashes)
			return err
		})
		if errors.Is(err, store.ErrConflict) {
			continue
		} else if err != nil {
			return nil, err
		}
		return &api.CodeBatchCreated{Batch: batchView(b), Codes: codes}, nil
	}
	return nil, fmt.Errorf("make codes: %w", err)
}

// CodeBatches implements api.CodeService.
func (s *CodeService) CodeBatches(ctx context.Context, releaseID int64) ([]api.CodeBatch, error) {
	if _, err := s.ownRelease(ctx, releaseID); err != nil {
		return nil, err
	}
	bs, err := s.st.CodeBatches(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	out := make([]api.CodeBatch, len(bs))
	for i, b := range bs {
		out[i] = batchView(b)
	}
	return out, nil
}

// RevokeCodeBatch implements api.CodeService; revoking a revoked batch
// changes nothing.
func (s *CodeService) RevokeCodeBatch(ctx context.Context, releaseID, batchID int64) (*api.CodeBatch, error) {
	if _, err := s.ownRelease(ctx, releaseID); err != nil {
		return nil, err
	}
	b, err := s.st.CodeBatch(ctx, batchID)
	if err != nil || b.ReleaseID != releaseID {
		return nil, notFound(orNotFound(err), "code batch %d not found", batchID)
	}
	if b.RevokedAt == nil {
		err = s.st.WithTx(ctx, func(tx store.Tx) error { return tx.RevokeCodeBatch(ctx, batchID, s.clock()) })
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if b, err = s.st.CodeBatch(ctx, batchID); err != nil {
			return nil, err
		}
	}
	v := batchView(*b)
	return &v, nil
}

// ownRelease is one of the caller's releases; ENOTFOUND for anyone else's.
func (s *CodeService) ownRelease(ctx context.Context, releaseID int64) (*api.Release, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	rel, err := s.st.Release(ctx, releaseID)
	if err != nil || rel.ArtistID != c.Account.ID {
		return nil, notFound(orNotFound(err), "release %d not found", releaseID)
	}
	return rel, nil
}

// RedeemCode implements api.CodeService.
func (s *CodeService) RedeemCode(ctx context.Context, in api.CodeRedeem) (*api.Redemption, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	code, err := s.findCode(ctx, in.Code, in.ReleaseID, c.Account.ID)
	if err != nil {
		return nil, err
	}
	rel, shares, err := s.st.ReleaseForSale(ctx, code.Batch.ReleaseID)
	if err != nil || rel.State != api.StatePublished {
		return nil, notFound(orNotFound(err), "the release of this code is not available")
	}
	r := &api.Redemption{Kind: code.Batch.Kind, ReleaseID: rel.ID, Title: rel.Title, ArtistName: rel.ArtistName,
		Currency: rel.Currency, PriceCents: suggestedPrice(rel), PayWhatYouWant: rel.PayWhatYouWant}
	priced := discounted(*rel, code.Batch)
	r.PayCents, r.MinCents = suggestedPrice(&priced), minimumPrice(&priced)
	if err := s.purchases.canBuy(ctx, c.Account, rel); err != nil {
		return nil, err
	}
	if r.MinCents > 0 {
		return r, nil // a discount: paid through a checkout naming the code
	}
	r.PayCents = 0
	r.Purchase, err = s.redeemFree(ctx, c.Account, rel, shares, code)
	return r, err
}

// redeemFree writes the zero-amount sale of a code that makes a release
// free, and uses the code, in one transaction: the code's conditional
// update lets one redemption through, whatever the number of attempts.
func (s *CodeService) redeemFree(ctx context.Context, fan api.Account, rel *api.Release, shares []ledger.Share, code *store.Code) (*api.Purchase, error) {
	co := &checkout{rel: rel, fan: fan}
	if err := co.divide(shares); err != nil {
		return nil, err
	}
	key, err := s.purchases.receiptKey(ctx)
	if err != nil {
		return nil, err
	}
	var p *api.Purchase
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, fan.ID); err != nil {
			return err
		}
		now := s.clock()
		if p, err = s.purchases.writeSale(ctx, tx, key, co, &payment.Charge{Ref: "free"}, now); err != nil {
			return err
		}
		return codeTaken(tx.RedeemCode(ctx, code.ID, fan.ID, p.ID, now))
	})
	return p, err
}

// errCodeUsed refuses a code redeemed before, or held by a checkout.
var errCodeUsed = &api.Error{Code: api.ECODEUSED, Field: "code", Message: "this code has already been used"}

// codeTaken words a code's conditional update that changed nothing.
func codeTaken(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return errCodeUsed
	}
	return err
}

// findCode finds a code a fan typed and says why it cannot be redeemed,
// if it cannot; releaseID, when not 0, is the release the fan means it for.
func (e *env) findCode(ctx context.Context, typed string, releaseID, fanID int64) (*store.Code, error) {
	norm, ok := api.NormalizeCode(typed)
	if !ok {
		return nil, api.FieldErrorf("code", "a code has %d letters and digits, like K7QM-P2XW-9D", api.CodeLen)
	}
	code, err := e.st.CodeByHash(ctx, CodeHash(norm))
	if errors.Is(err, store.ErrNotFound) {
		return nil, &api.Error{Code: api.ENOTFOUND, Field: "code", Message: "this code does not exist: check it and try again"}
	} else if err != nil {
		return nil, err
	}
	now := e.clock()
	b := code.Batch
	switch {
	case b.RevokedAt != nil:
		return nil, &api.Error{Code: api.ECODEREVOKED, Field: "code", Message: "this code was withdrawn by the artist"}
	case b.ExpiresAt != nil && !now.Before(*b.ExpiresAt):
		return nil, &api.Error{Code: api.ECODEEXPIRED, Field: "code",
			Message: "this code expired on " + b.ExpiresAt.Format("2 January 2006 at 15:04 UTC")}
	case code.RedeemedAt != nil:
		return nil, errCodeUsed
	case code.ReservedBy != 0 && code.ReservedBy != fanID && code.ReservedUntil != nil && now.Before(*code.ReservedUntil):
		return nil, &api.Error{Code: api.ECODEUSED, Field: "code", Message: "this code is being used in another checkout"}
	case releaseID != 0 && b.ReleaseID != releaseID:
		return nil, &api.Error{Code: api.ECODERELEASE, Field: "code", Message: "this code is for another release"}
	}
	return code, nil
}

// discounted is a release at the price a code's batch gives: the price
// and the pay-what-you-want minimum both lowered by the discount.
func discounted(rel api.Release, b store.CodeBatch) api.Release {
	switch b.Kind {
	case api.CodeFree:
		rel.PriceCents, rel.MinCents = 0, 0
	case api.CodePercent:
		rel.PriceCents, rel.MinCents = ledger.PercentOff(rel.PriceCents, b.PercentOff), ledger.PercentOff(rel.MinCents, b.PercentOff)
	case api.CodeFixed:
		rel.PriceCents, rel.MinCents = ledger.FixedOff(rel.PriceCents, b.OffCents), ledger.FixedOff(rel.MinCents, b.OffCents)
	}
	return rel
}

// suggestedPrice is what a fan is asked to pay: the price, never under
// the minimum.
func suggestedPrice(rel *api.Release) int64 {
	if rel.PayWhatYouWant {
		return max(rel.PriceCents, rel.MinCents)
	}
	return rel.PriceCents
}

// minimumPrice is the least a fan may pay.
func minimumPrice(rel *api.Release) int64 {
	if rel.PayWhatYouWant {
		return rel.MinCents
	}
	return rel.PriceCents
}

// newCodes makes n distinct random codes and their hashes.
func newCodes(n int) ([]string, [][]byte) {
	codes, hashes := make([]string, 0, n), make([][]byte, 0, n)
	seen := make(map[string]bool, n)
	buf := make([]byte, api.CodeLen)
	for len(codes) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails
		for i, v := range buf {
			buf[i] = api.CodeAlphabet[v&31] // 32 letters: every byte maps evenly
		}
		c := string(buf)
		if seen[c] {
			continue
		}
		seen[c] = true
		codes, hashes = append(codes, api.FormatCode(c)), append(hashes, CodeHash(c))
	}
	return codes, hashes
}

// CodeHash is what the store keeps of a normalized code (api.NormalizeCode):
// a hash under a name of its own, never the code.
func CodeHash(code string) []byte {
	h := sha256.Sum256([]byte("megabox code\x00" + code))
	return h[:]
}

func batchView(b store.CodeBatch) api.CodeBatch {
	return api.CodeBatch{ID: b.ID, ReleaseID: b.ReleaseID, Kind: b.Kind, PercentOff: b.PercentOff, OffCents: b.OffCents,
		Label: b.Label, Count: b.Count, Redeemed: b.Redeemed, ExpiresAt: b.ExpiresAt, RevokedAt: b.RevokedAt, CreatedAt: b.CreatedAt}
}
