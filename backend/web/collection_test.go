package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
)

// signInClient is an API client signed in as an account the browser made.
func (e *env) signInClient(email, password string) *mhttp.Client {
	e.t.Helper()
	c, err := mhttp.NewClient(e.srv.URL, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.CreateSession(context.Background(), api.Credentials{Email: email, Password: password}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// settingsForm is the settings page's form as a browser would send it
// with the given changes.
func settingsForm(t *testing.T, b *browser, set map[string]string) url.Values {
	t.Helper()
	page := b.get("/settings")
	if page.status != http.StatusOK {
		t.Fatalf("settings: status %d", page.status)
	}
	f := formOf(t, page.doc, "/settings")
	f.Set("bio", text(find(page.doc, "textarea", "name", "bio")[0]))
	f.Set("links", text(find(page.doc, "textarea", "name", "links")[0]))
	if _, on := attr(find(page.doc, "input", "name", "public_collection")[0], "checked"); on {
		f.Set("public_collection", "1")
	}
	for k, v := range set {
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
	}
	return f
}

// A fan's collection is hidden until they show it from the settings page;
// shown, it lists the published releases they own (not refunded ones, not
// unpublished ones, never what they paid), and hiding it again hides it.
func TestPublicCollection(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	kept := e.publish(c, api.Manifest{Title: "Kept Record", PriceCents: 777}, "One")
	hidden := e.publish(c, api.Manifest{Title: "Withdrawn Record", PriceCents: 500}, "One")
	refunded := e.publish(c, api.Manifest{Title: "Refunded Record", PriceCents: 300}, "One")

	fan := e.browser()
	fan.signUp("fan@example.com", "/")
	api2 := e.signInClient("fan@example.com", "a long password")
	ctx := context.Background()
	var refundID int64
	for _, r := range []*api.Release{kept, hidden, refunded} {
		p, err := api2.CreatePurchase(ctx, "k"+itoa(r.ID), api.PurchaseCreate{ReleaseID: r.ID, AmountCents: r.PriceCents, Currency: "EUR",
			Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
		if err != nil {
			t.Fatal(err)
		}
		if r == refunded {
			refundID = p.ID
		}
	}
	if _, err := c.RefundPurchase(ctx, refundID, 300); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UnpublishRelease(ctx, hidden.ID); err != nil {
		t.Fatal(err)
	}

	// Someone else looks (signed in, so never served a kept page).
	other := e.browser()
	other.signUp("other@example.com", "/")

	// A handle alone shows nothing.
	if a := fan.post("/settings", settingsForm(t, fan, map[string]string{"handle": "Fan-One"})); a.status != http.StatusSeeOther || a.hdr.Get("Location") != "/settings?saved=1" {
		t.Fatalf("save handle: %d to %q: %s", a.status, a.hdr.Get("Location"), a.body)
	}
	if a := other.get("/@fan-one/collection"); a.status != http.StatusNotFound {
		t.Fatalf("hidden collection: status %d", a.status)
	}

	// The settings form refuses a bad handle beside its field, keeping what was typed.
	bad := fan.post("/settings", settingsForm(t, fan, map[string]string{"handle": "-x", "bio": "typed bio"}))
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad handle: status %d", bad.status)
	}
	if got := text(find(bad.doc, "span", "id", "handle-error")[0]); !strings.Contains(got, "3 to 30 lowercase letters") {
		t.Errorf("bad handle says %q", got)
	}
	if got := text(find(bad.doc, "textarea", "name", "bio")[0]); got != "typed bio" {
		t.Errorf("bio after a refusal %q", got)
	}
	// Another account's handle is taken.
	taken := other.post("/settings", settingsForm(t, other, map[string]string{"handle": "nova"}))
	if got := text(find(taken.doc, "span", "id", "handle-error")[0]); got != "This handle is taken: choose another." {
		t.Errorf("taken handle says %q", got)
	}
	// A form without the session's token changes nothing.
	forged := settingsForm(t, fan, map[string]string{"public_collection": "1"})
	forged.Set("csrf", "forged")
	if a := fan.post("/settings", forged); a.status != http.StatusForbidden {
		t.Fatalf("forged settings: status %d", a.status)
	}
	if a := other.get("/@fan-one/collection"); a.status != http.StatusNotFound {
		t.Fatalf("forged form showed the collection: status %d", a.status)
	}

	// Shown: anyone sees the kept record only, without prices.
	saved := fan.post("/settings", settingsForm(t, fan, map[string]string{"public_collection": "1", "bio": "Songs I keep."}))
	if saved.status != http.StatusSeeOther {
		t.Fatalf("show collection: status %d: %s", saved.status, saved.body)
	}
	s := fan.get("/settings?saved=1")
	if got := one(t, s.doc, "href", "a", "data-collection-link", ""); got != "/@fan-one/collection" {
		t.Errorf("settings link %q", got)
	}
	// The fan's page, with no release of their own, is their collection.
	if a := e.browser().get("/@fan-one"); a.status != http.StatusFound || a.hdr.Get("Location") != "/@fan-one/collection" {
		t.Errorf("fan's page: %d to %q", a.status, a.hdr.Get("Location"))
	}
	page := e.browser().get("/@fan-one/collection")
	if page.status != http.StatusOK {
		t.Fatalf("collection: status %d", page.status)
	}
	var titles []string
	for _, n := range find(page.doc, "span", "class", "card-title") {
		titles = append(titles, text(n))
	}
	if strings.Join(titles, "|") != "Kept Record" {
		t.Errorf("collection lists %q", titles)
	}
	if got := one(t, page.doc, "href", "a", "href", "/@nova/kept-record"); got != "/@nova/kept-record" {
		t.Errorf("card link %q", got)
	}
	if bio := text(find(page.doc, "p", "class", "text bio")[0]); bio != "Songs I keep." {
		t.Errorf("bio %q", bio)
	}
	if h1 := text(find(page.doc, "h1")[0]); h1 != "Fan Of Nova’s collection" {
		t.Errorf("heading %q", h1)
	}
	for _, leak := range []string{"7.77", "7,77", "777", "Withdrawn", "Refunded"} {
		if strings.Contains(page.body, leak) {
			t.Errorf("collection page shows %q", leak)
		}
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(text(find(page.doc, "script", "type", "application/ld+json")[0])), &ld); err != nil {
		t.Fatal(err)
	}
	if ld["@type"] != "ProfilePage" || ld["hasPart"].(map[string]any)["numberOfItems"] != float64(1) {
		t.Errorf("JSON-LD %v", ld)
	}
	// No release can take the page's address.
	_, err := c.CreateRelease(ctx, api.Manifest{Title: "Collection", Slug: "collection", PriceCents: 100, Currency: "EUR"})
	if e, ok := err.(*api.Error); !ok || e.Code != api.EINVALID || e.Field != "slug" {
		t.Errorf("slug collection: %v", err)
	}
	if r, err := c.CreateRelease(ctx, api.Manifest{Title: "Collection", PriceCents: 100, Currency: "EUR"}); err != nil || r.Slug != "collection-release" {
		t.Errorf("a release titled Collection gets slug %q (%v)", r.Slug, err)
	}

	// Hidden again.
	if a := fan.post("/settings", settingsForm(t, fan, map[string]string{"public_collection": ""})); a.status != http.StatusSeeOther {
		t.Fatalf("hide collection: status %d", a.status)
	}
	if a := other.get("/@fan-one/collection"); a.status != http.StatusNotFound {
		t.Fatalf("hidden again: status %d", a.status)
	}
}
