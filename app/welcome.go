package app

import (
	"net/url"

	"github.com/megabox-fm/megabox/backend/api"
)

// Roles a person picks on first run: the views they see first.
const (
	RoleListen = "listen"
	RoleMake   = "make"
)

const roleSetting = "welcome.role"

// Role is what the person said they came for on first run: RoleListen,
// RoleMake, or "" until they said.
func (x *AccountAPI) Role() (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	return x.a.cache.Setting(x.a.ctx, roleSetting, ""), nil
}

// SetRole keeps the first run's answer.
func (x *AccountAPI) SetRole(role string) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	if role != RoleListen && role != RoleMake {
		return uiError(api.FieldErrorf("role", "must be %q or %q", RoleListen, RoleMake))
	}
	return uiError(x.a.cache.SetSetting(x.a.ctx, roleSetting, role))
}

// hostOf is an address's host name, without scheme or port.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
