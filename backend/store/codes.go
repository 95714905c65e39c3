package store

import (
	"context"
	"time"
)

// CodesTx writes download and discount codes. A code is stored as its
// hash only; it is redeemed once, which the database enforces with a
// conditional update (a second redemption, even a concurrent one, changes
// no row and is ErrConflict).
type CodesTx interface {
	// InsertCodeBatch records a batch and its codes' hashes at once;
	// ErrConflict when a hash is taken (the caller makes new codes).
	InsertCodeBatch(ctx context.Context, b CodeBatch, hashes [][]byte) (int64, error)
	// RevokeCodeBatch withdraws a batch at at; ErrNotFound when there is
	// no such batch or it was withdrawn before.
	RevokeCodeBatch(ctx context.Context, batchID int64, at time.Time) error
	// RedeemCode marks a code redeemed by fanID for purchaseID; ErrConflict
	// when it was redeemed before or another fan's checkout holds it
	// (a hold ends at its until).
	RedeemCode(ctx context.Context, codeID, fanID, purchaseID int64, now time.Time) error
	// ReserveCode holds a code for a fan's checkout until until, and ties
	// it to the checkout; ErrConflict as for RedeemCode. A fan's new hold
	// replaces their earlier one.
	ReserveCode(ctx context.Context, codeID, fanID int64, checkoutID string, until, now time.Time) error
	// UseCheckoutCode redeems the code a checkout was made with, if any and
	// not redeemed yet, for the checkout's sale.
	UseCheckoutCode(ctx context.Context, checkoutID string, fanID, purchaseID int64, now time.Time) error
	// ReleaseCheckoutCode ends the hold a checkout has on its code, if it
	// still has one.
	ReleaseCheckoutCode(ctx context.Context, checkoutID string) error
}

// CodesReader answers questions about codes; ErrNotFound for a missing row.
type CodesReader interface {
	// CodeByHash finds a code by its hash, with its batch.
	CodeByHash(ctx context.Context, hash []byte) (*Code, error)
	// CodeBatch returns a batch with its counts.
	CodeBatch(ctx context.Context, batchID int64) (*CodeBatch, error)
	// CodeBatches lists a release's batches with their counts, newest
	// first.
	CodeBatches(ctx context.Context, releaseID int64) ([]CodeBatch, error)
	// CheckoutCode is the code a checkout was made with.
	CheckoutCode(ctx context.Context, checkoutID string) (*Code, error)
}

// CodeBatch is a batch of single-use codes for one release.
type CodeBatch struct {
	ID, ReleaseID, ArtistID int64
	Kind                    string // api.CodeFree, CodePercent, CodeFixed
	PercentOff, OffCents    int64
	Label                   string
	Count, Redeemed         int // Redeemed is read only
	ExpiresAt, RevokedAt    *time.Time
	CreatedAt               time.Time
}

// Code is one code, as redemption needs it.
type Code struct {
	ID            int64
	Batch         CodeBatch // without its counts
	RedeemedAt    *time.Time
	RedeemedBy    int64
	ReservedBy    int64 // the fan whose checkout holds it, until ReservedUntil
	ReservedUntil *time.Time
}
