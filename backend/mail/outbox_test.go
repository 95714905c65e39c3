package mail_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/mail"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
	"github.com/megabox-fm/megabox/internal/mailtest"
	"github.com/megabox-fm/megabox/internal/wait"
)

const from = "Megabox <hello@megabox.test>"

func openStore(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), t.TempDir()+"/megabox.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// run starts an outbox over st and returns its stop, which waits for it.
func run(t *testing.T, st store.Store, smtpURL string, perSecond float64) (*mail.Outbox, func()) {
	t.Helper()
	sender, err := mail.NewSMTP(mail.Config{URL: smtpURL, From: from})
	if err != nil {
		t.Fatal(err)
	}
	o := mail.NewOutbox(st, sender, perSecond, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); o.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return o, stop
}

// queue adds n messages, each to its own address under a run-unique tag.
func queue(t *testing.T, st store.Store, tag string, n int) []string {
	t.Helper()
	ctx := context.Background()
	var to []string
	err := st.WithTx(ctx, func(tx store.Tx) error {
		for i := range n {
			addr := fmt.Sprintf("fan%d.%s@example.com", i, tag)
			to = append(to, addr)
			ok, err := mail.Queue(ctx, tx, fmt.Sprintf("test:%s:%d", tag, i), addr, "gift", "fr",
				giftData(fmt.Sprintf("Zoë <%d>", i)), time.Now())
			if err != nil || !ok {
				return fmt.Errorf("queue %d: %v, %v", i, ok, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

func giftData(giver string) map[string]string {
	return map[string]string{"Giver": giver, "Title": "Été <b>indien</b>", "Artist": "Nova & Harbor",
		"Message": "Bon anniversaire !\n<script>alert(1)</script>", "Link": "https://megabox.test/gift/abc?x=1&y=2"}
}

func tag() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// countState counts the outbox's messages in a state.
func countState(t *testing.T, st store.Store, tag string, n int, state string) int {
	t.Helper()
	c := 0
	for i := range n {
		m, err := st.MailByKey(context.Background(), fmt.Sprintf("test:%s:%d", tag, i))
		if err != nil {
			t.Fatal(err)
		}
		if m.State == state {
			c++
		}
	}
	return c
}

// TestOutboxDeliversEachOnce: N queued messages arrive as exactly N, each
// with a text and an HTML part in French, values escaped in the HTML, and
// the non-ASCII subject encoded in the header.
func TestOutboxDeliversEachOnce(t *testing.T) {
	mp := mailtest.Open(t)
	st := openStore(t)
	tg := tag()
	const n = 12
	to := queue(t, st, tg, n)
	o, _ := run(t, st, mp.SMTP, 200)
	o.Wake()
	wait.Until(t, 2*time.Minute, "every message sent", func() bool { return countState(t, st, tg, n, store.MailSent) == n })
	if got := mp.Search(t, tg); len(got) != n {
		t.Fatalf("Mailpit holds %d messages for this run, want %d", len(got), n)
	}
	for i, addr := range to {
		got := mp.To(t, addr)
		if len(got) != 1 {
			t.Fatalf("%s received %d messages, want 1", addr, len(got))
		}
		m := mp.Message(t, got[0].ID)
		wantSubject := fmt.Sprintf("Zoë <%d> vous offre Été <b>indien</b> de Nova & Harbor", i)
		if m.Subject != wantSubject {
			t.Fatalf("subject %q, want %q", m.Subject, wantSubject)
		}
		if !strings.Contains(m.Text, "<script>alert(1)</script>") || !strings.Contains(m.Text, "https://megabox.test/gift/abc?x=1&y=2") {
			t.Fatalf("text part lacks the message or the link:\n%s", m.Text)
		}
		if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;") ||
			!strings.Contains(m.HTML, `href="https://megabox.test/gift/abc?x=1&amp;y=2"`) {
			t.Fatalf("HTML part not escaped:\n%s", m.HTML)
		}
		raw := mp.Raw(t, got[0].ID)
		if !strings.Contains(raw, "=?UTF-8?q?Zo=C3=AB_<") || !strings.Contains(raw, "multipart/alternative") {
			t.Fatalf("raw message: subject not encoded or not multipart:\n%s", raw[:min(len(raw), 800)])
		}
	}
}

// TestOutboxStopAndResume: an outbox stopped mid-batch leaves the rest
// queued; a new one sends them, and every key arrives exactly once. A
// message left "sending" by a crash is sent once its lease runs out.
func TestOutboxStopAndResume(t *testing.T) {
	mp := mailtest.Open(t)
	st := openStore(t)
	tg := tag()
	const n = 20
	to := queue(t, st, tg, n)
	o, stop := run(t, st, mp.SMTP, 25)
	o.Wake()
	wait.Until(t, 2*time.Minute, "a few messages sent", func() bool { return countState(t, st, tg, n, store.MailSent) >= 3 })
	stop()
	sent := countState(t, st, tg, n, store.MailSent)
	if sent == n {
		t.Fatalf("all %d sent before the stop: the test stops nothing", n)
	}
	if s := countState(t, st, tg, n, store.MailSending); s != 0 {
		t.Fatalf("%d messages left sending after an orderly stop", s)
	}
	if got := len(mp.Search(t, tg)); got != sent {
		t.Fatalf("after the stop Mailpit holds %d messages, the outbox says %d sent", got, sent)
	}

	// A crash: one message claimed, never sent, its sender gone.
	ctx := context.Background()
	if err := st.WithTx(ctx, func(tx store.Tx) error {
		_, err := tx.ClaimMail(ctx, time.Now(), time.Now().Add(300*time.Millisecond), 1)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if s := countState(t, st, tg, n, store.MailSending); s != 1 {
		t.Fatalf("%d messages sending after the crash, want 1", s)
	}
	o2, _ := run(t, st, mp.SMTP, 200)
	o2.Wake()
	wait.Until(t, 2*time.Minute, "every message sent", func() bool { return countState(t, st, tg, n, store.MailSent) == n })
	for _, addr := range to {
		if got := len(mp.To(t, addr)); got != 1 {
			t.Fatalf("%s received %d messages, want exactly 1", addr, got)
		}
	}
	if got := len(mp.Search(t, tg)); got != n {
		t.Fatalf("Mailpit holds %d messages for this run, want %d", got, n)
	}
}

// TestOutboxRecordsRefusals: a recipient refused with 550 is failed with
// the server's words; one deferred with 451 is retried and then sent.
func TestOutboxRecordsRefusals(t *testing.T) {
	srv := newRefusingSMTP(t, map[string]string{
		"gone@example.com": "550 5.1.1 no such user here",
		"busy@example.com": "451 4.3.0 try again later",
	})
	st := openStore(t)
	ctx := context.Background()
	for _, addr := range []string{"gone@example.com", "busy@example.com", "ok@example.com"} {
		if err := st.WithTx(ctx, func(tx store.Tx) error {
			_, err := mail.Queue(ctx, tx, "refusal:"+addr, addr, "gift", "en", giftData("Ann"), time.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	sender, err := mail.NewSMTP(mail.Config{URL: srv.url, From: from})
	if err != nil {
		t.Fatal(err)
	}
	o := mail.NewOutbox(st, sender, 1000, slog.New(slog.DiscardHandler))
	o.RetryBase = 50 * time.Millisecond
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); o.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	state := func(addr string) *store.Mail {
		m, err := st.MailByKey(ctx, "refusal:"+addr)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	wait.Until(t, 2*time.Minute, "the 550 recorded", func() bool { return state("gone@example.com").State == store.MailFailed })
	if m := state("gone@example.com"); m.Attempts != 1 || !strings.Contains(m.LastError, "550") || !strings.Contains(m.LastError, "no such user here") {
		t.Fatalf("refused message: attempts %d, error %q", m.Attempts, m.LastError)
	}
	wait.Until(t, 2*time.Minute, "the deferred message retried", func() bool { return state("busy@example.com").Attempts >= 2 })
	if m := state("busy@example.com"); !strings.Contains(m.LastError, "451") || !strings.Contains(m.LastError, "try again later") {
		t.Fatalf("deferred message: error %q, want the 451", m.LastError)
	}
	srv.accept("busy@example.com")
	wait.Until(t, 2*time.Minute, "the deferred message sent", func() bool { return state("busy@example.com").State == store.MailSent })
	wait.Until(t, 2*time.Minute, "the good message sent", func() bool { return state("ok@example.com").State == store.MailSent })
	if got := srv.delivered(); got["ok@example.com"] != 1 || got["busy@example.com"] != 1 || got["gone@example.com"] != 0 {
		t.Fatalf("delivered %v, want ok and busy once each", got)
	}
}

// refusingSMTP is a minimal SMTP server that refuses some recipients.
type refusingSMTP struct {
	url    string
	mu     sync.Mutex
	refuse map[string]string
	got    map[string]int
}

func newRefusingSMTP(t *testing.T, refuse map[string]string) *refusingSMTP {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &refusingSMTP{url: "smtp://" + l.Addr().String() + "?tls=none", refuse: refuse, got: map[string]int{}}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serve(c) })
		}
	})
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return s
}

func (s *refusingSMTP) accept(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refuse, addr)
}

func (s *refusingSMTP) delivered() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.got {
		out[k] = v
	}
	return out
}

func (s *refusingSMTP) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = io.WriteString(c, line+"\r\n") }
	say("220 refusing.test ESMTP")
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-refusing.test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			addr := strings.ToLower(strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>"))
			s.mu.Lock()
			why, refused := s.refuse[addr]
			s.mu.Unlock()
			if refused {
				say(why)
				continue
			}
			rcpts = append(rcpts, addr)
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			s.mu.Lock()
			for _, a := range rcpts {
				s.got[a]++
			}
			s.mu.Unlock()
			rcpts = nil
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default: // MAIL FROM, RSET, NOOP
			say("250 ok")
		}
	}
}
