// Package ledger is Megabox's money logic, with no I/O: the 90/10 split,
// collaborator splits of the creator's share, refunds that reverse them
// exactly, and double-entry transactions whose postings always sum to zero.
//
// Amounts are int64 minor units (cents). The platform's share is
// floor(gross × rate_bps / 10000); the creator gets the rest, so every
// remainder cent goes to the creator and creator + platform = gross.
package ledger

import (
	"errors"
	"fmt"
)

// DefaultRateBps is the platform's share in basis points: 10 %.
const DefaultRateBps = 1000

// Split is how one amount divides between creator and platform.
type Split struct {
	Gross    int64
	Creator  int64
	Platform int64
}

// ErrAmount is returned for amounts the ledger cannot take.
var ErrAmount = errors.New("ledger: amount out of range")

// SplitGross divides gross at rateBps (0..10000).
func SplitGross(gross, rateBps int64) (Split, error) {
	if gross < 0 || rateBps < 0 || rateBps > 10_000 {
		return Split{}, ErrAmount
	}
	p := bpsShare(gross, rateBps)
	return Split{Gross: gross, Creator: gross - p, Platform: p}, nil
}

// bpsShare is floor(amount × bps / 10000) without overflowing for any
// non-negative int64 amount and bps in 0..10000: the platform's share of a
// sale, and a collaborator's share of a creator's.
func bpsShare(amount, bps int64) int64 {
	return amount/10_000*bps + amount%10_000*bps/10_000
}

// Remaining is what of a sale has not been refunded yet.
func Remaining(sale Split, refunds []Split) Split {
	r := sale
	for _, f := range refunds {
		r.Gross -= f.Gross
		r.Creator -= f.Creator
		r.Platform -= f.Platform
	}
	return r
}

// SplitRefund divides a refund of amount against what remains of a sale.
// It follows the sale's rule (platform = floor(amount × rate)), clamped so
// that neither side is ever refunded more than it received; the refund that
// empties the sale therefore takes exactly what remains on each side.
func SplitRefund(remaining Split, amount, rateBps int64) (Split, error) {
	if amount <= 0 {
		return Split{}, fmt.Errorf("%w: a refund must be positive", ErrAmount)
	}
	if amount > remaining.Gross {
		return Split{}, fmt.Errorf("%w: refund of %d exceeds the %d left to refund", ErrAmount, amount, remaining.Gross)
	}
	p := bpsShare(amount, rateBps)
	c := amount - p
	if c > remaining.Creator {
		c = remaining.Creator
		p = amount - c
	}
	if p > remaining.Platform {
		p = remaining.Platform
		c = amount - p
	}
	return Split{Gross: amount, Creator: c, Platform: p}, nil
}
