package api

import (
	"context"
	"time"
)

// PurchaseCreate is a checkout.
type PurchaseCreate struct {
	ReleaseID   int64          `json:"release_id"`
	AmountCents int64          `json:"amount_cents"`
	Currency    string         `json:"currency"`
	Payment     PaymentDetails `json:"payment"`
	// ShareEmail lets the artist see the fan's email address.
	ShareEmail bool `json:"share_email"`
}

// PaymentDetails say how a fan pays.
type PaymentDetails struct {
	Method     string `json:"method"` // "sandbox"
	CardNumber string `json:"card_number"`
}

// Purchase is a completed sale, stated from the fan's side.
type Purchase struct {
	ID            int64     `json:"id"`
	ReleaseID     int64     `json:"release_id"`
	GrossCents    int64     `json:"gross_cents"`
	CreatorCents  int64     `json:"creator_cents"`
	PlatformCents int64     `json:"platform_cents"`
	RefundedCents int64     `json:"refunded_cents"`
	Currency      string    `json:"currency"`
	Split         string    `json:"split"` // "9.00 EUR to the artist, 1.00 EUR to Megabox"
	CreatedAt     time.Time `json:"created_at"`
	Receipt       string    `json:"receipt"` // JWS; verify against GET /receipts/keys
}

// Refund reverses part or all of a purchase.
type Refund struct {
	ID            int64     `json:"id"`
	PurchaseID    int64     `json:"purchase_id"`
	AmountCents   int64     `json:"amount_cents"`
	CreatorCents  int64     `json:"creator_cents"`
	PlatformCents int64     `json:"platform_cents"`
	Currency      string    `json:"currency"`
	CreatedAt     time.Time `json:"created_at"`
}

// Payout states.
const (
	PayoutPending = "pending"
	PayoutPaid    = "paid"
)

// MinPayoutCents is the smallest payout a creator can request.
const MinPayoutCents = 1000

// Payout is money on its way to a creator.
type Payout struct {
	ID          int64        `json:"id"`
	AmountCents int64        `json:"amount_cents"`
	Currency    string       `json:"currency"`
	State       string       `json:"state"`
	CreatedAt   time.Time    `json:"created_at"`
	PaidAt      *time.Time   `json:"paid_at,omitempty"`
	Items       []PayoutItem `json:"items"`
}

// PayoutItem is the part of one sale a payout settles.
type PayoutItem struct {
	PurchaseID   int64  `json:"purchase_id"`
	ReleaseID    int64  `json:"release_id"`
	ReleaseTitle string `json:"release_title"`
	AmountCents  int64  `json:"amount_cents"`
	Currency     string `json:"currency"`
}

// LibraryItem is a release a fan owns.
type LibraryItem struct {
	PurchaseID  int64     `json:"purchase_id"`
	Release     Release   `json:"release"`
	GrossCents  int64     `json:"gross_cents"`
	Currency    string    `json:"currency"`
	PurchasedAt time.Time `json:"purchased_at"`
	Receipt     string    `json:"receipt"`
}

// Library is everything a fan owns.
type Library struct {
	Items []LibraryItem `json:"items"`
}

// PurchaseService sells releases.
type PurchaseService interface {
	// CreatePurchase charges the caller and records the sale. The same
	// idempotency key returns the original result; with another request body
	// it is EIDEMPOTENCY. EPAYMENT for a declined card, EINVALID for an
	// amount under the price or the wrong currency, ENOTFOUND for a release
	// that is not for sale, ECONFLICT for a release already owned.
	CreatePurchase(ctx context.Context, idempotencyKey string, in PurchaseCreate) (*Purchase, error)
	// RefundPurchase refunds a purchase of one of the caller's releases.
	// ENOTFOUND for anyone else's; EINVALID beyond what remains.
	RefundPurchase(ctx context.Context, purchaseID, amountCents int64) (*Refund, error)
	// Library lists what the caller owns.
	Library(ctx context.Context) (*Library, error)
}
