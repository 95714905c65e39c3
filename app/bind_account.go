package app

import (
	"log/slog"
	"strings"

	"github.com/megabox-fm/megabox/app/credentials"
	"github.com/megabox-fm/megabox/app/demo"
	"github.com/megabox-fm/megabox/backend/api"
)

// AccountAPI signs people in and out.
type AccountAPI struct{ a *App }

// PlatformInfo says which platform the app talks to.
type PlatformInfo struct {
	URL          string `json:"url"`
	Host         string `json:"host"` // what the window names it by: its host, no scheme or port
	Local        bool   `json:"local"`
	DemoCreator  string `json:"demo_creator,omitempty"`
	DemoFan      string `json:"demo_fan,omitempty"`
	DemoPassword string `json:"demo_password,omitempty"`
}

// Platform describes the platform in use; a local one shows its demo logins.
func (x *AccountAPI) Platform() PlatformInfo {
	if !x.a.started() {
		return PlatformInfo{}
	}
	if x.a.local == nil {
		return PlatformInfo{URL: x.a.client.BaseURL(), Host: hostOf(x.a.client.BaseURL())}
	}
	return PlatformInfo{URL: x.a.client.BaseURL(), Local: true, DemoCreator: demo.CreatorEmail, DemoFan: demo.FanEmail, DemoPassword: x.a.local.demoPassword}
}

// Me returns the signed-in account, or an unauthorized error.
func (x *AccountAPI) Me() (*api.Account, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if acc := x.a.currentAccount(); acc != nil {
		return acc, nil
	}
	return nil, uiError(api.Errorf(api.EUNAUTHORIZED, "sign in first"))
}

// SignIn starts a session and remembers it.
func (x *AccountAPI) SignIn(email, password string) (*api.Account, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(email) == "" || password == "" || len(password) > api.MaxPasswordLen {
		return nil, invalid("email", "enter your email and password")
	}
	return x.a.signIn(email, password)
}

// SignUp creates an account and signs in.
func (x *AccountAPI) SignUp(email, password, name string, creator bool) (*api.Account, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if _, err := x.a.client.CreateAccount(x.a.ctx, api.AccountCreate{Email: email, Password: password, DisplayName: name, Creator: creator}); err != nil {
		return nil, uiError(err)
	}
	return x.a.signIn(email, password)
}

// SignOut ends the session here and on the platform.
func (x *AccountAPI) SignOut() error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	if err := x.a.client.DeleteSession(x.a.ctx); err != nil { // the local session ends even offline
		slog.Warn("sign out on the platform", "err", err)
	}
	x.a.client.SetToken("")
	x.a.setAccount(nil)
	if err := x.a.player.Clear(); err != nil { // the next account does not inherit this one's queue
		return uiError(err)
	}
	return uiError(x.a.creds.Clear())
}

func (a *App) signIn(email, password string) (*api.Account, error) {
	sess, err := a.client.CreateSession(a.ctx, api.Credentials{Email: email, Password: password})
	if err != nil {
		return nil, uiError(err)
	}
	if err := a.engine.ForgetRemote(a.ctx); err != nil { // blobs known remotely were another account's
		a.signedOut()
		return nil, uiError(err)
	}
	// Saved only once signing in has worked here too: a failed sign-in
	// never comes back signed in after a restart.
	if err := a.creds.Save(credentials.Session{Server: a.client.BaseURL(), Email: sess.Account.Email, Token: sess.Token}); err != nil {
		a.signedOut()
		return nil, uiError(err)
	}
	a.setAccount(&sess.Account)
	a.engine.SignedIn() // what the old session could not send goes now
	a.library.Request()
	return &sess.Account, nil
}

// signedOut leaves no account in use after a sign-in that failed halfway:
// the client already holds the new token, the app may hold another
// account.
func (a *App) signedOut() {
	a.client.SetToken("")
	a.setAccount(nil)
}
