package service

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
)

// conflictingStore fails every InsertPurchase with ErrConflict, as a
// unique key other than the idempotency key's might.
type conflictingStore struct{ store.Store }

func (s conflictingStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.WithTx(ctx, func(tx store.Tx) error { return fn(conflictingTx{tx}) })
}

type conflictingTx struct{ store.Tx }

func (conflictingTx) InsertPurchase(context.Context, store.Sale) (int64, error) {
	return 0, store.ErrConflict
}

// countingProvider counts refunds.
type countingProvider struct {
	*payment.Sandbox
	refunds atomic.Int64
}

func (p *countingProvider) Refund(ctx context.Context, ref string, amount int64) error {
	p.refunds.Add(1)
	return p.Sandbox.Refund(ctx, ref, amount)
}

// TestConflictOtherThanTheKeyRefunds: a sale that cannot be recorded for
// any reason but a twin's key gives the charge back and answers an error,
// never an empty success.
func TestConflictOtherThanTheKeyRefunds(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, auth.Limits{})
	setup := New(db, h, payment.NewSandbox())
	creator := signedIn(t, setup, "ann@example.com", true)
	sha := strings.Repeat("ab", 32)
	if err := setup.Blobs.StoreBlob(ctx, api.AccountIDFromContext(creator), api.Blob{SHA256: sha, Size: 1000, MediaType: api.MediaMP3, DurationMS: 60_000}); err != nil {
		t.Fatal(err)
	}
	rel, err := setup.Releases.CreateRelease(creator, api.Manifest{Title: "T", PriceCents: 500, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: sha}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Releases.PublishRelease(creator, rel.ID); err != nil {
		t.Fatal(err)
	}
	fan := signedIn(t, setup, "fan@example.com", false)

	provider := &countingProvider{Sandbox: payment.NewSandbox()}
	broken := New(conflictingStore{db}, h, provider)
	p, err := broken.Purchases.CreatePurchase(fan, "k1", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 500, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
	if err == nil || p != nil {
		t.Fatalf("CreatePurchase = %+v, %v; want an error", p, err)
	}
	if n := provider.refunds.Load(); n != 1 {
		t.Fatalf("%d refunds of the unrecorded charge, want 1", n)
	}
}

func signedIn(t *testing.T, s *Services, email string, creator bool) context.Context {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "long enough", DisplayName: "Someone", Creator: creator}); err != nil {
		t.Fatal(err)
	}
	sess, err := s.Accounts.CreateSession(ctx, api.Credentials{Email: email, Password: "long enough"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Accounts.Authenticate(ctx, sess.Token)
	if err != nil {
		t.Fatal(err)
	}
	return api.NewContextWithCaller(ctx, c)
}
