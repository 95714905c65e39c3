package web_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// An artist's announcements show on their page (newest first, sanitized),
// each at its own address, and in their Atom feed among their releases by
// date; a test send shows nowhere.
func TestAnnouncementsOnTheArtistPageAndFeed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	clock := newTestClock(e)
	rel := e.publish(c, api.Manifest{Title: "Night Drive", PriceCents: 500}, "One")
	clock.tick()
	img := e.upload(c, testmedia.PNG(40, 30))
	first, err := c.CreateAnnouncement(ctx, api.AnnouncementCreate{Title: "Tour <dates>", ReleaseID: rel.ID, ImageSHA256: img,
		Body: "We play **Lyon**. <script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))\n\n<script>alert(4)</script>"}, "")
	if err != nil {
		t.Fatal(err)
	}
	clock.tick()
	if _, err := c.CreateAnnouncement(ctx, api.AnnouncementCreate{Title: "Only for me", Body: "test", Audience: api.AudienceMe}, ""); err != nil {
		t.Fatal(err)
	}
	clock.tick()
	second, err := c.CreateAnnouncement(ctx, api.AnnouncementCreate{Title: "Studio", Body: "New songs"}, "")
	if err != nil {
		t.Fatal(err)
	}
	clock.tick()
	later := e.publish(c, api.Manifest{Title: "Dawn", PriceCents: 500}, "Two")

	page := e.get("/@nova")
	if page.status != http.StatusOK {
		t.Fatalf("artist page: %d", page.status)
	}
	section := find(page.doc, "section", "data-news", "")
	if len(section) != 1 {
		t.Fatalf("%d news sections", len(section))
	}
	var got []string
	for _, h := range find(section[0], "h3") {
		a := find(h, "a")[0]
		href, _ := attr(a, "href")
		got = append(got, text(a)+" "+href)
	}
	want := []string{"Studio /@nova/news/" + strconv.FormatInt(second.ID, 10), "Tour <dates> /@nova/news/" + strconv.FormatInt(first.ID, 10)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("news on the page %q, want %q", got, want)
	}
	bodyHTML := "<p>We play <strong>Lyon</strong>. alert(1) x</p>\n\n"
	if first.BodyHTML != bodyHTML {
		t.Fatalf("body HTML %q, want %q", first.BodyHTML, bodyHTML)
	}
	if !strings.Contains(page.body, bodyHTML) {
		t.Errorf("page does not hold the sanitized body %q:\n%s", bodyHTML, page.body)
	}
	for _, bad := range []string{"<script>alert", "onerror", "javascript:", "Only for me"} {
		if strings.Contains(page.body, bad) {
			t.Errorf("artist page holds %q", bad)
		}
	}

	perma := e.get("/@nova/news/" + strconv.FormatInt(first.ID, 10))
	if perma.status != http.StatusOK || text(find(perma.doc, "h1")[0]) != "Tour <dates>" || !strings.Contains(perma.body, bodyHTML) {
		t.Fatalf("permalink: %d\n%s", perma.status, perma.body)
	}
	if got := one(t, perma.doc, "href", "a", "data-news-release", ""); got != "/@nova/"+rel.Slug {
		t.Errorf("permalink's release link %q", got)
	}
	imgPath := "/@nova/news/" + strconv.FormatInt(first.ID, 10) + "/image/" + img
	if got := one(t, perma.doc, "src", "img", "class", "news-image"); got != imgPath {
		t.Errorf("image %q, want %q", got, imgPath)
	}
	if r := e.get(imgPath); r.status != http.StatusOK || r.hdr.Get("Content-Type") != "image/png" {
		t.Errorf("image: %d %s", r.status, r.hdr.Get("Content-Type"))
	}
	for path, status := range map[string]int{
		"/@nova/news/" + strconv.FormatInt(first.ID+1, 10): http.StatusNotFound, // the test send
		"/@nova/news/999": http.StatusNotFound,
		"/@nova/news/abc": http.StatusNotFound,
		"/@nova/news/0" + strconv.FormatInt(first.ID, 10):                           http.StatusNotFound,
		"/@nova/news/" + strconv.FormatInt(first.ID, 10) + "/image/" + sha("other"): http.StatusNotFound,
	} {
		if r := e.get(path); r.status != status {
			t.Errorf("%s: %d, want %d", path, r.status, status)
		}
	}
	other := e.creator(api.Profile{Handle: "other-one", DisplayName: "Other"})
	e.publish(other, api.Manifest{Title: "Else", PriceCents: 500}, "x")
	if r := e.get("/@other-one/news/" + strconv.FormatInt(first.ID, 10)); r.status != http.StatusNotFound {
		t.Errorf("another artist's news under this handle: %d", r.status)
	}

	// The feed: releases and news together, newest first.
	feed := e.get("/@nova/feed.atom")
	if feed.status != http.StatusOK {
		t.Fatalf("feed: %d", feed.status)
	}
	var f struct {
		Entries []struct {
			ID    string `xml:"id"`
			Title string `xml:"title"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Content struct {
				Type string `xml:"type,attr"`
				Body string `xml:",chardata"`
			} `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed.body), &f); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, en := range f.Entries {
		got = append(got, en.Title+" "+strings.TrimPrefix(en.Link.Href, e.srv.URL))
	}
	want = []string{
		"Dawn /@nova/" + later.Slug,
		"Studio /@nova/news/" + strconv.FormatInt(second.ID, 10),
		"Tour <dates> /@nova/news/" + strconv.FormatInt(first.ID, 10),
		"Night Drive /@nova/" + rel.Slug,
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("feed entries\n got %q\nwant %q", got, want)
	}
	if c := f.Entries[2].Content; c.Type != "html" || c.Body != bodyHTML {
		t.Errorf("news entry content %q %q", c.Type, c.Body)
	}
	if !strings.HasSuffix(f.Entries[2].ID, ":news/"+strconv.FormatInt(first.ID, 10)) {
		t.Errorf("news entry id %q", f.Entries[2].ID)
	}
}

// A fan follows from the artist page with the artist's email and sharing
// their address both off unless ticked, and changes them later.
func TestFollowBoxAsksAboutEmail(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	e.publish(c, api.Manifest{Title: "One", PriceCents: 500}, "One")
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fan := e.browser()
	fan.signUp("fan@example.com", "/")
	page := fan.get("/@nova")
	for _, box := range []string{"data-follow-email", "data-follow-share"} {
		if els := find(page.doc, "input", box, ""); len(els) != 1 {
			t.Fatalf("%d %s boxes", len(els), box)
		} else if _, on := attr(els[0], "checked"); on {
			t.Fatalf("%s is ticked before the fan chose", box)
		}
	}
	prefs := func() api.MailPrefs {
		t.Helper()
		fanID := accountID(t, e, "fan@example.com")
		p, err := e.p.Store.MailPrefs(context.Background(), fanID, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	form := formOf(t, page.doc, "/@nova") // unticked boxes are not sent
	if r := fan.post("/@nova", form); r.status != http.StatusSeeOther {
		t.Fatalf("follow: %d", r.status)
	}
	if p := prefs(); p != (api.MailPrefs{}) {
		t.Fatalf("following without ticking: %+v", p)
	}
	page = fan.get("/@nova")
	change := formOf(t, page.doc, "/@nova?prefs")
	change.Set("email", "1")
	if r := fan.post("/@nova?prefs", change); r.status != http.StatusSeeOther {
		t.Fatalf("prefs: %d", r.status)
	}
	if p := prefs(); p != (api.MailPrefs{Email: true}) {
		t.Fatalf("after ticking email: %+v", p)
	}
	page = fan.get("/@nova")
	if _, on := attr(find(page.doc, "input", "data-follow-email", "")[0], "checked"); !on {
		t.Error("the page does not show the email choice")
	}
	noToken := cloneValues(change)
	noToken.Del("csrf")
	noToken.Set("share_email", "1")
	refused(t, "prefs without the token", fan.post("/@nova?prefs", noToken))
	if p := prefs(); p.ShareEmail {
		t.Fatal("a refused form changed the choice")
	}
}

// The unsubscribe link of an email: GET shows a confirm page and changes
// nothing; one POST without session or form token (RFC 8058) turns the
// artist's email off; a forged token is a 404.
func TestUnsubscribeLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	e.publish(c, api.Manifest{Title: "One", PriceCents: 500}, "One")
	fan := e.browser()
	fan.signUp("fan@example.com", "/")
	form := formOf(t, fan.get("/@nova").doc, "/@nova")
	form.Set("email", "1")
	fan.post("/@nova", form)
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fanID := accountID(t, e, "fan@example.com")
	e.p.Services.SetMail(func() {}) // queue without sending
	if _, err := c.CreateAnnouncement(ctx, api.AnnouncementCreate{Title: "Hello", Body: "x"}, ""); err != nil {
		t.Fatal(err)
	}
	page, err := c.MyAnnouncements(ctx, "", 1)
	if err != nil || len(page.Items) != 1 || page.Items[0].Recipients != 1 {
		t.Fatalf("sent: %+v, %v", page, err)
	}
	m, err := e.p.Store.MailByKey(ctx, "announce:"+strconv.FormatInt(page.Items[0].ID, 10)+":"+strconv.FormatInt(fanID, 10))
	if err != nil {
		t.Fatal(err)
	}
	link := strings.Trim(m.Headers["List-Unsubscribe"], "<>")
	u, err := url.Parse(link)
	if err != nil || u.Host != strings.TrimPrefix(e.srv.URL, "http://") {
		t.Fatalf("link %q", link)
	}
	email := func() bool {
		p, err := e.p.Store.MailPrefs(ctx, fanID, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p.Email
	}

	anon := e.browser() // a mail client: no cookie
	confirm := anon.get(u.Path)
	if confirm.status != http.StatusOK || len(find(confirm.doc, "form", "action", u.Path)) != 1 || !email() {
		t.Fatalf("confirm page: %d, email still on: %v\n%s", confirm.status, email(), confirm.body)
	}
	if confirm.hdr.Get("Cache-Control") != "no-store" || confirm.hdr.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("confirm page headers %v", confirm.hdr)
	}
	forged := u.Path[:len(u.Path)-3] + "AAA"
	if r := anon.post(forged, url.Values{"List-Unsubscribe": {"One-Click"}}); r.status != http.StatusNotFound || !email() {
		t.Fatalf("forged link: %d, email on: %v", r.status, email())
	}
	r := anon.post(u.Path, url.Values{"List-Unsubscribe": {"One-Click"}}, "Origin", "null")
	if r.status != http.StatusOK || len(find(r.doc, "p", "data-unsubscribed", "")) != 1 {
		t.Fatalf("one-click: %d\n%s", r.status, r.body)
	}
	if email() {
		t.Fatal("still subscribed after the one-click POST")
	}
	if st, err := e.p.Announcements.FollowState(api.NewContextWithCaller(ctx, &api.Caller{Account: api.Account{ID: fanID}}), me.ID); err != nil || !st.Following {
		t.Fatalf("unsubscribing unfollowed: %+v, %v", st, err)
	}
	// A mail client may send the body as multipart/form-data.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+u.Path, strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("multipart one-click: %d", res.StatusCode)
	}
}

func accountID(t *testing.T, e *env, email string) int64 {
	t.Helper()
	a, _, err := e.p.Store.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// testClock is the platform's clock, moved by hand a minute at a time, so
// things made one after the other have dates in that order.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock(e *env) *testClock {
	c := &testClock{now: time.Now().UTC().Truncate(time.Second)}
	e.p.Services.SetClock(func() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now })
	return c
}

func (c *testClock) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Minute)
}
