package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
)

// splitNote is the note a release page must show for a price, from the
// ledger's own numbers.
func splitNote(t *testing.T, cents int64) string {
	t.Helper()
	s, err := ledger.SplitGross(cents, ledger.DefaultRateBps)
	if err != nil {
		t.Fatal(err)
	}
	return api.FormatCents(s.Creator, "EUR") + " to the artist, " + api.FormatCents(s.Platform, "EUR") + " to Megabox"
}

func ldJSON(t *testing.T, r resp) map[string]any {
	t.Helper()
	scripts := find(r.doc, "script", "type", "application/ld+json")
	if len(scripts) != 1 {
		t.Fatalf("%d JSON-LD scripts, want 1", len(scripts))
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(text(scripts[0])), &v); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, text(scripts[0]))
	}
	return v
}

func TestReleasePage(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	rel := e.publish(c, api.Manifest{Title: "Night Drive", Description: "Recorded at night.\nMixed at dawn.", ReleaseDate: "2026-03-14", PriceCents: 999},
		"Headlights", "Overpass")
	id := strconv.FormatInt(rel.ID, 10)

	r := e.get("/@nova/night-drive", "Accept-Language", "en-GB,en;q=0.9")
	if r.status != 200 {
		t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	canon := e.srv.URL + "/@nova/night-drive"
	if got := one(t, r.doc, "href", "link", "rel", "canonical"); got != canon {
		t.Errorf("canonical %q, want %q", got, canon)
	}
	if got := one(t, r.doc, "lang", "html"); got != "en" {
		t.Errorf("lang %q, want en", got)
	}
	for key, want := range map[string]string{"og:title": "Night Drive", "og:type": "music.album", "og:url": canon,
		"og:image": e.srv.URL + "/api/v1/releases/" + id + "/cover", "og:description": "Recorded at night. Mixed at dawn.",
		"twitter:card": "summary_large_image", "twitter:title": "Night Drive"} {
		if got := meta(t, r.doc, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if got, want := one(t, r.doc, "href", "link", "type", "application/json+oembed"), e.srv.URL+"/oembed?format=json&url="+url.QueryEscape(canon); got != want {
		t.Errorf("oEmbed link %q, want %q", got, want)
	}

	// Tracks: titles, durations, a preview each, playable without script.
	items := find(r.doc, "li", "class", "track")
	if len(items) != 2 {
		t.Fatalf("%d tracks listed, want 2", len(items))
	}
	for i, tr := range rel.Tracks {
		got := text(items[i])
		s := (tr.DurationMS + 500) / 1000
		if want := fmt.Sprintf("%d:%02d", s/60, s%60); !strings.Contains(got, tr.Title) || !strings.Contains(got, want) {
			t.Errorf("track %d reads %q, want %q and %q", i+1, got, tr.Title, want)
		}
		src := one(t, items[i], "src", "audio", "preload", "none")
		if want := "/api/v1/tracks/" + strconv.FormatInt(tr.ID, 10) + "/preview"; src != want {
			t.Errorf("track %d audio %q, want %q", i+1, src, want)
		}
	}

	// Money: the price and the ledger's split of it.
	if got := text(find(r.doc, "p", "class", "price")[0]); !strings.HasSuffix(got, "9.99 EUR") {
		t.Errorf("price reads %q", got)
	}
	if got, want := strings.TrimSpace(text(find(r.doc, "p", "class", "split")[0])), splitNote(t, 999); got != want {
		t.Errorf("split note %q, want %q", got, want)
	}
	if want := "9.00 EUR to the artist, 0.99 EUR to Megabox"; splitNote(t, 999) != want {
		t.Errorf("ledger splits 9.99 EUR as %q, want %q", splitNote(t, 999), want)
	}
	if got := one(t, r.doc, "href", "a", "class", "button primary"); got != "/signin?next="+url.QueryEscape("/@nova/night-drive") {
		t.Errorf("buy link %q: signed out, the page asks to sign in first", got)
	}
	if got := text(find(r.doc, "p", "class", "text")[0]); got != "Recorded at night.\nMixed at dawn." {
		t.Errorf("description %q keeps its line break", got)
	}
	if got := one(t, r.doc, "datetime", "time", "datetime", "2026-03-14"); got == "" || !strings.Contains(r.body, "March 14, 2026") {
		t.Errorf("release date not shown")
	}

	// JSON-LD: a MusicAlbum with its tracks and offer.
	ld := ldJSON(t, r)
	if ld["@type"] != "MusicAlbum" || ld["name"] != "Night Drive" || ld["url"] != canon || ld["datePublished"] != "2026-03-14" {
		t.Errorf("JSON-LD %v", ld)
	}
	if by := ld["byArtist"].(map[string]any); by["name"] != "Nova" || by["url"] != e.srv.URL+"/@nova" {
		t.Errorf("byArtist %v", by)
	}
	list := ld["track"].(map[string]any)["itemListElement"].([]any)
	if len(list) != 2 || list[1].(map[string]any)["item"].(map[string]any)["name"] != "Overpass" {
		t.Errorf("JSON-LD tracks %v", list)
	}
	if o := ld["offers"].(map[string]any); o["price"] != "9.99" || o["priceCurrency"] != "EUR" || o["@type"] != "Offer" {
		t.Errorf("offers %v", o)
	}

	// Headers.
	for h, want := range map[string]string{"Content-Type": "text/html; charset=utf-8", "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "strict-origin-when-cross-origin", "Content-Language": "en", "X-Frame-Options": "DENY"} {
		if got := r.hdr.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	policy := r.hdr.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("CSP %q lacks %q", policy, want)
		}
	}
	if strings.Contains(policy, "unsafe-inline") || len(find(r.doc, "script", "src", "")) > 0 {
		t.Errorf("inline script allowed or present: %q", policy)
	}
	for _, s := range find(r.doc, "script") {
		if src, _ := attr(s, "src"); src == "" {
			if typ, _ := attr(s, "type"); typ != "application/ld+json" {
				t.Errorf("inline script of type %q", typ)
			}
		}
	}
}

func TestPayWhatYouWantAndFree(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "pwyw-artist", DisplayName: "P"})
	e.publish(c, api.Manifest{Title: "Min", PayWhatYouWant: true, PriceCents: 500, MinCents: 250}, "One")
	e.publish(c, api.Manifest{Title: "Zero", PayWhatYouWant: true}, "One")

	r := e.get("/@pwyw-artist/min")
	if got := text(find(r.doc, "p", "class", "price")[0]); !strings.HasSuffix(got, "Pay what you want, from 2.50 EUR") {
		t.Errorf("price reads %q", got)
	}
	if got, want := text(find(r.doc, "p", "class", "split")[0]), splitNote(t, 250); got != want {
		t.Errorf("split %q, want %q", got, want)
	}
	if o := ldJSON(t, r)["offers"].(map[string]any); o["@type"] != "AggregateOffer" || o["lowPrice"] != "2.50" {
		t.Errorf("offers %v", o)
	}
	r = e.get("/@pwyw-artist/zero")
	if got := text(find(r.doc, "p", "class", "price")[0]); !strings.HasSuffix(got, "Pay what you want, free if you wish") {
		t.Errorf("price reads %q", got)
	}
	if n := len(find(r.doc, "p", "class", "split")); n != 0 {
		t.Errorf("a split note for nothing to split")
	}
}

func TestFrenchAndLanguageSwitch(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	e.publish(c, api.Manifest{Title: "Nuit", PriceCents: 999, ReleaseDate: "2026-08-01"}, "Un")

	r := e.get("/@nova/nuit", "Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
	if got := one(t, r.doc, "lang", "html"); got != "fr" {
		t.Fatalf("lang %q, want fr", got)
	}
	if got, want := text(find(r.doc, "p", "class", "split")[0]), "9,00 EUR pour l’artiste, 0,99 EUR pour Megabox"; got != want {
		t.Errorf("split %q, want %q", got, want)
	}
	if !strings.Contains(r.body, "1 août 2026") {
		t.Errorf("French date missing")
	}
	if r.hdr.Get("Set-Cookie") != "" {
		t.Errorf("a cookie set without a choice: %q", r.hdr.Get("Set-Cookie"))
	}

	// The switch: a link per language, the current one marked.
	if got := one(t, r.doc, "href", "a", "hreflang", "en"); got != "?lang=en" {
		t.Errorf("switch to English %q", got)
	}
	if got := one(t, r.doc, "aria-current", "a", "hreflang", "fr"); got != "true" {
		t.Errorf("French not marked current")
	}

	// Choosing English is remembered over Accept-Language.
	r = e.get("/@nova/nuit?lang=en", "Accept-Language", "fr")
	if got := one(t, r.doc, "lang", "html"); got != "en" {
		t.Fatalf("lang %q after ?lang=en", got)
	}
	ck := r.hdr.Get("Set-Cookie")
	for _, want := range []string{"lang=en", "Path=/", "SameSite=Lax", "HttpOnly"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %q", ck, want)
		}
	}
	if got := one(t, r.doc, "href", "link", "rel", "canonical"); got != e.srv.URL+"/@nova/nuit" {
		t.Errorf("canonical carries the language: %q", got)
	}
	r = e.get("/@nova/nuit", "Accept-Language", "fr", "Cookie", "lang=en")
	if got := one(t, r.doc, "lang", "html"); got != "en" {
		t.Errorf("lang %q with the cookie, want en", got)
	}
	r = e.get("/@nova/nuit?lang=xx", "Accept-Language", "de, fr;q=0.5")
	if got := one(t, r.doc, "lang", "html"); got != "fr" {
		t.Errorf("lang %q for an unknown choice and German then French, want fr", got)
	}
}

func TestArtistPage(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova", Bio: "Synths.\nTapes.", PictureSHA256: "picture",
		Links: []string{"https://nova.example/", "https://social.example/@nova"}})
	old := e.publish(c, api.Manifest{Title: "First", PriceCents: 500}, "A")
	e.publish(c, api.Manifest{Title: "Second", PriceCents: 700}, "B")
	e.publish(c, api.Manifest{Title: "Draft"}, "C")
	draft, err := c.UnpublishRelease(context.Background(), old.ID+2)
	if err != nil || draft.State != api.StateDraft {
		t.Fatalf("unpublish: %v", err)
	}

	r := e.get("/@nova")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if got := text(find(r.doc, "h1")[0]); got != "Nova" {
		t.Errorf("h1 %q", got)
	}
	if got := text(find(r.doc, "p", "class", "text bio")[0]); got != "Synths.\nTapes." {
		t.Errorf("bio %q", got)
	}
	links := find(r.doc, "a", "rel", "me nofollow")
	if len(links) != 2 {
		t.Fatalf("%d links, want 2", len(links))
	}
	if href, _ := attr(links[1], "href"); href != "https://social.example/@nova" {
		t.Errorf("link %q", href)
	}
	var titles []string
	for _, el := range find(r.doc, "span", "class", "card-title") {
		titles = append(titles, text(el))
	}
	if strings.Join(titles, ",") != "Second,First" {
		t.Errorf("releases %v, want Second,First (newest first, no draft)", titles)
	}
	if got := one(t, r.doc, "href", "link", "type", "application/atom+xml"); got != e.srv.URL+"/@nova/feed.atom" {
		t.Errorf("feed link %q", got)
	}
	ld := ldJSON(t, r)
	if ld["@type"] != "MusicGroup" || ld["name"] != "Nova" || ld["description"] != "Synths.\nTapes." || len(ld["album"].([]any)) != 2 {
		t.Errorf("JSON-LD %v", ld)
	}
	if same := ld["sameAs"].([]any); len(same) != 2 || same[0] != "https://nova.example/" {
		t.Errorf("sameAs %v", same)
	}

	// The picture is served from its own route, and nothing else is.
	pic := one(t, r.doc, "src", "img", "class", "picture")
	if meta(t, r.doc, "og:image") != e.srv.URL+pic {
		t.Errorf("og:image %q, picture %q", meta(t, r.doc, "og:image"), pic)
	}
	p := e.get(pic)
	prof, _ := c.MyProfile(context.Background())
	if p.status != 200 || p.hdr.Get("Content-Type") != "image/png" || !strings.HasSuffix(pic, prof.PictureSHA256) || sha(p.body) != prof.PictureSHA256 {
		t.Errorf("picture: status %d, type %q, sha %s", p.status, p.hdr.Get("Content-Type"), sha(p.body))
	}
	if got := e.get("/@nova/picture/" + old.CoverSHA256); got.status != 404 || got.doc == nil {
		t.Errorf("another of the artist's blobs through the picture route: %d", got.status)
	}
	if got := e.get("/@nova/picture/" + old.Tracks[0].AudioSHA256); got.status != 404 {
		t.Errorf("a track's audio through the picture route: %d", got.status)
	}
}
