package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
)

// SessionLifetime is how long a session token stays valid.
const SessionLifetime = 30 * 24 * time.Hour

// Password length bounds: long enough to matter, short enough that hashing
// cannot be abused.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// AccountService implements api.AccountService and api.Authenticator.
type AccountService struct {
	db       *DB
	hasher   *auth.Hasher
	decoy    string // verified against for unknown emails
	sessions *sessionCache
}

var (
	_ api.AccountService = (*AccountService)(nil)
	_ api.Authenticator  = (*AccountService)(nil)
)

// NewAccountService returns the account service over db. Every password
// hash and check goes through h, which bounds the memory they take.
func NewAccountService(db *DB, h *auth.Hasher) *AccountService {
	return &AccountService{db: db, hasher: h, decoy: auth.DecoyHash(h.Params()), sessions: newSessionCache()}
}

// CreateAccount implements api.AccountService. EBUSY when too many
// passwords are being hashed.
func (s *AccountService) CreateAccount(ctx context.Context, in api.AccountCreate) (*api.Account, error) {
	if err := validateAccount(&in); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	a := api.Account{Email: in.Email, DisplayName: in.DisplayName, Creator: in.Creator, CreatedAt: s.db.now().UTC().Truncate(time.Millisecond)}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts (email, password_hash, display_name, creator, created_at) VALUES (?, ?, ?, ?, ?)`,
			a.Email, hash, a.DisplayName, a.Creator, millis(a.CreatedAt))
		if isUniqueViolation(err) {
			return &api.Error{Code: api.ECONFLICT, Field: "email", Message: "an account with this email already exists"}
		} else if err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		a.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func validateAccount(in *api.AccountCreate) error {
	in.Email = strings.TrimSpace(in.Email)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email || len(in.Email) > 254 {
		return api.FieldErrorf("email", "enter a valid email address")
	}
	if err := validatePassword(in.Password); err != nil {
		return err
	}
	if err := api.CheckName("display_name", in.DisplayName, api.MaxDisplayNameLen); err != nil {
		return err
	}
	return nil
}

func validatePassword(pw string) error {
	if n := utf8.RuneCountInString(pw); n < MinPasswordLen || len(pw) > MaxPasswordLen {
		return api.FieldErrorf("password", "password must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// CreateSession implements api.AccountService. EBUSY when too many
// passwords are being checked.
func (s *AccountService) CreateSession(ctx context.Context, in api.Credentials) (*api.Session, error) {
	denied := api.Errorf(api.EUNAUTHORIZED, "wrong email or password")
	if len(in.Password) > MaxPasswordLen {
		return nil, denied
	}
	a, hash, err := s.findByEmail(ctx, strings.TrimSpace(in.Email))
	if errors.Is(err, sql.ErrNoRows) {
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
	now := s.db.now()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			auth.HashToken(token), a.ID, millis(now), millis(now.Add(SessionLifetime)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("insert session: %w", err)
	}
	return &api.Session{Token: token, Account: *a}, nil
}

// SetPassword replaces an account's password and ends all its sessions.
// It is an operator's action, not reachable over HTTP. ENOTFOUND if no
// account has this email; EINVALID for an unacceptable password.
func (s *AccountService) SetPassword(ctx context.Context, email, password string) error {
	if err := validatePassword(password); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	var id int64
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE email = ?`, strings.TrimSpace(email)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return api.Errorf(api.ENOTFOUND, "no account with email %q", email)
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, id)
		return err
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
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, c.SessionID)
		return err
	})
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
	row := s.db.read.QueryRowContext(ctx, `SELECT id, email, display_name, creator, created_at FROM accounts WHERE id = ?`, id)
	a, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, api.Errorf(api.ENOTFOUND, "account %d not found", id)
	}
	return a, err
}

// Authenticate implements api.Authenticator.
func (s *AccountService) Authenticate(ctx context.Context, token string) (*api.Caller, error) {
	ctx, err := shortRead(ctx)
	if err != nil {
		return nil, err
	}
	hash := auth.HashToken(token)
	now := s.db.now()
	cached, gen := s.sessions.get([32]byte(hash), now)
	if cached != nil {
		return cached, nil
	}
	var sid int64
	var a api.Account
	var created, expires int64
	err = s.db.read.QueryRowContext(ctx, `
		SELECT s.id, s.expires_at, a.id, a.email, a.display_name, a.creator, a.created_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, hash, millis(now)).
		Scan(&sid, &expires, &a.ID, &a.Email, &a.DisplayName, &a.Creator, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, api.Errorf(api.EUNAUTHORIZED, "session expired or revoked: sign in again")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	a.CreatedAt = fromMillis(created)
	c := api.Caller{Account: a, SessionID: sid}
	until := now.Add(sessionCacheTTL)
	if exp := fromMillis(expires); exp.Before(until) {
		until = exp
	}
	s.sessions.put([32]byte(hash), c, until, gen, now)
	return &c, nil
}

func (s *AccountService) findByEmail(ctx context.Context, email string) (*api.Account, string, error) {
	var a api.Account
	var hash string
	var created int64
	err := s.db.read.QueryRowContext(ctx, `SELECT id, email, display_name, creator, created_at, password_hash FROM accounts WHERE email = ?`, email).
		Scan(&a.ID, &a.Email, &a.DisplayName, &a.Creator, &created, &hash)
	a.CreatedAt = fromMillis(created)
	return &a, hash, err
}

type scanner interface{ Scan(dest ...any) error }

func scanAccount(row scanner) (*api.Account, error) {
	var a api.Account
	var created int64
	if err := row.Scan(&a.ID, &a.Email, &a.DisplayName, &a.Creator, &created); err != nil {
		return nil, err
	}
	a.CreatedAt = fromMillis(created)
	return &a, nil
}

func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

func isPrimaryKeyViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}
