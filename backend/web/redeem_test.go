package web_test

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// A fan redeems codes on the web: a visitor is sent to sign in and comes
// back to the code form; an unknown code is refused in the page's
// language; a free code puts the release in the library; a discount code
// leads to a payment page at the lower price (33 % off 9.99: 6.69).
func TestRedeemCodesOnTheWeb(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	rel := e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 999}, "Headlights")
	free, err := c.CreateCodes(ctx, rel.ID, api.CodeBatchCreate{Count: 1, Kind: api.CodeFree})
	if err != nil {
		t.Fatal(err)
	}
	off, err := c.CreateCodes(ctx, rel.ID, api.CodeBatchCreate{Count: 1, Kind: api.CodePercent, PercentOff: 33})
	if err != nil {
		t.Fatal(err)
	}
	redeemPage := "/redeem?release=" + itoa(rel.ID)

	// The release page offers the code form; a visitor signs in first.
	anon := e.browser()
	if got := one(t, anon.get("/@nova/night-drive").doc, "href", "a", "data-have-code", ""); got != redeemPage {
		t.Fatalf("release page's code link %q", got)
	}
	if a := anon.get(redeemPage); a.status != http.StatusSeeOther || a.hdr.Get("Location") != "/signin?next="+url.QueryEscape(redeemPage) {
		t.Fatalf("visitor: %d to %q", a.status, a.hdr.Get("Location"))
	}
	fan := e.browser()
	if a := fan.signUp("fan@example.com", redeemPage); a.hdr.Get("Location") != redeemPage {
		t.Fatalf("after sign-up: %q", a.hdr.Get("Location"))
	}

	form := formOf(t, fan.get(redeemPage).doc, "/redeem")
	if form.Get("release") != itoa(rel.ID) || form.Get("csrf") == "" {
		t.Fatalf("code form %v", form)
	}
	form.Set("code", "zzzz zzzz zz")
	a := fan.post("/redeem", form)
	if got := text(find(a.doc, "p", "data-redeem-error", "")[0]); a.status != http.StatusNotFound || got != "This code does not exist: check it and try again." {
		t.Fatalf("unknown code: %d %q", a.status, got)
	}
	fan.hdr.Set("Accept-Language", "fr")
	a = fan.post("/redeem", form)
	if got := text(find(a.doc, "p", "data-redeem-error", "")[0]); got != "Ce code n’existe pas : vérifiez-le et réessayez." {
		t.Fatalf("unknown code in French: %q", got)
	}
	fan.hdr.Del("Accept-Language")
	// Without the session's CSRF token nothing is redeemed.
	stolen := cloneValues(form)
	stolen.Set("code", free.Codes[0])
	stolen.Del("csrf")
	if a := fan.post("/redeem", stolen); a.status != http.StatusForbidden {
		t.Fatalf("form without its token: %d", a.status)
	}

	form.Set("code", strings.ToLower(free.Codes[0]))
	if a := fan.post("/redeem", form); a.status != http.StatusSeeOther || a.hdr.Get("Location") != "/library" {
		t.Fatalf("free code: %d to %q: %s", a.status, a.hdr.Get("Location"), a.body)
	}
	lib := fan.get("/library")
	if n := len(find(lib.doc, "li", "data-owned", "Night Drive")); n != 1 {
		t.Fatalf("library shows the release %d times", n)
	}

	// Another fan's discount code: the offer, then the payment page.
	other := e.browser()
	other.signUp("other@example.com", "/redeem")
	form = formOf(t, other.get("/redeem").doc, "/redeem")
	form.Set("code", off.Codes[0])
	a = other.post("/redeem", form)
	if got := text(find(a.doc, "p", "data-offer", "")[0]); a.status != 200 || got != "With your code, Night Drive by "+rel.ArtistName+" costs 6.69 EUR instead of 9.99 EUR." {
		t.Fatalf("offer: %d %q", a.status, got)
	}
	pay := formOf(t, a.doc, "/redeem/checkout")
	a = other.post("/redeem/checkout", pay)
	payURL := a.hdr.Get("Location")
	if a.status != http.StatusSeeOther || !strings.HasPrefix(payURL, e.srv.URL+"/pay/") {
		t.Fatalf("checkout: %d to %q: %s", a.status, payURL, a.body)
	}
	co, err := e.p.Store.CheckoutBySession(ctx, "sandbox", path.Base(payURL))
	if err != nil || co.AmountCents != 669 || co.ReleaseID != rel.ID {
		t.Fatalf("checkout = %+v, %v", co, err)
	}
	if held, err := e.p.Store.CheckoutCode(ctx, co.ID); err != nil || held.Batch.ID != off.Batch.ID {
		t.Fatalf("the checkout's code = %+v, %v", held, err)
	}
}

// The code form counts against the same limits as the API: ten misses,
// and even a good code waits.
func TestRedeemFormThrottled(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	rel := e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 999}, "Headlights")
	free, err := c.CreateCodes(context.Background(), rel.ID, api.CodeBatchCreate{Count: 1, Kind: api.CodeFree})
	if err != nil {
		t.Fatal(err)
	}
	fan := e.browser()
	fan.signUp("fan@example.com", "/redeem")
	form := formOf(t, fan.get("/redeem").doc, "/redeem")
	for i := range 10 {
		form.Set("code", "ZZZZ-ZZZZ-Z"+string(api.CodeAlphabet[i]))
		if a := fan.post("/redeem", form); a.status != http.StatusNotFound {
			t.Fatalf("miss %d: %d", i, a.status)
		}
	}
	form.Set("code", free.Codes[0])
	a := fan.post("/redeem", form)
	if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "Too many attempts at codes") {
		t.Fatalf("eleventh: %d %s", a.status, a.body)
	}
}
