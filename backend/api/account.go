package api

import (
	"context"
	"time"
)

// Account is a person on the platform. A creator can publish releases; every
// account can buy.
type Account struct {
	ID          int64     `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Creator     bool      `json:"creator"`
	CreatedAt   time.Time `json:"created_at"`
}

// AccountCreate is the sign-up form.
type AccountCreate struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Creator     bool   `json:"creator"`
}

// Credentials sign an account in.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Session is a signed-in session. Token is only ever shown once, at creation.
type Session struct {
	Token   string  `json:"token"`
	Account Account `json:"account"`
}

// Caller is who performs a request: the account and the session it used.
type Caller struct {
	Account   Account
	SessionID int64
}

// AccountService manages accounts and sessions.
type AccountService interface {
	// CreateAccount signs a new account up. EINVALID for a bad form,
	// ECONFLICT when the email is taken.
	CreateAccount(ctx context.Context, in AccountCreate) (*Account, error)
	// CreateSession signs in. EUNAUTHORIZED for wrong credentials.
	CreateSession(ctx context.Context, in Credentials) (*Session, error)
	// DeleteSession revokes the caller's current session. EUNAUTHORIZED
	// without one.
	DeleteSession(ctx context.Context) error
	// Me returns the caller's account. EUNAUTHORIZED without a session.
	Me(ctx context.Context) (*Account, error)
}

// Authenticator resolves a bearer token; only the server side has one.
type Authenticator interface {
	// Authenticate returns the caller a session token belongs to.
	// EUNAUTHORIZED for an unknown, expired or revoked token.
	Authenticate(ctx context.Context, token string) (*Caller, error)
}

type callerKey struct{}

// NewContextWithCaller returns a context that carries the caller.
func NewContextWithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFromContext returns the caller, or nil for an anonymous request.
func CallerFromContext(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// AccountIDFromContext returns the caller's account id, or 0.
func AccountIDFromContext(ctx context.Context) int64 {
	if c := CallerFromContext(ctx); c != nil {
		return c.Account.ID
	}
	return 0
}

// RequireCaller returns the caller or EUNAUTHORIZED.
func RequireCaller(ctx context.Context) (*Caller, error) {
	c := CallerFromContext(ctx)
	if c == nil {
		return nil, Errorf(EUNAUTHORIZED, "sign in first")
	}
	return c, nil
}

// RequireCreator returns the caller if it is a creator account.
func RequireCreator(ctx context.Context) (*Caller, error) {
	c, err := RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	if !c.Account.Creator {
		return nil, Errorf(EFORBIDDEN, "only creator accounts can do this")
	}
	return c, nil
}

// SessionCookie holds a web session's token in the browser. The API takes
// it for reads only; changes need the bearer token (or, on web pages, a
// form carrying the page's CSRF token).
const SessionCookie = "mb_session"
