package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/receipt"
	"github.com/megabox-fm/megabox/backend/store"
)

// ReceiptService keeps the keys receipts are signed with.
type ReceiptService struct{ *env }

// receiptKeyTTL is how long a server signs with the active key it read:
// a key made on another server is used here within that time, and the
// receipts signed meanwhile verify all the same (old keys stay published).
const receiptKeyTTL = time.Minute

// cachedKey is the active receipt key as last read.
type cachedKey struct {
	key   receipt.Key
	until time.Time
}

// receiptKey returns the key new receipts are signed with, making the
// first one on first use.
func (e *env) receiptKey(ctx context.Context) (receipt.Key, error) {
	if c := e.key.Load(); c != nil && time.Now().Before(c.until) {
		return c.key, nil
	}
	k, err := e.readReceiptKey(ctx)
	if err == nil {
		e.key.Store(&cachedKey{key: k, until: time.Now().Add(receiptKeyTTL)})
	}
	return k, err
}

func (e *env) readReceiptKey(ctx context.Context) (receipt.Key, error) {
	k, err := e.st.ActiveReceiptKey(ctx)
	if errors.Is(err, store.ErrNotFound) {
		// Two first uses at once may both make one: either is active.
		if _, err := (&ReceiptService{env: e}).RotateReceiptKey(ctx); err != nil && !errors.Is(err, store.ErrConflict) {
			return k, err
		}
		return e.st.ActiveReceiptKey(ctx)
	} else if err != nil {
		return k, fmt.Errorf("receipt key: %w", err)
	}
	return k, nil
}

// RotateReceiptKey makes a new signing key active. Old keys stay published
// so every receipt ever issued still verifies.
func (s *ReceiptService) RotateReceiptKey(ctx context.Context) (string, error) {
	k, err := receipt.NewKey()
	if err != nil {
		return "", err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error { return tx.InsertReceiptKey(ctx, k, s.clock()) })
	if err != nil {
		return "", fmt.Errorf("rotate receipt key: %w", err)
	}
	s.key.Store(nil) // this server signs with the new key at once
	return k.ID, nil
}

// ReceiptKeySet returns every public key receipts were ever signed with.
func (s *ReceiptService) ReceiptKeySet(ctx context.Context) (receipt.KeySet, error) {
	if _, err := s.receiptKey(ctx); err != nil {
		return receipt.KeySet{}, err
	}
	keys, err := s.st.ReceiptPublicKeys(ctx)
	if err != nil {
		return receipt.KeySet{}, err
	}
	return receipt.KeySet{Keys: keys}, nil
}

// signReceipt signs the receipt of a sale being recorded.
func (s *PurchaseService) signReceipt(key receipt.Key, id int64, co *checkout, now time.Time) (string, error) {
	p := receipt.Payload{
		Issuer: receipt.Issuer, IssuedAt: now.Unix(), PurchaseID: id, FanID: co.fan.ID, FanName: co.fan.DisplayName,
		ReleaseID: co.rel.ID, ReleaseTitle: co.rel.Title, ArtistID: co.rel.ArtistID, ArtistName: co.rel.ArtistName,
		GrossCents: co.split.Gross, CreatorCents: co.split.Creator, PlatformCents: co.split.Platform, RateBps: s.rateBps,
		Currency: co.rel.Currency, Split: splitWords(co.split, co.rel.Currency), PurchasedAt: now.Format(time.RFC3339),
	}
	for _, t := range co.rel.Tracks {
		p.Tracks = append(p.Tracks, receipt.Track{Position: t.Position, Title: t.Title, SHA256: t.AudioSHA256})
	}
	return receipt.Sign(key, p)
}
