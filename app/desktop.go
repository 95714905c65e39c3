package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	gosync "sync"
	"sync/atomic"

	"github.com/godbus/dbus/v5"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/megabox-fm/megabox/app/mpris"
	"github.com/megabox-fm/megabox/app/notify"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
)

// desktop is the app's place on the Linux desktop, over the session bus:
// the player for media keys and now-playing widgets (MPRIS), and
// notifications of sales, finished syncs and releases needing attention.
// Without a session bus (headless machines) it says so once and the app
// runs without it.
type desktop struct {
	app    *App
	mpris  atomic.Pointer[mpris.Server]
	alerts atomic.Pointer[notify.Alerts]

	coverMu   gosync.Mutex
	coverOf   string // the track path coverPath belongs to
	coverPath string
}

// emit hands the app's events to what is connected: it runs on the
// emitters' goroutines (the player's under its lock), so it never waits.
func (d *desktop) emit(name string, payload any) {
	switch name {
	case player.EventStatus:
		if p := d.app.plays; p != nil {
			p.hear(payload)
		}
		if s := d.mpris.Load(); s != nil {
			s.Emit(name, payload)
		}
	case sync.EventFile, sync.EventRelease:
		if al := d.alerts.Load(); al != nil {
			al.Emit(name, payload)
		}
	}
}

// serve connects to the session bus and serves both until ctx ends; it
// closes the connection before returning.
func (d *desktop) serve(ctx context.Context) {
	conn, err := sessionBus()
	if err != nil {
		slog.Info("no media controls or notifications on the desktop", "err", err)
		return
	}
	defer conn.Close()
	var work gosync.WaitGroup
	defer work.Wait() // before the connection closes
	if srv, err := mpris.New(conn, d.app.player, mpris.Options{Raise: d.raise, Quit: d.quit, Cover: d.cover}); err != nil {
		slog.Info("no media controls on the desktop", "err", err)
	} else {
		d.mpris.Store(srv)
		work.Go(func() {
			srv.Serve(ctx)
			if err := srv.Close(); err != nil {
				slog.Warn("close the media controls", "err", err)
			}
		})
	}
	n, err := notify.New(conn)
	if err != nil {
		slog.Info("no desktop notifications", "err", err)
		return
	}
	al := notify.NewAlerts(n, notify.Options{Settings: d.app.notificationSettings, Sales: d.app.sales, Store: d.app.cache, Icon: "megabox"})
	d.alerts.Store(al)
	work.Go(func() {
		al.Serve(ctx)
		n.Close()
	})
}

// sessionBus connects to the session bus named by the environment, or the
// user's at $XDG_RUNTIME_DIR/bus. It never starts one: with none there is
// no desktop to talk to.
func sessionBus() (*dbus.Conn, error) {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		rt := os.Getenv("XDG_RUNTIME_DIR")
		if rt == "" {
			return nil, errors.New("no session bus: DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are unset")
		}
		p := filepath.Join(rt, "bus")
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("no session bus: %w", err)
		}
		addr = "unix:path=" + p
	}
	return dbus.Connect(addr)
}

func (d *desktop) raise() {
	if w := d.app.window(); w != nil {
		runtime.WindowUnminimise(w)
		runtime.WindowShow(w)
	}
}

func (d *desktop) quit() {
	if w := d.app.window(); w != nil {
		runtime.Quit(w)
	}
}

// cover is the library's cover file for a queued track, "" when none. The
// player reports about once a second while it plays: the library is read
// again only when the track changes.
func (d *desktop) cover(it player.Item) string {
	d.coverMu.Lock()
	defer d.coverMu.Unlock()
	if it.Path == d.coverOf {
		return d.coverPath
	}
	rels, err := d.app.library.Releases(d.app.ctx)
	if err != nil {
		return ""
	}
	d.coverOf, d.coverPath = it.Path, ""
	for _, r := range rels {
		for _, t := range r.Tracks {
			if t.Path == it.Path {
				d.coverPath = r.CoverPath
				return d.coverPath
			}
		}
	}
	return ""
}

// notificationsKey is where the notification settings live in the cache.
const notificationsKey = "notifications"

func (a *App) notificationSettings(ctx context.Context) notify.Settings {
	s := notify.DefaultSettings
	if v := a.cache.Setting(ctx, notificationsKey, ""); v != "" {
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			return notify.DefaultSettings
		}
	}
	return s
}

func (a *App) setNotificationSettings(ctx context.Context, s notify.Settings) error {
	b, _ := json.Marshal(s)
	return a.cache.SetSetting(ctx, notificationsKey, string(b))
}

// sales counts the signed-in creator's sales, per release too; false when
// no creator is signed in.
func (a *App) sales(ctx context.Context) (notify.Sales, bool, error) {
	acc := a.currentAccount()
	if acc == nil || !acc.Creator || acc.ID == 0 {
		return notify.Sales{}, false, nil
	}
	e, err := a.client.Earnings(ctx, api.EarningsFilter{Group: api.GroupRelease})
	if err != nil {
		return notify.Sales{}, false, err
	}
	s := notify.Sales{Account: acc.ID, Count: e.Totals.Sales, CreatorCents: e.Totals.CreatorCents, Currency: e.Currency,
		Releases: map[int64]notify.ReleaseSales{}}
	for _, r := range e.Rows {
		s.Releases[r.ReleaseID] = notify.ReleaseSales{Title: r.ReleaseTitle, Count: r.Sales}
	}
	return s, true, nil
}
