package ledger_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/megabox-fm/megabox/backend/ledger"
)

func TestSplitExamples(t *testing.T) {
	for _, c := range []struct{ gross, creator, platform int64 }{
		{1000, 900, 100}, {999, 900, 99}, {1, 1, 0}, {9, 9, 0}, {10, 9, 1}, {19, 18, 1}, {0, 0, 0},
		{math.MaxInt64, math.MaxInt64 - 922337203685477580, 922337203685477580},
	} {
		s, err := ledger.SplitGross(c.gross, ledger.DefaultRateBps)
		if err != nil || s.Creator != c.creator || s.Platform != c.platform {
			t.Errorf("SplitGross(%d) = %+v, %v; want creator %d platform %d", c.gross, s, err, c.creator, c.platform)
		}
	}
	for _, bad := range [][2]int64{{-1, 1000}, {5, -1}, {5, 10_001}} {
		if _, err := ledger.SplitGross(bad[0], bad[1]); err == nil {
			t.Errorf("SplitGross(%d, %d) accepted", bad[0], bad[1])
		}
	}
}

// TestSplitProperties checks the money rules over a million random sales,
// each followed by a random sequence of partial refunds down to zero.
func TestSplitProperties(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		gross := randomAmount(rng)
		rate := int64(ledger.DefaultRateBps)
		if i%10 == 0 {
			rate = rng.Int64N(10_001) // other rates keep the same guarantees
		}
		sale, err := ledger.SplitGross(gross, rate)
		if err != nil {
			t.Fatal(err)
		}
		if sale.Creator+sale.Platform != gross || sale.Platform < 0 || sale.Creator < 0 ||
			sale.Platform > gross*rate/10_000 || (gross*rate/10_000)-sale.Platform > 0 {
			t.Fatalf("sale of %d at %d bps split %+v", gross, rate, sale)
		}
		txn, _ := ledger.Sale("sandbox", 7, sale, rng.Int64N(100), "EUR")
		if !txn.Balanced() {
			t.Fatalf("sale txn %v does not balance", txn)
		}
		checkRefunds(t, rng, sale, rate)
	}
}

func checkRefunds(t *testing.T, rng *rand.Rand, sale ledger.Split, rate int64) {
	var refunds []ledger.Split
	for steps := 0; ; steps++ {
		rem := ledger.Remaining(sale, refunds)
		if rem.Gross == 0 {
			if rem.Creator != 0 || rem.Platform != 0 {
				t.Fatalf("fully refunded sale %+v left %+v", sale, rem)
			}
			return
		}
		amount := rem.Gross
		if steps < 6 && rng.IntN(3) > 0 {
			amount = 1 + rng.Int64N(rem.Gross)
		}
		r, err := ledger.SplitRefund(rem, amount, rate)
		if err != nil {
			t.Fatalf("refund %d of %+v: %v", amount, rem, err)
		}
		if r.Creator < 0 || r.Platform < 0 || r.Creator+r.Platform != amount || r.Creator > rem.Creator || r.Platform > rem.Platform {
			t.Fatalf("refund %d of remaining %+v split %+v", amount, rem, r)
		}
		if !ledger.Refund("sandbox", 7, r, "EUR").Balanced() {
			t.Fatal("refund txn does not balance")
		}
		refunds = append(refunds, r)
	}
}

func randomAmount(rng *rand.Rand) int64 {
	switch rng.IntN(4) {
	case 0:
		return rng.Int64N(100) // tiny amounts stress the rounding
	case 1:
		return rng.Int64N(10_000)
	case 2:
		return rng.Int64N(100_000_000)
	}
	return rng.Int64N(math.MaxInt64 / 10_000)
}

func TestRefundRejects(t *testing.T) {
	sale, _ := ledger.SplitGross(1000, 1000)
	for _, amount := range []int64{0, -5, 1001} {
		if _, err := ledger.SplitRefund(sale, amount, 1000); err == nil {
			t.Errorf("refund of %d accepted", amount)
		}
	}
	// The worst case for naive per-refund rounding: many one-cent refunds.
	sale, _ = ledger.SplitGross(20, 1000) // creator 18, platform 2
	var refunds []ledger.Split
	for range 20 {
		r, err := ledger.SplitRefund(ledger.Remaining(sale, refunds), 1, 1000)
		if err != nil {
			t.Fatal(err)
		}
		refunds = append(refunds, r)
	}
	if rem := ledger.Remaining(sale, refunds); rem != (ledger.Split{}) {
		t.Fatalf("after 20 one-cent refunds: %+v, want all zero", rem)
	}
}

func TestPayoutTxnsBalance(t *testing.T) {
	for _, txn := range []ledger.Txn{ledger.PayoutRequested(3, 1500, "EUR"), ledger.PayoutPaid("sandbox", 1500, "EUR")} {
		if !txn.Balanced() {
			t.Errorf("%v does not balance", txn)
		}
	}
	if (ledger.Txn{{Account: "a", Amount: 5, Currency: "EUR"}, {Account: "b", Amount: -5, Currency: "USD"}}).Balanced() {
		t.Error("postings in two currencies balanced each other")
	}
}
