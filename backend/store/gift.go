package store

import (
	"context"
	"time"
)

// Gift is a release bought for someone else, known by an email address.
// Its sale is a purchase held for the recipient: nobody owns it until the
// recipient claims it with the link's token, and then it is theirs.
type Gift struct {
	ID           int64
	CheckoutID   string
	GiverID      int64
	ReleaseID    int64
	Email        string // the recipient's address
	Message      string // the giver's words, plain text
	Lang         string // the giver's language when they bought it
	PurchaseID   int64  // 0 until the payment is confirmed
	TokenHash    []byte // sha256 of the claim token; nil until paid
	GiverReceipt string // the receipt of the payment, for the giver
	ClaimedBy    int64  // 0 until claimed
	ClaimedAt    time.Time
	CreatedAt    time.Time
	Refunded     bool // read only: the sale was refunded in full
}

// GiftTx writes gifts.
type GiftTx interface {
	// InsertGift records the gift a checkout pays for.
	InsertGift(ctx context.Context, g Gift) (int64, error)
	// PayGift ties a checkout's gift to its sale and its claim token and
	// returns it; ErrNotFound when the checkout has no gift.
	PayGift(ctx context.Context, checkoutID string, purchaseID int64, tokenHash []byte, giverReceipt string) (*Gift, error)
	// SetGiftToken replaces an unclaimed gift's claim token; ErrNotFound
	// when the gift is claimed or unpaid.
	SetGiftToken(ctx context.Context, id int64, tokenHash []byte) error
	// ClaimGift makes a paid gift's purchase the fan's, with its new
	// receipt; ErrConflict when the gift was claimed before.
	ClaimGift(ctx context.Context, id, fanID int64, receipt string, at time.Time) error
}

// GiftReader reads gifts; ErrNotFound for a missing one.
type GiftReader interface {
	Gift(ctx context.Context, id int64) (*Gift, error)
	GiftByCheckout(ctx context.Context, checkoutID string) (*Gift, error)
	// GiftByToken finds a paid gift by the hash of its claim token.
	GiftByToken(ctx context.Context, tokenHash []byte) (*Gift, error)
	// GiftsFrom lists the paid gifts an account gave, newest first.
	GiftsFrom(ctx context.Context, giverID int64) ([]Gift, error)
}
