package http_test

import (
	"context"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// TestWebSignInsCountLikeTheAPIs: wrong passwords typed in the web's
// sign-in form count in the same table as the API's sign-ins: after the
// account's allowance the form answers 429 with a page, and so does the
// API, even with the right password.
func TestWebSignInsCountLikeTheAPIs(t *testing.T) {
	e := mustEnv(t)
	_, acct := e.signUp("Ann", false)
	const csrf = "0123456789abcdef0123456789abcdef0123"
	signIn := func(pw string) (int, string) {
		form := neturl.Values{"email": {acct.Email}, "password": {pw}, "csrf": {csrf}, "next": {"/"}}
		req, _ := http.NewRequest("POST", e.srv.URL+"/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.srv.URL)
		req.AddCookie(&http.Cookie{Name: "mb_csrf", Value: csrf})
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	if code, body := signIn("long enough pw"); code != http.StatusSeeOther {
		t.Fatalf("the right password in the form: %d\n%s", code, body)
	}
	for i := range 5 {
		if code, _ := signIn("wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, code)
		}
	}
	code, body := signIn("wrong password")
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Too many sign-in attempts") || !strings.Contains(body, "<html") {
		t.Fatalf("sixth wrong password: %d\n%s", code, body)
	}
	c := e.client()
	if _, err := c.CreateSession(context.Background(), api.Credentials{Email: acct.Email, Password: "long enough pw"}); api.ErrorCode(err) != api.ERATELIMIT {
		t.Fatalf("the API after the form's failures: %v", err)
	}
}
