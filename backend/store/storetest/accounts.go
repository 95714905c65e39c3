package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/service"
)

func testAccounts(t *testing.T, s Services) {
	ctx := context.Background()
	a, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "ann@example.com", Password: "password1", DisplayName: "Ann", Creator: true})
	if err != nil || a.ID == 0 || !a.Creator {
		t.Fatalf("CreateAccount = %+v, %v", a, err)
	}
	_, err = s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "Ann@Example.com", Password: "password1", DisplayName: "Ann"})
	code(t, err, api.ECONFLICT)
	_, err = s.Accounts.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "password2"})
	code(t, err, api.EUNAUTHORIZED)
	sess, err := s.Accounts.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "password1"})
	if err != nil || sess.Account.ID != a.ID {
		t.Fatalf("CreateSession = %+v, %v", sess, err)
	}
	c, err := s.Auth.Authenticate(ctx, sess.Token)
	if err != nil || c.Account.ID != a.ID {
		t.Fatalf("Authenticate = %+v, %v", c, err)
	}
	_, err = s.Auth.Authenticate(ctx, sess.Token+"x")
	code(t, err, api.EUNAUTHORIZED)
	cctx := api.NewContextWithCaller(ctx, c)
	if me, err := s.Accounts.Me(cctx); err != nil || me.Email != "ann@example.com" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	if err := s.Accounts.DeleteSession(cctx); err != nil {
		t.Fatal(err)
	}
	_, err = s.Auth.Authenticate(ctx, sess.Token)
	code(t, err, api.EUNAUTHORIZED)
	_, err = s.Accounts.Me(ctx)
	code(t, err, api.EUNAUTHORIZED)
}

// testSessions: a session ends at its expiry instant on the services'
// clock, on sign-out (that session only), and for all of an account's
// sessions when its password is set.
func testSessions(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-03-14T15:09:26.535Z")
	clk := setClock(s, t0.Add(987_654*time.Nanosecond)) // stored to the millisecond
	a, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: email("ann"), Password: password("ann"), DisplayName: "ann", Creator: true})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "account", *a, api.Account{ID: a.ID, Email: "ann@example.com", DisplayName: "ann", Creator: true, CreatedAt: t0})
	one, two := session(t, s, "ann"), session(t, s, "ann")
	c1, err := s.Auth.Authenticate(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := s.Auth.Authenticate(ctx, two)
	if err != nil {
		t.Fatal(err)
	}
	if c1.SessionID == c2.SessionID || c1.Account.ID != a.ID || c2.Account.ID != a.ID {
		t.Fatalf("two sessions = %+v and %+v", c1, c2)
	}
	same(t, "caller's account", c1.Account, *a)
	if me, err := s.Accounts.Me(api.NewContextWithCaller(ctx, c1)); err != nil || *me != *a {
		t.Fatalf("Me = %+v, %v", me, err)
	}

	// Valid until the last millisecond before expiry, not at it.
	clk.set(t0.Add(service.SessionLifetime - time.Millisecond))
	if _, err := s.Auth.Authenticate(ctx, one); err != nil {
		t.Fatalf("a millisecond before expiry: %v", err)
	}
	clk.set(t0.Add(service.SessionLifetime))
	for _, tok := range []string{one, two} {
		_, err = s.Auth.Authenticate(ctx, tok)
		code(t, err, api.EUNAUTHORIZED)
	}

	// Sign-out ends that session only.
	t1 := t0.Add(40 * 24 * time.Hour)
	clk.set(t1)
	three, four := session(t, s, "ann"), session(t, s, "ann")
	c3, err := s.Auth.Authenticate(ctx, three)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Accounts.DeleteSession(api.NewContextWithCaller(ctx, c3)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Auth.Authenticate(ctx, three)
	code(t, err, api.EUNAUTHORIZED)
	if c4, err := s.Auth.Authenticate(ctx, four); err != nil || c4.Account.ID != a.ID {
		t.Fatalf("the other session after sign-out = %+v, %v", c4, err)
	}
	err = s.Accounts.DeleteSession(ctx)
	code(t, err, api.EUNAUTHORIZED)

	// A new password ends every session and replaces the old one.
	err = s.Accounts.SetPassword(ctx, "nobody@example.com", "new password 1")
	code(t, err, api.ENOTFOUND)
	err = s.Accounts.SetPassword(ctx, email("ann"), "short")
	code(t, err, api.EINVALID)
	if err := s.Accounts.SetPassword(ctx, email("ann"), "new password 1"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Auth.Authenticate(ctx, four)
	code(t, err, api.EUNAUTHORIZED)
	_, err = s.Accounts.CreateSession(ctx, api.Credentials{Email: email("ann"), Password: password("ann")})
	code(t, err, api.EUNAUTHORIZED)
	sess, err := s.Accounts.CreateSession(ctx, api.Credentials{Email: email("ann"), Password: "new password 1"})
	if err != nil || sess.Account != *a {
		t.Fatalf("sign in with the new password = %+v, %v", sess, err)
	}
	if c, err := s.Auth.Authenticate(ctx, sess.Token); err != nil || c.Account.ID != a.ID {
		t.Fatalf("new session = %+v, %v", c, err)
	}
}
