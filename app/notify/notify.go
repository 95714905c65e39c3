// Package notify shows desktop notifications through the freedesktop
// Notifications service on the session bus (org.freedesktop.Notifications),
// and decides which of the app's events deserve one: a sale, a finished
// sync, a release that needs the creator's attention.
package notify

import (
	"context"
	"fmt"
	gosync "sync"

	"github.com/godbus/dbus/v5"
)

// The notification service on the bus.
const (
	BusName = "org.freedesktop.Notifications"
	Path    = dbus.ObjectPath("/org/freedesktop/Notifications")
	Iface   = "org.freedesktop.Notifications"
)

// AppName is how notifications name the app.
const AppName = "Megabox"

// Kind is a kind of notification: each has its own switch in the
// settings, and a new one replaces the last of its kind still on screen.
type Kind string

// Kinds.
const (
	KindSale      Kind = "sale"
	KindSync      Kind = "sync"
	KindAttention Kind = "attention"
)

// Notifier sends notifications over one bus connection. It is safe for
// concurrent use.
type Notifier struct {
	conn *dbus.Conn
	sigs chan *dbus.Signal
	stop chan struct{} // Close ends closed
	done chan struct{} // closed has ended

	mu  gosync.Mutex
	ids map[Kind]uint32 // the notification of each kind still on screen
}

// New sends notifications over conn. It listens for notifications being
// closed, so the next one of a kind starts afresh rather than replacing
// one the user dismissed.
func New(conn *dbus.Conn) (*Notifier, error) {
	n := &Notifier{conn: conn, ids: map[Kind]uint32{}, sigs: make(chan *dbus.Signal, 16), stop: make(chan struct{}), done: make(chan struct{})}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(Path), dbus.WithMatchInterface(Iface), dbus.WithMatchMember("NotificationClosed")); err != nil {
		return nil, fmt.Errorf("watch closed notifications: %w", err)
	}
	conn.Signal(n.sigs)
	go n.closed()
	return n, nil
}

// closed forgets the notifications the server closed, until Close.
func (n *Notifier) closed() {
	defer close(n.done)
	for {
		var s *dbus.Signal
		select {
		case <-n.stop:
			return
		case s = <-n.sigs:
		}
		if s == nil { // the connection closed
			return
		}
		if s.Name != Iface+".NotificationClosed" || len(s.Body) < 1 {
			continue
		}
		id, _ := s.Body[0].(uint32)
		n.mu.Lock()
		for k, v := range n.ids {
			if v == id {
				delete(n.ids, k)
			}
		}
		n.mu.Unlock()
	}
}

// Showing reports whether a notification of kind is still on screen (as
// far as the server said).
func (n *Notifier) Showing(kind Kind) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ids[kind] != 0
}

// Notify shows a notification, replacing the last one of its kind that is
// still on screen. icon is an icon name or a file:// URL; it expires when
// the server's default says.
func (n *Notifier) Notify(ctx context.Context, kind Kind, summary, body, icon string) error {
	n.mu.Lock()
	replaces := n.ids[kind]
	n.mu.Unlock()
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant("megabox")}
	var id uint32
	err := n.conn.Object(BusName, Path).CallWithContext(ctx, Iface+".Notify", 0,
		AppName, replaces, icon, summary, body, []string{}, hints, int32(-1)).Store(&id)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	n.mu.Lock()
	n.ids[kind] = id
	n.mu.Unlock()
	return nil
}

// Close stops listening; the connection stays its owner's.
func (n *Notifier) Close() {
	n.conn.RemoveSignal(n.sigs)
	close(n.stop)
	<-n.done
}
