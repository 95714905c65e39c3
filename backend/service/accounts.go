package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/store"
)

// SessionLifetime is how long a session token stays valid.
const SessionLifetime = 30 * 24 * time.Hour

// AccountService implements api.AccountService and api.Authenticator.
type AccountService struct {
	*env
	hasher   *auth.Hasher
	decoy    string // verified against for unknown emails
	sessions *sessionCache
}

var (
	_ api.AccountService = (*AccountService)(nil)
	_ api.Authenticator  = (*AccountService)(nil)
)

// Every password hash and check goes through h, which bounds the memory
// they take.
func newAccountService(e *env, h *auth.Hasher) *AccountService {
	return &AccountService{env: e, hasher: h, decoy: auth.DecoyHash(h.Params()), sessions: newSessionCache()}
}

// CreateAccount implements api.AccountService. EBUSY when too many
// passwords are being hashed.
func (s *AccountService) CreateAccount(ctx context.Context, in api.AccountCreate) (*api.Account, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if domain := strings.ToLower(in.Email[strings.LastIndex(in.Email, "@")+1:]); domain == "invalid" || strings.HasSuffix(domain, ".invalid") {
		// Deleted accounts keep addresses there (store.DeletedEmail).
		return nil, api.FieldErrorf("email", "addresses in the .invalid domain cannot receive mail")
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	a := api.Account{Email: in.Email, DisplayName: in.DisplayName, Creator: in.Creator, CreatedAt: s.clock()}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		a.ID, err = tx.InsertAccount(ctx, &a, hash)
		if errors.Is(err, store.ErrConflict) {
			return &api.Error{Code: api.ECONFLICT, Field: "email", Message: "an account with this email already exists"}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// CreateSession implements api.AccountService. EBUSY when too many
// passwords are being checked.
func (s *AccountService) CreateSession(ctx context.Context, in api.Credentials) (*api.Session, error) {
	denied := api.Errorf(api.EUNAUTHORIZED, "wrong email or password")
	if len(in.Password) > api.MaxPasswordLen {
		return nil, denied
	}
	a, hash, err := s.st.AccountByEmail(ctx, strings.TrimSpace(in.Email))
	if errors.Is(err, store.ErrNotFound) || (err == nil && hash == "") { // a deleted account has no password
		// The same cost and the same limits as a real check.
		if _, err := s.hasher.Verify(ctx, in.Password, s.decoy); err != nil {
			return nil, err
		}
		return nil, denied
	} else if err != nil {
		return nil, err
	}
	if ok, err := s.hasher.Verify(ctx, in.Password, hash); api.ErrorCode(err) == api.EBUSY {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("verify password: %w", err)
	} else if !ok {
		return nil, denied
	}
	token, err := auth.NewToken()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		// The password was checked outside this transaction: under the
		// account's lock, make sure it was not deleted meanwhile.
		if err := tx.Lock(ctx, a.ID); err != nil {
			return err
		}
		if deleted, err := tx.AccountDeletedAt(ctx, a.ID); err != nil {
			return err
		} else if !deleted.IsZero() {
			return denied
		}
		_, err := tx.InsertSession(ctx, auth.HashToken(token), a.ID, now, now.Add(SessionLifetime))
		return err
	})
	if api.ErrorCode(err) == api.EUNAUTHORIZED {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("insert session: %w", err)
	}
	return &api.Session{Token: token, Account: *a}, nil
}

// SetPassword replaces an account's password and ends all its sessions.
// It is an operator's action, not reachable over HTTP. ENOTFOUND if no
// account has this email; EINVALID for an unacceptable password.
func (s *AccountService) SetPassword(ctx context.Context, email, password string) error {
	if err := api.CheckPassword(password); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	var id int64
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		a, _, err := tx.AccountByEmail(ctx, strings.TrimSpace(email))
		if err != nil {
			return notFound(err, "no account with email %q", email)
		}
		id = a.ID
		if err := tx.SetPassword(ctx, id, hash); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return tx.DeleteSessions(ctx, id)
	})
	// After the commit, so no lookup can read the ended sessions back in.
	s.sessions.forgetAccount(id)
	return err
}

// DeleteSession implements api.AccountService.
func (s *AccountService) DeleteSession(ctx context.Context) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error { return tx.DeleteSession(ctx, c.SessionID) })
	// After the commit, so no lookup can read the ended session back in.
	s.sessions.forgetSession(c.SessionID)
	return err
}

// Me implements api.AccountService.
func (s *AccountService) Me(ctx context.Context) (*api.Account, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	return s.FindAccount(ctx, c.Account.ID)
}

// FindAccount returns an account by id. ENOTFOUND if there is none.
func (s *AccountService) FindAccount(ctx context.Context, id int64) (*api.Account, error) {
	a, err := s.st.Account(ctx, id)
	if err != nil {
		return nil, notFound(err, "account %d not found", id)
	}
	return a, nil
}

// Authenticate implements api.Authenticator.
func (s *AccountService) Authenticate(ctx context.Context, token string) (*api.Caller, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	hash := auth.HashToken(token)
	now := (*s.now.Load())()
	cached, gen := s.sessions.get([32]byte(hash), now)
	if cached != nil {
		return cached, nil
	}
	c, expires, err := s.st.Session(ctx, hash, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, api.Errorf(api.EUNAUTHORIZED, "session expired or revoked: sign in again")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	until := now.Add(sessionCacheTTL)
	if expires.Before(until) {
		until = expires
	}
	s.sessions.put([32]byte(hash), *c, until, gen, now)
	return c, nil
}
