package notify_test

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/megabox-fm/megabox/app/notify"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/internal/dbustest"
	"github.com/megabox-fm/megabox/internal/wait"
)

// note is one Notify call as the server received it.
type note struct {
	App      string
	Replaces uint32
	ID       uint32
	Icon     string
	Summary  string
	Body     string
	Expire   int32
}

// server is a notification server on the private bus: the receiving end
// of what the app sends.
type server struct {
	conn  *dbus.Conn
	mu    gosync.Mutex
	notes []note
	next  uint32
	got   chan struct{} // a note arrived (1-buffered)
}

func (s *server) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, expire int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := replaces
	if id == 0 {
		s.next++
		id = s.next
	}
	s.notes = append(s.notes, note{App: app, Replaces: replaces, ID: id, Icon: icon, Summary: summary, Body: body, Expire: expire})
	select {
	case s.got <- struct{}{}:
	default:
	}
	return id, nil
}

// CloseNotification closes a notification as a user dismissing it would.
func (s *server) CloseNotification(id uint32) *dbus.Error {
	if err := s.conn.Emit(notify.Path, notify.Iface+".NotificationClosed", id, uint32(2)); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}

func (s *server) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

// wait returns the notes once there are n of them.
func (s *server) wait(t *testing.T, n int) []note {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		notes := append([]note(nil), s.notes...)
		s.mu.Unlock()
		if len(notes) >= n {
			return notes
		}
		select {
		case <-s.got:
		case <-timeout:
			t.Fatalf("%d notification(s) after 10 s, want %d: %+v", len(notes), n, notes)
		}
	}
}

// harness is a private bus with a notification server, and alerts whose
// sales and settings the test sets.
type harness struct {
	srv    *server
	alerts *notify.Alerts
	n      *notify.Notifier

	mu       gosync.Mutex
	sales    notify.Sales
	version  int // of sales
	read     int // the version the alerts last read
	settings notify.Settings
}

func start(t *testing.T, lang string) *harness {
	t.Helper()
	addr := dbustest.Start(t)
	srvConn := dbustest.Connect(t, addr)
	h := &harness{srv: &server{conn: srvConn, got: make(chan struct{}, 1)}, settings: notify.DefaultSettings,
		sales: notify.Sales{Account: 3, Currency: "EUR"}}
	if err := srvConn.Export(h.srv, notify.Path, notify.Iface); err != nil {
		t.Fatal(err)
	}
	if r, err := srvConn.RequestName(notify.BusName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("take %s: %v %v", notify.BusName, r, err)
	}
	n, err := notify.New(dbustest.Connect(t, addr))
	if err != nil {
		t.Fatal(err)
	}
	h.n = n
	h.alerts = notify.NewAlerts(n, notify.Options{
		Lang: lang,
		Icon: "megabox",
		Settings: func(context.Context) notify.Settings {
			h.mu.Lock()
			defer h.mu.Unlock()
			return h.settings
		},
		Sales: func(context.Context) (notify.Sales, bool, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.read = h.version
			return h.sales, h.version > 0, nil // signed in once the test sells
		},
		SalesEvery: time.Hour, // the test says when to look
	})
	ctx, cancel := context.WithCancel(context.Background())
	var served gosync.WaitGroup
	served.Go(func() { h.alerts.Serve(ctx) })
	t.Cleanup(func() { cancel(); served.Wait(); n.Close() })
	return h
}

// sell makes the platform's count reach count sales and cents earned,
// and waits until the alerts have read it.
func (h *harness) sell(t *testing.T, count, cents int64, releases map[int64]notify.ReleaseSales) {
	t.Helper()
	h.mu.Lock()
	h.sales.Count, h.sales.CreatorCents, h.sales.Releases = count, cents, releases
	h.version++
	want := h.version
	h.mu.Unlock()
	h.alerts.Check()
	wait.Until(t, 10*time.Second, "the alerts to look at the sales", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.read >= want
	})
}

func (h *harness) set(s notify.Settings) {
	h.mu.Lock()
	h.settings = s
	h.mu.Unlock()
}

func loopback(n int64) map[int64]notify.ReleaseSales {
	return map[int64]notify.ReleaseSales{7: {Title: "Loopback", Count: n}, 8: {Title: "Other", Count: 4}}
}

// TestSaleNotification: a sale is told with the release and the money
// earned; a second one replaces it, counting both; a kind turned off sends
// nothing.
func TestSaleNotification(t *testing.T) {
	h := start(t, "en")
	h.sell(t, 4, 2000, loopback(0)) // what was sold before: remembered, not told

	h.sell(t, 5, 2810, loopback(1))
	notes := h.srv.wait(t, 1)
	want := note{App: "Megabox", Replaces: 0, ID: notes[0].ID, Icon: "megabox", Summary: "New sale", Body: "“Loopback”: you earned €8.10.", Expire: -1}
	if notes[0] != want {
		t.Fatalf("first sale:\n got %+v\nwant %+v", notes[0], want)
	}

	h.sell(t, 6, 102810, loopback(2))
	notes = h.srv.wait(t, 2)
	want = note{App: "Megabox", Replaces: notes[0].ID, ID: notes[0].ID, Icon: "megabox", Summary: "2 new sales", Body: "You earned €1,008.10.", Expire: -1}
	if notes[1] != want {
		t.Fatalf("second sale:\n got %+v\nwant %+v", notes[1], want)
	}

	h.set(notify.Settings{Sales: false, Sync: true, Attention: true})
	h.sell(t, 7, 103000, loopback(3))
	// Serve handles one thing at a time: once a later event is told, the
	// sale before it was looked at.
	h.alerts.Emit(sync.EventRelease, sync.ReleaseEvent{Root: "/music", Dir: "Loopback", State: sync.StateError})
	notes = h.srv.wait(t, 3)
	if len(notes) != 3 || notes[2].Summary != "“Loopback” could not be synced" {
		t.Fatalf("with sales turned off, after a sale and a sync error: %+v", notes)
	}
}

// TestSaleAfterDismissed: once the user closed the sale notification, the
// next sale starts a new one.
func TestSaleAfterDismissed(t *testing.T) {
	h := start(t, "en")
	h.sell(t, 0, 0, loopback(0))
	h.sell(t, 1, 500, loopback(1))
	first := h.srv.wait(t, 1)[0]
	waitShowing(t, h.n, true) // the user sees it before closing it
	if err := h.srv.CloseNotification(first.ID); err != nil {
		t.Fatal(err)
	}
	waitShowing(t, h.n, false)
	h.sell(t, 2, 1000, loopback(2))
	got := h.srv.wait(t, 2)[1]
	if got.Replaces != 0 || got.Summary != "New sale" || got.Body != "“Loopback”: you earned €5.00." {
		t.Fatalf("after the first was closed: %+v", got)
	}
}

// TestFrenchSale: the texts and the money follow the app's language.
func TestFrenchSale(t *testing.T) {
	h := start(t, "fr")
	h.sell(t, 1, 100, loopback(0))
	h.sell(t, 2, 123556, loopback(1))
	got := h.srv.wait(t, 1)[0]
	if got.Summary != "Nouvelle vente" || got.Body != "« Loopback » : vous avez gagné 1\u202f234,56\u00a0€." {
		t.Fatalf("French sale: %q / %q", got.Summary, got.Body)
	}
}

// TestSyncFinished: a pass that uploaded files is told once, when the last
// upload is done and its release synced; a pass that uploaded nothing is
// not told.
func TestSyncFinished(t *testing.T) {
	h := start(t, "en")
	emit := func(payload any) { h.alerts.Emit("", payload) }
	emit(sync.FileEvent{Root: "/music", Path: "Loopback/01.mp3", State: sync.StateUploading, Total: 10})
	emit(sync.FileEvent{Root: "/music", Path: "Loopback/02.mp3", State: sync.StateUploading, Total: 10})
	emit(sync.FileEvent{Root: "/music", Path: "Loopback/01.mp3", State: sync.StateSynced, Done: 10, Total: 10})
	emit(sync.FileEvent{Root: "/music", Path: "Loopback/02.mp3", State: sync.StateSynced, Done: 10, Total: 10})
	emit(sync.FileEvent{Root: "/music", Path: "Loopback/cover.jpg", State: sync.StateSynced, Done: 3, Total: 3}) // already on the platform
	emit(sync.ReleaseEvent{Root: "/music", Dir: "Loopback", State: sync.StateSynced})
	emit(sync.ReleaseEvent{Root: "/music", Dir: "Quiet", State: sync.StateSynced}) // nothing uploaded
	emit(sync.ReleaseEvent{Root: "/music", Dir: "Quiet", State: sync.StateBlocked})
	notes := h.srv.wait(t, 2)
	if len(notes) != 2 || notes[0].Summary != "Sync finished" || notes[0].Body != "“Loopback”: 2 files uploaded." {
		t.Fatalf("after a pass uploading two files: %+v", notes)
	}
	if notes[1].Summary != "“Quiet” needs attention" {
		t.Fatalf("then a blocked release: %+v", notes[1])
	}
}

func waitShowing(t *testing.T, n *notify.Notifier, want bool) {
	t.Helper()
	wait.Until(t, 10*time.Second, fmt.Sprintf("the sale notification on screen: %v", want), func() bool { return n.Showing(notify.KindSale) == want })
}
