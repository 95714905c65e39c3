package ledger_test

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/megabox-fm/megabox/backend/ledger"
)

func TestCheckShares(t *testing.T) {
	ok := [][]ledger.Share{
		nil,
		{{1, 10_000}},
		{{1, 5000}, {2, 3000}, {3, 2000}},
		{{2, 1}, {1, 9999}},
		{{1, 1250}, {2, 1250}, {3, 1250}, {4, 1250}, {5, 1250}, {6, 1250}, {7, 1250}, {8, 1250}},
	}
	for _, shares := range ok {
		if err := ledger.CheckShares(1, shares); err != nil {
			t.Errorf("CheckShares(1, %v) = %v, want nil", shares, err)
		}
	}
	for _, c := range []struct {
		owner  int64
		shares []ledger.Share
		want   string
	}{
		{1, []ledger.Share{{1, 5000}, {2, 4550}}, "collaborator shares must add up to 100 %: they add up to 95.5 %"},
		{1, []ledger.Share{{1, 5000}, {2, 5001}}, "collaborator shares must add up to 100 %: they add up to 100.01 %"},
		{1, []ledger.Share{{1, 3333}, {2, 3333}, {3, 3333}}, "collaborator shares must add up to 100 %: they add up to 99.99 %"},
		{1, []ledger.Share{{1, 10_000}, {2, 0}}, "each collaborator's share must be between 0.01 % and 100 %: account 2 has 0 %"},
		{1, []ledger.Share{{1, 10_001}}, "each collaborator's share must be between 0.01 % and 100 %: account 1 has 100.01 %"},
		{1, []ledger.Share{{1, 12_000}, {2, -2000}}, "each collaborator's share must be between 0.01 % and 100 %: account 1 has 120 %"},
		{1, []ledger.Share{{1, 5000}, {1, 5000}}, "account 1 appears more than once in the split"},
		{1, []ledger.Share{{2, 5000}, {3, 5000}}, "the release owner (account 1) must be one of the payees"},
		{1, []ledger.Share{{1, 5000}, {0, 5000}}, "collaborator 2 has no valid account (0)"},
		{0, nil, "the release owner's account 0 is not a valid account"},
		{1, []ledger.Share{{1, 1000}, {2, 1000}, {3, 1000}, {4, 1000}, {5, 1000}, {6, 1000}, {7, 1000}, {8, 1000}, {9, 2000}},
			"a release can be shared between at most 8 accounts: this split has 9"},
	} {
		err := ledger.CheckShares(c.owner, c.shares)
		if err == nil || err.Error() != c.want || !errors.Is(err, ledger.ErrShares) {
			t.Errorf("CheckShares(%d, %v) = %v, want %q (ErrShares)", c.owner, c.shares, err, c.want)
		}
		if _, err := ledger.SplitParts(100, c.owner, c.shares); !errors.Is(err, ledger.ErrShares) {
			t.Errorf("SplitParts with %v: %v, want ErrShares", c.shares, err)
		}
	}
}

func TestSplitPartsExamples(t *testing.T) {
	for _, c := range []struct {
		name     string
		gross    int64
		owner    int64
		shares   []ledger.Share
		platform int64
		want     []int64
	}{
		{"50/30/20 of 10.00", 1000, 1, []ledger.Share{{1, 5000}, {2, 3000}, {3, 2000}}, 100, []int64{450, 270, 180}},
		// 900 × 33.33 % = 299.97: each collaborator gets 299, the owner 302.
		{"thirds of 9.99, owner last", 999, 3, []ledger.Share{{1, 3333}, {2, 3333}, {3, 3334}}, 99, []int64{299, 299, 302}},
		{"thirds of 9.99, owner first", 999, 1, []ledger.Share{{1, 3334}, {2, 3333}, {3, 3333}}, 99, []int64{302, 299, 299}},
		{"owner alone", 999, 7, nil, 99, []int64{900}},
		{"one cent", 1, 1, []ledger.Share{{1, 5000}, {2, 5000}}, 0, []int64{1, 0}},
		{"tiny collaborator", 1000, 1, []ledger.Share{{1, 9999}, {2, 1}}, 100, []int64{900, 0}},
		{"tiny owner", 1000, 1, []ledger.Share{{1, 1}, {2, 9999}}, 100, []int64{1, 899}},
		// 7 collaborators each floor(9 × 1250 / 10000) = 1; the owner gets 9 − 7 = 2.
		{"eight ways of 10", 10, 5, []ledger.Share{{1, 1250}, {2, 1250}, {3, 1250}, {4, 1250}, {5, 1250}, {6, 1250}, {7, 1250}, {8, 1250}}, 1, []int64{1, 1, 1, 1, 2, 1, 1, 1}},
		{"zero", 0, 1, []ledger.Share{{1, 5000}, {2, 5000}}, 0, []int64{0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := ledger.SplitGross(c.gross, ledger.DefaultRateBps)
			if err != nil || s.Platform != c.platform {
				t.Fatalf("SplitGross(%d) = %+v, %v; want platform %d", c.gross, s, err, c.platform)
			}
			parts, err := ledger.SplitParts(s.Creator, c.owner, c.shares)
			if err != nil {
				t.Fatal(err)
			}
			if got := cents(parts); !slices.Equal(got, c.want) {
				t.Errorf("parts of %d = %v, want %v", s.Creator, got, c.want)
			}
		})
	}
	// The largest amounts divide exactly, without overflow.
	parts, err := ledger.SplitParts(math.MaxInt64, 1, []ledger.Share{{1, 1}, {2, 9999}})
	if err != nil {
		t.Fatal(err)
	}
	// floor((2^63 − 1) × 9999 / 10000) = 9222449699651090329; the owner gets the rest,
	// 922337203685478 (its exact share is 922337203685477.5807).
	if want := []int64{922337203685478, 9222449699651090329}; !slices.Equal(cents(parts), want) {
		t.Errorf("parts of MaxInt64 = %v, want %v", cents(parts), want)
	}
	if _, err := ledger.SplitParts(-1, 1, nil); !errors.Is(err, ledger.ErrAmount) {
		t.Errorf("SplitParts(-1) = %v, want ErrAmount", err)
	}
}

func TestRefundPartsExamples(t *testing.T) {
	thirds := []ledger.Share{{1, 3333}, {2, 3333}, {3, 3334}} // owner 3
	halves := []ledger.Share{{1, 5000}, {2, 5000}}            // owner 1
	for _, c := range []struct {
		name      string
		owner     int64
		shares    []ledger.Share
		remaining []int64
		refund    int64
		want      []int64
	}{
		// 455 × 33.33 % = 151.65: 151 to each collaborator, 153 to the owner.
		{"thirds, first refund", 3, thirds, []int64{299, 299, 302}, 455, []int64{151, 151, 153}},
		{"thirds, the rest", 3, thirds, []int64{148, 148, 149}, 445, []int64{148, 148, 149}},
		{"nothing", 3, thirds, []int64{148, 148, 149}, 0, []int64{0, 0, 0}},
		// One cent: each collaborator's floor is 0, so the cent is the owner's...
		{"cent to owner", 1, halves, []int64{5, 4}, 1, []int64{1, 0}},
		// ...until the owner has nothing left: then it goes to whoever has.
		{"owner empty", 1, halves, []int64{0, 4}, 1, []int64{0, 1}},
		// The owner's 4 cents exceed the 0 it has left: the 4 go to the
		// collaborators in proportion to their room beyond their floor of 3
		// (room 17 and 7: floor(4×17/24) = 2, floor(4×7/24) = 1, and the cent
		// rounding leaves to the first in order).
		{"owner excess spread", 1, []ledger.Share{{1, 4000}, {2, 3000}, {3, 3000}}, []int64{0, 20, 10}, 10, []int64{0, 3 + 3, 3 + 1}},
		// A collaborator with less than their floor gives the rest to the owner.
		{"collaborator clamped", 1, halves, []int64{10, 2}, 8, []int64{6, 2}},
		// Both: collaborator 2 is capped at 1, the owner at 2; collaborator 3 takes the rest.
		{"both clamps", 1, []ledger.Share{{1, 2000}, {2, 4000}, {3, 4000}}, []int64{2, 1, 50}, 20, []int64{2, 1, 17}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rem := make([]ledger.Part, len(c.shares))
			for i, s := range c.shares {
				rem[i] = ledger.Part{AccountID: s.AccountID, Cents: c.remaining[i]}
			}
			parts, err := ledger.RefundParts(rem, c.refund, c.owner, c.shares)
			if err != nil {
				t.Fatal(err)
			}
			if got := cents(parts); !slices.Equal(got, c.want) {
				t.Errorf("refund of %d against %v = %v, want %v", c.refund, c.remaining, got, c.want)
			}
			for i, p := range parts {
				if p.AccountID != c.shares[i].AccountID {
					t.Errorf("part %d is account %d, want %d", i, p.AccountID, c.shares[i].AccountID)
				}
			}
		})
	}
	rem := []ledger.Part{{1, 5}, {2, 4}}
	for _, c := range []struct {
		rem    []ledger.Part
		refund int64
		shares []ledger.Share
		want   error
	}{
		{rem, 10, halves, ledger.ErrAmount},                                      // more than is left
		{rem, -1, halves, ledger.ErrAmount},                                      // negative
		{[]ledger.Part{{1, 5}}, 1, halves, ledger.ErrAmount},                     // a payee missing
		{[]ledger.Part{{2, 4}, {1, 5}}, 1, halves, ledger.ErrAmount},             // wrong order
		{[]ledger.Part{{1, -1}, {2, 4}}, 1, halves, ledger.ErrAmount},            // negative remaining
		{[]ledger.Part{{1, math.MaxInt64}, {2, 1}}, 1, halves, ledger.ErrAmount}, // total beyond int64
		{rem, 1, []ledger.Share{{1, 5000}, {2, 4000}}, ledger.ErrShares},
	} {
		if _, err := ledger.RefundParts(c.rem, c.refund, 1, c.shares); !errors.Is(err, c.want) {
			t.Errorf("RefundParts(%v, %d) = %v, want %v", c.rem, c.refund, err, c.want)
		}
	}
}

// TestRefundPartsOneCentAtATime empties a sale by one-cent refunds, the worst
// case for per-refund rounding: each cent is the owner's until it has
// nothing left, then the collaborators take turns, and every payee ends at
// exactly 0.
func TestRefundPartsOneCentAtATime(t *testing.T) {
	shares := []ledger.Share{{1, 1000}, {2, 4500}, {3, 4500}} // owner 1
	s, _ := ledger.SplitGross(1000, ledger.DefaultRateBps)
	got, err := ledger.SplitParts(s.Creator, 1, shares)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{90, 405, 405}; !slices.Equal(cents(got), want) {
		t.Fatalf("sale parts %v, want %v", cents(got), want)
	}
	rem := got
	var toOwner int64
	for n := range 900 {
		r, err := ledger.RefundParts(rem, 1, 1, shares)
		if err != nil {
			t.Fatal(err)
		}
		toOwner += r[0].Cents
		for i := range rem {
			rem[i].Cents -= r[i].Cents
		}
		if d := rem[1].Cents - rem[2].Cents; d < -1 || d > 1 {
			t.Fatalf("after %d one-cent refunds the payees have %v left: the collaborators should take turns", n+1, cents(rem))
		}
	}
	if !slices.Equal(cents(rem), []int64{0, 0, 0}) || toOwner != 90 {
		t.Fatalf("after 900 one-cent refunds: %v left, %d from the owner; want all 0 and 90", cents(rem), toOwner)
	}
}

func TestSalePartsJournal(t *testing.T) {
	// The worked example of docs/money.md.
	parts := []ledger.Part{{1, 299}, {2, 299}, {3, 302}}
	txn, err := ledger.SaleParts("sandbox", parts, 99, 40, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.Txn{
		{Account: "provider:sandbox", Amount: 999, Currency: "EUR"},
		{Account: "creator:1", Amount: -299, Currency: "EUR"},
		{Account: "creator:2", Amount: -299, Currency: "EUR"},
		{Account: "creator:3", Amount: -302, Currency: "EUR"},
		{Account: "platform:revenue", Amount: -99, Currency: "EUR"},
		{Account: "platform:fees", Amount: 40, Currency: "EUR"},
		{Account: "provider:sandbox", Amount: -40, Currency: "EUR"},
	}
	if !reflect.DeepEqual(txn, want) || !txn.Balanced() {
		t.Errorf("SaleParts = %v, want %v", txn, want)
	}
	refund := ledger.RefundPartsTxn("sandbox", []ledger.Part{{1, 151}, {2, 151}, {3, 153}}, 50, "EUR")
	wantRefund := ledger.Txn{
		{Account: "creator:1", Amount: 151, Currency: "EUR"},
		{Account: "creator:2", Amount: 151, Currency: "EUR"},
		{Account: "creator:3", Amount: 153, Currency: "EUR"},
		{Account: "platform:revenue", Amount: 50, Currency: "EUR"},
		{Account: "provider:sandbox", Amount: -505, Currency: "EUR"},
	}
	if !reflect.DeepEqual(refund, wantRefund) || !refund.Balanced() {
		t.Errorf("RefundPartsTxn = %v, want %v", refund, wantRefund)
	}
	for _, bad := range []struct {
		parts         []ledger.Part
		platform, fee int64
	}{
		{nil, 1, 0},
		{[]ledger.Part{{1, -1}}, 1, 0},
		{[]ledger.Part{{1, 1}}, -1, 0},
		{[]ledger.Part{{1, 1}}, 1, -1},
		{[]ledger.Part{{1, 1}, {1, 1}}, 1, 0},
		{[]ledger.Part{{1, math.MaxInt64}}, 1, 0},
	} {
		if _, err := ledger.SaleParts("sandbox", bad.parts, bad.platform, bad.fee, "EUR"); !errors.Is(err, ledger.ErrAmount) {
			t.Errorf("SaleParts(%v, %d, %d) = %v, want ErrAmount", bad.parts, bad.platform, bad.fee, err)
		}
	}
}

// TestSingleCreatorTxns checks that a release with one payee books exactly
// what Sale and Refund book.
func TestSingleCreatorTxns(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10_000 {
		s, _ := ledger.SplitGross(randomAmount(rng), ledger.DefaultRateBps)
		fee := rng.Int64N(3) * rng.Int64N(100)
		id := 1 + rng.Int64N(1000)
		parts, _ := ledger.SplitParts(s.Creator, id, nil)
		old, err1 := ledger.Sale("sandbox", id, s, fee, "EUR")
		shared, err2 := ledger.SaleParts("sandbox", parts, s.Platform, fee, "EUR")
		if err1 != nil || err2 != nil || !reflect.DeepEqual(old, shared) {
			t.Fatalf("Sale = %v, %v; SaleParts = %v, %v", old, err1, shared, err2)
		}
		r, _ := ledger.SplitRefund(s, 1+rng.Int64N(max(s.Gross, 1)), ledger.DefaultRateBps)
		if s.Gross == 0 {
			continue
		}
		rp, _ := ledger.RefundParts(parts, r.Creator, id, nil)
		if a, b := ledger.Refund("sandbox", id, r, "EUR"), ledger.RefundPartsTxn("sandbox", rp, r.Platform, "EUR"); !reflect.DeepEqual(a, b) {
			t.Fatalf("Refund = %v, RefundPartsTxn = %v", a, b)
		}
	}
}

// TestCollaboratorSplitsProperty checks the collaborator rules over a
// million random sales (random amounts, rates and splits of 1–8 payees),
// each followed by a random sequence of partial refunds, most of them down
// to zero.
func TestCollaboratorSplitsProperty(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 20_000
	}
	rng := rand.New(rand.NewPCG(12, 2026))
	var st propStats
	for range n {
		gross := splitAmount(rng)
		rate := int64(ledger.DefaultRateBps)
		if rng.IntN(10) == 0 {
			rate = rng.Int64N(10_001)
		}
		shares, owner := randomShares(rng)
		sale, err := ledger.SplitGross(gross, rate)
		if err != nil {
			t.Fatal(err)
		}
		parts, err := ledger.SplitParts(sale.Creator, owner, shares)
		if err != nil {
			t.Fatalf("SplitParts(%d, %d, %v): %v", sale.Creator, owner, shares, err)
		}
		if msg := checkDivision(parts, sale.Creator, owner, shares); msg != "" {
			t.Fatalf("sale of %d (creator %d) split %v by %v: %s", gross, sale.Creator, cents(parts), shares, msg)
		}
		fee := rng.Int64N(100)
		txn, err := ledger.SaleParts("sandbox", parts, sale.Platform, fee, "EUR")
		if err != nil || !txn.Balanced() || txn[0].Amount != gross {
			t.Fatalf("sale txn %v, %v for gross %d", txn, err, gross)
		}
		for i := range parts {
			p := parts[i]
			if txn[1+i].Amount != -p.Cents {
				t.Fatalf("sale txn %v does not credit %v", txn, parts)
			}
		}
		checkPartRefunds(t, rng, sale, parts, owner, shares, rate, &st)
	}
	t.Logf("%d sales, %d refunds (%d full); clamps: %d on a collaborator, %d on the owner",
		n, st.refunds, st.emptied, st.collabClamps, st.ownerClamps)
	if st.collabClamps == 0 || st.ownerClamps == 0 || st.emptied < n/2 {
		t.Errorf("the random refunds never reached the clamps: %+v", st)
	}
}

type propStats struct{ refunds, emptied, collabClamps, ownerClamps int }

func checkPartRefunds(t *testing.T, rng *rand.Rand, sale ledger.Split, parts []ledger.Part, owner int64, shares []ledger.Share, rate int64, st *propStats) {
	rem := sale
	left := slices.Clone(parts)
	oneCent := sale.Gross <= 300 && rng.IntN(16) == 0 // many one-cent refunds reach the clamps
	stopAfter := math.MaxInt
	if rng.IntN(10) == 0 {
		stopAfter = rng.IntN(4)
	}
	for step := 0; rem.Gross > 0 && step < stopAfter; step++ {
		amount := rem.Gross
		switch {
		case oneCent:
			amount = 1
		case step < 3 && rng.IntN(4) > 0:
			amount = 1 + rng.Int64N(rem.Gross)
		case step < 3 && rng.IntN(2) == 0:
			amount = 1 + rng.Int64N(min(rem.Gross, 30))
		}
		r, err := ledger.SplitRefund(rem, amount, rate)
		if err != nil {
			t.Fatalf("refund %d of %+v: %v", amount, rem, err)
		}
		rp, err := ledger.RefundParts(left, r.Creator, owner, shares)
		if err != nil {
			t.Fatalf("RefundParts(%v, %d): %v", left, r.Creator, err)
		}
		if msg := checkRefund(rp, left, r.Creator, owner, shares, st); msg != "" {
			t.Fatalf("refund %d (creator %d) of %v by %v → %v: %s", amount, r.Creator, cents(left), shares, cents(rp), msg)
		}
		var sum int64
		for i := range rp {
			p := rp[i]
			sum += p.Cents
			left[i].Cents -= p.Cents
		}
		if sum+r.Platform != amount {
			t.Fatalf("refund %d: parts %v + platform %d = %d", amount, cents(rp), r.Platform, sum+r.Platform)
		}
		txn := ledger.RefundPartsTxn("sandbox", rp, r.Platform, "EUR")
		if !txn.Balanced() || txn[len(txn)-1].Amount != -amount {
			t.Fatalf("refund txn %v for %d", txn, amount)
		}
		rem.Gross -= r.Gross
		rem.Creator -= r.Creator
		rem.Platform -= r.Platform
		st.refunds++
	}
	if rem.Gross == 0 {
		st.emptied++
		for j := range left {
			p := left[j]
			if p.Cents != 0 {
				t.Fatalf("fully refunded sale %+v split %v by %v left %v", sale, cents(parts), shares, cents(left))
			}
		}
	}
}

// checkDivision checks an unclamped division of amount: parts in the order
// of shares adding up to amount, each collaborator exactly the floor of
// their share, the owner the remainder (less than one cent per collaborator
// above its own exact share). It returns what is wrong, or "".
func checkDivision(parts []ledger.Part, amount, owner int64, shares []ledger.Share) string {
	if len(parts) != len(shares) {
		return "wrong number of parts"
	}
	var sum int64
	oi := 0
	for i := range parts {
		p := parts[i]
		if p.AccountID != shares[i].AccountID {
			return "parts out of order"
		}
		if p.Cents < 0 {
			return "negative part"
		}
		sum += p.Cents
		if p.AccountID == owner {
			oi = i
			continue
		}
		if p.Cents != floorBps(amount, shares[i].Bps) {
			return "a collaborator is not within 1 cent below their exact share"
		}
	}
	if sum != amount {
		return "parts do not add up"
	}
	if extra := parts[oi].Cents - floorBps(amount, shares[oi].Bps); extra < 0 || extra > int64(len(shares)-1) {
		return "the owner did not get the remainder"
	}
	return ""
}

// checkRefund checks a refund's parts against what each payee had left:
// never negative, never more than they had, adding up to refund; with no
// clamp needed, exactly the sale's rule; otherwise each collaborator at
// least their capped floor and the owner emptied if the rule asked more
// of it than it had.
func checkRefund(rp, left []ledger.Part, refund, owner int64, shares []ledger.Share, st *propStats) string {
	var sum, total int64
	for i := range rp {
		p := rp[i]
		if p.Cents < 0 || p.Cents > left[i].Cents {
			return "a payee refunded beyond what they had left, or negative"
		}
		sum += p.Cents
		total += left[i].Cents
	}
	if sum != refund {
		return "parts do not add up"
	}
	if refund == total {
		if !slices.Equal(rp, left) {
			return "the refund that empties the sale did not empty every part"
		}
	}
	capped, oi, clamped := refund, 0, false
	for i := range shares {
		s := shares[i]
		if s.AccountID == owner {
			oi = i
			continue
		}
		f := floorBps(refund, s.Bps)
		if f > left[i].Cents {
			f, clamped = left[i].Cents, true
		}
		if rp[i].Cents < f {
			return "a collaborator got less than their capped floor"
		}
		capped -= f
	}
	if clamped {
		// Collaborators are never refunded beyond their floors until the
		// owner has given back all it had; only then can one run short.
		st.collabClamps++
		if left[oi].Cents != 0 {
			return "a collaborator ran short while the owner still had money"
		}
	}
	if capped > left[oi].Cents {
		st.ownerClamps++
		if rp[oi].Cents != left[oi].Cents {
			return "the owner was asked more than it had and was not emptied"
		}
		return ""
	}
	if clamped {
		if rp[oi].Cents != capped {
			return "the owner did not take what a capped collaborator could not"
		}
		return ""
	}
	return checkDivision(rp, refund, owner, shares)
}

// floorBps is floor(amount × bps / 10000), computed in 128 bits.
func floorBps(amount, bps int64) int64 {
	hi, lo := bits.Mul64(uint64(amount), uint64(bps))
	q, _ := bits.Div64(hi, lo, 10_000)
	return int64(q)
}

// splitAmount spreads sales over 0..1e9 cents with many small amounts, and
// a few near the int64 limit.
func splitAmount(rng *rand.Rand) int64 {
	switch rng.IntN(16) {
	case 0, 1, 2, 3:
		return rng.Int64N(100)
	case 4, 5, 6:
		return rng.Int64N(10_000)
	case 7, 8:
		return rng.Int64N(1_000_000)
	case 9:
		return math.MaxInt64 - rng.Int64N(1<<40)
	}
	return rng.Int64N(1_000_000_001)
}

// randomShares draws 1–8 payees with shares summing to 10,000 basis points,
// sometimes squeezed to the edges (1 bps collaborators), and picks one of
// them as the owner.
func randomShares(rng *rand.Rand) ([]ledger.Share, int64) {
	k := 1 + rng.IntN(ledger.MaxPayees)
	lo, hi := int64(1), int64(9999)
	switch rng.IntN(8) {
	case 0:
		hi = 16
	case 1:
		lo = 9984
	}
	cuts := make([]int64, 0, ledger.MaxPayees+1)
	cuts = append(cuts, 0, 10_000)
	for len(cuts) < k+1 {
		c := lo + rng.Int64N(hi-lo+1)
		if !slices.Contains(cuts, c) {
			cuts = append(cuts, c)
		}
	}
	slices.Sort(cuts)
	base := 1 + rng.Int64N(1_000_000)
	shares := make([]ledger.Share, k)
	for i := range shares {
		shares[i] = ledger.Share{AccountID: base + int64(i), Bps: cuts[i+1] - cuts[i]}
	}
	return shares, shares[rng.IntN(k)].AccountID
}

func cents(parts []ledger.Part) []int64 {
	out := make([]int64, len(parts))
	for i, p := range parts {
		out[i] = p.Cents
	}
	return out
}

// TestWithOwner: the owner, unlisted, keeps what the others leave and comes
// first; listed, the shares must make 100 %; each refusal says why.
func TestWithOwner(t *testing.T) {
	for _, c := range []struct {
		listed []ledger.Share
		want   []ledger.Share
		reason string
	}{
		{nil, []ledger.Share{{1, 10_000}}, ""},
		{[]ledger.Share{{2, 3000}, {3, 2000}}, []ledger.Share{{1, 5000}, {2, 3000}, {3, 2000}}, ""},
		{[]ledger.Share{{2, 3000}, {1, 7000}}, []ledger.Share{{1, 7000}, {2, 3000}}, ""},
		{[]ledger.Share{{2, 9999}}, []ledger.Share{{1, 1}, {2, 9999}}, ""},
		{[]ledger.Share{{2, 6000}, {3, 4000}}, nil, ledger.ReasonNothingLeft},
		{[]ledger.Share{{1, 6000}, {3, 3000}}, nil, ledger.ReasonOwnerSum},
		{[]ledger.Share{{2, 100}, {3, 100}, {4, 100}, {5, 100}, {6, 100}, {7, 100}, {8, 100}, {9, 100}}, nil, ledger.ReasonTooMany},
		{[]ledger.Share{{2, 0}}, nil, ""},
	} {
		got, err := ledger.WithOwner(1, c.listed)
		if c.want != nil {
			if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("ledger.WithOwner(1, %v) = %v, %v; want %v", c.listed, got, err, c.want)
			}
			continue
		}
		if !errors.Is(err, ledger.ErrShares) || ledger.SharesReason(err) != c.reason {
			t.Errorf("ledger.WithOwner(1, %v) = %v, %v; want a refusal for %q", c.listed, got, err, c.reason)
		}
	}
}
