package app

import (
	"net/url"
	"strings"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/megabox-fm/megabox/backend/api"
)

// openPage opens a page the platform gave (a hosted payment page) in the
// system browser. Card details go to https pages only, or to the platform's
// own address when the platform itself is plain http (the local sandbox).
func (a *App) openPage(raw string) error {
	u, err := a.pageURL(raw)
	if err != nil {
		return err
	}
	if a.browse != nil {
		a.browse(u)
		return nil
	}
	w := a.window()
	if w == nil {
		return api.Errorf(api.EUNAVAILABLE, "there is no window to open the payment page from")
	}
	// The system's opener may stay until the browser it started exits
	// (xdg-open with no browser running), so the call is not waited for,
	// as Wails does for links clicked in the window.
	go runtime.BrowserOpenURL(w, u)
	return nil
}

// pageURL checks a page address the platform returned, resolving one
// relative to the platform.
func (a *App) pageURL(raw string) (string, error) {
	base, err := url.Parse(a.client.BaseURL())
	if err != nil {
		return "", err
	}
	ref, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || raw == "" {
		return "", api.Errorf(api.EINTERNAL, "the platform returned no usable payment page address")
	}
	u := base.ResolveReference(ref)
	switch {
	case u.Scheme == "https" && u.Host != "":
	case u.Scheme == "http" && u.Host == base.Host:
	default:
		return "", api.Errorf(api.EINTERNAL, "the platform returned a payment page that is not safe to open: %s", u.Redacted())
	}
	return u.String(), nil
}
