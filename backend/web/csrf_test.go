package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// refused checks a refusal: a 403 page in HTML that says the form was
// not accepted, and no session given.
func refused(t *testing.T, what string, a answer) {
	t.Helper()
	if a.status != http.StatusForbidden || !strings.HasPrefix(a.hdr.Get("Content-Type"), "text/html") {
		t.Errorf("%s: status %d (%s), want a 403 page", what, a.status, a.hdr.Get("Content-Type"))
		return
	}
	if !strings.Contains(a.body, "This form has expired") {
		t.Errorf("%s: the page does not say why", what)
	}
	for _, c := range a.cookies {
		if c.Name == api.SessionCookie && c.MaxAge >= 0 {
			t.Errorf("%s: a session cookie was set", what)
		}
	}
}

// Every web form is refused without its CSRF token, with another
// visitor's or another session's, or from another origin; each refusal
// changes nothing.
func TestFormsRefuseCrossSiteRequests(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 500}, "One")
	page := "/@nova/night-drive"

	fan := e.browser()
	fan.signUp("fan@example.com", "/")
	token := fan.cookie(api.SessionCookie)
	buy := formOf(t, fan.get(page).doc, page)
	signout := formOf(t, fan.get(page).doc, "/signout")

	other := e.browser()
	other.signUp("other@example.com", "/")
	othersBuy := formOf(t, other.get(page).doc, page)

	anon := e.browser()
	signin := formOf(t, anon.get("/signin").doc, "/signin")
	signin.Set("email", "fan@example.com")
	signin.Set("password", "a long password")

	with := func(v url.Values, k, val string) url.Values {
		out := cloneValues(v)
		if val == "" {
			out.Del(k)
		} else {
			out.Set(k, val)
		}
		return out
	}
	for _, c := range []struct {
		name string
		b    *browser
		path string
		form url.Values
		hdr  []string
	}{
		{"sign-in without the token", anon, "/signin", with(signin, "csrf", ""), nil},
		{"sign-in with a token not the cookie's", anon, "/signin", with(signin, "csrf", strings.Repeat("A", 43)), nil},
		{"sign-in without the cookie", e.browser(), "/signin", signin, nil},
		{"sign-in from another origin", anon, "/signin", signin, []string{"Origin", "https://evil.example"}},
		{"sign-in from an opaque origin", anon, "/signin", signin, []string{"Origin", "null"}},
		{"sign-in referred by another site", anon, "/signin", signin, []string{"Origin", "", "Referer", "https://evil.example/form"}},
		{"sign-in from the same host on another port", anon, "/signin", signin, []string{"Origin", "http://127.0.0.1:1"}},
		{"sign-up without the token", anon, "/signup", with(signin, "csrf", ""), nil},
		{"buy without the token", fan, page, with(buy, "csrf", ""), nil},
		{"buy with another session's token", fan, page, with(buy, "csrf", othersBuy.Get("csrf")), nil},
		{"buy with the anonymous forms' token", fan, page, with(buy, "csrf", fan.cookie("mb_csrf")), nil},
		{"buy from another origin", fan, page, buy, []string{"Origin", "http://evil.example"}},
		{"sign-out without the token", fan, "/signout", with(signout, "csrf", ""), nil},
		{"sign-out from another origin", fan, "/signout", signout, []string{"Origin", "http://evil.example"}},
	} {
		refused(t, c.name, c.b.post(c.path, c.form, c.hdr...))
	}

	// Nothing happened: no checkout, the fan still signed in, and the
	// anonymous browser has no session.
	if n := countCheckouts(t, e); n != 0 {
		t.Errorf("%d checkouts opened by refused forms", n)
	}
	if _, err := e.p.Accounts.Authenticate(context.Background(), token); err != nil {
		t.Errorf("a refused sign-out ended the session: %v", err)
	}
	if anon.cookie(api.SessionCookie) != "" {
		t.Error("a refused sign-in gave a session")
	}

	// The same forms, as sent by the site's own pages, pass.
	if a := anon.post("/signin", signin); a.status != http.StatusSeeOther {
		t.Errorf("sign-in from the page: status %d", a.status)
	}
	if a := fan.post(page, buy, "Origin", "", "Referer", e.srv.URL+page); a.status != http.StatusSeeOther {
		t.Errorf("buy referred by the page itself: status %d: %s", a.status, a.body)
	}
	if n := countCheckouts(t, e); n != 1 {
		t.Errorf("%d checkouts, want 1", n)
	}
}

func countCheckouts(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.p.DB.ReadDB().QueryRowContext(context.Background(), "SELECT count(*) FROM checkouts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// After signing in a visitor goes back where they came from on this site,
// never to another site, whatever the link said.
func TestSignInGoesBackOnlyToThisSite(t *testing.T) {
	e := newEnv(t)
	e.browser().signUp("fan@example.com", "/")
	for next, want := range map[string]string{
		"/@nova/night-drive":            "/@nova/night-drive",
		"/library?x=1":                  "/library?x=1",
		"//evil.example":                "/",
		"///evil.example":               "/",
		"https://evil.example/":         "/",
		"http:evil.example":             "/",
		`/\evil.example`:                "/",
		`\\evil.example`:                "/",
		"/\t/evil.example":              "/",
		"/\r\nSet-Cookie: a=b":          "/",
		"javascript:alert(1)":           "/",
		" //evil.example":               "/",
		"evil.example":                  "/",
		"":                              "/",
		"/%2F%2Fevil.example":           "/%2F%2Fevil.example",
		"/" + strings.Repeat("a", 3000): "/",
	} {
		b := e.browser()
		f := formOf(t, b.get("/signin?next="+url.QueryEscape(next)).doc, "/signin")
		if f.Get("next") != want {
			t.Errorf("form for next=%q carries %q, want %q", next, f.Get("next"), want)
		}
		f.Set("next", next) // as a hostile page would post it
		f.Set("email", "fan@example.com")
		f.Set("password", "a long password")
		a := b.post("/signin", f)
		if a.status != http.StatusSeeOther || a.hdr.Get("Location") != want {
			t.Errorf("next=%q: %d to %q, want 303 to %q", next, a.status, a.hdr.Get("Location"), want)
		}
	}
}
