package http_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

func TestSignUpSignInSignOut(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c := e.client()
	a, err := c.CreateAccount(ctx, api.AccountCreate{Email: "  ann@example.com ", Password: "s3cret-pass", DisplayName: "Ann", Creator: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Email != "ann@example.com" || !a.Creator {
		t.Fatalf("account = %+v", a)
	}
	_, err = c.CreateAccount(ctx, api.AccountCreate{Email: "ANN@example.com", Password: "another-pass", DisplayName: "Ann 2"})
	wantCode(t, err, api.ECONFLICT)

	_, err = c.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "wrong-pass"})
	wantCode(t, err, api.EUNAUTHORIZED)
	_, err = c.CreateSession(ctx, api.Credentials{Email: "nobody@example.com", Password: "s3cret-pass"})
	wantCode(t, err, api.EUNAUTHORIZED)

	s, err := c.CreateSession(ctx, api.Credentials{Email: "Ann@Example.com", Password: "s3cret-pass"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Token) < 43 {
		t.Fatalf("token %q is shorter than 256 bits", s.Token)
	}
	me, err := c.Me(ctx)
	if err != nil || me.ID != a.ID {
		t.Fatalf("Me = %+v, %v", me, err)
	}

	// Tokens are stored hashed: the database never holds the token itself.
	e.p.DB.Close()
	for _, f := range []string{"megabox.db", "megabox.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(e.dir, f))
		if bytes.Contains(b, []byte(s.Token)) {
			t.Fatalf("%s contains the plaintext session token", f)
		}
		if bytes.Contains(b, []byte("s3cret-pass")) {
			t.Fatalf("%s contains the plaintext password", f)
		}
	}
}

func TestSignOutRevokes(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("bob", false)
	token := c.Token()
	other, _ := e.signUp("bob", false)
	if err := c.DeleteSession(ctx); err != nil {
		t.Fatal(err)
	}
	status, body, hdr := e.raw("GET", "/api/v1/me", token, nil)
	if status != 401 || !strings.Contains(string(body), `"code":"unauthorized"`) || hdr.Get("WWW-Authenticate") == "" {
		t.Fatalf("revoked token: %d %s", status, body)
	}
	// A revoked token is refused even on public endpoints.
	if status, _, _ := e.raw("GET", "/api/v1/releases", token, nil); status != 401 {
		t.Fatalf("revoked token on catalog: %d, want 401", status)
	}
	if _, err := other.Me(ctx); err != nil {
		t.Fatalf("another session was revoked too: %v", err)
	}
	for _, h := range []string{"Basic abc", "Bearer", "Bearer " + strings.Repeat("x", 300), "token"} {
		status, _, _ := e.raw("GET", "/api/v1/me", "", nil, "Authorization", h)
		if status != 401 {
			t.Errorf("Authorization %q: %d, want 401", h, status)
		}
	}
}

func TestSignUpBadInput(t *testing.T) {
	e := mustEnv(t)
	cases := []struct{ body, field string }{
		{`{"email":"not-an-email","password":"long enough","display_name":"X"}`, "email"},
		{`{"email":"a@example.com","password":"short","display_name":"X"}`, "password"},
		{`{"email":"a@example.com","password":"long enough","display_name":"  "}`, "display_name"},
		{`{"email":"a@example.com","password":"long enough","display_name":"bell\u0007"}`, "display_name"},
		{`{"email":"a@example.com","password":12345678,"display_name":"X"}`, "password"},
		{`{"email":"a@example.com","creator":"yes","password":"long enough","display_name":"X"}`, "creator"},
	}
	for _, c := range cases {
		status, body, hdr := e.raw("POST", "/api/v1/accounts", "", strings.NewReader(c.body))
		if status != 400 || !strings.Contains(string(body), `"field":"`+c.field+`"`) || hdr.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want 400 naming %s", c.body, status, body, c.field)
		}
	}
	for _, body := range []string{``, `{`, `{"email":`, `[1,2]`, `{"a":1} {"b":2}`, "\x00\x01"} {
		status, b, _ := e.raw("POST", "/api/v1/accounts", "", strings.NewReader(body))
		if status != 400 || !strings.Contains(string(b), `"code":"invalid"`) {
			t.Errorf("body %q: %d %s, want 400 invalid", body, status, b)
		}
	}
}

func TestLoginThrottling(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c := e.client()
	if _, err := c.CreateAccount(ctx, api.AccountCreate{Email: "eve@example.com", Password: "right password", DisplayName: "Eve"}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		_, err := c.CreateSession(ctx, api.Credentials{Email: "eve@example.com", Password: "wrong password"})
		wantCode(t, err, api.EUNAUTHORIZED)
	}
	// Locked now, even with the right password.
	_, err := c.CreateSession(ctx, api.Credentials{Email: "eve@example.com", Password: "right password"})
	wantCode(t, err, api.ERATELIMIT)
	status, _, hdr := e.raw("POST", "/api/v1/sessions", "", strings.NewReader(`{"email":"EVE@example.com","password":"x"}`))
	if status != 429 || hdr.Get("Retry-After") == "" {
		t.Fatalf("locked account: %d, Retry-After %q", status, hdr.Get("Retry-After"))
	}
	// Other accounts from the same address still sign in.
	e.signUp("frank", false)

	// Per address: many accounts guessed from one IP get locked out too.
	for i := range 60 {
		c.CreateSession(ctx, api.Credentials{Email: "guess" + string(rune('a'+i%26)) + "@example.com", Password: "nope"})
	}
	_, err = c.CreateSession(ctx, api.Credentials{Email: "someone-new@example.com", Password: "nope"})
	wantCode(t, err, api.ERATELIMIT)
}
