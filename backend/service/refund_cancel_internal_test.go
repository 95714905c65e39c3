package service

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
)

// hangUpProvider is the sandbox seen by a creator whose client hangs up
// while a refund is with the provider: the request's context ends just
// after the money went back. It sums what it gave back.
type hangUpProvider struct {
	*payment.Sandbox
	mu       sync.Mutex
	hangUp   func()
	refunded int64
}

func (p *hangUpProvider) Refund(ctx context.Context, ref string, amount int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refunded += amount
	if p.hangUp != nil {
		p.hangUp()
		p.hangUp = nil
	}
	return nil
}

// TestRefundWhoseClientLeftIsRecorded: money the provider gave back is in
// the books even when the creator's client hung up meanwhile, so the sale
// is not refunded twice.
func TestRefundWhoseClientLeftIsRecorded(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	provider := &hangUpProvider{Sandbox: payment.NewSandbox()}
	h := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, auth.Limits{})
	svc := New(db, h, provider)
	creator := signedIn(t, svc, "ann@example.com", true)
	sha := strings.Repeat("ef", 32)
	if err := svc.Blobs.StoreBlob(ctx, api.AccountIDFromContext(creator), api.Blob{SHA256: sha, Size: 1000, MediaType: api.MediaMP3, DurationMS: 60_000}); err != nil {
		t.Fatal(err)
	}
	rel, err := svc.Releases.CreateRelease(creator, api.Manifest{Title: "T", PriceCents: 500, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: sha}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Releases.PublishRelease(creator, rel.ID); err != nil {
		t.Fatal(err)
	}
	fan := signedIn(t, svc, "fan@example.com", false)
	p, err := svc.Purchases.CreatePurchase(fan, "k1", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 500, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
	if err != nil {
		t.Fatal(err)
	}

	leaving, hangUp := context.WithCancel(creator)
	defer hangUp()
	provider.hangUp = hangUp
	_, firstErr := svc.Purchases.RefundPurchase(leaving, p.ID, 500)
	// The creator, seeing no answer, tries again.
	_, retryErr := svc.Purchases.RefundPurchase(creator, p.ID, 500)
	provider.mu.Lock()
	given := provider.refunded
	provider.mu.Unlock()
	got, err := svc.Purchases.findPurchase(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if given != got.RefundedCents || given != 500 {
		t.Fatalf("the provider gave back %d cents, the books say %d refunded, want 500 both (first: %v, retry: %v)",
			given, got.RefundedCents, firstErr, retryErr)
	}
}
