package http_test

import (
	"context"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// TestRevokedSessionsRefusedAtOnce: sessions just used (and so remembered
// by the server) are refused on the very next request after sign-out, and
// after a password change for every session of that account, while other
// accounts' sessions go on working.
func TestRevokedSessionsRefusedAtOnce(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, a := e.signUp("cara", true)
	second := e.client()
	if _, err := second.CreateSession(ctx, api.Credentials{Email: a.Email, Password: "long enough pw"}); err != nil {
		t.Fatal(err)
	}
	other, _ := e.signUp("dan", true)
	use := func(token string) int {
		status, body, _ := e.raw("GET", "/api/v1/me/earnings?group=month", token, nil)
		if status != 200 && status != 401 {
			t.Fatalf("earnings: %d %s", status, body)
		}
		return status
	}
	for _, tok := range []string{c.Token(), second.Token(), other.Token()} {
		for range 3 {
			if got := use(tok); got != 200 {
				t.Fatalf("live session: %d, want 200", got)
			}
		}
	}

	signedOut := c.Token()
	if err := c.DeleteSession(ctx); err != nil {
		t.Fatal(err)
	}
	if got := use(signedOut); got != 401 {
		t.Fatalf("signed-out session right after sign-out: %d, want 401", got)
	}
	if got := use(second.Token()); got != 200 {
		t.Fatalf("the account's other session after one sign-out: %d, want 200", got)
	}

	if err := e.p.Accounts.SetPassword(ctx, a.Email, "a new long password"); err != nil {
		t.Fatal(err)
	}
	if got := use(second.Token()); got != 401 {
		t.Fatalf("session right after a password change: %d, want 401", got)
	}
	if got := use(other.Token()); got != 200 {
		t.Fatalf("another account's session after the password change: %d, want 200", got)
	}
}
