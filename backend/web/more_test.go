package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

func TestOldAddressesRedirect(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "old-name", DisplayName: "N"})
	rel := e.publish(c, api.Manifest{Title: "First Title", PriceCents: 100}, "A")
	ctx := context.Background()
	if _, err := c.UpdateProfile(ctx, api.Profile{Handle: "new-name", DisplayName: "N"}); err != nil {
		t.Fatal(err)
	}
	m := api.Manifest{Title: "Better Title", Slug: "better-title", PriceCents: 100, Currency: "EUR", CoverSHA256: rel.CoverSHA256}
	for _, tr := range rel.Tracks {
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: tr.Position, Title: tr.Title, AudioSHA256: tr.AudioSHA256})
	}
	if _, err := c.UpdateRelease(ctx, rel.ID, m); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{
		"/@old-name":                     "/@new-name",
		"/@OLD-NAME":                     "/@new-name",
		"/@New-Name":                     "/@new-name",
		"/@old-name/first-title":         "/@new-name/better-title",
		"/@new-name/first-title":         "/@new-name/better-title",
		"/@old-name/better-title":        "/@new-name/better-title",
		"/@new-name/First-Title":         "/@new-name/better-title",
		"/@old-name/first-title?lang=fr": "/@new-name/better-title?lang=fr",
		"/@old-name/feed.atom":           "/@new-name/feed.atom",
	} {
		r := e.get(from)
		if r.status != 301 || r.hdr.Get("Location") != to {
			t.Errorf("GET %s: %d to %q, want 301 to %q", from, r.status, r.hdr.Get("Location"), to)
		}
	}
	if r := e.get("/@new-name/better-title"); r.status != 200 {
		t.Errorf("current address: %d", r.status)
	}
}

func TestNotFoundPage(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	rel := e.publish(c, api.Manifest{Title: "Gone", PriceCents: 100}, "A")
	if _, err := c.UnpublishRelease(context.Background(), rel.ID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/@nobody", "/@nova/nothing", "/@nova/gone", "/nova", "/@", "/a/b/c", "/@nova/gone/x",
		"/embed/release/" + strconv.FormatInt(rel.ID, 10), "/embed/release/x", "/@nova/picture/abc", "/static/nope.css"} {
		r := e.get(path, "Accept-Language", "en")
		if r.status != 404 {
			t.Errorf("GET %s: %d, want 404", path, r.status)
			continue
		}
		if path == "/static/nope.css" {
			continue
		}
		if r.doc == nil || one(t, r.doc, "lang", "html") != "en" || !strings.Contains(text(find(r.doc, "h1")[0]), "Page not found") {
			t.Errorf("GET %s: not the HTML 404 page: %s", path, r.body)
		}
		if !strings.Contains(r.hdr.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("GET %s: CSP %q", path, r.hdr.Get("Content-Security-Policy"))
		}
	}
	r := e.get("/@nobody", "Accept-Language", "fr")
	if r.status != 404 || text(find(r.doc, "h1")[0]) != "Page introuvable" {
		t.Errorf("French 404: %d %q", r.status, r.body)
	}
	if r := e.get("/?cursor=not-a-cursor"); r.status != 400 || r.doc == nil {
		t.Errorf("a cursor that is not one: %d", r.status)
	}
}

// hostile is text meant to break out of every context it lands in.
const hostile = `<script>alert(1)</script> "quoted" 'single' & </script><script>alert(2)</script> <!-- عربي שלום -->`

func TestHostileDataIsEscapedEverywhere(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "hostile", DisplayName: `<img src=x onerror=alert(3)> "Nova" نوفا`, Bio: hostile,
		Links: []string{`https://example.com/"><script>alert(4)</script>`}})
	rel := e.publish(c, api.Manifest{Title: hostile, Description: hostile + "\n" + hostile, PriceCents: 100}, hostile, "x</title><script>alert(5)</script>")
	pagePath := "/@hostile/" + rel.Slug
	feed := e.get("/@hostile/feed.atom")
	for _, path := range []string{"/", "/?q=" + url.QueryEscape(hostile), "/@hostile", pagePath, "/embed/release/" + strconv.FormatInt(rel.ID, 10),
		"/embed/release/" + strconv.FormatInt(rel.ID, 10) + "?size=full", pagePath + "?lang=fr"} {
		r := e.get(path)
		if r.status != 200 {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		if strings.Contains(r.body, "alert(") && regexp.MustCompile(`<script>alert|<img src=x`).MatchString(r.body) {
			t.Errorf("GET %s: hostile markup came through: %s", path, r.body)
		}
		// Exactly the scripts the page means: its player and its JSON-LD.
		for _, s := range find(r.doc, "script") {
			src, _ := attr(s, "src")
			typ, _ := attr(s, "type")
			if !(strings.HasPrefix(src, "/static/player.") && typ == "") && !(src == "" && typ == "application/ld+json") {
				t.Errorf("GET %s: unexpected script src=%q type=%q", path, src, typ)
			}
		}
		if path == pagePath {
			ld := ldJSON(t, r)
			if ld["name"] != hostile || ld["description"] != hostile+"\n"+hostile {
				t.Errorf("JSON-LD name %q", ld["name"])
			}
			if raw := text(find(r.doc, "script", "type", "application/ld+json")[0]); strings.Contains(strings.ToLower(raw), "</script") || strings.Contains(raw, "<!--") {
				t.Errorf("JSON-LD can end its element: %s", raw)
			}
			for _, key := range []string{"og:title", "twitter:title"} {
				if got := meta(t, r.doc, key); got != hostile {
					t.Errorf("%s = %q", key, got)
				}
			}
			if got := text(find(r.doc, "h1")[0]); got != hostile {
				t.Errorf("h1 %q", got)
			}
			if got := text(find(r.doc, "title")[0]); !strings.HasPrefix(got, hostile) {
				t.Errorf("title %q", got)
			}
			if got := one(t, r.doc, "title", "link", "type", "application/json+oembed"); got != hostile {
				t.Errorf("oEmbed link title %q", got)
			}
			items := find(r.doc, "li", "class", "track")
			if got, _ := attr(items[1], "data-title"); got != "x</title><script>alert(5)</script>" {
				t.Errorf("data-title %q", got)
			}
		}
		if path == "/@hostile" {
			got := one(t, r.doc, "href", "a", "rel", "me nofollow")
			if dec, err := url.PathUnescape(got); err != nil || dec != `https://example.com/"><script>alert(4)</script>` || strings.ContainsAny(got, `"<>`) {
				t.Errorf("link href %q", got)
			}
			if ld := ldJSON(t, r); ld["description"] != hostile {
				t.Errorf("MusicGroup description %q", ld["description"])
			}
		}
	}
	var f struct {
		Entries []struct {
			Title   string `xml:"title"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed.body), &f); err != nil || len(f.Entries) != 1 || !strings.HasPrefix(f.Entries[0].Title, hostile) {
		t.Errorf("feed: %v %+v", err, f)
	}
	o := e.get("/oembed?format=json&url=" + url.QueryEscape(e.srv.URL+pagePath))
	var oe struct{ Title, HTML string }
	if err := json.Unmarshal([]byte(o.body), &oe); err != nil || oe.Title != hostile || strings.Contains(oe.HTML, "<script") {
		t.Errorf("oEmbed: %v %+v", err, oe)
	}
}

func TestDiscover(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "many", DisplayName: "Many"})
	first := e.publish(c, api.Manifest{Title: "Release 0", PriceCents: 100}, "T")
	m := api.Manifest{PriceCents: 100, Currency: "EUR", CoverSHA256: first.CoverSHA256,
		Tracks: []api.ManifestTrack{{Position: 1, Title: "T", AudioSHA256: first.Tracks[0].AudioSHA256}}}
	for i := 1; i < 26; i++ {
		m.Title = "Release " + strconv.Itoa(i)
		e.publish(c, m)
	}
	m.Title = "Hidden Draft"
	if _, err := c.CreateRelease(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	noHandle := e.creator(api.Profile{DisplayName: "Nameless"})
	e.publish(noHandle, api.Manifest{Title: "Unlinked", PriceCents: 100}, "T")

	r := e.get("/")
	if r.status != 200 || one(t, r.doc, "href", "link", "rel", "canonical") != e.srv.URL+"/" {
		t.Fatalf("discover: %d", r.status)
	}
	titles := cardTitles(r)
	if len(titles) != 24 || titles[0] != "Unlinked" || titles[1] != "Release 25" {
		t.Fatalf("first page %v", titles)
	}
	if strings.Contains(r.body, "Hidden Draft") {
		t.Errorf("a draft on discover")
	}
	if got := one(t, r.doc, "href", "a", "rel", "next"); !strings.HasPrefix(got, "/?cursor=") {
		t.Fatalf("next page link %q", got)
	} else {
		r2 := e.get(got)
		if t2 := cardTitles(r2); len(t2) != 3 || t2[2] != "Release 0" || len(find(r2.doc, "a", "rel", "next")) != 0 {
			t.Errorf("second page %v", t2)
		}
	}
	if links := find(r.doc, "a", "href", "/@many/release-25"); len(links) != 1 {
		t.Errorf("%d links to /@many/release-25", len(links))
	}
	if ld := ldJSON(t, r); ld["@type"] != "WebSite" {
		t.Errorf("JSON-LD %v", ld)
	}

	r = e.get("/?q=release+25")
	if got := cardTitles(r); len(got) != 1 || got[0] != "Release 25" {
		t.Errorf("search finds %v", got)
	}
	if got := one(t, r.doc, "value", "input", "name", "q"); got != "release 25" {
		t.Errorf("search box keeps %q", got)
	}
	if got := one(t, r.doc, "href", "link", "rel", "canonical"); got != e.srv.URL+"/" {
		t.Errorf("canonical %q", got)
	}
	if got := one(t, r.doc, "href", "a", "hreflang", "fr"); got != "?lang=fr&q=release+25" {
		t.Errorf("language switch %q keeps the search", got)
	}
	r = e.get("/?q=nothing-like-this")
	if len(cardTitles(r)) != 0 || !strings.Contains(r.body, "No release matches this search.") {
		t.Errorf("empty search: %v", cardTitles(r))
	}
}

func cardTitles(r resp) []string {
	var out []string
	for _, el := range find(r.doc, "span", "class", "card-title") {
		out = append(out, text(el))
	}
	return out
}

func TestFeed(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "feedy", DisplayName: "Feedy"})
	a := e.publish(c, api.Manifest{Title: "Alpha", Description: "First one.", PriceCents: 100}, "T")
	e.publish(c, api.Manifest{Title: "Beta", PriceCents: 100}, "T")

	type feed struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Entries []struct {
			ID    string `xml:"id"`
			Title string `xml:"title"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	read := func(path string) feed {
		t.Helper()
		r := e.get(path)
		if r.status != 200 || r.hdr.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("feed: %d %q", r.status, r.hdr.Get("Content-Type"))
		}
		var f feed
		if err := xml.Unmarshal([]byte(r.body), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	before := read("/@feedy/feed.atom")
	if len(before.Entries) != 2 || before.Entries[0].Title != "Beta" || before.Entries[1].Summary != "First one." ||
		before.Entries[1].Link.Href != e.srv.URL+"/@feedy/alpha" || before.Title != "Feedy: new releases on Megabox" {
		t.Fatalf("feed %+v", before)
	}
	if want := "tag:127.0.0.1,"; !strings.HasPrefix(before.Entries[1].ID, want) || !strings.HasSuffix(before.Entries[1].ID, ":release/"+strconv.FormatInt(a.ID, 10)) {
		t.Errorf("entry id %q", before.Entries[1].ID)
	}
	// Renaming the artist and the release keeps every id.
	ctx := context.Background()
	if _, err := c.UpdateProfile(ctx, api.Profile{Handle: "feedy-two", DisplayName: "Feedy"}); err != nil {
		t.Fatal(err)
	}
	m := api.Manifest{Title: "Alpha Prime", Slug: "alpha-prime", PriceCents: 100, Currency: "EUR", CoverSHA256: a.CoverSHA256,
		Tracks: []api.ManifestTrack{{Position: 1, Title: "T", AudioSHA256: a.Tracks[0].AudioSHA256}}}
	if _, err := c.UpdateRelease(ctx, a.ID, m); err != nil {
		t.Fatal(err)
	}
	after := read("/@feedy-two/feed.atom")
	if after.ID != before.ID || after.Entries[1].ID != before.Entries[1].ID || after.Entries[0].ID != before.Entries[0].ID {
		t.Errorf("ids changed: %q %q → %q %q", before.ID, before.Entries[1].ID, after.ID, after.Entries[1].ID)
	}
	if after.Entries[1].Link.Href != e.srv.URL+"/@feedy-two/alpha-prime" {
		t.Errorf("entry link %q", after.Entries[1].Link.Href)
	}
}

func TestEmbedAndOEmbed(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	rel := e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 999}, "A", "B")
	id := strconv.FormatInt(rel.ID, 10)

	for _, size := range []string{"", "?size=compact", "?size=full"} {
		r := e.get("/embed/release/" + id + size)
		if r.status != 200 {
			t.Fatalf("embed%s: %d", size, r.status)
		}
		if csp := r.hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("embed CSP %q", csp)
		}
		if r.hdr.Get("X-Frame-Options") != "" {
			t.Errorf("embed X-Frame-Options %q", r.hdr.Get("X-Frame-Options"))
		}
		if n := len(find(r.doc, "audio", "preload", "none")); n != 2 {
			t.Errorf("embed%s: %d audio elements", size, n)
		}
		body := find(r.doc, "body")[0]
		if class, _ := attr(body, "class"); (size == "?size=full") == strings.Contains(class, "compact") {
			t.Errorf("embed%s: body class %q", size, class)
		}
		if links := find(r.doc, "a", "href", e.srv.URL+"/@nova/night-drive"); len(links) == 0 {
			t.Errorf("embed%s links not to the release page", size)
		}
	}

	o := e.get("/oembed?format=json&url=" + url.QueryEscape(e.srv.URL+"/@nova/night-drive"))
	var a struct {
		Version, Type, Title, HTML string
		AuthorName                 string `json:"author_name"`
		AuthorURL                  string `json:"author_url"`
		Width, Height              int
		Thumb                      string `json:"thumbnail_url"`
	}
	if err := json.Unmarshal([]byte(o.body), &a); err != nil || o.status != 200 {
		t.Fatalf("oEmbed: %d %v %s", o.status, err, o.body)
	}
	if a.Version != "1.0" || a.Type != "rich" || a.Title != "Night Drive" || a.AuthorName != "Nova" || a.AuthorURL != e.srv.URL+"/@nova" ||
		a.Width != 400 || a.Height != 120 || a.Thumb != e.srv.URL+"/api/v1/releases/"+id+"/cover" ||
		!strings.Contains(a.HTML, `<iframe src="`+e.srv.URL+`/embed/release/`+id+`"`) {
		t.Errorf("oEmbed %+v", a)
	}
	for q, want := range map[string]int{
		"format=xml&url=" + url.QueryEscape(e.srv.URL+"/@nova/night-drive"):                 501,
		"format=json&url=" + url.QueryEscape("https://elsewhere.example/@nova/night-drive"): 404,
		"format=json&url=" + url.QueryEscape(e.srv.URL+"/@nova/nothing"):                    404,
		"format=json&url=" + url.QueryEscape(e.srv.URL+"/@nova"):                            404,
	} {
		if r := e.get("/oembed?" + q); r.status != want {
			t.Errorf("oembed?%s: %d, want %d", q, r.status, want)
		}
	}
}

func TestStaticFiles(t *testing.T) {
	e := newEnv(t)
	r := e.get("/")
	css := one(t, r.doc, "href", "link", "rel", "stylesheet")
	js := one(t, r.doc, "src", "script", "defer", "")
	if !regexp.MustCompile(`^/static/site\.[0-9a-f]{12}\.css$`).MatchString(css) || !regexp.MustCompile(`^/static/player\.[0-9a-f]{12}\.js$`).MatchString(js) {
		t.Fatalf("assets %q %q", css, js)
	}
	s := e.get(css)
	if s.status != 200 || s.hdr.Get("Cache-Control") != "public, max-age=31536000, immutable" || s.hdr.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("css: %d %q %q", s.status, s.hdr.Get("Cache-Control"), s.hdr.Get("Content-Type"))
	}
	tokens, err := os.ReadFile("static/tokens.css")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.body, string(tokens)) {
		t.Errorf("the site's CSS does not start with the shared tokens")
	}
	if n := e.get(css, "If-None-Match", s.hdr.Get("ETag")); n.status != 304 {
		t.Errorf("revalidation: %d", n.status)
	}
	if j := e.get(js); j.status != 200 || j.hdr.Get("Content-Type") != "text/javascript; charset=utf-8" || !strings.Contains(j.body, "mediaSession") {
		t.Errorf("js: %d %q", j.status, j.hdr.Get("Content-Type"))
	}
	if p := e.get("/static/site.css"); p.status != 200 || p.hdr.Get("ETag") != s.hdr.Get("ETag") || p.hdr.Get("Cache-Control") == s.hdr.Get("Cache-Control") {
		t.Errorf("plain name: %d %q", p.status, p.hdr.Get("Cache-Control"))
	}

	// The desktop app takes the same tokens from the same file and
	// defines none of its own.
	app, err := os.ReadFile("../../frontend/src/style.css")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(app), "@import '../../backend/web/static/tokens.css';") || regexp.MustCompile(`--[a-z-]+\s*:`).Match(app) {
		t.Errorf("frontend/src/style.css must import the tokens and define none:\n%s", app)
	}
}
