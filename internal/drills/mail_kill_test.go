package drills

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/internal/mailtest"
	"github.com/megabox-fm/megabox/internal/wait"
)

// megaboxd killed (SIGKILL) while it sends an announcement, then started
// again on the same data: every opted-in fan still gets exactly one
// message. The kill lands between two messages (the sender waits out its
// rate limit there, which is where a process spends its time when it sends
// at a limited rate); the few milliseconds between the SMTP server's
// acceptance and the commit that records it are the one place a kill could
// repeat a message (mail.go says so), and no test can aim at them.
func TestKillServerMidMail(t *testing.T) {
	mp := mailtest.Open(t)
	const fans, optedOut = 30, 5
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	tag := hex.EncodeToString(b)
	addr := func(i int) string { return fmt.Sprintf("drill-%s-%02d@example.com", tag, i) }
	dir := t.TempDir()
	bin := build(t, t.TempDir(), "./backend/cmd/megaboxd")
	data := filepath.Join(dir, "data")
	ctx := context.Background()

	// The fans are written straight into the data before megaboxd starts:
	// signing 35 people up would spend the drill's time hashing passwords.
	cfg := platform.DefaultConfig
	p, err := platform.Open(ctx, data, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	novaEmail := "nova-" + tag + "@example.com"
	hash, err := auth.HashPassword("password1", auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Store.WithTx(ctx, func(tx store.Tx) error {
		now := time.Now()
		artistID, err := tx.InsertAccount(ctx, &api.Account{Email: novaEmail, DisplayName: "Nova", Creator: true, CreatedAt: now}, hash)
		if err != nil {
			return err
		}
		for i := range fans + optedOut {
			id, err := tx.InsertAccount(ctx, &api.Account{Email: addr(i), DisplayName: fmt.Sprint("Fan ", i), CreatedAt: now}, "x")
			if err != nil {
				return err
			}
			if err := tx.InsertFollow(ctx, id, artistID, now); err != nil {
				return err
			}
			if err := tx.SetMailPrefs(ctx, id, artistID, api.MailPrefs{Email: i < fans}, now); err != nil {
				return err
			}
		}
		return nil
	})
	p.Close()
	if err != nil {
		t.Fatal(err)
	}

	// Four messages a second: a quarter of a second between two sends.
	srv := startServer(t, bin, data, "", "--smtp-url", mp.SMTP, "--mail-from", "Megabox <hello@megabox.test>", "--mail-rate", "4")
	nova := login(t, srv.url(), novaEmail)
	a, err := nova.CreateAnnouncement(ctx, api.AnnouncementCreate{Title: "Drill " + tag, Body: "Tonight."}, "")
	if err != nil {
		t.Fatal(err)
	}
	if a.Recipients != fans {
		t.Fatalf("recipients %d, want %d", a.Recipients, fans)
	}

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(data, "megabox.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	states := func() (sent, sending int) {
		_ = db.QueryRow(`SELECT COALESCE(SUM(state = 'sent'), 0), COALESCE(SUM(state = 'sending'), 0) FROM mail_outbox WHERE to_addr LIKE ?`,
			"drill-"+tag+"-%").Scan(&sent, &sending)
		return sent, sending
	}
	// Kill it with a third of the messages recorded as sent and none being sent.
	wait.Until(t, 2*time.Minute, "a third of the messages sent, between two sends", func() bool {
		sent, sending := states()
		return sent >= fans/3 && sending == 0
	})
	srv.kill()
	before, _ := states()
	if before >= fans {
		t.Fatalf("all %d sent before the kill: the drill kills nothing", before)
	}
	srv.start()
	arrived := func() map[string]int {
		per := map[string]int{}
		for _, s := range mp.Search(t, tag) {
			for _, to := range s.To {
				per[to.Address]++
			}
		}
		return per
	}
	wait.Until(t, 2*time.Minute, "every fan's message after the restart", func() bool {
		sent, _ := states()
		return sent == fans
	})
	per := arrived()
	for i := range fans + optedOut {
		want := 0
		if i < fans {
			want = 1
		}
		if per[addr(i)] != want {
			t.Fatalf("%s received %d messages, want %d (killed after %d of %d were sent)", addr(i), per[addr(i)], want, before, fans)
		}
	}
}
