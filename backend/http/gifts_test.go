package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/mail"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/mailtest"
)

// giftShop is a creator's release with its masters, on a platform that
// sends email through smtpURL ("" for none).
type giftShop struct {
	*env
	ann, giver *mhttp.Client
	rel        *api.Release
	masters    [][]byte
}

func openGiftShop(t *testing.T, smtpURL string) *giftShop {
	cfg := platform.DefaultConfig
	cfg.Payments = payment.NewSandboxWithSecret(webhookSecret)
	if smtpURL != "" {
		cfg.Mail = mail.Config{URL: smtpURL, From: "Megabox <hello@megabox.test>", PerSecond: 100}
	}
	e := newEnv(t, cfg)
	ann, _ := e.signUp("Ann", true)
	giver, _ := e.signUp("Gina", false)
	m, masters := e.album(ann, "Night <Drive>", 2)
	ctx := context.Background()
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if rel, err = ann.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	return &giftShop{env: e, ann: ann, giver: giver, rel: rel, masters: masters}
}

// give buys the release for to through the sandbox's hosted page.
func (s *giftShop) give(to, message string) *api.Checkout {
	s.t.Helper()
	ctx := context.Background()
	co, err := s.giver.CreateCheckout(ctx, "gift-"+to, api.CheckoutCreate{ReleaseID: s.rel.ID, AmountCents: 1000, Currency: "EUR",
		Gift: &api.GiftCreate{Email: to, Message: message}})
	if err != nil {
		s.t.Fatal(err)
	}
	resp, err := http.PostForm(co.URL, map[string][]string{"card": {"4242 4242 4242 4242"}})
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if co, err = s.giver.Checkout(ctx, co.ID); err != nil || co.State != api.CheckoutPaid {
		s.t.Fatalf("gift checkout after paying: %+v, %v", co, err)
	}
	return co
}

// call sends a JSON request as a client and decodes the answer into out.
func (s *giftShop) call(c *mhttp.Client, method, path string, out any) int {
	s.t.Helper()
	token := ""
	if c != nil {
		token = c.Token()
	}
	code, body, _ := s.raw(method, path, token, nil)
	if out != nil && code < 300 {
		if err := json.Unmarshal(body, out); err != nil {
			s.t.Fatalf("%s %s: %v: %s", method, path, err, body)
		}
	}
	return code
}

var claimLink = regexp.MustCompile(`https?://[^\s"<>]+/gift/([A-Za-z0-9_-]+)`)

// TestGiftByEmail: a gift paid through the sandbox checkout sends exactly
// one email to its recipient, whose link a second account claims over
// HTTP: the purchase is then theirs (library, downloads equal to the
// masters), the giver owns nothing, a second claim is refused, and the
// ledger booked the sale at payment with the 90/10 split.
func TestGiftByEmail(t *testing.T) {
	mp := mailtest.Open(t)
	s := openGiftShop(t, mp.SMTP)
	to := fmt.Sprintf("friend.%d@example.com", time.Now().UnixNano())
	co := s.give(to, "Happy birthday!\n<script>x</script>")
	if co.Purchase == nil || co.Purchase.GrossCents != 1000 || co.Purchase.CreatorCents != 900 || co.Purchase.PlatformCents != 100 {
		t.Fatalf("gift sale = %+v, want 10.00 split 9.00/1.00", co.Purchase)
	}
	if sums, unbalanced, err := s.p.Store.LedgerCheck(context.Background()); err != nil || unbalanced != 0 || sums["EUR"] != 0 {
		t.Fatalf("ledger after the gift: sums %v, %d unbalanced, %v", sums, unbalanced, err)
	}

	msgs := mp.WaitTo(t, to, 1, 2*time.Minute)
	m := mp.Message(t, msgs[0].ID)
	if !strings.Contains(m.Subject, "Gina sent you a gift: Night <Drive>") || !strings.Contains(m.Text, "Happy birthday!") ||
		!strings.Contains(m.HTML, "&lt;script&gt;x&lt;/script&gt;") || strings.Contains(m.HTML, "<script>") {
		t.Fatalf("gift email: subject %q\ntext:\n%s\nhtml:\n%s", m.Subject, m.Text, m.HTML)
	}
	found := claimLink.FindStringSubmatch(m.Text)
	if found == nil || !strings.HasPrefix(found[0], s.srv.URL+"/gift/") {
		t.Fatalf("no claim link on %s in:\n%s", s.srv.URL, m.Text)
	}
	token := found[1]

	// Before the claim nobody owns it: not the giver either.
	if lib, err := s.giver.Library(context.Background()); err != nil || len(lib.Items) != 0 {
		t.Fatalf("giver's library = %+v, %v; want empty", lib, err)
	}
	trackPath := fmt.Sprintf("/api/v1/tracks/%d/audio", s.rel.Tracks[0].ID)
	if code, _, _ := s.raw("GET", trackPath, s.giver.Token(), nil); code != http.StatusForbidden {
		t.Fatalf("giver downloads the gift: %d, want 403", code)
	}
	var offer api.GiftOffer
	if code := s.call(nil, "GET", "/api/v1/gifts/"+token, &offer); code != 200 || offer.GiverName != "Gina" ||
		offer.Release.Title != "Night <Drive>" || offer.State != api.GiftWaiting {
		t.Fatalf("gift offer: %d %+v", code, offer)
	}
	if code := s.call(s.giver, "POST", "/api/v1/gifts/"+token+"/claim", nil); code != http.StatusConflict {
		t.Fatalf("giver claims their own gift: %d, want 409", code)
	}
	code, page, _ := s.raw("GET", "/gift/"+token, "", nil)
	if code != 200 || !strings.Contains(string(page), "A gift from Gina") || !strings.Contains(string(page), "Night &lt;Drive&gt;") ||
		!strings.Contains(string(page), `href="/signin?next=%2Fgift%2F`+token+`"`) {
		t.Fatalf("claim page signed out: %d\n%s", code, page)
	}

	// Three accounts claim at once: one gets it.
	claimers := make([]*mhttp.Client, 3)
	for i := range claimers {
		claimers[i], _ = s.signUp(fmt.Sprintf("Rita%d", i), false)
	}
	codes := make([]int, len(claimers))
	errs := make(chan struct{}, len(claimers))
	for i, c := range claimers {
		go func() { codes[i] = s.call(c, "POST", "/api/v1/gifts/"+token+"/claim", nil); errs <- struct{}{} }()
	}
	for range claimers {
		<-errs
	}
	winner := -1
	for i, code := range codes {
		switch {
		case code == 200 && winner < 0:
			winner = i
		case code != http.StatusConflict:
			t.Fatalf("claims answered %v, want one 200 and 409s", codes)
		}
	}
	if winner < 0 {
		t.Fatalf("claims answered %v: nobody got the gift", codes)
	}
	rita := claimers[winner]
	if code := s.call(rita, "POST", "/api/v1/gifts/"+token+"/claim", nil); code != http.StatusConflict {
		t.Fatalf("second claim: %d, want 409", code)
	}
	lib, err := rita.Library(context.Background())
	if err != nil || len(lib.Items) != 1 || lib.Items[0].Release.ID != s.rel.ID || lib.Items[0].PurchaseID != co.Purchase.ID {
		t.Fatalf("recipient's library = %+v, %v", lib, err)
	}
	for i, tr := range s.rel.Tracks {
		code, body, _ := s.raw("GET", fmt.Sprintf("/api/v1/tracks/%d/audio", tr.ID), rita.Token(), nil)
		if code != 200 || hexSHA(body) != hexSHA(s.masters[i]) {
			t.Fatalf("track %d download: %d, sha256 %s, want the master's %s", i, code, hexSHA(body), hexSHA(s.masters[i]))
		}
	}
	if lib, err := s.giver.Library(context.Background()); err != nil || len(lib.Items) != 0 {
		t.Fatalf("giver's library after the claim = %+v, %v; want empty", lib, err)
	}
	var gifts struct{ Gifts []api.Gift }
	if code := s.call(s.giver, "GET", "/api/v1/me/gifts", &gifts); code != 200 || len(gifts.Gifts) != 1 ||
		gifts.Gifts[0].State != api.GiftClaimed || !gifts.Gifts[0].Emailed || gifts.Gifts[0].Receipt == "" {
		t.Fatalf("giver's gifts: %d %+v", code, gifts)
	}
	if code := s.call(s.giver, "POST", fmt.Sprintf("/api/v1/me/gifts/%d/link", gifts.Gifts[0].ID), nil); code != http.StatusConflict {
		t.Fatalf("a new link for a claimed gift: %d, want 409", code)
	}
	if got := mp.To(t, to); len(got) != 1 {
		t.Fatalf("%d emails to the recipient, want exactly 1", len(got))
	}
	if sums, unbalanced, err := s.p.Store.LedgerCheck(context.Background()); err != nil || unbalanced != 0 || sums["EUR"] != 0 {
		t.Fatalf("ledger after the claim: sums %v, %d unbalanced, %v", sums, unbalanced, err)
	}
}

// TestGiftWithoutEmail: with no SMTP server the giver gets the claim link
// to pass on; a new link replaces the old one, and the claim works.
func TestGiftWithoutEmail(t *testing.T) {
	s := openGiftShop(t, "")
	s.give("friend@example.com", "")
	var gifts struct{ Gifts []api.Gift }
	if code := s.call(s.giver, "GET", "/api/v1/me/gifts", &gifts); code != 200 || len(gifts.Gifts) != 1 || gifts.Gifts[0].Emailed {
		t.Fatalf("giver's gifts: %d %+v", code, gifts)
	}
	linkPath := fmt.Sprintf("/api/v1/me/gifts/%d/link", gifts.Gifts[0].ID)
	var first, second api.Gift
	if code := s.call(s.giver, "POST", linkPath, &first); code != 200 || !strings.HasPrefix(first.ClaimURL, s.srv.URL+"/gift/") {
		t.Fatalf("gift link: %d %+v", code, first)
	}
	if code := s.call(s.giver, "POST", linkPath, &second); code != 200 || second.ClaimURL == first.ClaimURL {
		t.Fatalf("second gift link: %d %+v", code, second)
	}
	other, _ := s.signUp("Olga", false)
	if code := s.call(other, "POST", linkPath, nil); code != http.StatusNotFound {
		t.Fatalf("someone else's gift link: %d, want 404", code)
	}
	oldToken := first.ClaimURL[strings.LastIndex(first.ClaimURL, "/")+1:]
	newToken := second.ClaimURL[strings.LastIndex(second.ClaimURL, "/")+1:]
	if code := s.call(other, "POST", "/api/v1/gifts/"+oldToken+"/claim", nil); code != http.StatusNotFound {
		t.Fatalf("claim with the replaced link: %d, want 404", code)
	}
	var p api.Purchase
	if code := s.call(other, "POST", "/api/v1/gifts/"+newToken+"/claim", &p); code != 200 || p.ReleaseID != s.rel.ID {
		t.Fatalf("claim: %d %+v", code, p)
	}
}
