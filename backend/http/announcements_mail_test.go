package http_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	mmail "github.com/megabox-fm/megabox/backend/mail"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/internal/mailtest"
	"github.com/megabox-fm/megabox/internal/wait"
)

// megaboxd is a platform over a data directory, served on loopback, that
// can be stopped and opened again on the same directory.
type megaboxd struct {
	t   *testing.T
	dir string
	cfg platform.Config
	p   *platform.Platform
	srv *httptest.Server
}

func (m *megaboxd) start() {
	m.t.Helper()
	p, err := platform.Open(context.Background(), m.dir, m.cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		m.t.Fatal(err)
	}
	m.p, m.srv = p, httptest.NewServer(p.Handler)
}

// stop closes the platform the way megaboxd does on a signal: the mail
// outbox finishes the message it is sending and stops.
func (m *megaboxd) stop() {
	if m.p != nil {
		m.srv.Close()
		m.p.Close()
		m.p = nil
	}
}

func (m *megaboxd) signIn(email string) *mhttp.Client {
	m.t.Helper()
	c, err := mhttp.NewClient(m.srv.URL, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	if _, err := c.CreateSession(context.Background(), api.Credentials{Email: email, Password: "long enough pw"}); err != nil {
		m.t.Fatal(err)
	}
	return c
}

// An announcement to 1,000 fans who chose the artist's email (beside
// followers who did not) reaches each of them exactly once through a real
// SMTP server, even when the platform is closed mid-send and opened again;
// one fan's one-click unsubscribe link works, and the next announcement
// skips that fan.
func TestAnnouncementEmailToAThousandFans(t *testing.T) {
	mp := mailtest.Open(t)
	const fans, optedOut = 1000, 40
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	tag := hex.EncodeToString(b) // this run's messages, in a Mailpit other tests share
	m := &megaboxd{t: t, dir: t.TempDir(), cfg: platform.DefaultConfig}
	m.cfg.SignUpsPerHour = 0
	m.cfg.Mail = mmail.Config{URL: mp.SMTP, From: "Megabox <hello@megabox.test>", PerSecond: 300}
	m.start()
	t.Cleanup(m.stop)
	ctx := context.Background()

	c, err := mhttp.NewClient(m.srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	creatorEmail := "nova-" + tag + "@example.com"
	artist, err := c.CreateAccount(ctx, api.AccountCreate{Email: creatorEmail, Password: "long enough pw", DisplayName: "Nova", Creator: true})
	if err != nil {
		t.Fatal(err)
	}
	c = m.signIn(creatorEmail)
	addr := func(i int) string { return fmt.Sprintf("fan-%s-%04d@example.com", tag, i) }
	// Fans are written straight to the database: 1,040 sign-ups through
	// the API would spend the test's time hashing passwords.
	err = m.p.Store.WithTx(ctx, func(tx store.Tx) error {
		now := time.Now()
		for i := range fans + optedOut {
			id, err := tx.InsertAccount(ctx, &api.Account{Email: addr(i), DisplayName: fmt.Sprintf("Fan %d", i), CreatedAt: now}, "x")
			if err != nil {
				return err
			}
			if err := tx.InsertFollow(ctx, id, artist.ID, now); err != nil {
				return err
			}
			if err := tx.SetMailPrefs(ctx, id, artist.ID, api.MailPrefs{Email: i < fans}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	first, err := c.CreateAnnouncement(ctx, api.AnnouncementCreate{Title: "Tour " + tag,
		Body: "We play **Lyon**. <script>alert(1)</script> [tickets](https://tickets.example/lyon)"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if first.Recipients != fans {
		t.Fatalf("recipients %d, want %d", first.Recipients, fans)
	}
	arrived := func(title string) map[string]int {
		per := map[string]int{}
		for _, s := range mp.Search(t, tag) {
			if s.Subject != "Nova: "+title {
				continue
			}
			for _, a := range s.To {
				per[a.Address]++
			}
		}
		return per
	}
	count := func(per map[string]int) (n int) {
		for _, k := range per {
			n += k
		}
		return n
	}

	// Stop mid-send, then open the same data again.
	wait.Until(t, 2*time.Minute, "some messages sent", func() bool { return count(arrived(first.Title)) >= 50 })
	m.stop()
	if n := count(arrived(first.Title)); n >= fans {
		t.Fatalf("all %d sent before the stop: the test stops nothing", n)
	}
	m.start()
	c = m.signIn(creatorEmail)
	var per map[string]int
	wait.Until(t, 2*time.Minute, "every fan's message", func() bool { per = arrived(first.Title); return count(per) >= fans })
	if len(per) != fans || count(per) != fans {
		t.Fatalf("%d messages to %d addresses, want %d to %d", count(per), len(per), fans, fans)
	}
	for i := range fans + optedOut {
		want := 0
		if i < fans {
			want = 1
		}
		if per[addr(i)] != want {
			t.Fatalf("%s received %d messages, want %d", addr(i), per[addr(i)], want)
		}
	}

	// The message: both parts, the body sanitized, one-click headers.
	got := mp.To(t, addr(7))
	if len(got) != 1 {
		t.Fatalf("%d messages to %s", len(got), addr(7))
	}
	msg := mp.Message(t, got[0].ID)
	if !strings.Contains(msg.HTML, "<strong>Lyon</strong>") || strings.Contains(msg.HTML, "<script") ||
		!strings.Contains(msg.HTML, `href="https://tickets.example/lyon" rel="nofollow noopener"`) || !strings.Contains(msg.Text, "We play **Lyon**") {
		t.Fatalf("parts:\n%s\n---\n%s", msg.Text, msg.HTML)
	}
	raw, err := mail.ReadMessage(strings.NewReader(mp.Raw(t, got[0].ID)))
	if err != nil {
		t.Fatal(err)
	}
	if p := raw.Header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post %q", p)
	}
	link, err := neturl.Parse(strings.Trim(raw.Header.Get("List-Unsubscribe"), "<>"))
	if err != nil || !strings.HasPrefix(link.Path, "/unsubscribe/") || !strings.Contains(msg.Text, link.Path) {
		t.Fatalf("List-Unsubscribe %q", raw.Header.Get("List-Unsubscribe"))
	}

	// One click, as a mail client sends it: no cookie, no form token. The
	// link names the server the creator used; it runs at a new address
	// since the restart.
	res, err := http.Post(m.srv.URL+link.Path, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", res.StatusCode)
	}

	second, err := c.CreateAnnouncement(ctx, api.AnnouncementCreate{Title: "Studio " + tag, Body: "New songs"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if second.Recipients != fans-1 {
		t.Fatalf("second recipients %d, want %d", second.Recipients, fans-1)
	}
	// Its messages are queued with it, in the same transaction: the
	// outbox holds none for the fan who left, and one for the others.
	for i, want := range map[int]bool{7: false, 6: true, 8: true, fans - 1: true, fans: false} {
		fanID := fanByEmail(t, m.p, addr(i))
		_, err := m.p.Store.MailByKey(ctx, fmt.Sprintf("announce:%d:%d", second.ID, fanID))
		if (err == nil) != want {
			t.Fatalf("second announcement's message to %s: %v, want queued: %v", addr(i), err, want)
		}
	}
}

func fanByEmail(t *testing.T, p *platform.Platform, email string) int64 {
	t.Helper()
	a, _, err := p.Store.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}
