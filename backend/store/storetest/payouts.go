package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// testPayouts: a payout needs the minimum and at most the available
// balance; it settles the creator's open sales oldest first, net of
// refunds; it is marked paid once; the balances follow each step.
func testPayouts(t *testing.T, s Services) {
	t0 := at(t, "2026-07-01T12:00:00.007Z")
	clk := setClock(s, t0)
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	fan := signUp(t, s, "fan", false)
	var rels []*api.Release
	var sales []*api.Purchase
	for i, price := range []int64{999, 1500, 2000} { // 900, 1350, 1800 to the creator
		clk.set(t0.Add(time.Duration(i) * 24 * time.Hour))
		rel := release(t, s, ann, fmt.Sprintf("R%d", i), price, "EUR", 1)
		rels, sales = append(rels, rel), append(sales, buy(t, s, fan, rel, price))
	}
	clk.set(t0.Add(72 * time.Hour))
	refund(t, s, ann, sales[0].ID, 500) // the creator gives back 450
	balances(t, s, ann, 0, 0, 3600)

	for _, c := range []struct {
		amount   int64
		currency string
		field    string
	}{{999, "EUR", "amount_cents"}, {3601, "EUR", "amount_cents"}, {1000, "XYZ", "currency"}, {1000, "USD", "amount_cents"}} {
		_, err := s.Earnings.RequestPayout(ann, c.amount, c.currency)
		field(t, err, c.field)
	}
	_, err := s.Earnings.RequestPayout(fan, 1000, "EUR")
	code(t, err, api.EFORBIDDEN)
	_, err = s.Earnings.RequestPayout(context.Background(), 1000, "EUR")
	code(t, err, api.EUNAUTHORIZED)

	item := func(i int, cents int64) api.PayoutItem {
		return api.PayoutItem{PurchaseID: sales[i].ID, ReleaseID: rels[i].ID, ReleaseTitle: rels[i].Title, AmountCents: cents, Currency: "EUR"}
	}
	t4, t5, t6 := t0.Add(96*time.Hour), t0.Add(120*time.Hour), t0.Add(144*time.Hour)
	clk.set(t4)
	p1, err := s.Earnings.RequestPayout(ann, 1000, "eur")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "first payout", *p1, api.Payout{ID: p1.ID, AmountCents: 1000, Currency: "EUR", State: api.PayoutPending, CreatedAt: t4,
		Items: []api.PayoutItem{item(0, 450), item(1, 550)}})
	balances(t, s, ann, 0, 1000, 2600)
	clk.set(t5)
	p2, err := s.Earnings.RequestPayout(ann, 2600, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "second payout", *p2, api.Payout{ID: p2.ID, AmountCents: 2600, Currency: "EUR", State: api.PayoutPending, CreatedAt: t5,
		Items: []api.PayoutItem{item(1, 800), item(2, 1800)}})
	_, err = s.Earnings.RequestPayout(ann, 1000, "EUR")
	field(t, err, "amount_cents")
	balances(t, s, ann, 0, 3600, 0)
	payouts(t, s, ann, *p2, *p1)
	payouts(t, s, bob)

	clk.set(t6)
	if err := s.Earnings.MarkPayoutPaid(context.Background(), p1.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{p1.ID, p2.ID + 1000} {
		err = s.Earnings.MarkPayoutPaid(context.Background(), id)
		code(t, err, api.ENOTFOUND)
	}
	paid := *p1
	paid.State, paid.PaidAt = api.PayoutPaid, &t6
	payouts(t, s, ann, *p2, paid)
	balances(t, s, ann, 1000, 2600, 0)
	if _, err := s.Store.Payout(context.Background(), id(bob), p1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another creator's payout: %v, want ErrNotFound", err)
	}
	balanced(t, s)
}

// testConcurrentPayouts: two payouts of the whole balance requested at
// once: exactly one succeeds, the other finds nothing left.
func testConcurrentPayouts(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	for round := range 5 {
		buy(t, s, fan, release(t, s, ann, fmt.Sprintf("Round %d", round), 2000, "EUR", 1), 2000) // 1800 to the creator
		errs := parallel(2, func(int) error {
			_, err := s.Earnings.RequestPayout(ann, 1800, "EUR")
			return err
		})
		var ok int
		for _, err := range errs {
			if err == nil {
				ok++
			} else if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != "amount_cents" {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of two payouts of the whole balance succeeded", round, ok)
		}
		balances(t, s, ann, 0, 1800*int64(round+1), 0)
	}
	list, err := s.Earnings.Payouts(ann)
	if err != nil || len(list) != 5 {
		t.Fatalf("payouts = %d, %v; want 5", len(list), err)
	}
	balanced(t, s)
}

// balances checks a creator's paid, pending and available EUR.
func balances(t *testing.T, s Services, ctx context.Context, paid, pending, available int64) {
	t.Helper()
	tot := earnings(t, s, ctx, api.EarningsFilter{Currency: "EUR"}).Totals
	if tot.PaidOutCents != paid || tot.PendingPayoutCents != pending || tot.AvailableCents != available {
		t.Fatalf("paid %d, pending %d, available %d; want %d, %d, %d", tot.PaidOutCents, tot.PendingPayoutCents, tot.AvailableCents, paid, pending, available)
	}
	if b := creatorBalance(t, s, ctx, "EUR"); b != available {
		t.Fatalf("creator balance %d, available %d", b, available)
	}
}

// payouts checks the caller's payouts, newest first.
func payouts(t *testing.T, s Services, ctx context.Context, want ...api.Payout) {
	t.Helper()
	got, err := s.Earnings.Payouts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want == nil {
		want = []api.Payout{}
	}
	same(t, "payouts", got, want)
}
