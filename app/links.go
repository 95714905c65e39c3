package app

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// LinkScheme is the scheme of the addresses the app opens: the web's
// "add to the Megabox app" buttons link to megabox://release/ID.
const LinkScheme = "megabox"

// EventLink tells the window a link is waiting (StoreAPI.TakeLink).
const EventLink = "app:link"

// Link is a megabox:// address the app was asked to open.
type Link struct {
	Kind      string `json:"kind"` // "release"
	ReleaseID int64  `json:"release_id"`
}

// ParseLink reads a megabox:// address; anything else, or a form the app
// does not know, is not a link.
func ParseLink(raw string) (Link, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !strings.EqualFold(u.Scheme, LinkScheme) || u.User != nil {
		return Link{}, false
	}
	// megabox://release/12 has the kind as its host; megabox:release/12
	// (how some openers pass it) as its opaque part.
	rest := u.Opaque
	if rest == "" {
		rest = u.Host + u.Path
	}
	kind, id, ok := strings.Cut(strings.Trim(rest, "/"), "/")
	if !ok || !strings.EqualFold(kind, "release") {
		return Link{}, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return Link{}, false
	}
	return Link{Kind: "release", ReleaseID: n}, true
}

// OpenLinks takes the arguments the app was started with, or that a second
// start passed on: the last megabox:// address among them waits for the
// window, which is told and brought to the front.
func (a *App) OpenLinks(args []string) {
	var found *Link
	for _, arg := range args {
		if l, ok := ParseLink(arg); ok {
			found = &l
		}
	}
	if found == nil {
		return
	}
	a.mu.Lock()
	a.link = found
	a.mu.Unlock()
	if w := a.window(); w != nil {
		runtime.WindowUnminimise(w)
		runtime.WindowShow(w)
		a.events.Emit(EventLink, *found)
	}
}

// TakeLink returns the link waiting to be opened, once; nil for none.
func (x *StoreAPI) TakeLink() *Link {
	x.a.mu.Lock()
	defer x.a.mu.Unlock()
	l := x.a.link
	x.a.link = nil
	return l
}

// InstanceID names the running app for its home: a second start with the
// same home hands its arguments to the first and exits, so two apps never
// share one cache.
func InstanceID(home string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(home)))
	return "fm.megabox.desktop." + hex.EncodeToString(sum[:6])
}

// Home is the directory of the app's local state.
func (a *App) Home() string { return a.cfg.Home }
