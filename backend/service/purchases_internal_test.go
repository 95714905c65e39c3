package service

import (
	"context"
	"errors"
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

func (p *countingProvider) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundResult, error) {
	p.refunds.Add(1)
	return p.Sandbox.Refund(ctx, r)
}

// TestConflictOtherThanTheKeyRefunds: a sale that cannot be recorded for
// any reason but a twin's key gives the charge back and answers an error,
// never an empty success.
func TestConflictOtherThanTheKeyRefunds(t *testing.T) {
	shop := openShop(t)
	provider := &countingProvider{Sandbox: payment.NewSandbox()}
	p, err := shop.buy(New(conflictingStore{shop.db}, shop.h, provider), "k1")
	if err == nil || p != nil {
		t.Fatalf("CreatePurchase = %+v, %v; want an error", p, err)
	}
	if n := provider.refunds.Load(); n != 1 {
		t.Fatalf("%d refunds of the unrecorded charge, want 1", n)
	}
}

// shop is a store with a published 5.00 EUR release, its creator and a
// fan signed in: services over it (with any provider) can sell.
type shop struct {
	db           *sqlite.DB
	h            *auth.Hasher
	rel          *api.Release
	creator, fan context.Context
}

func openShop(t *testing.T) *shop {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &shop{db: db, h: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, auth.Limits{})}
	setup := New(db, s.h, payment.NewSandbox())
	s.creator = signedIn(t, setup, "ann@example.com", true)
	sha := strings.Repeat("ab", 32)
	if err := setup.Blobs.StoreBlob(ctx, api.AccountIDFromContext(s.creator), api.Blob{SHA256: sha, Size: 1000, MediaType: api.MediaMP3, DurationMS: 60_000}); err != nil {
		t.Fatal(err)
	}
	if s.rel, err = setup.Releases.CreateRelease(s.creator, api.Manifest{Title: "T", PriceCents: 500, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: sha}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Releases.PublishRelease(s.creator, s.rel.ID); err != nil {
		t.Fatal(err)
	}
	s.fan = signedIn(t, setup, "fan@example.com", false)
	return s
}

// checkout is the fan's 5.00 EUR sandbox checkout of the shop's release.
func (s *shop) checkout() api.PurchaseCreate {
	return api.PurchaseCreate{ReleaseID: s.rel.ID, AmountCents: 500, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}
}

// downStore fails transactions while down: all of them, or (sales) only
// those that complete a sale.
type downStore struct {
	store.Store
	down  atomic.Bool
	sales bool
}

var errDown = errors.New("database unreachable")

func (s *downStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	if s.down.Load() && !s.sales {
		return errDown
	}
	return s.Store.WithTx(ctx, func(tx store.Tx) error { return fn(downTx{tx, s}) })
}

type downTx struct {
	store.Tx
	s *downStore
}

func (t downTx) CompleteSale(ctx context.Context, c store.CompletedSale) error {
	if t.s.down.Load() {
		return errDown
	}
	return t.Tx.CompleteSale(ctx, c)
}

func (s *shop) buy(svc *Services, key string) (*api.Purchase, error) {
	return svc.Purchases.CreatePurchase(s.fan, key, s.checkout())
}

// TestUnrecordedSaleIsRememberedBeforeTheRefund: a sale that cannot be
// recorded gives the charge back only once the key says so; a retry with
// the key gets that answer, never a sale on the money given back.
func TestUnrecordedSaleIsRememberedBeforeTheRefund(t *testing.T) {
	shop := openShop(t)
	st := &downStore{Store: shop.db, sales: true}
	provider := &countingProvider{Sandbox: payment.NewSandbox()}
	svc := New(st, shop.h, provider)
	st.down.Store(true)
	if _, err := shop.buy(svc, "k1"); api.ErrorCode(err) != api.EUNAVAILABLE {
		t.Fatalf("first attempt: %v, want unavailable", err)
	}
	st.down.Store(false)
	p, err := shop.buy(svc, "k1")
	if api.ErrorCode(err) != api.EUNAVAILABLE || p != nil {
		t.Fatalf("retry with the key = %+v, %v; want the stored answer", p, err)
	}
	if n := provider.refunds.Load(); n != 1 {
		t.Fatalf("%d refunds, want 1", n)
	}
	if lib, _ := svc.Purchases.Library(shop.fan); len(lib.Items) != 0 {
		t.Fatalf("library = %+v: a sale recorded on a charge given back", lib.Items)
	}
	if p, err := shop.buy(svc, "k2"); err != nil || p.GrossCents != 500 {
		t.Fatalf("a new attempt = %+v, %v", p, err)
	}
}

// TestUnrecordedSaleWithoutADatabaseKeepsTheCharge: when not even the
// outcome can be written, the charge stands (nothing would stop a retry
// from recording a sale on money given back), and the retry records it.
func TestUnrecordedSaleWithoutADatabaseKeepsTheCharge(t *testing.T) {
	shop := openShop(t)
	st := &downStore{Store: shop.db}
	provider := &countingProvider{Sandbox: payment.NewSandbox()}
	svc := New(st, shop.h, provider)
	if _, err := svc.env.receiptKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.down.Store(true)
	if _, err := shop.buy(svc, "k1"); err == nil {
		t.Fatal("a purchase with the database down succeeded")
	}
	st.down.Store(false)
	p, err := shop.buy(svc, "k1")
	if err != nil || p.GrossCents != 500 {
		t.Fatalf("retry = %+v, %v", p, err)
	}
	if n := provider.refunds.Load(); n != 0 {
		t.Fatalf("%d refunds of the charge the retry recorded", n)
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
