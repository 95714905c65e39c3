package store

import (
	"context"
	"strconv"
	"time"
)

// PrivacyTx removes what identifies a person from an account that is
// being deleted.
type PrivacyTx interface {
	// AnonymizeAccount ends an account: its email becomes
	// DeletedEmail(id), its name DeletedName, its password none; its bio,
	// links, picture, public collection, current handle (earlier and
	// current handles stay reserved to it), sessions, follows (both ways),
	// email choices (both ways), the address shared with sellers,
	// announcements and mail still queued to
	// its address are removed. Sales, refunds, payouts and the journal
	// keep pointing at the account. ErrNotFound when it is already
	// deleted or does not exist.
	AnonymizeAccount(ctx context.Context, accountID int64, now time.Time) error
}

// PrivacyReader answers what a person's export and deletion need.
type PrivacyReader interface {
	// AccountDeletedAt is when an account was deleted; zero if it was not.
	AccountDeletedAt(ctx context.Context, accountID int64) (time.Time, error)
	// AccountSessions lists an account's unexpired and expired sessions,
	// oldest first, without their token hashes.
	AccountSessions(ctx context.Context, accountID int64) ([]SessionRecord, error)
	// FollowRecords lists the artists a fan follows, oldest first.
	FollowRecords(ctx context.Context, fanID int64) ([]FollowRecord, error)
	// MailPrefRecords lists a fan's email choices, per artist.
	MailPrefRecords(ctx context.Context, fanID int64) ([]MailPrefRecord, error)
	// PurchaseRecords lists a fan's purchases with ids above after, in id
	// order, at most limit.
	PurchaseRecords(ctx context.Context, fanID, after int64, limit int) ([]PurchaseRecord, error)
	// GiftsReceived lists the gifts a fan claimed, oldest first.
	GiftsReceived(ctx context.Context, fanID int64) ([]Gift, error)
	// Redemptions lists the codes a fan redeemed, oldest first.
	Redemptions(ctx context.Context, fanID int64) ([]Redemption, error)
	// OwnedBlobs lists the files an account owns, oldest first.
	OwnedBlobs(ctx context.Context, accountID int64) ([]OwnedBlob, error)
	// Obligations is what keeps an account from being deleted.
	Obligations(ctx context.Context, accountID int64) (*Obligations, error)
}

// DeletedName is a deleted account's name wherever it still shows.
const DeletedName = "Deleted account"

// DeletedEmail is a deleted account's address: in a domain that never
// receives mail (RFC 2606), so no one can sign up with it.
func DeletedEmail(id int64) string {
	return "deleted-" + strconv.FormatInt(id, 10) + "@invalid"
}

// SessionRecord is a session as its owner may see it: never its token.
type SessionRecord struct {
	ID        int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// FollowRecord is an artist a fan follows.
type FollowRecord struct {
	ArtistID   int64
	ArtistName string
	Handle     string // "" when the artist has none
	CreatedAt  time.Time
}

// MailPrefRecord is a fan's choice about one artist's email.
type MailPrefRecord struct {
	ArtistID   int64
	Email      bool
	ShareEmail bool
	UpdatedAt  time.Time
}

// PurchaseRecord is a sale as its buyer may see it.
type PurchaseRecord struct {
	ID                   int64
	ReleaseID, ArtistID  int64
	ReleaseTitle         string
	GrossCents, FeeCents int64
	CreatorCents         int64
	PlatformCents        int64
	RefundedCents        int64
	Currency, Provider   string
	ShareEmail, Gift     bool
	Receipt              string
	CreatedAt            time.Time
}

// Redemption is a code a fan redeemed.
type Redemption struct {
	CodeID, BatchID, ReleaseID int64
	Kind                       string
	PurchaseID                 int64 // 0 when the code paid a checkout not completed
	RedeemedAt                 time.Time
}

// OwnedBlob is a file an account owns, and since when.
type OwnedBlob struct {
	SHA256     string
	Size       int64
	MediaType  string
	DurationMS int64
	OwnedSince time.Time
}

// Obligations are what an account must settle before it is deleted.
type Obligations struct {
	PublishedReleases []int64          // its releases on sale
	SharedReleases    []int64          // others' published releases that pay it a share
	Balances          map[string]int64 // money owed to it, per currency, when positive
	PendingPayouts    int              // payouts asked for and not yet paid
}

// None reports whether nothing keeps the account.
func (o *Obligations) None() bool {
	return len(o.PublishedReleases) == 0 && len(o.SharedReleases) == 0 && len(o.Balances) == 0 && o.PendingPayouts == 0
}
