package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

// testMailOutbox: a key is queued once; a claim takes due messages in
// order for a lease and counts the attempt; a lease run out gives the
// message to the next claim; sent, retry and failed apply only to a
// message being sent.
func testMailOutbox(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-03-01T10:00:00.123Z")
	queue := func(key, to string, due time.Time) error {
		return s.Store.WithTx(ctx, func(tx store.Tx) error {
			_, err := tx.QueueMail(ctx, store.Mail{Key: key, To: to, Subject: "Sujet é", Text: "text", HTML: "<p>html</p>",
				Headers: map[string]string{"List-Unsubscribe": "<https://x.example/u>"}, NextAt: due, CreatedAt: t0})
			return err
		})
	}
	claim := func(now time.Time, limit int) []store.Mail {
		t.Helper()
		var got []store.Mail
		if err := s.Store.WithTx(ctx, func(tx store.Tx) error {
			var err error
			got, err = tx.ClaimMail(ctx, now, now.Add(time.Minute), limit)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	update := func(fn func(tx store.Tx) error) error { return s.Store.WithTx(ctx, fn) }

	if _, err := s.Store.NextMailAt(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("next mail of an empty outbox: %v, want ErrNotFound", err)
	}
	for i, key := range []string{"gift:1", "gift:2", "gift:3"} {
		if err := queue(key, key+"@example.com", t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if err := queue("gift:2", "other@example.com", t0); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("queue a key twice: %v, want ErrConflict", err)
	}
	next, err := s.Store.NextMailAt(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "next mail at", next, t0)

	got := claim(t0.Add(time.Second), 5) // gift:3 is not due yet
	if len(got) != 2 || got[0].Key != "gift:1" || got[1].Key != "gift:2" {
		t.Fatalf("claimed %+v, want gift:1 and gift:2", got)
	}
	m := got[0]
	same(t, "claimed message", store.Mail{ID: m.ID, Key: m.Key, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		Headers: m.Headers, State: m.State, Attempts: m.Attempts, NextAt: m.NextAt, LeaseTill: m.LeaseTill, CreatedAt: m.CreatedAt},
		store.Mail{ID: m.ID, Key: "gift:1", To: "gift:1@example.com", Subject: "Sujet é", Text: "text", HTML: "<p>html</p>",
			Headers: map[string]string{"List-Unsubscribe": "<https://x.example/u>"}, State: store.MailSending, Attempts: 1,
			NextAt: t0, LeaseTill: t0.Add(time.Second + time.Minute), CreatedAt: t0})
	if again := claim(t0.Add(2*time.Second), 5); len(again) != 1 || again[0].Key != "gift:3" {
		t.Fatalf("second claim: %+v, want gift:3 alone (the others are leased)", again)
	}

	// gift:1 is sent; gift:2's sender stops and its lease runs out.
	if err := update(func(tx store.Tx) error { return tx.MailSent(ctx, got[0].ID, t0.Add(3*time.Second)) }); err != nil {
		t.Fatal(err)
	}
	if err := update(func(tx store.Tx) error { return tx.MailSent(ctx, got[0].ID, t0) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("mark a sent message sent again: %v, want ErrNotFound", err)
	}
	late := claim(t0.Add(time.Hour), 5)
	if len(late) != 2 || late[0].Key != "gift:2" || late[0].Attempts != 2 || late[1].Key != "gift:3" {
		t.Fatalf("claim after the leases ran out: %+v, want gift:2 (attempt 2) and gift:3", late)
	}
	retryAt := t0.Add(2 * time.Hour)
	if err := update(func(tx store.Tx) error { return tx.MailRetry(ctx, late[0].ID, retryAt, "421 busy") }); err != nil {
		t.Fatal(err)
	}
	if err := update(func(tx store.Tx) error { return tx.MailFailed(ctx, late[1].ID, "550 no such user") }); err != nil {
		t.Fatal(err)
	}

	want := map[string]struct {
		state, why string
		attempts   int
		sent       time.Time
	}{
		"gift:1": {store.MailSent, "", 1, t0.Add(3 * time.Second)},
		"gift:2": {store.MailQueued, "421 busy", 2, time.Time{}},
		"gift:3": {store.MailFailed, "550 no such user", 2, time.Time{}},
	}
	for key, w := range want {
		m, err := s.Store.MailByKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != w.state || m.LastError != w.why || m.Attempts != w.attempts || !m.SentAt.Equal(w.sent) {
			t.Fatalf("%s: state %q, error %q, attempts %d, sent %v; want %+v", key, m.State, m.LastError, m.Attempts, m.SentAt, w)
		}
	}
	if next, err := s.Store.NextMailAt(ctx); err != nil || !next.Equal(retryAt) {
		t.Fatalf("next mail at %v (%v), want the retry at %v", next, err, retryAt)
	}
	if got := claim(retryAt.Add(-time.Millisecond), 5); len(got) != 0 {
		t.Fatalf("claimed %+v before the retry is due", got)
	}
	if got := claim(retryAt, 5); len(got) != 1 || got[0].Key != "gift:2" || got[0].Attempts != 3 {
		t.Fatalf("claim at the retry: %+v, want gift:2, attempt 3", got)
	}
	if _, err := s.Store.MailByKey(ctx, "gift:9"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown key: %v, want ErrNotFound", err)
	}
}

// testMailClaimUnderConcurrency: claims at once never take the same
// message twice.
func testMailClaimUnderConcurrency(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-03-01T10:00:00Z")
	const n = 40
	if err := s.Store.WithTx(ctx, func(tx store.Tx) error {
		for i := range n {
			if _, err := tx.QueueMail(ctx, store.Mail{Key: "k" + string(rune('A'+i)), To: "a@example.com", Subject: "s",
				Text: "t", NextAt: t0, CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	claimed := make([][]store.Mail, 8)
	errs := parallel(8, func(i int) error {
		for {
			var got []store.Mail
			err := s.Store.WithTx(ctx, func(tx store.Tx) error {
				var err error
				got, err = tx.ClaimMail(ctx, t0, t0.Add(time.Hour), 3)
				return err
			})
			if err != nil || len(got) == 0 {
				return err
			}
			claimed[i] = append(claimed[i], got...)
		}
	})
	seen := map[string]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range claimed[i] {
			seen[m.Key]++
		}
	}
	if len(seen) != n {
		t.Fatalf("claimed %d distinct messages, want %d", len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("%s claimed %d times", k, c)
		}
	}
}
