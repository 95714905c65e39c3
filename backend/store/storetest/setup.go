package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/receipt"
)

// Payments is the sandbox provider, counting what the services ask of it.
type Payments struct {
	*payment.Sandbox
	charges, refunds atomic.Int64
}

func newPayments() *Payments { return &Payments{Sandbox: payment.NewSandbox()} }

// Charge implements payment.Provider.
func (p *Payments) Charge(ctx context.Context, r payment.ChargeRequest) (*payment.Charge, error) {
	p.charges.Add(1)
	return p.Sandbox.Charge(ctx, r)
}

// Refund implements payment.Provider.
func (p *Payments) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundResult, error) {
	p.refunds.Add(1)
	return p.Sandbox.Refund(ctx, r)
}

// clock is a time source the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// setClock makes the services read the time from a clock set to t.
func setClock(s Services, t time.Time) *clock {
	c := &clock{t: t}
	s.SetClock(c.now)
	return c
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// at parses an RFC 3339 instant; every instant in the suite is UTC.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// signUp creates an account named name and returns a context signed in
// as it.
func signUp(t *testing.T, s Services, name string, creator bool) context.Context {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: email(name), Password: password(name), DisplayName: name, Creator: creator}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return signIn(t, s, name)
}

// signIn opens a new session for an account made by signUp.
func signIn(t *testing.T, s Services, name string) context.Context {
	t.Helper()
	ctx := context.Background()
	c, err := s.Auth.Authenticate(ctx, session(t, s, name))
	if err != nil {
		t.Fatalf("authenticate %s: %v", name, err)
	}
	return api.NewContextWithCaller(ctx, c)
}

// session signs in and returns the token.
func session(t *testing.T, s Services, name string) string {
	t.Helper()
	sess, err := s.Accounts.CreateSession(context.Background(), api.Credentials{Email: email(name), Password: password(name)})
	if err != nil {
		t.Fatal(err)
	}
	return sess.Token
}

func email(name string) string    { return name + "@example.com" }
func password(name string) string { return "password " + name }

// id is the account id of a signed-in context.
func id(ctx context.Context) int64 { return api.AccountIDFromContext(ctx) }

// blob stores a finished blob of 100 bytes for the caller, its hash made
// from n.
func blob(t *testing.T, s Services, ctx context.Context, n int, mediaType string) string {
	t.Helper()
	return storeBlob(t, s, ctx, fmt.Sprintf("%064x", n), mediaType)
}

// audio stores a fake MP3 of one minute for the caller, its hash made from
// name, as an upload that arrived whole does.
func audio(t *testing.T, s Services, ctx context.Context, name string) string {
	t.Helper()
	h := sha256.Sum256([]byte(name))
	return storeBlob(t, s, ctx, hex.EncodeToString(h[:]), api.MediaMP3)
}

func storeBlob(t *testing.T, s Services, ctx context.Context, sha, mediaType string) string {
	t.Helper()
	b := api.Blob{SHA256: sha, Size: 100, MediaType: mediaType}
	if mediaType == api.MediaMP3 {
		b.DurationMS = 60_000
	}
	if err := s.Uploads.StoreBlob(ctx, id(ctx), b); err != nil {
		t.Fatalf("store blob: %v", err)
	}
	return sha
}

// manifest is a release of n tracks of fresh audio, "<title> 1".."<title> n".
func manifest(t *testing.T, s Services, ctx context.Context, title string, price int64, currency string, n int) api.Manifest {
	t.Helper()
	m := api.Manifest{Title: title, PriceCents: price, Currency: currency, Tracks: []api.ManifestTrack{}}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("%s %d", title, i)
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i, Title: name, AudioSHA256: audio(t, s, ctx, name)})
	}
	return m
}

// release creates and publishes a release of n tracks.
func release(t *testing.T, s Services, ctx context.Context, title string, price int64, currency string, n int) *api.Release {
	t.Helper()
	rel, err := s.Releases.CreateRelease(ctx, manifest(t, s, ctx, title, price, currency, n))
	if err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	if rel, err = s.Releases.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatalf("publish %q: %v", title, err)
	}
	return rel
}

// checkout pays amount for rel with the sandbox's good card.
func checkout(rel *api.Release, amount int64) api.PurchaseCreate {
	return api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: amount, Currency: rel.Currency,
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}}
}

var keys atomic.Int64

// buy buys rel for amount under a fresh idempotency key.
func buy(t *testing.T, s Services, ctx context.Context, rel *api.Release, amount int64) *api.Purchase {
	t.Helper()
	return buyWith(t, s, ctx, checkout(rel, amount))
}

func buyWith(t *testing.T, s Services, ctx context.Context, in api.PurchaseCreate) *api.Purchase {
	t.Helper()
	p, err := s.Purchases.CreatePurchase(ctx, fmt.Sprintf("key-%d", keys.Add(1)), in)
	if err != nil {
		t.Fatalf("buy release %d for %d: %v", in.ReleaseID, in.AmountCents, err)
	}
	return p
}

// refund refunds amount of a purchase as the creator in ctx.
func refund(t *testing.T, s Services, ctx context.Context, purchaseID, amount int64) *api.Refund {
	t.Helper()
	r, err := s.Purchases.RefundPurchase(ctx, purchaseID, amount)
	if err != nil {
		t.Fatalf("refund %d of purchase %d: %v", amount, purchaseID, err)
	}
	return r
}

// earnings reads the caller's earnings.
func earnings(t *testing.T, s Services, ctx context.Context, f api.EarningsFilter) *api.Earnings {
	t.Helper()
	e, err := s.Earnings.Earnings(ctx, f)
	if err != nil {
		t.Fatalf("earnings %+v: %v", f, err)
	}
	return e
}

// verify checks a receipt against the published keys.
func verify(t *testing.T, s Services, jws string) *receipt.Payload {
	t.Helper()
	ks, err := s.Receipts.ReceiptKeySet(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := receipt.Verify(jws, ks)
	if err != nil {
		t.Fatalf("receipt does not verify against the published keys: %v", err)
	}
	return p
}

// balanced checks the journal: every transaction and every currency sums
// to zero.
func balanced(t *testing.T, s Services) {
	t.Helper()
	sums, unbalanced, err := s.Store.LedgerCheck(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if unbalanced != 0 {
		t.Fatalf("ledger: %d unbalanced transactions", unbalanced)
	}
	for c, sum := range sums {
		if sum != 0 {
			t.Fatalf("ledger: %s sums to %d", c, sum)
		}
	}
}

// creatorBalance is what the platform owes the creator in ctx.
func creatorBalance(t *testing.T, s Services, ctx context.Context, currency string) int64 {
	t.Helper()
	b, err := s.Store.CreatorBalance(context.Background(), id(ctx), currency)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func code(t *testing.T, err error, want string) {
	t.Helper()
	if got := api.ErrorCode(err); got != want {
		t.Fatalf("err = %v, want code %q", err, want)
	}
}

func field(t *testing.T, err error, want string) {
	t.Helper()
	if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != want {
		t.Fatalf("err = %v, want EINVALID on %s", err, want)
	}
}

// same fails unless got and want are deeply equal.
func same[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// parallel runs fn n times at once, from a common start, and returns each
// call's error in order.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}
