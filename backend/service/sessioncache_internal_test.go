package service

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
)

// TestSessionCacheSkipsLookupsOverlappingEviction: a database lookup that
// began before a sign-out may have read the session it ended, so its
// answer is not remembered.
func TestSessionCacheSkipsLookupsOverlappingEviction(t *testing.T) {
	c := newSessionCache()
	now := time.Unix(1000, 0)
	key := [32]byte{1}
	_, gen := c.get(key, now)
	c.forgetSession(7) // the sign-out commits while the lookup runs
	c.put(key, api.Caller{SessionID: 7, Account: api.Account{ID: 3}}, now.Add(time.Second), gen, now)
	if got, _ := c.get(key, now); got != nil {
		t.Fatalf("remembered %+v from a lookup that overlapped its sign-out", got)
	}
	_, gen = c.get(key, now)
	c.put(key, api.Caller{SessionID: 7, Account: api.Account{ID: 3}}, now.Add(time.Second), gen, now)
	if got, _ := c.get(key, now); got == nil || got.SessionID != 7 {
		t.Fatalf("a lookup with no eviction since = %+v, want session 7", got)
	}
}

// TestSessionCacheBounded: however many sessions are used, the cache holds
// at most sessionCacheMax, and makes room by dropping expired ones.
func TestSessionCacheBounded(t *testing.T) {
	c := newSessionCache()
	now := time.Unix(1000, 0)
	for i := range sessionCacheMax + 100 {
		key := [32]byte{byte(i), byte(i >> 8), byte(i >> 16)}
		_, gen := c.get(key, now)
		c.put(key, api.Caller{SessionID: int64(i)}, now.Add(time.Second), gen, now)
	}
	if n := len(c.entries); n != sessionCacheMax {
		t.Fatalf("cache holds %d sessions, want %d", n, sessionCacheMax)
	}
	later := now.Add(2 * time.Second) // all of them expired
	key := [32]byte{0xff, 0xff, 0xff}
	_, gen := c.get(key, later)
	c.put(key, api.Caller{SessionID: 1}, later.Add(time.Second), gen, later)
	if got, _ := c.get(key, later); got == nil || len(c.entries) != 1 {
		t.Fatalf("after expiry the cache holds %d sessions and the new one is %+v; want only the new one", len(c.entries), got)
	}
}

// TestSessionRefusedAtItsExpiry: a session remembered shortly before it
// expires is refused once it has, even within the cache's lifetime.
func TestSessionRefusedAtItsExpiry(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := New(db, auth.NewHasher(auth.DefaultParams, auth.Limits{}), payment.NewSandbox())
	start := time.UnixMilli(1_700_000_000_000)
	now := start
	svc.SetClock(func() time.Time { return now })
	creds := api.Credentials{Email: "a@example.com", Password: "password a"}
	if _, err := svc.Accounts.CreateAccount(ctx, api.AccountCreate{Email: creds.Email, Password: creds.Password, DisplayName: "A"}); err != nil {
		t.Fatal(err)
	}
	sess, err := svc.Accounts.CreateSession(ctx, creds)
	if err != nil {
		t.Fatal(err)
	}
	now = start.Add(SessionLifetime - time.Second)
	if c, err := svc.Accounts.Authenticate(ctx, sess.Token); err != nil || c.Account.ID != sess.Account.ID {
		t.Fatalf("authenticate before expiry = %+v, %v", c, err)
	}
	now = start.Add(SessionLifetime + time.Millisecond) // well within sessionCacheTTL
	if c, err := svc.Accounts.Authenticate(ctx, sess.Token); api.ErrorCode(err) != api.EUNAUTHORIZED {
		t.Fatalf("authenticate after expiry = %+v, %v; want unauthorized", c, err)
	}
}
