package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	gosync "sync"
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
	db        *DB
	params    auth.Params
	dummyOnce gosync.Once
	dummy     string // a hash to verify against for unknown emails
}

var (
	_ api.AccountService = (*AccountService)(nil)
	_ api.Authenticator  = (*AccountService)(nil)
)

// NewAccountService returns the account service over db.
func NewAccountService(db *DB, params auth.Params) *AccountService {
	return &AccountService{db: db, params: params}
}

// dummyHash is verified against when an email is unknown, so both cases
// cost the same; it is made on first use to keep start-up light.
func (s *AccountService) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = auth.HashPassword("not a real password", s.params) })
	return s.dummy
}

// CreateAccount implements api.AccountService.
func (s *AccountService) CreateAccount(ctx context.Context, in api.AccountCreate) (*api.Account, error) {
	if err := validateAccount(&in); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(in.Password, s.params)
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
	if n := utf8.RuneCountInString(in.Password); n < MinPasswordLen || len(in.Password) > MaxPasswordLen {
		return api.FieldErrorf("password", "password must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	if err := api.CheckName("display_name", in.DisplayName, api.MaxDisplayNameLen); err != nil {
		return err
	}
	return nil
}

// CreateSession implements api.AccountService.
func (s *AccountService) CreateSession(ctx context.Context, in api.Credentials) (*api.Session, error) {
	denied := api.Errorf(api.EUNAUTHORIZED, "wrong email or password")
	if len(in.Password) > MaxPasswordLen {
		return nil, denied
	}
	a, hash, err := s.findByEmail(ctx, strings.TrimSpace(in.Email))
	if errors.Is(err, sql.ErrNoRows) {
		auth.VerifyPassword(in.Password, s.dummyHash()) // same cost as a real check
		return nil, denied
	} else if err != nil {
		return nil, err
	}
	if ok, err := auth.VerifyPassword(in.Password, hash); err != nil {
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

// DeleteSession implements api.AccountService.
func (s *AccountService) DeleteSession(ctx context.Context) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, c.SessionID)
		return err
	})
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
	var sid int64
	var a api.Account
	var created int64
	err := s.db.read.QueryRowContext(ctx, `
		SELECT s.id, a.id, a.email, a.display_name, a.creator, a.created_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, auth.HashToken(token), millis(s.db.now())).
		Scan(&sid, &a.ID, &a.Email, &a.DisplayName, &a.Creator, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, api.Errorf(api.EUNAUTHORIZED, "session expired or revoked: sign in again")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	a.CreatedAt = fromMillis(created)
	return &api.Caller{Account: a, SessionID: sid}, nil
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
