package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/receipt"
	"github.com/megabox-fm/megabox/backend/store"
)

// testPurchases: a sale splits 90/10 with every remainder cent to the
// creator, is dated by the clock to the millisecond, carries a receipt
// that verifies against the published keys and states the sale, records
// the tracks the buyer owns, and posts a balanced journal entry. A free
// claim charges nothing.
func testPurchases(t *testing.T, s Services) {
	t0 := at(t, "2026-03-14T15:09:26.535Z")
	setClock(s, t0.Add(123_456*time.Nanosecond))
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	var last int64
	for _, c := range []struct {
		price, paid, creator, platform int64
		currency, split                string
	}{
		{999, 999, 900, 99, "EUR", "9.00 EUR to the artist, 0.99 EUR to Megabox"},
		{1, 1, 1, 0, "USD", "0.01 USD to the artist, 0.00 USD to Megabox"},
		{0, 0, 0, 0, "GBP", "0.00 GBP to the artist, 0.00 GBP to Megabox"},
		{1000, 1234, 1111, 123, "EUR", "11.11 EUR to the artist, 1.23 EUR to Megabox"},
	} {
		rel := release(t, s, ann, "Sold for "+c.split, c.price, c.currency, 2)
		p := buy(t, s, fan, rel, c.paid)
		if p.ID <= last {
			t.Fatalf("purchase id %d after %d", p.ID, last)
		}
		last = p.ID
		same(t, "purchase", *p, api.Purchase{ID: p.ID, ReleaseID: rel.ID, GrossCents: c.paid, CreatorCents: c.creator, PlatformCents: c.platform,
			Currency: c.currency, Split: c.split, CreatedAt: t0, Receipt: p.Receipt})
		var tracks []receipt.Track
		var sold []api.ManifestTrack
		for _, tr := range rel.Tracks {
			tracks = append(tracks, receipt.Track{Position: tr.Position, Title: tr.Title, SHA256: tr.AudioSHA256})
			sold = append(sold, api.ManifestTrack{Title: tr.Title, AudioSHA256: tr.AudioSHA256})
		}
		same(t, "receipt", *verify(t, s, p.Receipt), receipt.Payload{Issuer: receipt.Issuer, IssuedAt: t0.Unix(), PurchaseID: p.ID,
			FanID: id(fan), FanName: "fan", ReleaseID: rel.ID, ReleaseTitle: rel.Title, ArtistID: id(ann), ArtistName: "ann", Tracks: tracks,
			GrossCents: c.paid, CreatorCents: c.creator, PlatformCents: c.platform, RateBps: ledger.DefaultRateBps, Currency: c.currency,
			Split: c.split, PurchasedAt: "2026-03-14T15:09:26Z"})
		got, err := s.Store.SoldTracks(context.Background(), rel.ID)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b api.ManifestTrack) int { return strings.Compare(a.Title, b.Title) })
		same(t, "tracks the buyer owns", got, sold)
	}
	for currency, want := range map[string]int64{"EUR": 900 + 1111, "USD": 1, "GBP": 0} {
		if got := creatorBalance(t, s, ann, currency); got != want {
			t.Fatalf("creator balance in %s = %d, want %d", currency, got, want)
		}
	}
	if n := s.Payments.charges.Load(); n != 3 {
		t.Fatalf("%d charges, want 3 (a free claim is not charged)", n)
	}
	balanced(t, s)
}

// testPurchaseRefusals: each bad checkout is refused with its code and
// field before any card is charged, and buys nothing.
func testPurchaseRefusals(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	rel := release(t, s, ann, "Priced", 500, "EUR", 1)
	draft, err := s.Releases.CreateRelease(ann, manifest(t, s, ann, "Draft", 500, "EUR", 1))
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func(in *api.PurchaseCreate)) api.PurchaseCreate {
		in := checkout(rel, 500)
		edit(&in)
		return in
	}
	_, err = s.Purchases.CreatePurchase(context.Background(), "k", checkout(rel, 500))
	code(t, err, api.EUNAUTHORIZED)
	for _, key := range []string{"", "clé", strings.Repeat("k", 256), "a\nb"} {
		_, err = s.Purchases.CreatePurchase(fan, key, checkout(rel, 500))
		field(t, err, "Idempotency-Key")
	}
	for _, c := range []struct {
		field string
		in    api.PurchaseCreate
	}{
		{"payment.method", with(func(in *api.PurchaseCreate) { in.Payment.Method = "card" })},
		{"amount_cents", with(func(in *api.PurchaseCreate) { in.AmountCents = 499 })},
		{"amount_cents", with(func(in *api.PurchaseCreate) { in.AmountCents = -1 })},
		{"amount_cents", with(func(in *api.PurchaseCreate) { in.AmountCents = api.MaxPriceCents + 1 })},
		{"currency", with(func(in *api.PurchaseCreate) { in.Currency = "USD" })},
	} {
		_, err = s.Purchases.CreatePurchase(fan, "refused-"+c.field, c.in)
		field(t, err, c.field)
	}
	for _, releaseID := range []int64{draft.ID, 1 << 40} {
		_, err = s.Purchases.CreatePurchase(fan, "missing", with(func(in *api.PurchaseCreate) { in.ReleaseID = releaseID }))
		code(t, err, api.ENOTFOUND)
		if api.ErrorField(err) != "release_id" {
			t.Fatalf("field %q, want release_id", api.ErrorField(err))
		}
	}
	_, err = s.Purchases.CreatePurchase(ann, "own", checkout(rel, 500))
	code(t, err, api.ECONFLICT)
	if n := s.Payments.charges.Load(); n != 0 {
		t.Fatalf("%d charges for refused checkouts", n)
	}
	// The card is the provider's to judge.
	_, err = s.Purchases.CreatePurchase(fan, "bad card", with(func(in *api.PurchaseCreate) { in.Payment.CardNumber = "4242424242424241" }))
	field(t, err, "payment.card_number")
	for _, card := range []string{payment.CardDeclined, payment.CardInsufficient} {
		_, err = s.Purchases.CreatePurchase(fan, "declined "+card, with(func(in *api.PurchaseCreate) { in.Payment.CardNumber = card }))
		code(t, err, api.EPAYMENT)
	}
	lib, err := s.Purchases.Library(fan)
	if err != nil || lib.Items == nil || len(lib.Items) != 0 {
		t.Fatalf("library after refusals = %+v, %v; want empty", lib, err)
	}
	if got := creatorBalance(t, s, ann, "EUR"); got != 0 {
		t.Fatalf("creator balance after refusals = %d", got)
	}
	buy(t, s, fan, rel, 500)
	_, err = s.Purchases.CreatePurchase(fan, "again", checkout(rel, 500))
	code(t, err, api.ECONFLICT)
	if got := creatorBalance(t, s, ann, "EUR"); got != 450 {
		t.Fatalf("creator balance = %d, want 450", got)
	}
	balanced(t, s)
}

// testIdempotency: a key replays its first outcome, a sale or a decline,
// without charging again; the same key with another body is EIDEMPOTENCY;
// keys belong to one fan.
func testIdempotency(t *testing.T, s Services) {
	t0 := at(t, "2026-02-03T04:05:06.789Z")
	setClock(s, t0)
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	other := signUp(t, s, "other", false)
	rel := release(t, s, ann, "Once", 999, "EUR", 1)
	in := checkout(rel, 999)
	p1, err := s.Purchases.CreatePurchase(fan, "order-1", in)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s.Purchases.CreatePurchase(fan, "order-1", in)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "replayed purchase", *p2, *p1)
	if n := s.Payments.charges.Load(); n != 1 {
		t.Fatalf("%d charges after a replay, want 1", n)
	}
	for _, edit := range []func(in *api.PurchaseCreate){
		func(in *api.PurchaseCreate) { in.ShareEmail = true },
		func(in *api.PurchaseCreate) { in.AmountCents = 1000 },
	} {
		changed := in
		edit(&changed)
		_, err = s.Purchases.CreatePurchase(fan, "order-1", changed)
		code(t, err, api.EIDEMPOTENCY)
	}
	// Another fan's key of the same name is theirs.
	p3, err := s.Purchases.CreatePurchase(other, "order-1", in)
	if err != nil || p3.ID == p1.ID {
		t.Fatalf("another fan's purchase under the same key = %+v, %v (first was %d)", p3, err, p1.ID)
	}

	// A decline is stored and replayed without a second charge.
	rel2 := release(t, s, ann, "Declined", 500, "EUR", 1)
	declined := checkout(rel2, 500)
	declined.Payment.CardNumber = payment.CardDeclined
	charges := s.Payments.charges.Load()
	_, err = s.Purchases.CreatePurchase(fan, "order-2", declined)
	code(t, err, api.EPAYMENT)
	msg := api.ErrorMessage(err)
	_, err = s.Purchases.CreatePurchase(fan, "order-2", declined)
	code(t, err, api.EPAYMENT)
	if api.ErrorMessage(err) != msg {
		t.Fatalf("replayed decline %q, first %q", api.ErrorMessage(err), msg)
	}
	if n := s.Payments.charges.Load() - charges; n != 1 {
		t.Fatalf("%d charges for a decline and its replay, want 1", n)
	}
	k, err := s.Store.IdempotencyKey(context.Background(), id(fan), "order-2")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "stored decline", store.IdempotencyKey{FanID: k.FanID, Key: k.Key, PurchaseID: k.PurchaseID, ErrCode: k.ErrCode, ErrMessage: k.ErrMessage, CreatedAt: k.CreatedAt},
		store.IdempotencyKey{FanID: id(fan), Key: "order-2", ErrCode: api.EPAYMENT, ErrMessage: "your card was declined", CreatedAt: t0})
	// The key stays the decline's: a good card needs a new key.
	_, err = s.Purchases.CreatePurchase(fan, "order-2", checkout(rel2, 500))
	code(t, err, api.EIDEMPOTENCY)
	if _, err := s.Purchases.CreatePurchase(fan, "order-3", checkout(rel2, 500)); err != nil {
		t.Fatal(err)
	}
	if e := earnings(t, s, ann, api.EarningsFilter{}); e.Totals.Sales != 3 || e.Totals.GrossCents != 999+999+500 {
		t.Fatalf("totals = %+v, want 3 sales of 24.98", e.Totals)
	}
	balanced(t, s)
}

// testIdempotencyUnderConcurrency: twenty twins with one key make exactly
// one sale and all answer with it; twenty requests with twenty keys for
// one release make exactly one sale, and every other charge taken is
// given back.
func testIdempotencyUnderConcurrency(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	rel := release(t, s, ann, "Twins", 999, "EUR", 1)
	ids := make([]int64, 20)
	errs := parallel(20, func(i int) error {
		p, err := s.Purchases.CreatePurchase(fan, "twin", checkout(rel, 999))
		if err == nil && p == nil {
			return errors.New("neither a purchase nor an error")
		} else if err == nil {
			ids[i] = p.ID
		}
		return err
	})
	for i, err := range errs {
		if err != nil || ids[i] != ids[0] {
			t.Fatalf("twin %d: purchase %d, %v; twin 0 got %d", i, ids[i], err, ids[0])
		}
	}
	if e := earnings(t, s, ann, api.EarningsFilter{}); e.Totals.Sales != 1 || e.Totals.CreatorCents != 900 {
		t.Fatalf("after twenty twins: %+v, want one sale", e.Totals)
	}
	if n := s.Payments.refunds.Load(); n != 0 {
		t.Fatalf("%d refunds of twins' charges: the twins share one charge", n)
	}

	rel2 := release(t, s, ann, "Rivals", 500, "EUR", 1)
	charges := s.Payments.charges.Load()
	errs = parallel(20, func(i int) error {
		_, err := s.Purchases.CreatePurchase(fan, "rival-"+string(rune('a'+i)), checkout(rel2, 500))
		return err
	})
	var won int
	for _, err := range errs {
		switch api.ErrorCode(err) {
		case "":
			won++
		case api.ECONFLICT:
		default:
			t.Fatalf("rival: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of twenty rival checkouts succeeded, want 1", won)
	}
	charged := s.Payments.charges.Load() - charges
	if n := s.Payments.refunds.Load(); n != charged-1 {
		t.Fatalf("%d charges taken and %d given back, want all but one given back", charged, n)
	}
	if e := earnings(t, s, ann, api.EarningsFilter{}); e.Totals.Sales != 2 || e.Totals.CreatorCents != 900+450 {
		t.Fatalf("after the rivals: %+v, want two sales", e.Totals)
	}
	balanced(t, s)
}

// testOwnsAndLibrary: the library lists what a fan owns newest first, as
// full releases; a fully refunded purchase leaves it (a partial refund
// does not) and may be bought again; a free claim stays; an unpublished
// release stays visible to its buyers only.
func testOwnsAndLibrary(t *testing.T, s Services) {
	t0 := at(t, "2026-06-30T23:59:00Z")
	clk := setClock(s, t0)
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	stranger := signUp(t, s, "stranger", false)
	a := release(t, s, ann, "Alpha", 999, "EUR", 1)
	b := release(t, s, ann, "Beta", 0, "EUR", 1)
	c := release(t, s, ann, "Gamma", 500, "EUR", 2)
	pa := buy(t, s, fan, a, 999)
	clk.set(t0.Add(time.Minute))
	pb := buy(t, s, fan, b, 0)
	clk.set(t0.Add(2 * time.Minute))
	pc := buy(t, s, fan, c, 500)
	item := func(p *api.Purchase) api.LibraryItem {
		rel, err := s.Releases.FindRelease(fan, p.ReleaseID)
		if err != nil {
			t.Fatal(err)
		}
		return api.LibraryItem{PurchaseID: p.ID, Release: *rel, GrossCents: p.GrossCents, Currency: p.Currency, PurchasedAt: p.CreatedAt, Receipt: p.Receipt}
	}
	library := func(want ...*api.Purchase) {
		t.Helper()
		lib, err := s.Purchases.Library(fan)
		if err != nil {
			t.Fatal(err)
		}
		items := []api.LibraryItem{}
		for _, p := range want {
			items = append(items, item(p))
		}
		same(t, "library", lib.Items, items)
	}
	library(pc, pb, pa)
	if !pb.CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("free claim dated %s", pb.CreatedAt)
	}
	lib, err := s.Purchases.Library(stranger)
	if err != nil || lib.Items == nil || len(lib.Items) != 0 {
		t.Fatalf("a stranger's library = %+v, %v; want items []", lib, err)
	}
	_, err = s.Purchases.Library(context.Background())
	code(t, err, api.EUNAUTHORIZED)

	// A free claim cannot be refunded, so it stays.
	for _, amount := range []int64{0, 1} {
		_, err = s.Purchases.RefundPurchase(ann, pb.ID, amount)
		field(t, err, "amount_cents")
	}
	refund(t, s, ann, pa.ID, 500)
	library(pc, pb, pa)
	refund(t, s, ann, pa.ID, 499)
	library(pc, pb)
	owns(t, s, fan, a.ID, false)
	owns(t, s, fan, b.ID, true)

	// Unpublished: still the buyer's, gone for everyone else.
	if _, err := s.Releases.UnpublishRelease(ann, c.ID); err != nil {
		t.Fatal(err)
	}
	library(pc, pb)
	if got, err := s.Releases.FindRelease(fan, c.ID); err != nil || got.State != api.StateDraft || len(got.Tracks) != 2 {
		t.Fatalf("an unpublished release its buyer owns = %+v, %v", got, err)
	}
	for _, ctx := range []context.Context{stranger, context.Background()} {
		_, err = s.Releases.FindRelease(ctx, c.ID)
		code(t, err, api.ENOTFOUND)
	}
	// Bought again after a full refund.
	clk.set(t0.Add(time.Hour))
	pa2 := buy(t, s, fan, a, 999)
	library(pa2, pc, pb)
	owns(t, s, fan, a.ID, true)
	balanced(t, s)
}

func owns(t *testing.T, s Services, ctx context.Context, releaseID int64, want bool) {
	t.Helper()
	if got, err := s.Store.Owns(context.Background(), id(ctx), releaseID); err != nil || got != want {
		t.Fatalf("Owns(release %d) = %v, %v; want %v", releaseID, got, err, want)
	}
}
