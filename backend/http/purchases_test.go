package http_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/receipt"
)

// published creates and publishes a release of n tracks priced as given.
func (e *env) published(c *mhttp.Client, title string, n int, edit func(*api.Manifest)) *api.Release {
	e.t.Helper()
	m, _ := e.album(c, title, n)
	if edit != nil {
		edit(&m)
	}
	ctx := context.Background()
	r, err := c.CreateRelease(ctx, m)
	if err != nil {
		e.t.Fatal(err)
	}
	if r, err = c.PublishRelease(ctx, r.ID); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func buy(c *mhttp.Client, releaseID, amount int64, key string) (*api.Purchase, error) {
	return c.CreatePurchase(context.Background(), key, api.PurchaseCreate{ReleaseID: releaseID, AmountCents: amount, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
}

// ledgerState is what must not change when a request is refused.
func (e *env) ledgerState() string {
	e.t.Helper()
	sums, unbalanced, err := e.p.DB.LedgerCheck(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	var n int
	e.p.DB.ReadDB().QueryRow(`SELECT (SELECT COUNT(*) FROM postings) + (SELECT COUNT(*) FROM purchases) * 1000`).Scan(&n)
	return fmt.Sprintf("%v/%d/%d", sums, unbalanced, n)
}

func TestCheckoutSplitAndReceipt(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, annAcct := e.signUp("Ann", true)
	fan, fanAcct := e.signUp("Fan", false)
	rel := e.published(ann, "Night Drive", 2, nil)

	p, err := buy(fan, rel.ID, 1000, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	if p.GrossCents != 1000 || p.CreatorCents != 900 || p.PlatformCents != 100 || p.Currency != "EUR" {
		t.Fatalf("purchase = %+v", p)
	}
	if p.Split != "9.00 EUR to the artist, 1.00 EUR to Megabox" {
		t.Fatalf("split = %q", p.Split)
	}
	keys, err := fan.ReceiptKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := receipt.Verify(p.Receipt, keys)
	if err != nil {
		t.Fatal(err)
	}
	if r.PurchaseID != p.ID || r.FanID != fanAcct.ID || r.ArtistID != annAcct.ID || r.GrossCents != 1000 || r.CreatorCents != 900 ||
		len(r.Tracks) != 2 || r.Tracks[1].SHA256 != rel.Tracks[1].AudioSHA256 || r.Split != p.Split {
		t.Fatalf("receipt payload = %+v", r)
	}
	// The fan now owns it: library and downloads.
	lib, err := fan.Library(ctx)
	if err != nil || len(lib.Items) != 1 || lib.Items[0].Release.ID != rel.ID || lib.Items[0].Receipt != p.Receipt {
		t.Fatalf("library = %+v, %v", lib, err)
	}
	var buf bytes.Buffer
	if _, err := fan.DownloadTrack(ctx, rel.Tracks[0].ID, 0, &buf); err != nil || hexSHA(buf.Bytes()) != rel.Tracks[0].AudioSHA256 {
		t.Fatalf("owner download: %v", err)
	}
	// Creator's earnings show the exact split; the ledger balances.
	earn, err := ann.Earnings(ctx, api.EarningsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := api.EarningsTotals{Sales: 1, GrossCents: 1000, CreatorCents: 900, PlatformCents: 100, AvailableCents: 900}
	if earn.Totals != want || earn.Currency != "EUR" {
		t.Fatalf("earnings totals = %+v, want %+v", earn.Totals, want)
	}
	sums, unbalanced, _ := e.p.DB.LedgerCheck(ctx)
	if unbalanced != 0 || sums["EUR"] != 0 {
		t.Fatalf("ledger sums %v, %d unbalanced transactions", sums, unbalanced)
	}
	// Buying again is refused: it is already theirs.
	_, err = buy(fan, rel.ID, 1000, "order-2")
	wantCode(t, err, api.ECONFLICT)
}

func TestIdempotentCheckout(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	rel := e.published(ann, "Once", 1, func(m *api.Manifest) { m.PayWhatYouWant, m.MinCents = true, 500 })
	first, err := buy(fan, rel.ID, 700, "k1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := buy(fan, rel.ID, 700, "k1")
	if err != nil || *again != *first {
		t.Fatalf("retry = %+v, %v; want the original %+v", again, err, first)
	}
	_, err = buy(fan, rel.ID, 800, "k1")
	wantCode(t, err, api.EIDEMPOTENCY)
	status, body, _ := e.raw("POST", "/api/v1/purchases", fan.Token(), strings.NewReader(fmt.Sprintf(`{"release_id":%d,"amount_cents":700,"currency":"EUR","payment":{"method":"sandbox","card_number":"4242424242424242"}}`, rel.ID)))
	if status != 400 || !strings.Contains(string(body), "Idempotency-Key") {
		t.Fatalf("no key: %d %s", status, body)
	}
	// Another fan's identical key is theirs alone.
	fan2, _ := e.signUp("Fan2", false)
	p2, err := buy(fan2, rel.ID, 700, "k1")
	if err != nil || p2.ID == first.ID {
		t.Fatalf("second fan with the same key: %+v, %v", p2, err)
	}
}

func TestCheckoutRefusalsLeaveLedgerUntouched(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	rel := e.published(ann, "Priced", 1, nil)
	pwyw := e.published(ann, "Generous", 1, func(m *api.Manifest) { m.PayWhatYouWant, m.MinCents, m.PriceCents = true, 300, 800 })
	m, _ := e.album(ann, "Draft", 1)
	draft, _ := ann.CreateRelease(ctx, m)
	before := e.ledgerState()

	card := func(n string) api.PaymentDetails { return api.PaymentDetails{Method: "sandbox", CardNumber: n} }
	cases := []struct {
		name   string
		who    *mhttp.Client
		in     api.PurchaseCreate
		code   string
		status int
	}{
		{"declined card", fan, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 1000, Currency: "EUR", Payment: card(payment.CardDeclined)}, api.EPAYMENT, 402},
		{"insufficient funds", fan, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 1000, Currency: "EUR", Payment: card(payment.CardInsufficient)}, api.EPAYMENT, 402},
		{"bad card number", fan, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 1000, Currency: "EUR", Payment: card("1234")}, api.EINVALID, 400},
		{"under the price", fan, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 999, Currency: "EUR", Payment: card(payment.CardSuccess)}, api.EINVALID, 400},
		{"PWYW under minimum", fan, api.PurchaseCreate{ReleaseID: pwyw.ID, AmountCents: 299, Currency: "EUR", Payment: card(payment.CardSuccess)}, api.EINVALID, 400},
		{"negative amount", fan, api.PurchaseCreate{ReleaseID: pwyw.ID, AmountCents: -5, Currency: "EUR", Payment: card(payment.CardSuccess)}, api.EINVALID, 400},
		{"wrong currency", fan, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 1000, Currency: "USD", Payment: card(payment.CardSuccess)}, api.EINVALID, 400},
		{"unknown method", fan, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 1000, Currency: "EUR", Payment: api.PaymentDetails{Method: "paypal"}}, api.EINVALID, 400},
		{"draft release", fan, api.PurchaseCreate{ReleaseID: draft.ID, AmountCents: 1000, Currency: "EUR", Payment: card(payment.CardSuccess)}, api.ENOTFOUND, 404},
		{"no such release", fan, api.PurchaseCreate{ReleaseID: 9999, AmountCents: 1000, Currency: "EUR", Payment: card(payment.CardSuccess)}, api.ENOTFOUND, 404},
		{"own release", ann, api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 1000, Currency: "EUR", Payment: card(payment.CardSuccess)}, api.ECONFLICT, 409},
		{"anonymous", e.client(), api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 1000, Currency: "EUR", Payment: card(payment.CardSuccess)}, api.EUNAUTHORIZED, 401},
	}
	for i, c := range cases {
		_, err := c.who.CreatePurchase(ctx, fmt.Sprint("key-", i), c.in)
		if api.ErrorCode(err) != c.code || mhttp.ErrorStatus(api.ErrorCode(err)) != c.status {
			t.Errorf("%s: %v, want %s (%d)", c.name, err, c.code, c.status)
		}
	}
	if after := e.ledgerState(); after != before {
		t.Fatalf("refused checkouts changed the ledger: %s → %s", before, after)
	}
	// A declined key answers the same way when retried, without a new charge.
	_, err := fan.CreatePurchase(ctx, "key-0", cases[0].in)
	wantCode(t, err, api.EPAYMENT)
	// PWYW above the suggested price is welcome.
	p, err := buy(fan, pwyw.ID, 2500, "generous")
	if err != nil || p.CreatorCents != 2250 || p.PlatformCents != 250 {
		t.Fatalf("PWYW 25.00: %+v, %v", p, err)
	}
}

func TestRefunds(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	bob, _ := e.signUp("Bob", true)
	fan, _ := e.signUp("Fan", false)
	rel := e.published(ann, "Refundable", 1, func(m *api.Manifest) { m.PriceCents = 999 })
	p, err := buy(fan, rel.ID, 999, "r")
	if err != nil {
		t.Fatal(err)
	}
	if p.CreatorCents != 900 || p.PlatformCents != 99 {
		t.Fatalf("9.99 split as %d/%d, want 900/99", p.CreatorCents, p.PlatformCents)
	}
	before := e.ledgerState()
	_, err = bob.RefundPurchase(ctx, p.ID, 100)
	wantCode(t, err, api.ENOTFOUND)
	_, err = fan.RefundPurchase(ctx, p.ID, 100)
	wantCode(t, err, api.EFORBIDDEN)
	_, err = ann.RefundPurchase(ctx, p.ID, 1000)
	wantCode(t, err, api.EINVALID)
	_, err = ann.RefundPurchase(ctx, p.ID, 0)
	wantCode(t, err, api.EINVALID)
	if e.ledgerState() != before {
		t.Fatal("refused refunds changed the ledger")
	}
	r1, err := ann.RefundPurchase(ctx, p.ID, 505)
	if err != nil || r1.CreatorCents != 455 || r1.PlatformCents != 50 {
		t.Fatalf("refund 5.05 = %+v, %v; want 455/50", r1, err)
	}
	_, err = ann.RefundPurchase(ctx, p.ID, 495)
	wantCode(t, err, api.EINVALID) // only 4.94 left
	// Still owned after a partial refund.
	if lib, _ := fan.Library(ctx); len(lib.Items) != 1 {
		t.Fatal("a partial refund took the release away")
	}
	r2, err := ann.RefundPurchase(ctx, p.ID, 494)
	if err != nil || r2.CreatorCents != 445 || r2.PlatformCents != 49 {
		t.Fatalf("last refund = %+v, %v; want exactly the rest 445/49", r2, err)
	}
	earn, _ := ann.Earnings(ctx, api.EarningsFilter{})
	if earn.Totals.RefundedCents != 999 || earn.Totals.AvailableCents != 0 {
		t.Fatalf("after a full refund: %+v", earn.Totals)
	}
	// Fully refunded: no library entry, no downloads.
	if lib, _ := fan.Library(ctx); len(lib.Items) != 0 {
		t.Fatal("a fully refunded release is still in the library")
	}
	_, err = fan.DownloadTrack(ctx, rel.Tracks[0].ID, 0, &bytes.Buffer{})
	wantCode(t, err, api.EFORBIDDEN)
	// The admin path refunds any purchase; nothing is left here.
	if _, err := e.p.Purchases.AdminRefund(ctx, p.ID, 1); api.ErrorCode(err) != api.EINVALID {
		t.Fatalf("admin refund beyond paid: %v", err)
	}
	if _, unbalanced, _ := e.p.DB.LedgerCheck(ctx); unbalanced != 0 {
		t.Fatal("unbalanced ledger after refunds")
	}
}

func TestPayouts(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	rel1 := e.published(ann, "One", 1, nil)
	rel2 := e.published(ann, "Two", 1, func(m *api.Manifest) { m.PriceCents = 500 })
	var fans []*mhttp.Client
	for i := range 3 {
		f, _ := e.signUp(fmt.Sprint("fan", i), false)
		fans = append(fans, f)
	}
	p1, _ := buy(fans[0], rel1.ID, 1000, "a") // 9.00
	p2, _ := buy(fans[1], rel2.ID, 500, "b")  // 4.50
	p3, _ := buy(fans[2], rel1.ID, 1000, "c") // 9.00
	if _, err := ann.RefundPurchase(ctx, p2.ID, 200); err != nil {
		t.Fatal(err)
	}
	// available = 9.00 + 4.50 + 9.00 − 1.80 = 20.70
	earn, _ := ann.Earnings(ctx, api.EarningsFilter{})
	if earn.Totals.AvailableCents != 2070 {
		t.Fatalf("available = %d, want 2070", earn.Totals.AvailableCents)
	}
	before := e.ledgerState()
	_, err := ann.RequestPayout(ctx, 999, "EUR")
	wantCode(t, err, api.EINVALID)
	_, err = ann.RequestPayout(ctx, 2071, "EUR")
	wantCode(t, err, api.EINVALID)
	_, err = fans[0].RequestPayout(ctx, 1000, "EUR")
	wantCode(t, err, api.EFORBIDDEN)
	if e.ledgerState() != before {
		t.Fatal("refused payouts changed the ledger")
	}
	po, err := ann.RequestPayout(ctx, 1200, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	// Settles the oldest sales first: all of p1 (9.00), then 3.00 of p2's 2.70 left… p2 has 2.70 open.
	want := []api.PayoutItem{{PurchaseID: p1.ID, AmountCents: 900}, {PurchaseID: p2.ID, AmountCents: 270}, {PurchaseID: p3.ID, AmountCents: 30}}
	if po.State != api.PayoutPending || len(po.Items) != 3 {
		t.Fatalf("payout = %+v", po)
	}
	for i, it := range po.Items {
		if it.PurchaseID != want[i].PurchaseID || it.AmountCents != want[i].AmountCents {
			t.Errorf("item %d = %+v, want %+v", i, it, want[i])
		}
	}
	earn, _ = ann.Earnings(ctx, api.EarningsFilter{})
	if earn.Totals.AvailableCents != 870 || earn.Totals.PendingPayoutCents != 1200 || earn.Totals.PaidOutCents != 0 {
		t.Fatalf("after request: %+v", earn.Totals)
	}
	if err := e.p.Earnings.MarkPayoutPaid(ctx, po.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.p.Earnings.MarkPayoutPaid(ctx, po.ID); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("paying twice: %v", err)
	}
	earn, _ = ann.Earnings(ctx, api.EarningsFilter{})
	if earn.Totals.AvailableCents != 870 || earn.Totals.PendingPayoutCents != 0 || earn.Totals.PaidOutCents != 1200 {
		t.Fatalf("after paid: %+v", earn.Totals)
	}
	list, _ := ann.Payouts(ctx)
	if len(list) != 1 || list[0].State != api.PayoutPaid || list[0].PaidAt == nil {
		t.Fatalf("payouts = %+v", list)
	}
	if sums, unbalanced, _ := e.p.DB.LedgerCheck(ctx); unbalanced != 0 || sums["EUR"] != 0 {
		t.Fatalf("ledger %v, %d unbalanced", sums, unbalanced)
	}
}

func TestEarningsGroupsAndCSV(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	bob, _ := e.signUp("Bob", true)
	rel1 := e.published(ann, "One", 1, nil)
	rel2 := e.published(ann, "=cmd|' /C calc'!A0", 1, func(m *api.Manifest) { m.PriceCents = 333 })
	bobRel := e.published(bob, "Bob's", 1, nil)
	var ps []*api.Purchase
	for i := range 4 {
		f, _ := e.signUp(fmt.Sprint("fan", i), false)
		p, err := buy(f, []int64{rel1.ID, rel2.ID}[i%2], []int64{1000, 333}[i%2], "x")
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
		buy(f, bobRel.ID, 1000, "y")
	}
	ann.RefundPurchase(ctx, ps[0].ID, 250)
	ann.RequestPayout(ctx, 1000, "EUR")

	earn, err := ann.Earnings(ctx, api.EarningsFilter{Group: api.GroupRelease})
	if err != nil {
		t.Fatal(err)
	}
	tot := earn.Totals
	if tot.Sales != 4 || tot.GrossCents != 2666 || tot.CreatorCents+tot.PlatformCents != tot.GrossCents || tot.RefundedCents != 250 {
		t.Fatalf("totals = %+v", tot)
	}
	var sumRows api.EarningsRow
	for _, r := range earn.Rows {
		sumRows.GrossCents += r.GrossCents
		sumRows.CreatorCents += r.CreatorCents
		sumRows.RefundedCents += r.RefundedCents
	}
	if len(earn.Rows) != 2 || sumRows.GrossCents != tot.GrossCents || sumRows.CreatorCents != tot.CreatorCents || sumRows.RefundedCents != 250 {
		t.Fatalf("release rows %+v do not add up to %+v", earn.Rows, tot)
	}
	for _, g := range []string{api.GroupDay, api.GroupMonth, api.GroupTrack} {
		e2, err := ann.Earnings(ctx, api.EarningsFilter{Group: g})
		if err != nil || len(e2.Rows) == 0 {
			t.Fatalf("group %s: %+v, %v", g, e2, err)
		}
		var gross int64
		for _, r := range e2.Rows {
			gross += r.GrossCents
		}
		if gross != tot.GrossCents {
			t.Errorf("group %s rows sum to %d, want %d", g, gross, tot.GrossCents)
		}
	}
	for _, q := range []string{"group=week", "currency=XYZ", "from=yesterday", "from=2026-02-01&to=2026-01-01"} {
		if status, _, _ := e.raw("GET", "/api/v1/me/earnings?"+q, ann.Token(), nil); status != 400 {
			t.Errorf("?%s: %d, want 400", q, status)
		}
	}
	// A range that excludes everything.
	empty, _ := ann.Earnings(ctx, api.EarningsFilter{Group: api.GroupDay, Currency: "EUR", From: ps[0].CreatedAt.AddDate(1, 0, 0)})
	if empty.Totals.Sales != 0 || len(empty.Rows) != 0 || empty.Totals.AvailableCents != tot.AvailableCents {
		t.Fatalf("future range: %+v", empty)
	}
	checkCSVMatches(t, ann, tot)
}

// checkCSVMatches downloads the earnings CSV and checks it sums to the totals.
func checkCSVMatches(t *testing.T, c *mhttp.Client, tot api.EarningsTotals) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.EarningsCSV(context.Background(), api.EarningsFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) < 2 || strings.Join(recs[0], ",") != "date,type,id,release_id,release,track,fan,gross,platform_fee,creator_share,currency" {
		t.Fatalf("csv header/records: %v %v", recs, err)
	}
	var sales, gross, refunded, creator, platform int64
	for _, r := range recs[1:] {
		g, p, cr := cents(t, r[7]), cents(t, r[8]), cents(t, r[9])
		if g != p+cr && r[1] != "payout" {
			t.Errorf("csv line %v: gross ≠ fee + share", r)
		}
		if strings.HasPrefix(r[4], "=") {
			t.Errorf("csv cell %q would run as a formula", r[4])
		}
		switch r[1] {
		case "sale":
			sales++
			gross += g
			platform += p
		case "refund":
			refunded -= g
			platform += p
		}
		creator += cr
	}
	if sales != tot.Sales || gross != tot.GrossCents || refunded != tot.RefundedCents || creator != tot.AvailableCents {
		t.Fatalf("csv sums: sales %d gross %d refunded %d creator %d; totals %+v", sales, gross, refunded, creator, tot)
	}
	_ = platform
}

func cents(t *testing.T, s string) int64 {
	t.Helper()
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || len(frac) != 2 {
		t.Fatalf("bad money cell %q", s)
	}
	if neg {
		return -(w*100 + f)
	}
	return w*100 + f
}

func TestFansAndFollows(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, annAcct := e.signUp("Ann", true)
	bob, bobAcct := e.signUp("Bob", true)
	rel := e.published(ann, "Loved", 1, nil)
	sharer, sharerAcct := e.signUp("Sharer", false)
	private, _ := e.signUp("Private", false)
	follower, _ := e.signUp("Follower", false)
	sharer.CreatePurchase(ctx, "s", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 1500, Currency: "EUR", ShareEmail: true,
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
	buy(private, rel.ID, 1000, "p")
	if err := follower.Follow(ctx, annAcct.ID); err != nil {
		t.Fatal(err)
	}
	follower.Follow(ctx, annAcct.ID) // idempotent
	sharer.Follow(ctx, annAcct.ID)
	if err := follower.Follow(ctx, 9999); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("follow unknown artist: %v", err)
	}
	if err := ann.Follow(ctx, annAcct.ID); api.ErrorCode(err) != api.ECONFLICT {
		t.Fatalf("follow yourself: %v", err)
	}
	fans, err := ann.Fans(ctx)
	if err != nil || len(fans.Items) != 3 {
		t.Fatalf("fans = %+v, %v", fans, err)
	}
	top := fans.Items[0]
	if top.AccountID != sharerAcct.ID || top.TotalCents != 1500 || top.Currency != "EUR" || top.Purchases != 1 || !top.Follower || !strings.HasPrefix(top.Email, "Sharer") || top.FirstPurchaseAt == nil {
		t.Fatalf("top fan = %+v", top)
	}
	if fans.Items[1].Email != "" || fans.Items[1].Follower || fans.Items[2].Purchases != 0 || !fans.Items[2].Follower {
		t.Fatalf("other fans = %+v", fans.Items[1:])
	}
	if err := follower.Unfollow(ctx, annAcct.ID); err != nil {
		t.Fatal(err)
	}
	fans, _ = ann.Fans(ctx)
	if len(fans.Items) != 2 {
		t.Fatalf("after unfollow: %d fans", len(fans.Items))
	}
	// Bob sees none of Ann's fans, sales or payouts.
	bobFans, _ := bob.Fans(ctx)
	bobEarn, _ := bob.Earnings(ctx, api.EarningsFilter{Currency: "EUR"})
	if len(bobFans.Items) != 0 || bobEarn.Totals.Sales != 0 {
		t.Fatalf("Bob sees Ann's fans %v or sales %+v", bobFans.Items, bobEarn.Totals)
	}
	_ = bobAcct
	var buf bytes.Buffer
	if err := ann.FansCSV(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(&buf).ReadAll()
	if len(recs) != 3 || recs[1][3] != "15.00" || recs[2][2] != "" {
		t.Fatalf("fans csv = %v", recs)
	}
	// Fans cannot see a fans list.
	if _, err := sharer.Fans(ctx); api.ErrorCode(err) != api.EFORBIDDEN {
		t.Fatalf("fan reading fans: %v", err)
	}
}

func TestSoldReleasesAreKept(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	m, _ := e.album(ann, "Kept", 2)
	rel, _ := ann.CreateRelease(ctx, m)
	ann.PublishRelease(ctx, rel.ID)
	if _, err := buy(fan, rel.ID, 1000, "k"); err != nil {
		t.Fatal(err)
	}
	if err := ann.DeleteRelease(ctx, rel.ID); api.ErrorCode(err) != api.ECONFLICT {
		t.Fatalf("deleting a sold release: %v", err)
	}
	dropped := m
	dropped.Tracks = m.Tracks[:1]
	if _, err := ann.UpdateRelease(ctx, rel.ID, dropped); api.ErrorCode(err) != api.ECONFLICT {
		t.Fatalf("dropping sold audio: %v", err)
	}
	renamed := m
	renamed.Tracks = append([]api.ManifestTrack(nil), m.Tracks...)
	renamed.Tracks[0].Title = "New name"
	if _, err := ann.UpdateRelease(ctx, rel.ID, renamed); err != nil {
		t.Fatalf("renaming a sold track: %v", err)
	}
	// Unpublished, it still belongs to its buyer.
	ann.UnpublishRelease(ctx, rel.ID)
	if _, err := fan.FindRelease(ctx, rel.ID); err != nil {
		t.Fatalf("buyer lost sight of an unpublished release: %v", err)
	}
	if _, err := fan.DownloadTrack(ctx, rel.Tracks[1].ID, 0, &bytes.Buffer{}); err != nil {
		t.Fatalf("buyer cannot download an unpublished release: %v", err)
	}
	if lib, _ := fan.Library(ctx); len(lib.Items) != 1 || lib.Items[0].Release.Tracks[0].Title != "New name" {
		t.Fatalf("library = %+v", lib)
	}
}

func TestReceiptKeyRotation(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	rel := e.published(ann, "R", 1, nil)
	f1, _ := e.signUp("f1", false)
	f2, _ := e.signUp("f2", false)
	p1, _ := buy(f1, rel.ID, 1000, "a")
	if _, err := e.p.Receipts.RotateReceiptKey(ctx); err != nil {
		t.Fatal(err)
	}
	p2, _ := buy(f2, rel.ID, 1000, "b")
	keys, _ := f1.ReceiptKeys(ctx)
	if len(keys.Keys) != 2 {
		t.Fatalf("%d published keys after rotation, want 2", len(keys.Keys))
	}
	for _, p := range []*api.Purchase{p1, p2} {
		if _, err := receipt.Verify(p.Receipt, keys); err != nil {
			t.Errorf("purchase %d: %v", p.ID, err)
		}
	}
	if strings.Split(p1.Receipt, ".")[0] == strings.Split(p2.Receipt, ".")[0] {
		t.Error("both receipts name the same key after rotation")
	}
}
