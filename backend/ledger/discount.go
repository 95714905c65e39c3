package ledger

// Discounts. A discount is taken off a price before the sale, so the sale
// is an ordinary one at the lower amount and splits by the same rule. A
// percentage is rounded in the fan's favour: the cents taken off are
// rounded up, so 33 % off 9.99 is 3.30 off and 6.69 to pay.

// PercentOff is price less percent % of it (percent in 0..100), the
// discount rounded up; never below zero.
func PercentOff(price, percent int64) int64 {
	if price <= 0 || percent <= 0 {
		return max(price, 0)
	}
	if percent >= 100 {
		return 0
	}
	// ceil(price × percent / 100) without overflow for any int64 price.
	off := price/100*percent + (price%100*percent+99)/100
	return max(price-off, 0)
}

// FixedOff is price less off cents; never below zero.
func FixedOff(price, off int64) int64 {
	return max(price-max(off, 0), 0)
}
