package ledger

import "testing"

func TestPercentOffRoundsForTheFan(t *testing.T) {
	for _, c := range []struct{ price, pct, want int64 }{
		{999, 33, 669}, // 329.67 off → 330
		{1000, 10, 900},
		{1, 1, 0}, // 0.01 off a cent is a cent
		{999, 100, 0},
		{999, 0, 999},
		{0, 50, 0},
		{101, 50, 50}, // 50.5 off → 51
		{9_223_372_036_854_775_807, 50, 4_611_686_018_427_387_903},
	} {
		if got := PercentOff(c.price, c.pct); got != c.want {
			t.Errorf("PercentOff(%d, %d) = %d, want %d", c.price, c.pct, got, c.want)
		}
	}
}

func TestFixedOff(t *testing.T) {
	for _, c := range []struct{ price, off, want int64 }{{999, 300, 699}, {999, 1500, 0}, {999, -5, 999}} {
		if got := FixedOff(c.price, c.off); got != c.want {
			t.Errorf("FixedOff(%d, %d) = %d, want %d", c.price, c.off, got, c.want)
		}
	}
}
