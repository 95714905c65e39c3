package storetest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/backend/store"
)

var codeShape = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}$`)

// makeCodes makes a batch for rel as its creator.
func makeCodes(t *testing.T, s Services, ctx context.Context, relID int64, in api.CodeBatchCreate) *api.CodeBatchCreated {
	t.Helper()
	b, err := s.Codes.CreateCodes(ctx, relID, in)
	if err != nil {
		t.Fatalf("create codes %+v: %v", in, err)
	}
	return b
}

// refused checks a refusal's code and its words.
func refused(t *testing.T, err error, wantCode, wantMessage string) {
	t.Helper()
	if api.ErrorCode(err) != wantCode || !strings.HasPrefix(api.ErrorMessage(err), wantMessage) {
		t.Fatalf("err = %v, want %s %q", err, wantCode, wantMessage)
	}
}

// testTenThousandCodes: one call makes 10,000 distinct codes in one
// batch; the store keeps their hashes, which find them, and not the codes.
func testTenThousandCodes(t *testing.T, s Services) {
	ctx := context.Background()
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 999, "EUR", 1)
	out := makeCodes(t, s, ann, rel.ID, api.CodeBatchCreate{Count: 10_000, Kind: api.CodeFree, Label: "tour"})
	if len(out.Codes) != 10_000 || out.Batch.Count != 10_000 || out.Batch.Redeemed != 0 {
		t.Fatalf("batch = %+v with %d codes", out.Batch, len(out.Codes))
	}
	seen := map[string]bool{}
	for _, c := range out.Codes {
		if !codeShape.MatchString(c) || seen[c] {
			t.Fatalf("code %q: malformed or repeated", c)
		}
		seen[c] = true
	}
	for i := 0; i < len(out.Codes); i += 100 {
		norm, _ := api.NormalizeCode(out.Codes[i])
		got, err := s.Store.CodeByHash(ctx, service.CodeHash(norm))
		if err != nil || got.Batch.ID != out.Batch.ID || got.RedeemedAt != nil {
			t.Fatalf("code %s by its hash = %+v, %v", out.Codes[i], got, err)
		}
		if _, err := s.Store.CodeByHash(ctx, []byte(norm)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("code %s found by its plain text: %v", norm, err)
		}
	}
	bs, err := s.Codes.CodeBatches(ann, rel.ID)
	if err != nil || len(bs) != 1 || bs[0].Count != 10_000 || bs[0].Label != "tour" || bs[0].Kind != api.CodeFree {
		t.Fatalf("batches = %+v, %v", bs, err)
	}
	_, err = s.Codes.CreateCodes(ann, rel.ID, api.CodeBatchCreate{Count: api.MaxCodesPerBatch + 1, Kind: api.CodeFree})
	field(t, err, "count")
	fan := signUp(t, s, "fan", false)
	_, err = s.Codes.CreateCodes(fan, rel.ID, api.CodeBatchCreate{Count: 1, Kind: api.CodeFree})
	code(t, err, api.ENOTFOUND)
	for _, bad := range []struct {
		in    api.CodeBatchCreate
		field string
	}{
		{api.CodeBatchCreate{Count: 0, Kind: api.CodeFree}, "count"},
		{api.CodeBatchCreate{Count: 1, Kind: "gratis"}, "kind"},
		{api.CodeBatchCreate{Count: 1, Kind: api.CodePercent, PercentOff: 101}, "percent_off"},
		{api.CodeBatchCreate{Count: 1, Kind: api.CodePercent}, "percent_off"},
		{api.CodeBatchCreate{Count: 1, Kind: api.CodeFixed, OffCents: 999}, "off_cents"},
		{api.CodeBatchCreate{Count: 1, Kind: api.CodeFree, ExpiresAt: &time.Time{}}, "expires_at"},
	} {
		_, err := s.Codes.CreateCodes(ann, rel.ID, bad.in)
		field(t, err, bad.field)
	}
}

// testCodeRefusals: unknown, malformed, expired, revoked, used codes and
// codes for another release are each refused with their own code and words.
func testCodeRefusals(t *testing.T, s Services) {
	clk := setClock(s, at(t, "2026-05-01T12:00:00Z"))
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 999, "EUR", 1)
	other := release(t, s, ann, "Shores", 500, "EUR", 1)
	fan := signUp(t, s, "fan", false)
	expires := at(t, "2026-05-02T00:00:00Z")
	short := makeCodes(t, s, ann, rel.ID, api.CodeBatchCreate{Count: 2, Kind: api.CodeFree, ExpiresAt: &expires})
	gone := makeCodes(t, s, ann, rel.ID, api.CodeBatchCreate{Count: 2, Kind: api.CodeFree})
	free := makeCodes(t, s, ann, rel.ID, api.CodeBatchCreate{Count: 2, Kind: api.CodeFree})

	_, err := s.Codes.RedeemCode(fan, api.CodeRedeem{Code: "ABCD-EFGH-JK"})
	refused(t, err, api.ENOTFOUND, "this code does not exist: check it and try again")
	_, err = s.Codes.RedeemCode(fan, api.CodeRedeem{Code: "not a code"})
	field(t, err, "code")
	_, err = s.Codes.RedeemCode(fan, api.CodeRedeem{Code: free.Codes[0], ReleaseID: other.ID})
	refused(t, err, api.ECODERELEASE, "this code is for another release")

	if _, err := s.Codes.RevokeCodeBatch(ann, rel.ID, gone.Batch.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Codes.RedeemCode(fan, api.CodeRedeem{Code: gone.Codes[0]})
	refused(t, err, api.ECODEREVOKED, "this code was withdrawn by the artist")

	clk.set(expires)
	_, err = s.Codes.RedeemCode(fan, api.CodeRedeem{Code: short.Codes[0]})
	refused(t, err, api.ECODEEXPIRED, "this code expired on 2 May 2026 at 00:00 UTC")

	// Typed in lower case without dashes, it is the same code.
	typed := strings.ToLower(strings.ReplaceAll(free.Codes[0], "-", ""))
	if _, err := s.Codes.RedeemCode(fan, api.CodeRedeem{Code: typed, ReleaseID: rel.ID}); err != nil {
		t.Fatalf("redeem %s: %v", typed, err)
	}
	other2 := signUp(t, s, "other", false)
	_, err = s.Codes.RedeemCode(other2, api.CodeRedeem{Code: free.Codes[0]})
	refused(t, err, api.ECODEUSED, "this code has already been used")
	_, err = s.Codes.RedeemCode(fan, api.CodeRedeem{Code: free.Codes[1]})
	refused(t, err, api.ECONFLICT, `you already own "Tides"`)
	_, err = s.Codes.RedeemCode(ann, api.CodeRedeem{Code: free.Codes[1]})
	refused(t, err, api.ECONFLICT, "you cannot buy your own release")
	bs, err := s.Codes.CodeBatches(ann, rel.ID)
	if err != nil || len(bs) != 3 || bs[0].ID != free.Batch.ID || bs[0].Redeemed != 1 || bs[1].RevokedAt == nil {
		t.Fatalf("batches = %+v, %v", bs, err)
	}
}

// testFreeCode: a free code is a sale of nothing: a receipt that
// verifies, the release in the library, no money in the journal.
func testFreeCode(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 999, "EUR", 2)
	fan := signUp(t, s, "fan", false)
	b := makeCodes(t, s, ann, rel.ID, api.CodeBatchCreate{Count: 1, Kind: api.CodeFree})
	r, err := s.Codes.RedeemCode(fan, api.CodeRedeem{Code: b.Codes[0]})
	if err != nil || r.Purchase == nil || r.Kind != api.CodeFree || r.PayCents != 0 || r.PriceCents != 999 {
		t.Fatalf("redeem = %+v, %v", r, err)
	}
	p := r.Purchase
	same(t, "cents", []int64{p.GrossCents, p.CreatorCents, p.PlatformCents}, []int64{0, 0, 0})
	pl := verify(t, s, p.Receipt)
	if pl.PurchaseID != p.ID || pl.ReleaseID != rel.ID || pl.GrossCents != 0 || len(pl.Tracks) != 2 {
		t.Fatalf("receipt = %+v", pl)
	}
	lib, err := s.Purchases.Library(fan)
	if err != nil || len(lib.Items) != 1 || lib.Items[0].PurchaseID != p.ID {
		t.Fatalf("library = %+v, %v", lib, err)
	}
	balanced(t, s)
	same(t, "creator balance", creatorBalance(t, s, ann, "EUR"), int64(0))
	sums, _, err := s.Store.LedgerCheck(context.Background())
	if err != nil || sums["EUR"] != 0 {
		t.Fatalf("journal = %v, %v", sums, err)
	}
}

// testDiscountCodeCheckout: 33 % off 9.99 is 6.69 to pay (the discount
// rounded up, for the fan); the checkout holds the code, its payment uses
// it, and the sale splits 90/10 like any other.
func testDiscountCodeCheckout(t *testing.T, s Services) {
	ctx := context.Background()
	clk := setClock(s, at(t, "2026-05-01T12:00:00Z"))
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 999, "EUR", 1)
	fan := signUp(t, s, "fan", false)
	other := signUp(t, s, "other", false)
	b := makeCodes(t, s, ann, rel.ID, api.CodeBatchCreate{Count: 2, Kind: api.CodePercent, PercentOff: 33})
	r, err := s.Codes.RedeemCode(fan, api.CodeRedeem{Code: b.Codes[0]})
	if err != nil || r.Purchase != nil || r.PayCents != 669 || r.MinCents != 669 || r.PriceCents != 999 {
		t.Fatalf("quote = %+v, %v", r, err)
	}
	in := api.CheckoutCreate{ReleaseID: rel.ID, AmountCents: 668, Currency: "EUR", Code: b.Codes[0]}
	_, err = s.Purchases.CreateCheckout(fan, "k1", in)
	refused(t, err, api.EINVALID, "the price is 6.69 EUR")
	in.AmountCents = 669
	co, err := s.Purchases.CreateCheckout(fan, "k2", in)
	if err != nil || co.AmountCents != 669 || co.State != api.CheckoutOpen {
		t.Fatalf("checkout = %+v, %v", co, err)
	}
	// Held by the open checkout: nobody else can use it meanwhile.
	_, err = s.Purchases.CreateCheckout(other, "k3", in)
	refused(t, err, api.ECODEUSED, "this code is being used in another checkout")
	out, err := s.Purchases.PayOnPage(ctx, co.URL[len(payment.SandboxPagePrefix):], payment.CardSuccess)
	if err != nil || out.Effect != "applied" {
		t.Fatalf("pay = %+v, %v", out, err)
	}
	got, err := s.Purchases.Checkout(fan, co.ID)
	if err != nil || got.Purchase == nil {
		t.Fatalf("paid = %+v, %v", got, err)
	}
	same(t, "split", []int64{got.Purchase.GrossCents, got.Purchase.CreatorCents, got.Purchase.PlatformCents}, []int64{669, 603, 66})
	balanced(t, s)
	same(t, "creator balance", creatorBalance(t, s, ann, "EUR"), int64(603))
	_, err = s.Codes.RedeemCode(other, api.CodeRedeem{Code: b.Codes[0]})
	refused(t, err, api.ECODEUSED, "this code has already been used")

	// A checkout never paid holds its code until a while after its page
	// closed; then the code is anyone's again.
	co2, err := s.Purchases.CreateCheckout(other, "k4", api.CheckoutCreate{ReleaseID: rel.ID, AmountCents: 669, Currency: "EUR", Code: b.Codes[1]})
	if err != nil {
		t.Fatal(err)
	}
	third := signUp(t, s, "third", false)
	in3 := api.CheckoutCreate{ReleaseID: rel.ID, AmountCents: 669, Currency: "EUR", Code: b.Codes[1]}
	_, err = s.Purchases.CreateCheckout(third, "k5", in3)
	code(t, err, api.ECODEUSED)
	clk.set(co2.ExpiresAt.Add(2 * time.Hour))
	if co3, err := s.Purchases.CreateCheckout(third, "k6", in3); err != nil || co3.AmountCents != 669 {
		t.Fatalf("checkout once the hold ended = %+v, %v", co3, err)
	}
	bs, err := s.Codes.CodeBatches(ann, rel.ID)
	if err != nil || len(bs) != 1 || bs[0].Redeemed != 1 {
		t.Fatalf("batches = %+v, %v", bs, err)
	}
}

// testCodesUnderConcurrency: 200 fans redeem 100 free codes at once, each
// code tried twice: exactly 100 sales, 100 refusals, a balanced ledger.
func testCodesUnderConcurrency(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 999, "EUR", 1)
	b := makeCodes(t, s, ann, rel.ID, api.CodeBatchCreate{Count: 100, Kind: api.CodeFree})
	fans := make([]context.Context, 200)
	for i := range fans {
		fans[i] = signUp(t, s, fmt.Sprintf("fan%d", i), false)
	}
	errs := parallel(200, func(i int) error {
		_, err := s.Codes.RedeemCode(fans[i], api.CodeRedeem{Code: b.Codes[i/2]})
		return err
	})
	ok, used := 0, 0
	for i, err := range errs {
		switch api.ErrorCode(err) {
		case "":
			ok++
		case api.ECODEUSED:
			used++
		default:
			t.Fatalf("fan %d: %v", i, err)
		}
		if i%2 == 1 && (err == nil) == (errs[i-1] == nil) {
			t.Fatalf("code %d: redeemed %v and %v", i/2, errs[i-1], err)
		}
	}
	same(t, "redeemed, refused", []int{ok, used}, []int{100, 100})
	owners := 0
	for _, fan := range fans {
		lib, err := s.Purchases.Library(fan)
		if err != nil {
			t.Fatal(err)
		}
		owners += len(lib.Items)
	}
	same(t, "purchases", owners, 100)
	bs, err := s.Codes.CodeBatches(ann, rel.ID)
	if err != nil || bs[0].Redeemed != 100 {
		t.Fatalf("batches = %+v, %v", bs, err)
	}
	balanced(t, s)
}
