package service

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// ExportEvery is how often one account may download its data: building
// the zip reads everything the account has.
const ExportEvery = time.Minute

// PrivacyService implements api.PrivacyService: a person's own data, to
// download or to delete.
type PrivacyService struct {
	*env
	accounts *AccountService

	mu      sync.Mutex
	exports map[int64]time.Time // when each account last started an export
}

var _ api.PrivacyService = (*PrivacyService)(nil)

func newPrivacyService(e *env, accounts *AccountService) *PrivacyService {
	return &PrivacyService{env: e, accounts: accounts, exports: map[int64]time.Time{}}
}

// ExportData implements api.PrivacyService.
func (s *PrivacyService) ExportData(ctx context.Context, w io.Writer) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	now := s.clock()
	if wait := s.reserveExport(c.Account.ID, now); wait > 0 {
		return api.Errorf(api.ERATELIMIT, "you downloaded your data a moment ago: try again in %d seconds", int(wait.Seconds())+1)
	}
	return s.writeExport(ctx, w, c, now)
}

// reserveExport counts an export for the account, or returns how long
// until it may have the next one. Entries older than the window go, so
// the table holds only the accounts of the last minute.
func (s *PrivacyService) reserveExport(id int64, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, ok := s.exports[id]; ok && now.Sub(last) < ExportEvery {
		return ExportEvery - now.Sub(last)
	}
	for k, t := range s.exports {
		if now.Sub(t) >= ExportEvery {
			delete(s.exports, k)
		}
	}
	s.exports[id] = now
	return 0
}

// DeleteAccount implements api.PrivacyService. EBUSY when too many
// passwords are being checked.
func (s *PrivacyService) DeleteAccount(ctx context.Context, in api.AccountDeletion) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := s.checkPassword(ctx, c.Account.ID, in.Password); err != nil {
		return err
	}
	id := c.Account.ID
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, id); err != nil {
			return err
		}
		o, err := tx.Obligations(ctx, id)
		if err != nil {
			return fmt.Errorf("obligations: %w", err)
		}
		if !o.None() {
			return api.Errorf(api.ECONFLICT, "your account cannot be deleted yet: %s", whatFirst(o))
		}
		return notFound(tx.AnonymizeAccount(ctx, id, s.clock()), "account %d not found", id)
	})
	// After the commit, so no lookup can read the ended sessions back in.
	s.accounts.sessions.forgetAccount(id)
	return err
}

// checkPassword verifies the caller's password again.
func (s *PrivacyService) checkPassword(ctx context.Context, id int64, password string) error {
	a, err := s.st.Account(ctx, id)
	if err != nil {
		return notFound(err, "account %d not found", id)
	}
	_, hash, err := s.st.AccountByEmail(ctx, a.Email)
	if err != nil {
		return notFound(err, "account %d not found", id)
	}
	wrong := api.FieldErrorf("password", "wrong password")
	if hash == "" || len(password) > api.MaxPasswordLen {
		return wrong
	}
	ok, err := s.accounts.hasher.Verify(ctx, password, hash)
	if api.ErrorCode(err) == api.EBUSY {
		return err
	} else if err != nil {
		return fmt.Errorf("verify password: %w", err)
	} else if !ok {
		return wrong
	}
	return nil
}

// whatFirst says what an account must settle before it can go.
func whatFirst(o *store.Obligations) string {
	var todo []string
	if n := len(o.PublishedReleases); n > 0 {
		todo = append(todo, fmt.Sprintf("unpublish your %s on sale (%s)", plural(n, "release"), idList(o.PublishedReleases)))
	}
	if n := len(o.SharedReleases); n > 0 {
		todo = append(todo, fmt.Sprintf("ask the creators of %s to remove you as a collaborator (%s)", plural(n, "release"), idList(o.SharedReleases)))
	}
	currencies := make([]string, 0, len(o.Balances))
	for cur := range o.Balances {
		currencies = append(currencies, cur)
	}
	slices.Sort(currencies)
	for _, cur := range currencies {
		todo = append(todo, fmt.Sprintf("request a payout of your balance of %s", api.FormatCents(o.Balances[cur], cur)))
	}
	if o.PendingPayouts > 0 {
		todo = append(todo, fmt.Sprintf("wait until your %s pending %s paid", plural(o.PendingPayouts, "payout"), map[bool]string{true: "is", false: "are"}[o.PendingPayouts == 1]))
	}
	return strings.Join(todo, "; ")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("#%d", id)
	}
	return strings.Join(parts, ", ")
}
