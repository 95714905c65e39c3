package web_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// TestPrivacyPage: from /settings a fan reaches /settings/privacy,
// downloads their data as a zip through the form, is told to wait before
// the next one, has a wrong password and a missing DELETE refused beside
// their fields (in French too), and deleting ends the browser's session
// and the account's sign-in. Each form is refused without its token.
func TestPrivacyPage(t *testing.T) {
	e := newEnv(t)
	fan := e.browser()
	fan.signUp("fan@example.com", "/")
	settings := fan.get("/settings")
	if got := one(t, settings.doc, "href", "a", "data-privacy-link", ""); got != "/settings/privacy" {
		t.Fatalf("the privacy link goes to %q", got)
	}
	page := fan.get("/settings/privacy")
	if page.status != http.StatusOK {
		t.Fatalf("GET /settings/privacy: %d", page.status)
	}
	export := formOf(t, page.doc, "/settings/privacy/export")
	del := formOf(t, page.doc, "/settings/privacy/delete")

	// Without the token, or from another site: refused, nothing done.
	refused(t, "export without the token", fan.post("/settings/privacy/export", url.Values{}))
	del.Set("password", "a long password")
	del.Set("confirm", "DELETE")
	refused(t, "delete from another origin", fan.post("/settings/privacy/delete", del, "Origin", "https://evil.example"))
	refused(t, "delete without the token", fan.post("/settings/privacy/delete", url.Values{"password": {"a long password"}, "confirm": {"DELETE"}}))

	a := fan.post("/settings/privacy/export", export)
	if a.status != http.StatusOK || a.hdr.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %s", a.status, a.hdr.Get("Content-Type"))
	}
	if cd := a.hdr.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="megabox-data-`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	zr, err := zip.NewReader(strings.NewReader(a.body), int64(len(a.body)))
	if err != nil {
		t.Fatal(err)
	}
	var acct struct {
		Email string `json:"email"`
	}
	for _, f := range zr.File {
		if f.Name == "account.json" {
			rc, _ := f.Open()
			json.NewDecoder(rc).Decode(&acct)
			rc.Close()
		}
	}
	if acct.Email != "fan@example.com" {
		t.Errorf("account.json email = %q", acct.Email)
	}
	again := fan.post("/settings/privacy/export", export)
	if got := textOf(t, again, "p", "data-privacy-error", ""); again.status != http.StatusTooManyRequests || got != "You downloaded your data a moment ago: try again in a minute." {
		t.Errorf("second export: %d", again.status)
	}

	bad := cloneValues(del)
	bad.Set("password", "not my password")
	a = fan.post("/settings/privacy/delete", bad)
	if got := textOf(t, a, "span", "id", "password-error"); a.status != http.StatusUnauthorized || got != "Wrong password." {
		t.Errorf("wrong password: %d", a.status)
	}
	fan.hdr.Set("Accept-Language", "fr")
	bad = cloneValues(del)
	bad.Set("confirm", "delete")
	a = fan.post("/settings/privacy/delete", bad)
	if got := textOf(t, a, "span", "id", "confirm-error"); a.status != http.StatusBadRequest || got != "Tapez DELETE en majuscules pour confirmer." {
		t.Errorf("confirmation in lower case: %d", a.status)
	}
	token := fan.cookie(api.SessionCookie)
	if _, err := e.p.Accounts.Authenticate(context.Background(), token); err != nil {
		t.Fatalf("a refused deletion ended the session: %v", err)
	}

	a = fan.post("/settings/privacy/delete", del)
	if got := textOf(t, a, "p", "data-deleted", ""); a.status != http.StatusOK || got != "Votre compte est supprimé. Merci du temps passé sur Megabox." {
		t.Fatalf("delete: %d %s", a.status, a.body)
	}
	if fan.cookie(api.SessionCookie) != "" {
		t.Error("the session cookie is still set")
	}
	if _, err := e.p.Accounts.Authenticate(context.Background(), token); api.ErrorCode(err) != api.EUNAUTHORIZED {
		t.Errorf("the old session still works: %v", err)
	}
	if _, err := e.p.Accounts.CreateSession(context.Background(), api.Credentials{Email: "fan@example.com", Password: "a long password"}); api.ErrorCode(err) != api.EUNAUTHORIZED {
		t.Errorf("sign-in after deletion: %v", err)
	}
}

// textOf is the text of the single element of a page that matches.
func textOf(t *testing.T, a answer, tag string, attrs ...string) string {
	t.Helper()
	if a.doc == nil {
		t.Fatalf("status %d: not a page: %.200s", a.status, a.body)
	}
	els := find(a.doc, tag, attrs...)
	if len(els) != 1 {
		t.Fatalf("status %d: %d <%s %v> elements, want 1", a.status, len(els), tag, attrs)
	}
	return strings.TrimSpace(text(els[0]))
}

// Wrong passwords in the delete form count with the account's sign-ins:
// after the account's allowance the form answers 429, and so does the
// API's sign-in, even with the right password.
func TestDeleteFormPasswordsAreCounted(t *testing.T) {
	e := newEnv(t)
	fan := e.browser()
	fan.signUp("fan@example.com", "/")
	del := formOf(t, fan.get("/settings/privacy").doc, "/settings/privacy/delete")
	del.Set("confirm", "DELETE")
	del.Set("password", "not my password")
	for i := range 5 {
		if a := fan.post("/settings/privacy/delete", del); a.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, a.status)
		}
	}
	if a := fan.post("/settings/privacy/delete", del); a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "Too many wrong passwords") {
		t.Fatalf("sixth wrong password: %d\n%s", a.status, a.body)
	}
	del.Set("password", "a long password")
	if a := fan.post("/settings/privacy/delete", del); a.status != http.StatusTooManyRequests {
		t.Fatalf("the right password after five wrong ones: %d, want 429", a.status)
	}
	c, err := mhttp.NewClient(e.srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSession(context.Background(), api.Credentials{Email: "fan@example.com", Password: "a long password"}); api.ErrorCode(err) != api.ERATELIMIT {
		t.Fatalf("the API's sign-in after the form's failures: %v", err)
	}
}
