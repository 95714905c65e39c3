// Package service is the platform's rules: accounts and sessions,
// releases and what may be published, checkout with idempotency, refunds,
// payouts, receipts and downloads. It implements the api services over a
// store.Store, which only stores and queries, so every database driver
// gets the same behaviour from the same code.
package service

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store"
)

// Services are the platform's api services over one store.
type Services struct {
	Accounts      *AccountService
	Releases      *ReleaseService
	Downloads     *DownloadService
	Blobs         *BlobService
	Purchases     *PurchaseService
	Earnings      *EarningsService
	Receipts      *ReceiptService
	Profiles      *ProfileService
	Codes         *CodeService
	Announcements *AnnouncementService
	Privacy       *PrivacyService

	env *env
}

// env is what every service shares.
type env struct {
	st  store.Store
	now atomic.Pointer[func() time.Time]
	key atomic.Pointer[cachedKey] // the receipt key new sales are signed with
	// wakeMail tells the mail outbox new mail is queued; nil when the
	// platform sends no email. Set before serving (SetMail).
	wakeMail func()
	// analysis measures uploaded audio; nil when no job queue runs.
	analysis *Analysis
}

// SetMail turns email on: messages are queued in the outbox, and wake is
// called once they are committed. Call it before serving.
func (s *Services) SetMail(wake func()) { s.env.wakeMail = wake }

// mailOn reports whether the platform sends email.
func (e *env) mailOn() bool { return e.wakeMail != nil }

// mailQueued wakes the outbox after a commit that may have queued mail.
func (e *env) mailQueued() {
	if e.wakeMail != nil {
		e.wakeMail()
	}
}

func (e *env) clock() time.Time {
	return (*e.now.Load())().UTC().Truncate(time.Millisecond)
}

// New returns the services over st, hashing passwords with h and taking
// payments through provider at the standard rate.
func New(st store.Store, h *auth.Hasher, provider payment.Provider) *Services {
	e := &env{st: st}
	now := time.Now
	e.now.Store(&now)
	_, direct := provider.(payment.DirectCharger)
	purchases := &PurchaseService{env: e, provider: provider, rateBps: ledger.DefaultRateBps}
	accounts := newAccountService(e, h)
	return &Services{
		Accounts:      accounts,
		Privacy:       newPrivacyService(e, accounts),
		Releases:      &ReleaseService{env: e},
		Downloads:     &DownloadService{env: e},
		Blobs:         &BlobService{env: e},
		Purchases:     purchases,
		Codes:         &CodeService{env: e, purchases: purchases},
		Earnings:      &EarningsService{env: e, provider: provider.Name(), settled: !direct},
		Receipts:      &ReceiptService{env: e},
		Profiles:      &ProfileService{env: e},
		Announcements: newAnnouncementService(e),
		env:           e,
	}
}

// SetClock replaces the clock; tests and the demo seeder use it to date
// sessions and sales.
func (s *Services) SetClock(now func() time.Time) { s.env.now.Store(&now) }

// Store returns the store the services run over.
func (s *Services) Store() store.Store { return s.env.st }

// notFound turns a store's ErrNotFound into an api error.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return api.Errorf(api.ENOTFOUND, format, args...)
	}
	return err
}
