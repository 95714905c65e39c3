// Package store is the platform's database as the services see it: rows to
// write and questions to answer, with no rules of its own. Every rule (who
// may do what, amounts, splits, idempotency, receipts) lives in package
// service; a driver (sqlite, postgres) only stores and queries, and passes
// the conformance suite in storetest.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/receipt"
)

// Errors a driver returns; services turn them into api errors.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: unique key taken")
)

// Store is an open database.
type Store interface {
	Reader
	// WithTx runs fn in a write transaction: its writes commit together
	// when fn returns nil and not at all otherwise. fn runs once.
	WithTx(ctx context.Context, fn func(Tx) error) error
	// WithLightTx is WithTx for bookkeeping a power cut may lose without
	// harm (upload records: the client uploads again); a driver may commit
	// it without a flush of its own.
	WithLightTx(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Tx is a write transaction; its reads see its own writes.
type Tx interface {
	Reader
	CodesTx
	MailTx
	GiftTx
	AnnouncementsTx
	PrivacyTx
	InsightTx
	JobsTx
	ExtrasTx
	LoudnessTx
	// Lock holds an account's money and storage until the transaction
	// ends: what two transactions that lock the same account do after
	// Lock never interleaves. A driver may take the lock with the next
	// statement, in the same round trip.
	Lock(ctx context.Context, accountID int64) error

	InsertAccount(ctx context.Context, a *api.Account, passwordHash string) (int64, error) // ErrConflict: email taken
	SetPassword(ctx context.Context, accountID int64, passwordHash string) error
	InsertSession(ctx context.Context, tokenHash []byte, accountID int64, created, expires time.Time) (int64, error)
	DeleteSession(ctx context.Context, id int64) error
	DeleteSessions(ctx context.Context, accountID int64) error

	InsertRelease(ctx context.Context, artistID int64, m api.Manifest, now time.Time) (int64, error)
	UpdateRelease(ctx context.Context, id int64, m api.Manifest, now time.Time) error
	DeleteRelease(ctx context.Context, id int64) error
	// SetReleaseState sets the state; the first publication is dated now.
	SetReleaseState(ctx context.Context, id int64, state string, now time.Time) error
	// SetReleaseSlug makes slug the release's name in its web address; its
	// earlier slugs keep pointing at it. ErrConflict when another release
	// of the artist has or had the slug.
	SetReleaseSlug(ctx context.Context, releaseID, artistID int64, slug string) error
	// SetProfile saves a creator's public profile; a new handle is theirs
	// from then on, and their earlier ones keep pointing at them.
	// ErrConflict when another account has or had the handle.
	SetProfile(ctx context.Context, accountID int64, p api.Profile) error
	// SetReleaseShares makes a release's payees exactly shares; none: its
	// owner keeps the whole creator part.
	SetReleaseShares(ctx context.Context, releaseID int64, shares []ledger.Share) error
	// ReplaceTracks makes the track list exactly tracks, keeping the ids of
	// tracks whose audio stays (each kept id used once).
	ReplaceTracks(ctx context.Context, releaseID int64, tracks []api.ManifestTrack) error

	InsertUpload(ctx context.Context, u api.Upload) error
	// DeleteUpload forgets an upload and returns its account; ErrNotFound.
	DeleteUpload(ctx context.Context, id string) (int64, error)
	// OwnBlob records a blob if new and gives the account ownership of it.
	OwnBlob(ctx context.Context, accountID int64, b api.Blob, now time.Time) error

	InsertIdempotencyKey(ctx context.Context, k IdempotencyKey) error // ErrConflict: key taken
	// InsertPurchase records a sale; ErrConflict when the fan owns the
	// release already (a purchase of it not fully refunded), checked in
	// the same statement where the database allows.
	InsertPurchase(ctx context.Context, s Sale) (int64, error)
	// CompleteSale stores a sale's receipt, ties its idempotency key to
	// it and posts its journal entry: the rest of a sale once its id is
	// known, at once (one round trip where the database allows).
	CompleteSale(ctx context.Context, c CompletedSale) error
	InsertRefund(ctx context.Context, r RefundRecord) (int64, error)

	InsertCheckout(ctx context.Context, c Checkout) error // ErrConflict: the fan's key is taken
	// CloseCheckout moves an open checkout to state with its sale or why
	// it failed; ErrNotFound when the checkout is not open.
	CloseCheckout(ctx context.Context, id, state string, purchaseID int64, why string) error
	// InsertPaymentEvent records a provider's event by id; ErrConflict
	// when it was recorded before.
	InsertPaymentEvent(ctx context.Context, provider, eventID, eventType string, at time.Time) error
	// InsertTransfer records a transfer of a sale's part; ErrConflict when
	// that payee's part of the sale was transferred before.
	InsertTransfer(ctx context.Context, t Transfer) error
	// SetPaymentAccount records or updates a creator's connected account.
	SetPaymentAccount(ctx context.Context, a PaymentAccount) error
	// InsertDispute records a dispute of a sale; ErrConflict if known.
	InsertDispute(ctx context.Context, d Dispute) error
	// CloseDispute sets a known dispute's final status.
	CloseDispute(ctx context.Context, provider, ref, status string, at time.Time) error
	InsertPayout(ctx context.Context, artistID, amount int64, currency string, now time.Time) (int64, error)
	InsertPayoutItems(ctx context.Context, payoutID int64, items []OpenSale) error
	// MarkPayoutPaid moves a pending payout to paid; ErrNotFound if there
	// is no pending payout with this id.
	MarkPayoutPaid(ctx context.Context, id int64, now time.Time) (amount int64, currency string, err error)
	// Post appends a transaction to the journal; the journal is append-only.
	Post(ctx context.Context, e Entry) error

	InsertFollow(ctx context.Context, fanID, artistID int64, now time.Time) error // no error if present
	DeleteFollow(ctx context.Context, fanID, artistID int64) error
	// InsertReceiptKey makes k the active signing key; old keys stay.
	InsertReceiptKey(ctx context.Context, k receipt.Key, now time.Time) error
}

// Reader answers questions; ErrNotFound for a missing row.
type Reader interface {
	CodesReader
	MailReader
	GiftReader
	AnnouncementsReader
	PrivacyReader
	InsightReader
	JobsReader
	ExtrasReader
	LoudnessReader
	Account(ctx context.Context, id int64) (*api.Account, error)
	AccountByEmail(ctx context.Context, email string) (*api.Account, string, error)
	// Session returns the caller a token hash belongs to, if unexpired at
	// now, and when it expires.
	Session(ctx context.Context, tokenHash []byte, now time.Time) (*api.Caller, time.Time, error)

	// Release returns a release in any state, with its tracks.
	Release(ctx context.Context, id int64) (*api.Release, error)
	// Releases lists releases newest first.
	Releases(ctx context.Context, q ReleaseQuery) ([]api.Release, error)
	// ReleaseBySlug finds a release by its artist and one of its slugs.
	ReleaseBySlug(ctx context.Context, artistID int64, slug string) (int64, error)
	// Profile is an account's public profile.
	Profile(ctx context.Context, accountID int64) (*api.Profile, error)
	// AccountByHandle finds the account a handle, current or earlier,
	// belongs to, and its current handle.
	AccountByHandle(ctx context.Context, handle string) (int64, string, error)
	// ReleaseForSale is Release with ReleaseShares, at once where the
	// database allows.
	ReleaseForSale(ctx context.Context, id int64) (*api.Release, []ledger.Share, error)
	// ReleaseShares lists a release's payees in order; none when its owner
	// keeps everything.
	ReleaseShares(ctx context.Context, releaseID int64) ([]ledger.Share, error)
	Owns(ctx context.Context, fanID, releaseID int64) (bool, error)
	HasSales(ctx context.Context, releaseID int64) (bool, error)
	// SoldTracks lists the audio any buyer of the release owns.
	SoldTracks(ctx context.Context, releaseID int64) ([]api.ManifestTrack, error)
	Track(ctx context.Context, trackID int64) (*TrackRecord, error)

	Blob(ctx context.Context, sha256 string) (*api.Blob, error)
	OwnsBlob(ctx context.Context, accountID int64, sha256 string) (bool, error)
	Upload(ctx context.Context, id string) (*api.Upload, error)
	StaleUploads(ctx context.Context, before time.Time) ([]api.Upload, error)
	// UsedBytes is what an account stores plus what it is uploading.
	UsedBytes(ctx context.Context, accountID int64) (int64, error)

	IdempotencyKey(ctx context.Context, fanID int64, key string) (*IdempotencyKey, error)
	// Purchase returns a sale with what was refunded of it; Split is left
	// for the service to word.
	Purchase(ctx context.Context, id int64) (*api.Purchase, error)
	Sale(ctx context.Context, purchaseID int64) (*SaleRecord, error)
	// PurchaseTracks is who bought a sale and the tracks they own by it,
	// in play order.
	PurchaseTracks(ctx context.Context, purchaseID int64) (fanID int64, tracks []api.ManifestTrack, err error)
	// SaleShares lists the payees of a sale in order, each with what they
	// gave back of it in refunds.
	SaleShares(ctx context.Context, purchaseID int64) ([]SaleShare, error)
	// Refunded sums what was refunded of a sale, per side.
	Refunded(ctx context.Context, purchaseID int64) (ledger.Split, error)
	Checkout(ctx context.Context, id string) (*Checkout, error)
	CheckoutByKey(ctx context.Context, fanID int64, key string) (*Checkout, error)
	CheckoutBySession(ctx context.Context, provider, sessionRef string) (*Checkout, error)
	// SaleByPaymentRef finds the sale a provider's charge paid.
	SaleByPaymentRef(ctx context.Context, provider, chargeRef string) (int64, error)
	// PaymentAccount returns a creator's connected account at a provider.
	PaymentAccount(ctx context.Context, accountID int64, provider string) (*PaymentAccount, error)
	// PaymentAccountByRef finds a connected account by the provider's id.
	PaymentAccountByRef(ctx context.Context, provider, ref string) (*PaymentAccount, error)
	// Transfers lists the transfers of a sale's parts.
	Transfers(ctx context.Context, purchaseID int64) ([]Transfer, error)
	// Movements lists the sales and refunds taken through a provider since
	// a time, oldest first, for reconciliation.
	Movements(ctx context.Context, provider string, since time.Time) ([]Movement, error)
	// Dispute returns a dispute by the provider's id.
	Dispute(ctx context.Context, provider, ref string) (*Dispute, error)
	// Disputed sums the creator money of a creator's sales under an open
	// dispute (not refunded yet): frozen until the dispute closes.
	Disputed(ctx context.Context, artistID int64, currency string) (int64, error)
	// Library lists what a fan owns (sales not fully refunded), newest
	// first; each item's Release carries only its ID.
	Library(ctx context.Context, fanID int64) ([]api.LibraryItem, error)

	// CreatorBalance is what the platform owes a creator in a currency.
	CreatorBalance(ctx context.Context, artistID int64, currency string) (int64, error)
	// OpenSales lists a creator's sales with creator money not yet refunded
	// or paid out, oldest first.
	OpenSales(ctx context.Context, artistID int64, currency string) ([]OpenSale, error)
	Payout(ctx context.Context, artistID, id int64) (*api.Payout, error)
	PayoutIDs(ctx context.Context, artistID int64) ([]int64, error)

	// MainCurrency is the currency of the creator's latest sale, else of
	// their latest release; "" when they have neither.
	MainCurrency(ctx context.Context, artistID int64) (string, error)
	// EarningsByPeriod groups sales and refunds in the window by UTC month
	// (or day), refunds counted by when they happened; it returns the rows
	// in period order and the sum of refunds.
	EarningsByPeriod(ctx context.Context, w Window, byDay bool) ([]api.EarningsRow, int64, error)
	// EarningsByRelease groups sales in the window by release, biggest
	// gross first, each with the refunds in the window of those sales; it
	// also returns the sum of all refunds in the window.
	EarningsByRelease(ctx context.Context, w Window) ([]api.EarningsRow, int64, error)
	// Balances are a creator's payouts paid and pending and the ledger
	// balance available, as of now.
	// The last figure is the creator money of sales under an open dispute
	// (Disputed), read in the same statement.
	Balances(ctx context.Context, w Window) (paid, pending, available, disputed int64, err error)
	Statement(ctx context.Context, w Window) ([]api.StatementLine, error)
	// Fans lists buyers and followers, biggest supporters first; emails
	// only of buyers who shared them.
	Fans(ctx context.Context, artistID int64) ([]api.Fan, error)
	// Follows reports whether a fan follows an artist.
	Follows(ctx context.Context, fanID, artistID int64) (bool, error)

	ActiveReceiptKey(ctx context.Context) (receipt.Key, error)
	// ReceiptPublicKeys lists every key receipts were signed with, newest
	// first.
	ReceiptPublicKeys(ctx context.Context) ([]receipt.JWK, error)
	// LedgerCheck sums the journal per currency and counts unbalanced
	// transactions.
	LedgerCheck(ctx context.Context) (map[string]int64, int, error)
}

// ReleaseQuery selects releases.
type ReleaseQuery struct {
	ArtistID      int64    // 0 for any
	PublishedOnly bool     // only published releases
	Words         []string // lowercase words that must all appear in title or artist name
	Before        int64    // only ids below this; 0 for no bound
	Limit         int
}

// TrackRecord is a track with what deciding a download needs.
type TrackRecord struct {
	api.TrackFile
	ArtistID   int64
	State      string
	PriceCents int64
}

// IdempotencyKey is the stored outcome of a checkout key: a purchase, or
// an error code and message.
type IdempotencyKey struct {
	FanID       int64
	Key         string
	RequestHash []byte
	PurchaseID  int64 // 0 until the sale is written, or for an error
	ErrCode     string
	ErrMessage  string
	CreatedAt   time.Time
}

// Sale is a purchase to record.
type Sale struct {
	FanID, ReleaseID, ArtistID int64
	Split                      ledger.Split
	FeeCents, RateBps          int64
	Currency                   string
	Provider, PaymentRef       string
	ShareEmail                 bool
	// Gift holds the sale for a gift's recipient: FanID (the giver) does
	// not own the release by it, and may own it already.
	Gift   bool
	Tracks []api.ManifestTrack // what the buyer owns
	// Payees divide Split.Creator; none: all of it to ArtistID.
	Payees    []SaleShare
	CreatedAt time.Time
}

// SaleShare is one payee's part of a sale.
type SaleShare struct {
	AccountID int64
	Bps       int64
	Cents     int64
	Refunded  int64 // given back in refunds (read only)
}

// CompletedSale is what a sale's id makes possible.
type CompletedSale struct {
	PurchaseID int64
	Receipt    string // the signed receipt
	FanID      int64
	Key        string // the idempotency key the sale answers
	Entry      Entry  // the sale's journal entry
}

// Checkout is a purchase waiting for the provider to confirm its payment.
type Checkout struct {
	ID                         string // random, given to the fan
	FanID, ReleaseID, ArtistID int64
	Key                        string // the fan's idempotency key
	RequestHash                []byte
	AmountCents                int64
	Currency                   string
	ShareEmail                 bool
	Provider, SessionRef, URL  string
	State                      string // api.Checkout*
	PurchaseID                 int64
	Error                      string
	CreatedAt, ExpiresAt       time.Time
	ReturnURL                  string // where the payment page sends the fan back
}

// PaymentAccount is a creator's connected account at a provider.
type PaymentAccount struct {
	AccountID      int64
	Provider, Ref  string
	ChargesEnabled bool
	PayoutsEnabled bool
	UpdatedAt      time.Time
}

// Transfer is a payee's part of a sale sent to their own account.
type Transfer struct {
	PurchaseID, AccountID int64
	Ref                   string
	Cents                 int64
	CreatedAt             time.Time
}

// Movement is a sale or a refund as the ledger has it.
type Movement struct {
	Kind        string // "sale" or "refund"
	ID          int64  // the purchase's or the refund's
	Ref         string // the provider's charge or refund id
	AmountCents int64
	FeeCents    int64 // a sale's processing fee
	Creator     int64 // the creator side by the split rule
	Reversed    *int64
	Currency    string
	At          time.Time
}

// Dispute is a fan's chargeback of a sale.
type Dispute struct {
	Provider, Ref string
	PurchaseID    int64
	AmountCents   int64
	Status        string // the provider's; "won" or "lost" once closed
	Open          bool
	CreatedAt     time.Time
}

// SaleRecord is a recorded sale as a refund needs it.
type SaleRecord struct {
	ID                   int64
	ArtistID             int64
	Disputed             bool // under an open dispute
	Split                ledger.Split
	RateBps              int64
	Currency             string
	Provider, PaymentRef string
}

// RefundRecord is a refund to record.
type RefundRecord struct {
	PurchaseID int64
	Split      ledger.Split
	RefundedBy int64 // 0 for an operator or the provider
	// Parts divide Split.Creator between the sale's payees; none: all of
	// it from the sale's artist.
	Parts []ledger.Part
	// ProviderRef is the provider's id of the refund; Reversed what it
	// says it took back from the payees (nil when it does not say).
	ProviderRef string
	Reversed    *int64
	CreatedAt   time.Time
}

// OpenSale is creator money of one sale not yet paid out.
type OpenSale struct {
	PurchaseID int64
	Cents      int64
}

// Entry is one journal transaction and what caused it.
type Entry struct {
	Kind                           string // sale, refund, payout, payout_paid
	PurchaseID, RefundID, PayoutID int64
	Txn                            ledger.Txn
	At                             time.Time
}

// Window selects a creator's money in one currency over [From, To); a zero
// time leaves that side open.
type Window struct {
	ArtistID int64
	Currency string
	From, To time.Time
}

// PayeesOf is who a sale pays: its Payees, or all of the creator part to
// its artist.
func PayeesOf(s Sale) []SaleShare {
	if len(s.Payees) > 0 {
		return s.Payees
	}
	return []SaleShare{{AccountID: s.ArtistID, Bps: 10_000, Cents: s.Split.Creator}}
}
