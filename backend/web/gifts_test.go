package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/mail"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/mailtest"
)

// newEnvConfig is newEnv with a change to the platform's configuration.
func newEnvConfig(t *testing.T, change func(*platform.Config)) *env {
	t.Helper()
	cfg := platform.DefaultConfig
	cfg.SignUpsPerHour = 0
	change(&cfg)
	p, err := platform.Open(context.Background(), t.TempDir(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	return &env{t: t, p: p, srv: srv}
}

// giftForm is the gift form of a release page, as the page would send it.
func giftForm(t *testing.T, doc *html.Node) url.Values {
	t.Helper()
	f := formOf(t, doc, "/gifts")
	if f.Get("csrf") == "" || f.Get("key") == "" || f.Get("release") == "" {
		t.Fatalf("gift form %v lacks its token, key or release", f)
	}
	return f
}

// giveAndPay sends a gift form, pays on the sandbox's hosted page with
// the test card, and returns the checkout's id and where the payment
// page leads back to.
func (b *browser) giveAndPay(f url.Values) (checkoutID, back string) {
	t := b.e.t
	t.Helper()
	a := b.post("/gifts", f)
	payURL := a.hdr.Get("Location")
	if a.status != http.StatusSeeOther || !strings.HasPrefix(payURL, b.e.srv.URL+"/pay/cs_sb_") {
		t.Fatalf("gift form: status %d to %q, want 303 to the hosted page: %s", a.status, payURL, a.body)
	}
	co, err := b.e.p.Store.CheckoutBySession(context.Background(), "sandbox", path.Base(payURL))
	if err != nil {
		t.Fatal(err)
	}
	paid := b.post(payURL, url.Values{"card": {"4242424242424242"}})
	if paid.status != 200 || len(find(paid.doc, "p", "data-testid", "paid")) != 1 {
		t.Fatalf("paying: status %d: %s", paid.status, paid.body)
	}
	back = one(t, paid.doc, "href", "a", "data-testid", "back")
	return co.ID, back
}

// claimLinkOf is the claim link a giver's page shows in the element
// matched by attrs.
func claimLinkOf(t *testing.T, doc *html.Node, attrs ...string) string {
	t.Helper()
	link := one(t, doc, "value", "input", attrs...)
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/gift/[A-Za-z0-9_-]{16,}$`).MatchString(link) {
		t.Fatalf("claim link %q", link)
	}
	return link
}

// TestGiveInTheBrowser: a fan gives a pay-what-you-want release from its
// page through the sandbox checkout, with no email on the platform: the
// return page says the gift is paid and shows its claim link (the same
// on reload), /gifts lists it, a new link replaces the old one, and the
// recipient claims it with a second account; the giver never owns it.
func TestGiveInTheBrowser(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	e.publish(c, api.Manifest{Title: "Night Drive", PayWhatYouWant: true, MinCents: 500, PriceCents: 800}, "Headlights")
	page := "/@nova/night-drive"

	// Signed out: a way in that comes back to the gift form.
	anon := e.browser()
	r := anon.get(page)
	if got, want := one(t, r.doc, "href", "a", "data-give-signin", ""), "/signin?next="+url.QueryEscape(page+"#give"); got != want {
		t.Fatalf("sign-in to give link %q, want %q", got, want)
	}
	if n := len(find(r.doc, "form", "action", "/gifts")); n != 0 {
		t.Fatalf("a visitor is shown %d gift forms", n)
	}
	if got := text(find(r.doc, "a", "data-give-signin", "")[0]); got != "Sign in to give this" {
		t.Errorf("sign-in to give reads %q", got)
	}
	if a := anon.post("/gifts", url.Values{"release": {"1"}}); a.status != http.StatusSeeOther || !strings.HasPrefix(a.hdr.Get("Location"), "/signin?next=") {
		t.Errorf("a visitor's gift form: %d to %q, want 303 to sign in", a.status, a.hdr.Get("Location"))
	}

	giver := e.browser()
	giver.signUp("giver@example.com", page)
	r = giver.get(page)
	f := giftForm(t, r.doc)
	if got := one(t, r.doc, "value", "input", "name", "gift_amount"); got != "8.00" {
		t.Errorf("gift amount starts at %q, want the suggested 8.00", got)
	}
	if _, open := attr(find(r.doc, "details", "data-give", "")[0], "open"); open {
		t.Error("the gift form starts open")
	}
	if got := text(find(r.doc, "summary")[0]); got != "Give as a gift" {
		t.Errorf("summary %q", got)
	}
	if len(find(r.doc, "input", "name", "share_email")) != 1 {
		t.Error("the gift form asks to share the giver's email; only the buy form may")
	}

	// Under the minimum, in English: beside the amount, the rest kept.
	f.Set("gift_email", "friend@example.com")
	f.Set("gift_message", "Happy birthday!\r\nFrom me <3")
	f.Set("gift_amount", "4.00")
	a := giver.post("/gifts", f)
	if a.status != http.StatusBadRequest {
		t.Fatalf("amount under the minimum: status %d", a.status)
	}
	if got := text(find(a.doc, "span", "id", "give-amount-error")[0]); got != "Pay at least 5.00 EUR." {
		t.Errorf("amount refusal %q", got)
	}
	if _, open := attr(find(a.doc, "details", "data-give", "")[0], "open"); !open {
		t.Error("a refused gift form is shown closed")
	}
	if one(t, a.doc, "value", "input", "name", "gift_email") != "friend@example.com" ||
		text(find(a.doc, "textarea", "name", "gift_message")[0]) != "Happy birthday!\nFrom me <3" { // HTML reads line ends as \n
		t.Error("typed values lost")
	}

	// A good form: the hosted page, for the amount typed, sharing nothing.
	f.Set("gift_amount", "7,50")
	id, back := giver.giveAndPay(f)
	if back != e.srv.URL+"/gifts?checkout="+id {
		t.Fatalf("the payment page leads back to %q, want /gifts?checkout=%s", back, id)
	}
	co, err := e.p.Store.Checkout(context.Background(), id)
	if err != nil || co.AmountCents != 750 || co.ShareEmail {
		t.Fatalf("gift checkout %+v, %v: want 750 cents, no shared email", co, err)
	}

	// Back: paid, and the link to pass on, as nobody emailed it.
	r = giver.get(back)
	if r.status != 200 || r.hdr.Get("Cache-Control") != "no-store" || r.hdr.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("return page: %d, Cache-Control %q, Referrer-Policy %q", r.status, r.hdr.Get("Cache-Control"), r.hdr.Get("Referrer-Policy"))
	}
	if got := text(find(r.doc, "p", "class", "notice")[0]); got != "Your gift to friend@example.com is paid. This platform sends no email: copy the link below and pass it on to them yourself." {
		t.Errorf("notice %q", got)
	}
	first := claimLinkOf(t, r.doc, "id", "fresh-link")
	if again := giver.get(back); claimLinkOf(t, again.doc, "id", "fresh-link") != first {
		t.Error("reloading the return page replaced the link")
	}

	// /gifts lists it; the giver owns nothing.
	r = giver.get("/gifts")
	row := find(r.doc, "li", "data-gift-row", "Night Drive")
	if len(row) != 1 {
		t.Fatalf("/gifts lists %d rows for the release", len(row))
	}
	if got := one(t, row[0], "data-gift-state", "p", "class", "gift-state"); got != "gifts.waiting" {
		t.Errorf("state %q", got)
	}
	if got := text(find(row[0], "p", "data-gift-to", "")[0]); got != "To friend@example.com" {
		t.Errorf("recipient %q", got)
	}
	if claimLinkOf(t, row[0], "data-claim-link", "") != first {
		t.Error("/gifts shows another link than the one made")
	}
	if got := text(find(row[0], "blockquote")[0]); got != "Happy birthday!\nFrom me <3" {
		t.Errorf("message %q", got)
	}
	if lib := giver.get("/library"); len(find(lib.doc, "li", "data-owned", "Night Drive")) != 0 {
		t.Error("the giver's library holds the gift")
	}
	if len(find(giver.get(page).doc, "form", "data-buy-form", "")) != 1 {
		t.Error("the release page no longer offers the giver the release")
	}

	// A new link replaces the old one.
	linkForm := find(row[0], "form", "data-new-link", "")
	action, _ := attr(linkForm[0], "action")
	a = giver.post(action, formOf(t, row[0], action))
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.hdr.Get("Location"), "/gifts#gift-") {
		t.Fatalf("new link: %d to %q", a.status, a.hdr.Get("Location"))
	}
	r = giver.get("/gifts")
	second := claimLinkOf(t, r.doc, "data-claim-link", "")
	if second == first {
		t.Fatal("the new link is the old one")
	}
	friend := e.browser()
	friend.hdr.Set("Accept-Language", "fr")
	if old := friend.get(first); old.status != http.StatusNotFound || text(find(old.doc, "h1")[0]) != "Ce lien de cadeau ne fonctionne pas" {
		t.Errorf("replaced link: %d %q", old.status, old.body)
	}

	// The recipient signs up from the link and claims it.
	claim := strings.TrimPrefix(second, e.srv.URL)
	friend.signUp("friend@example.com", claim)
	r = friend.get(claim)
	if a := friend.post(claim, formOf(t, r.doc, claim)); a.status != http.StatusSeeOther || a.hdr.Get("Location") != "/library" {
		t.Fatalf("claim: %d to %q: %s", a.status, a.hdr.Get("Location"), a.body)
	}
	if lib := friend.get("/library"); len(find(lib.doc, "li", "data-owned", "Night Drive")) != 1 {
		t.Fatal("the recipient's library lacks the gift")
	}
	r = giver.get("/gifts")
	row = find(r.doc, "li", "data-gift-row", "Night Drive")
	if got := one(t, row[0], "data-gift-state", "p", "class", "gift-state"); got != "gifts.claimed" {
		t.Errorf("state after the claim %q", got)
	}
	if len(find(row[0], "form", "data-new-link", "")) != 0 || len(find(row[0], "input", "data-claim-link", "")) != 0 {
		t.Error("a claimed gift still offers a link")
	}
	if lib := giver.get("/library"); len(find(lib.doc, "li", "data-owned", "Night Drive")) != 0 {
		t.Error("the giver owns the gift after the claim")
	}
}

// TestGiftRefusalsInFrench: the gift form's refusals beside their fields
// and the claim page's, in French; a form without its token or from
// another site gives nothing.
func TestGiftRefusalsInFrench(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 999}, "Headlights")
	e.publish(c, api.Manifest{Title: "Free Song", PriceCents: 0}, "Free")
	page := "/@nova/night-drive"

	giver := e.browser()
	giver.signUp("giver@example.com", page)
	giver.hdr.Set("Accept-Language", "fr")
	r := giver.get(page)
	f := giftForm(t, r.doc)
	if got := one(t, r.doc, "value", "input", "name", "gift_amount"); got != "9,99" {
		t.Errorf("gift amount in French %q", got)
	}
	if got := text(find(r.doc, "summary")[0]); got != "Offrir en cadeau" {
		t.Errorf("summary %q", got)
	}

	refusals := []struct {
		name, field, value, id, want string
		status                       int
	}{
		{"bad email", "gift_email", "not an address", "give-email-error", "Saisissez l’adresse e-mail à qui envoyer le cadeau, comme nom@example.com.", 400},
		{"long message", "gift_message", strings.Repeat("é", 501), "give-message-error", "Le message compte 500 caractères de texte simple au plus.", 400},
		{"control character", "gift_message", "hi\x07", "give-message-error", "Le message compte 500 caractères de texte simple au plus.", 400},
		{"under the price", "gift_amount", "5", "give-amount-error", "Le prix est de 9,99 EUR.", 400},
		{"unreadable amount", "gift_amount", "neuf", "give-amount-error", "Saisissez un montant comme 6,00.", 400},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			g := cloneValues(f)
			g.Set("gift_email", "friend@example.com")
			g.Set("gift_amount", "9,99")
			g.Set(tc.field, tc.value)
			a := giver.post("/gifts", g)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d", a.status, tc.status)
			}
			els := find(a.doc, "span", "id", tc.id)
			if len(els) != 1 || text(els[0]) != tc.want {
				t.Fatalf("refusal beside the field: %d elements, %q", len(els), func() string {
					if len(els) == 0 {
						return a.body
					}
					return text(els[0])
				}())
			}
		})
	}

	// A free release cannot be given (its page offers no gift form).
	free := giver.get("/@nova/free-song")
	if n := len(find(free.doc, "form", "action", "/gifts")); n != 0 {
		t.Fatalf("a free release offers %d gift forms", n)
	}
	g := cloneValues(f)
	g.Set("release", strings.TrimPrefix(one(t, free.doc, "href", "a", "data-have-code", ""), "/redeem?release="))
	g.Set("gift_email", "friend@example.com")
	g.Set("gift_amount", "0")
	a := giver.post("/gifts", g)
	if got := text(find(a.doc, "span", "id", "give-amount-error")[0]); a.status != 400 || got != "Cette sortie est gratuite : il n’y a rien à payer, elle ne peut donc pas être offerte." {
		t.Errorf("free release: %d %q", a.status, got)
	}

	// The creator cannot give their own release.
	artist := e.browser()
	artist.hdr.Set("Accept-Language", "fr")
	s := formOf(t, artist.get("/signin").doc, "/signin")
	s.Set("email", "creator1@example.com")
	s.Set("password", "long enough pw")
	if a := artist.post("/signin", s); a.status != http.StatusSeeOther {
		t.Fatalf("creator sign-in: %d", a.status)
	}
	mine := artist.get(page)
	if len(find(mine.doc, "form", "action", "/gifts")) != 0 {
		t.Error("the creator is offered to give their own release")
	}
	own := cloneValues(f)
	own.Set("csrf", formOf(t, mine.doc, "/signout").Get("csrf"))
	own.Set("gift_email", "friend@example.com")
	a = artist.post("/gifts", own)
	if got := text(find(a.doc, "p", "data-give-error", "")[0]); a.status != http.StatusConflict || got != "C’est votre propre sortie : vous ne pouvez pas l’offrir. Créez plutôt des codes de téléchargement." {
		t.Errorf("own release: %d %q", a.status, got)
	}

	// Without the session's token, or from another site: nothing.
	stolen := cloneValues(f)
	stolen.Set("gift_email", "friend@example.com")
	stolen.Del("csrf")
	if a := giver.post("/gifts", stolen); a.status != http.StatusForbidden {
		t.Errorf("form without its token: %d", a.status)
	}
	stolen.Set("csrf", f.Get("csrf"))
	if a := giver.post("/gifts", stolen, "Origin", "https://evil.example"); a.status != http.StatusForbidden {
		t.Errorf("form from another site: %d", a.status)
	}
	if r := giver.get("/gifts"); len(find(r.doc, "p", "data-gifts-empty", "")) != 1 || len(find(r.doc, "li")) != 0 {
		t.Fatalf("gifts after refusals: %s", r.body)
	}

	// The claim page in French: the giver's own gift, a gift for a fan
	// who owns the release, one claimed already.
	giver.hdr.Del("Accept-Language")
	g = cloneValues(f)
	g.Set("gift_email", "friend@example.com")
	g.Set("gift_amount", "9.99")
	_, back := giver.giveAndPay(g)
	link := strings.TrimPrefix(claimLinkOf(t, giver.get(back).doc, "id", "fresh-link"), e.srv.URL)
	giver.hdr.Set("Accept-Language", "fr")
	a = giver.post(link, formOf(t, giver.get(link).doc, link))
	if got := text(find(a.doc, "p", "data-gift-error", "")[0]); a.status != http.StatusConflict || got != "Ce cadeau vient de vous : transmettez le lien à la personne à qui il est destiné." {
		t.Errorf("giver claims: %d %q", a.status, got)
	}

	g.Set("key", "second-gift-key-0123456789")
	_, back = giver.giveAndPay(g)
	link2 := strings.TrimPrefix(claimLinkOf(t, giver.get(back).doc, "id", "fresh-link"), e.srv.URL)
	friend := e.browser()
	friend.signUp("friend@example.com", link)
	friend.hdr.Set("Accept-Language", "fr")
	if a := friend.post(link, formOf(t, friend.get(link).doc, link)); a.status != http.StatusSeeOther {
		t.Fatalf("claim: %d %s", a.status, a.body)
	}
	a = friend.post(link2, formOf(t, friend.get(link2).doc, link2))
	if got := text(find(a.doc, "p", "data-gift-error", "")[0]); a.status != http.StatusConflict ||
		got != "Vous possédez déjà cette sortie : le cadeau reste à récupérer, et la personne qui l’a offert peut demander un remboursement." {
		t.Errorf("owner claims: %d %q", a.status, got)
	}
	late := e.browser()
	late.signUp("late@example.com", link)
	late.hdr.Set("Accept-Language", "fr")
	page1 := late.get(link)
	if got := text(find(page1.doc, "p", "data-gift-state", "")[0]); got != "Ce cadeau a déjà été récupéré." {
		t.Errorf("claimed gift reads %q", got)
	}
	if len(find(page1.doc, "form", "data-gift-claim", "")) != 0 {
		t.Error("a claimed gift offers its claim form")
	}
}

// TestGiveByEmailInTheBrowser: with email on, the return page says the
// recipient was emailed, shows no link and offers none, and the email
// arrives with a link that opens the gift.
func TestGiveByEmailInTheBrowser(t *testing.T) {
	mp := mailtest.Open(t)
	e := newEnvConfig(t, func(cfg *platform.Config) {
		cfg.Mail = mail.Config{URL: mp.SMTP, From: "Megabox <hello@megabox.test>", PerSecond: 100}
	})
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 999}, "Headlights")
	page := "/@nova/night-drive"
	to := "friend." + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "") + "@example.com"

	giver := e.browser()
	giver.signUp("giver@example.com", page)
	f := giftForm(t, giver.get(page).doc)
	f.Set("gift_email", to)
	f.Set("gift_message", "Enjoy")
	_, back := giver.giveAndPay(f)
	r := giver.get(back)
	if got := text(find(r.doc, "p", "class", "notice")[0]); got != "Your gift to "+to+" is paid: we emailed them a link to claim it." {
		t.Errorf("notice %q", got)
	}
	if n := len(find(r.doc, "input", "data-claim-link", "")); n != 0 {
		t.Errorf("an emailed gift shows %d links", n)
	}
	row := find(r.doc, "li", "data-gift-row", "Night Drive")
	if got := one(t, row[0], "data-gift-state", "p", "class", "gift-state"); got != "gifts.emailed" || len(find(row[0], "form")) != 0 {
		t.Errorf("state %q, or a new link offered for an emailed gift", got)
	}

	msgs := mp.WaitTo(t, to, 1, 2*time.Minute)
	m := mp.Message(t, msgs[0].ID)
	found := regexp.MustCompile(`https?://[^\s"<>]+/gift/[A-Za-z0-9_-]+`).FindString(m.Text)
	if !strings.HasPrefix(found, e.srv.URL+"/gift/") || !strings.Contains(m.Text, "Enjoy") {
		t.Fatalf("gift email:\n%s", m.Text)
	}
	if p := giver.get(strings.TrimPrefix(found, e.srv.URL)); p.status != 200 || !strings.Contains(text(find(p.doc, "h1")[0]), "Fan Of Nova") {
		t.Errorf("the emailed link: %d %s", p.status, p.body)
	}
}

// TestGiftReturnLongAfter: coming back to a gift's return page long after
// paying (from the browser's history, say) makes no link by itself, since
// one may have been passed on already; the giver makes one if they wish.
func TestGiftReturnLongAfter(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 999}, "Headlights")
	e.p.Services.SetClock(func() time.Time { return time.Now().Add(-2 * time.Hour) })
	giver := e.browser()
	giver.signUp("giver@example.com", "/@nova/night-drive")
	f := giftForm(t, giver.get("/@nova/night-drive").doc)
	f.Set("gift_email", "friend@example.com")
	_, back := giver.giveAndPay(f)
	r := giver.get(back)
	if got := one(t, r.doc, "data-notice", "div", "role", "status"); got != "gifts.paid_make" {
		t.Errorf("notice %q, want gifts.paid_make", got)
	}
	if got := text(find(r.doc, "p", "class", "notice")[0]); got != "Your gift to friend@example.com is paid. This platform sends no email: make a link below and pass it on to them yourself." {
		t.Errorf("notice reads %q", got)
	}
	if n := len(find(r.doc, "input", "data-claim-link", "")); n != 0 {
		t.Errorf("%d links made by coming back", n)
	}
	if n := len(find(r.doc, "form", "data-new-link", "")); n != 1 {
		t.Errorf("%d new-link forms, want 1", n)
	}
}
