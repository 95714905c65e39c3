package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/backend/service"
)

// browser is a visitor's browser without JavaScript: it keeps cookies,
// sends forms as forms, and does not follow redirects, so each step can
// be checked.
type browser struct {
	e   *env
	hc  *http.Client
	hdr http.Header // sent with every request
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{e: e, hdr: http.Header{}, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	resp
	cookies []*http.Cookie
}

func (b *browser) do(req *http.Request) answer {
	b.e.t.Helper()
	for k, v := range b.hdr {
		req.Header[k] = v
	}
	res, err := b.hc.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	a := answer{resp: resp{status: res.StatusCode, hdr: res.Header, body: string(body)}, cookies: res.Cookies()}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if a.doc, err = html.Parse(bytes.NewReader(body)); err != nil {
			b.e.t.Fatal(err)
		}
	}
	return a
}

func (b *browser) get(p string) answer {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.abs(p), nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form as a page of this site would: with its Origin.
func (b *browser) post(p string, form url.Values, hdr ...string) answer {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.abs(p), strings.NewReader(form.Encode()))
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.srv.URL)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	return b.do(req)
}

func (b *browser) abs(p string) string {
	if strings.HasPrefix(p, "http") {
		return p
	}
	return b.e.srv.URL + p
}

// cookie is the browser's cookie named name, "" for none.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// formOf is the fields of the form whose action is action, as the page
// would send them: hidden and text inputs with their values.
func formOf(t *testing.T, doc *html.Node, action string) url.Values {
	t.Helper()
	forms := find(doc, "form", "action", action)
	if len(forms) != 1 {
		t.Fatalf("%d forms posting to %s, want 1", len(forms), action)
	}
	v := url.Values{}
	for _, in := range find(forms[0], "input") {
		name, _ := attr(in, "name")
		typ, _ := attr(in, "type")
		val, _ := attr(in, "value")
		if name != "" && typ != "checkbox" {
			v.Set(name, val)
		}
	}
	return v
}

func setCookie(t *testing.T, a answer, name string) *http.Cookie {
	t.Helper()
	for _, c := range a.cookies {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s cookie set; Set-Cookie: %q", name, a.hdr.Values("Set-Cookie"))
	return nil
}

// signUp signs a new fan up through the form and returns to next.
func (b *browser) signUp(email, next string) answer {
	b.e.t.Helper()
	page := b.get("/signup?next=" + url.QueryEscape(next))
	f := formOf(b.e.t, page.doc, "/signup")
	f.Set("display_name", "Fan Of Nova")
	f.Set("email", email)
	f.Set("password", "a long password")
	a := b.post("/signup", f)
	if a.status != http.StatusSeeOther {
		b.e.t.Fatalf("sign-up: status %d, want 303: %s", a.status, a.body)
	}
	return a
}

// TestBuyInTheBrowser walks a fan from sign-up to the zip of what they
// bought: cookies with their flags, the buy form, the hosted page, the
// release page saying it is theirs, the zip's masters byte for byte and
// the library.
func TestBuyInTheBrowser(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	rel := e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 999}, "Headlights", "Overpass")
	page := "/@nova/night-drive"
	b := e.browser()

	// Signed out: the page asks to sign in and comes back.
	r := b.get(page)
	if got, want := one(t, r.doc, "href", "a", "data-signin", ""), "/signin?next="+url.QueryEscape(page); got != want {
		t.Fatalf("sign-in link %q, want %q", got, want)
	}
	if got := r.hdr.Get("Cache-Control"); !strings.HasPrefix(got, "public") {
		t.Errorf("signed-out page Cache-Control %q, want public", got)
	}

	// Sign-up form: the double-submit cookie and its field agree.
	form := b.get("/signup?next=" + url.QueryEscape(page))
	ck := setCookie(t, form, "mb_csrf")
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
		t.Errorf("mb_csrf cookie %+v: want HttpOnly, SameSite=Strict, Path=/", ck)
	}
	if got := formOf(t, form.doc, "/signup").Get("csrf"); got != ck.Value || len(got) < 32 {
		t.Errorf("form token %q, cookie %q", got, ck.Value)
	}
	if got := form.hdr.Get("Cache-Control"); got != "no-store" {
		t.Errorf("form Cache-Control %q, want no-store", got)
	}

	a := b.signUp("fan@example.com", page)
	if got := a.hdr.Get("Location"); got != page {
		t.Errorf("after sign-up to %q, want %q", got, page)
	}
	sess := setCookie(t, a, api.SessionCookie)
	if !sess.HttpOnly || sess.Secure || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" ||
		sess.MaxAge != int(service.SessionLifetime.Seconds()) || sess.Value == "" {
		t.Errorf("session cookie %+v: want HttpOnly, not Secure over http, SameSite=Lax, Path=/, Max-Age=%d", sess, int(service.SessionLifetime.Seconds()))
	}

	// Signed in: the header names the fan; the buy form starts at the price.
	r = b.get(page)
	if got := text(find(r.doc, "a", "data-user", "")[0]); got != "Fan Of Nova" {
		t.Errorf("header names %q", got)
	}
	if got := r.hdr.Get("Cache-Control"); got != "private, no-cache" {
		t.Errorf("signed-in page Cache-Control %q", got)
	}
	if got := text(find(r.doc, "p", "class", "split")[0]); got != splitNote(t, 999) {
		t.Errorf("split %q, want the ledger's %q", got, splitNote(t, 999))
	}
	buy := formOf(t, r.doc, page)
	if buy.Get("amount") != "9.99" || buy.Get("key") == "" || buy.Get("csrf") == "" {
		t.Fatalf("buy form %v", buy)
	}

	// Under the price: the platform's refusal beside the amount, kept as typed.
	low := cloneValues(buy)
	low.Set("amount", "1.50")
	r2 := b.post(page, low)
	if r2.status != http.StatusBadRequest {
		t.Fatalf("amount under the price: status %d, want 400", r2.status)
	}
	if got := one(t, r2.doc, "value", "input", "name", "amount"); got != "1.50" {
		t.Errorf("amount shown again as %q", got)
	}
	if got := one(t, r2.doc, "aria-describedby", "input", "name", "amount"); got != "amount-error" {
		t.Errorf("amount input described by %q", got)
	}
	if got := text(find(r2.doc, "span", "id", "amount-error")[0]); !strings.Contains(got, "9.99 EUR") {
		t.Errorf("amount error %q", got)
	}
	bad := cloneValues(buy)
	bad.Set("amount", "nine")
	if r3 := b.post(page, bad); r3.status != http.StatusBadRequest || len(find(r3.doc, "span", "id", "amount-error")) != 1 {
		t.Errorf("unreadable amount: status %d", r3.status)
	}

	// Buy: 303 to the hosted page; the same form sent twice is one checkout.
	buy.Set("share_email", "1")
	a = b.post(page, buy)
	payURL := a.hdr.Get("Location")
	if a.status != http.StatusSeeOther || !strings.HasPrefix(payURL, e.srv.URL+"/pay/cs_sb_") {
		t.Fatalf("buy: status %d to %q, want 303 to this server's /pay/cs_sb_…", a.status, payURL)
	}
	if again := b.post(page, buy); again.hdr.Get("Location") != payURL {
		t.Errorf("second submit went to %q, want the same page %q", again.hdr.Get("Location"), payURL)
	}
	ref := path.Base(payURL)
	co, err := e.p.Store.CheckoutBySession(context.Background(), "sandbox", ref)
	if err != nil {
		t.Fatal(err)
	}
	if co.AmountCents != 999 || !co.ShareEmail {
		t.Errorf("checkout %d cents, share email %v; want 999, true", co.AmountCents, co.ShareEmail)
	}

	// Back before paying: the page waits for the payment, reloading itself.
	back := page + "?checkout=" + co.ID
	r = b.get(back)
	if got := one(t, r.doc, "data-notice", "p", "class", "notice"); got != "checkout.open" {
		t.Errorf("before paying the notice is %q", got)
	}
	if got := one(t, r.doc, "content", "meta", "http-equiv", "refresh"); got != "2" {
		t.Errorf("refresh %q", got)
	}

	// The hosted page takes the test card.
	pay := b.get(payURL)
	if pay.status != 200 {
		t.Fatalf("payment page %d", pay.status)
	}
	paid := b.post(payURL, url.Values{"card": {"4242424242424242"}})
	if paid.status != 200 || len(find(paid.doc, "p", "data-testid", "paid")) != 1 {
		t.Fatalf("paying: status %d: %s", paid.status, paid.body)
	}

	// Back on the release page: it is theirs, with the zip and the app link.
	r = b.get(back)
	if got := strings.TrimSpace(text(find(r.doc, "p", "class", "notice")[0])); got != "Payment received — it’s yours." {
		t.Errorf("notice %q", got)
	}
	if len(find(r.doc, "meta", "http-equiv", "refresh")) != 0 {
		t.Error("a paid page still reloads itself")
	}
	if len(find(r.doc, "form", "data-buy-form", "")) != 0 {
		t.Error("an owned release is offered for sale")
	}
	if got := text(find(r.doc, "p", "data-owned", "")[0]); got != "You own this." {
		t.Errorf("owned reads %q", got)
	}
	zipPath := one(t, r.doc, "href", "a", "data-zip", "")
	if got, want := one(t, r.doc, "href", "a", "data-app", ""), "megabox://release/"+itoa(rel.ID); got != want {
		t.Errorf("app link %q, want %q", got, want)
	}

	// The zip, by the session cookie alone: the masters byte for byte.
	z := b.get(zipPath)
	if z.status != 200 {
		t.Fatalf("zip: status %d: %s", z.status, z.body)
	}
	zr, err := zip.NewReader(strings.NewReader(z.body), int64(len(z.body)))
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	names := map[string]bool{}
	for _, f := range zr.File {
		names[path.Base(f.Name)] = true
		if strings.HasSuffix(f.Name, ".mp3") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			got = append(got, sha(string(data)))
		}
	}
	for _, tr := range rel.Tracks {
		want = append(want, tr.AudioSHA256)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("zip's tracks hash to %v, want the masters' %v", got, want)
	}
	if !names["receipt.jws"] || !names["receipt.txt"] {
		t.Errorf("zip holds %v, want a receipt", names)
	}

	// The library lists it with the same download.
	lib := b.get("/library")
	items := find(lib.doc, "li", "data-owned", "Night Drive")
	if lib.status != 200 || len(items) != 1 {
		t.Fatalf("library: status %d, %d items", lib.status, len(items))
	}
	if got := one(t, items[0], "href", "a", "data-zip", ""); got != zipPath {
		t.Errorf("library zip %q, want %q", got, zipPath)
	}

	// Sign out: the cookie goes, and so does the session.
	token := b.cookie(api.SessionCookie)
	out := b.post("/signout", formOf(t, lib.doc, "/signout"))
	if out.status != http.StatusSeeOther || setCookie(t, out, api.SessionCookie).MaxAge >= 0 {
		t.Fatalf("sign out: status %d, cookies %q", out.status, out.hdr.Values("Set-Cookie"))
	}
	if _, err := e.p.Accounts.Authenticate(context.Background(), token); api.ErrorCode(err) != api.EUNAUTHORIZED {
		t.Errorf("the session outlived sign-out: %v", err)
	}
	if r := b.get("/library"); r.status != http.StatusSeeOther || r.hdr.Get("Location") != "/signin?next=/library" {
		t.Errorf("library signed out: %d to %q", r.status, r.hdr.Get("Location"))
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The forms answer typed mistakes beside their fields, keeping what was
// typed but the password.
func TestSignInAndUpForms(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	f := formOf(t, b.get("/signup").doc, "/signup")
	f.Set("display_name", "Ann")
	f.Set("email", "not an email")
	f.Set("password", "a long password")
	r := b.post("/signup", f)
	if r.status != http.StatusBadRequest {
		t.Fatalf("bad email: status %d", r.status)
	}
	if got := text(find(r.doc, "span", "id", "email-error")[0]); got != "Enter a valid email address." {
		t.Errorf("email error %q", got)
	}
	if one(t, r.doc, "value", "input", "name", "display_name") != "Ann" || one(t, r.doc, "value", "input", "name", "email") != "not an email" {
		t.Error("typed values lost")
	}
	if got := one(t, r.doc, "value", "input", "name", "password"); got != "" {
		t.Errorf("password sent back: %q", got)
	}

	f.Set("email", "ann@example.com")
	f.Set("password", "short")
	r = b.post("/signup", f)
	if got := text(find(r.doc, "span", "id", "password-error")[0]); r.status != 400 || !strings.Contains(got, "8") {
		t.Errorf("short password: %d %q", r.status, got)
	}
	f.Set("password", "a long password")
	if r = b.post("/signup", f); r.status != http.StatusSeeOther || r.hdr.Get("Location") != "/" {
		t.Fatalf("sign-up: %d to %q", r.status, r.hdr.Get("Location"))
	}

	// The same email again: the conflict beside the email.
	b2 := e.browser()
	f2 := formOf(t, b2.get("/signup").doc, "/signup")
	f2.Set("display_name", "Ann")
	f2.Set("email", "ann@example.com")
	f2.Set("password", "a long password")
	if r = b2.post("/signup", f2); r.status != http.StatusConflict || len(find(r.doc, "span", "id", "email-error")) != 1 {
		t.Errorf("taken email: status %d", r.status)
	}

	// A wrong password: one error for the form, the email kept.
	s := formOf(t, b2.get("/signin").doc, "/signin")
	s.Set("email", "ann@example.com")
	s.Set("password", "the wrong one!")
	r = b2.post("/signin", s)
	if r.status != http.StatusUnauthorized || strings.TrimSpace(text(find(r.doc, "p", "id", "form-error")[0])) != "Wrong email or password." {
		t.Errorf("wrong password: status %d", r.status)
	}
	if one(t, r.doc, "value", "input", "name", "email") != "ann@example.com" || b2.cookie(api.SessionCookie) != "" {
		t.Error("wrong password: email lost, or a session given")
	}
	s.Set("password", "a long password")
	if r = b2.post("/signin", s); r.status != http.StatusSeeOther || b2.cookie(api.SessionCookie) == "" {
		t.Errorf("sign-in: status %d", r.status)
	}

	// In French, the same refusals in French.
	b3 := e.browser()
	f3 := formOf(t, b3.get("/signin?lang=fr").doc, "/signin")
	f3.Set("email", "ann@example.com")
	f3.Set("password", "nope nope nope")
	if r = b3.post("/signin", f3); !strings.Contains(r.body, "E-mail ou mot de passe incorrect.") {
		t.Errorf("French refusal missing: %d", r.status)
	}
}

// Behind a trusted proxy that says the visitor came over https, the
// session cookie is Secure.
func TestSessionCookieSecureBehindTLSProxy(t *testing.T) {
	cfg := platform.DefaultConfig
	cfg.SignUpsPerHour = 0
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	p, err := platform.Open(context.Background(), t.TempDir(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	e := &env{t: t, p: p, srv: srv}
	b := e.browser()
	b.hdr.Set("X-Forwarded-Proto", "https")
	page := b.get("/signup")
	if !setCookie(t, page, "mb_csrf").Secure {
		t.Error("mb_csrf is not Secure over https")
	}
	// The jar keeps Secure cookies from an http address: send them by hand.
	f := formOf(t, page.doc, "/signup")
	f.Set("display_name", "Tls")
	f.Set("email", "tls@example.com")
	f.Set("password", "a long password")
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/signup", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "mb_csrf", Value: f.Get("csrf")})
	a := b.do(req)
	if a.status != http.StatusSeeOther || !setCookie(t, a, api.SessionCookie).Secure {
		t.Errorf("sign-up over https: status %d, session cookie not Secure: %q", a.status, a.hdr.Values("Set-Cookie"))
	}
}

// A fan's name is theirs to choose: the header shows it as text.
func TestHostileNameInTheHeader(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	f := formOf(t, b.get("/signup").doc, "/signup")
	name := `"><script>alert(1)</script> &amp; مرحبا`
	f.Set("display_name", name)
	f.Set("email", "x@example.com")
	f.Set("password", "a long password")
	if a := b.post("/signup", f); a.status != http.StatusSeeOther {
		t.Fatalf("sign-up: %d", a.status)
	}
	r := b.get("/")
	if strings.Contains(r.body, "<script>alert") {
		t.Fatal("the name reached the page as markup")
	}
	if got := text(find(r.doc, "a", "data-user", "")[0]); got != strings.TrimSpace(name) {
		t.Errorf("header shows %q, want %q", got, name)
	}
}
