package api

import (
	"context"
	"time"
)

// Earnings groupings.
const (
	GroupDay     = "day"
	GroupMonth   = "month"
	GroupRelease = "release"
	GroupTrack   = "track"
)

// EarningsFilter selects a creator's earnings.
type EarningsFilter struct {
	From, To time.Time // [From, To); zero for unbounded
	Group    string
	Currency string // empty: the creator's main currency
}

// Earnings is a creator's money in one currency.
type Earnings struct {
	Currency string         `json:"currency"`
	From     *time.Time     `json:"from,omitempty"`
	To       *time.Time     `json:"to,omitempty"`
	Totals   EarningsTotals `json:"totals"`
	Rows     []EarningsRow  `json:"rows"`
}

// EarningsTotals: gross to refunded cover the period; paid out, pending and
// available are balances as of now.
type EarningsTotals struct {
	Sales              int64 `json:"sales"`
	GrossCents         int64 `json:"gross_cents"`
	CreatorCents       int64 `json:"creator_cents"`
	PlatformCents      int64 `json:"platform_cents"`
	RefundedCents      int64 `json:"refunded_cents"`
	PaidOutCents       int64 `json:"paid_out_cents"`
	PendingPayoutCents int64 `json:"pending_payout_cents"`
	AvailableCents     int64 `json:"available_cents"`
	// DisputedCents is creator money of sales under a dispute: frozen,
	// not available, until the bank decides.
	DisputedCents int64 `json:"disputed_cents"`
}

// EarningsRow is one group: a day, a month, a release or a track.
type EarningsRow struct {
	Period        string `json:"period,omitempty"`
	ReleaseID     int64  `json:"release_id,omitempty"`
	ReleaseTitle  string `json:"release_title,omitempty"`
	TrackID       int64  `json:"track_id,omitempty"`
	TrackTitle    string `json:"track_title,omitempty"` // "whole release" for release sales
	Sales         int64  `json:"sales"`
	GrossCents    int64  `json:"gross_cents"`
	CreatorCents  int64  `json:"creator_cents"`
	PlatformCents int64  `json:"platform_cents"`
	RefundedCents int64  `json:"refunded_cents"`
}

// StatementLine is one line of the earnings CSV: a sale, a refund or a
// payout. Refunds and payouts are negative.
type StatementLine struct {
	Date          time.Time
	Type          string // sale, refund, payout
	ID            string
	ReleaseID     int64
	Release       string
	Track         string
	Fan           string
	GrossCents    int64
	PlatformCents int64
	CreatorCents  int64
	Currency      string
}

// Fan is a buyer or follower of a creator.
type Fan struct {
	AccountID       int64      `json:"account_id"`
	DisplayName     string     `json:"display_name"`
	Email           string     `json:"email,omitempty"` // only if they opted in
	Currency        string     `json:"currency,omitempty"`
	TotalCents      int64      `json:"total_cents"`
	Purchases       int64      `json:"purchases"`
	FirstPurchaseAt *time.Time `json:"first_purchase_at,omitempty"`
	LastPurchaseAt  *time.Time `json:"last_purchase_at,omitempty"`
	Follower        bool       `json:"follower"`
}

// FanList is a creator's fans, biggest supporters first.
type FanList struct {
	Items []Fan `json:"items"`
}

// EarningsService reports a creator's money and fans and pays them out.
// Everything is the caller's own: no method can reach another creator's.
type EarningsService interface {
	// Earnings totals and groups the caller's sales. EINVALID for a bad
	// group, range or currency.
	Earnings(ctx context.Context, f EarningsFilter) (*Earnings, error)
	// Statement lists every sale, refund and payout line in the filter.
	Statement(ctx context.Context, f EarningsFilter) ([]StatementLine, error)
	// Fans lists the caller's buyers and followers.
	Fans(ctx context.Context) (*FanList, error)
	// RequestPayout asks for amountCents of the available balance.
	// EINVALID under the minimum or over the available balance.
	RequestPayout(ctx context.Context, amountCents int64, currency string) (*Payout, error)
	// Payouts lists the caller's payouts, newest first.
	Payouts(ctx context.Context) ([]Payout, error)
	// Follow and Unfollow an artist; both are idempotent.
	Follow(ctx context.Context, artistID int64) error
	Unfollow(ctx context.Context, artistID int64) error
}
