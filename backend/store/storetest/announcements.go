package storetest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

const origin = "https://megabox.example"

// announce creates an announcement, failing the test on an error.
func announce(t *testing.T, s Services, ctx context.Context, in api.AnnouncementCreate) *api.Announcement {
	t.Helper()
	a, err := s.Announcements.CreateAnnouncement(ctx, in, origin)
	if err != nil {
		t.Fatalf("announce %q: %v", in.Title, err)
	}
	return a
}

func titles(p *api.AnnouncementPage) []string {
	var out []string
	for _, a := range p.Items {
		out = append(out, a.Title)
	}
	return out
}

// testAnnouncements: bad input is refused with its field; an announcement
// shows, rendered, to everyone but a test send shows to its creator only;
// pages go newest first with a cursor; the feed holds only artists the
// fan follows.
func testAnnouncements(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-05-01T10:00:00.250Z")
	clk := setClock(s, t0)
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	fan := signUp(t, s, "fan", false)
	relA := release(t, s, ann, "A", 500, "EUR", 1)
	draft, err := s.Releases.CreateRelease(ann, manifest(t, s, ann, "Draft", 500, "EUR", 1))
	if err != nil {
		t.Fatal(err)
	}
	relB := release(t, s, bob, "B", 500, "EUR", 1)
	pic := blob(t, s, ann, 1, api.MediaPNG)
	bobPic := blob(t, s, bob, 2, api.MediaPNG)
	song := audio(t, s, ann, "not a picture")

	ok := api.AnnouncementCreate{Title: "Tour", Body: "We play **Lyon**"}
	refusals := []struct {
		name, field string
		edit        func(in *api.AnnouncementCreate)
	}{
		{"no title", "title", func(in *api.AnnouncementCreate) { in.Title = "  " }},
		{"long title", "title", func(in *api.AnnouncementCreate) { in.Title = strings.Repeat("é", api.MaxAnnouncementTitleLen+1) }},
		{"no body", "body", func(in *api.AnnouncementCreate) { in.Body = "" }},
		{"long body", "body", func(in *api.AnnouncementCreate) { in.Body = strings.Repeat("x", api.MaxAnnouncementBodyLen+1) }},
		{"audience", "audience", func(in *api.AnnouncementCreate) { in.Audience = "everyone" }},
		{"releases without ids", "release_ids", func(in *api.AnnouncementCreate) { in.Audience = api.AudienceReleases }},
		{"ids for followers", "release_ids", func(in *api.AnnouncementCreate) { in.ReleaseIDs = []int64{relA.ID} }},
		{"another's release", "release_id", func(in *api.AnnouncementCreate) { in.ReleaseID = relB.ID }},
		{"a draft", "release_id", func(in *api.AnnouncementCreate) { in.ReleaseID = draft.ID }},
		{"no such release", "release_id", func(in *api.AnnouncementCreate) { in.ReleaseID = 99999 }},
		{"buyers of another's", "release_ids[1]", func(in *api.AnnouncementCreate) {
			in.Audience, in.ReleaseIDs = api.AudienceReleases, []int64{relA.ID, relB.ID}
		}},
		{"another's image", "image_sha256", func(in *api.AnnouncementCreate) { in.ImageSHA256 = bobPic }},
		{"not an image", "image_sha256", func(in *api.AnnouncementCreate) { in.ImageSHA256 = song }},
		{"bad hash", "image_sha256", func(in *api.AnnouncementCreate) { in.ImageSHA256 = "xyz" }},
	}
	for _, r := range refusals {
		in := ok
		r.edit(&in)
		_, err := s.Announcements.CreateAnnouncement(ann, in, origin)
		if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != r.field {
			t.Errorf("%s: err = %v, want EINVALID on %s", r.name, err, r.field)
		}
	}
	_, err = s.Announcements.CreateAnnouncement(fan, ok, origin)
	code(t, err, api.EFORBIDDEN)
	if p, _ := s.Announcements.MyAnnouncements(ann, "", 0); len(p.Items) != 0 {
		t.Fatalf("refusals stored %d announcements", len(p.Items))
	}

	first := announce(t, s, ann, api.AnnouncementCreate{Title: " Tour ", Body: "We play **Lyon**\r\n\r\n<script>x()</script>",
		ReleaseID: relA.ID, ImageSHA256: strings.ToUpper(pic)})
	same(t, "created", *first, api.Announcement{ID: first.ID, ArtistID: id(ann), ArtistName: "ann", ArtistHandle: first.ArtistHandle,
		Title: "Tour", Body: "We play **Lyon**\n\n<script>x()</script>", BodyHTML: "<p>We play <strong>Lyon</strong></p>\n\n",
		ReleaseID: relA.ID, ReleaseTitle: "A", ReleaseSlug: relA.Slug, ImageSHA256: pic, Audience: api.AudienceFollowers, CreatedAt: t0})
	if first.ArtistHandle == "" {
		t.Fatal("a creator with a published release has a handle")
	}
	clk.set(t0.Add(time.Minute))
	announce(t, s, ann, api.AnnouncementCreate{Title: "Test only", Body: "draft", Audience: api.AudienceMe})
	for i := 1; i <= 3; i++ {
		clk.set(t0.Add(time.Duration(i+1) * time.Minute))
		announce(t, s, ann, api.AnnouncementCreate{Title: fmt.Sprintf("News %d", i), Body: "text"})
	}
	announce(t, s, bob, api.AnnouncementCreate{Title: "Bob's news", Body: "text"})

	page, err := s.Announcements.ArtistAnnouncements(ctx, id(ann), "", 2)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "public page 1", titles(page), []string{"News 3", "News 2"})
	if page.Items[0].Audience != "" || page.NextCursor == "" {
		t.Fatalf("public item %+v, next %q: no audience shown, a next page", page.Items[0], page.NextCursor)
	}
	page, err = s.Announcements.ArtistAnnouncements(ctx, id(ann), page.NextCursor, 2)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "public page 2", titles(page), []string{"News 1", "Tour"})
	same(t, "cursor after the last page", page.NextCursor, "")
	mine, err := s.Announcements.MyAnnouncements(ann, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "mine", titles(mine), []string{"News 3", "News 2", "News 1", "Test only", "Tour"})
	same(t, "test send's audience", mine.Items[3].Audience, api.AudienceMe)
	_, err = s.Announcements.ArtistAnnouncements(ctx, id(ann), "abc", 2)
	field(t, err, "cursor")
	_, err = s.Announcements.ArtistAnnouncements(ctx, id(ann), "", api.MaxAnnouncementPage+1)
	field(t, err, "limit")

	got, err := s.Announcements.PublicAnnouncement(ctx, id(ann), first.ID)
	if err != nil || got.Title != "Tour" || got.BodyHTML != first.BodyHTML {
		t.Fatalf("public announcement: %+v, %v", got, err)
	}
	_, err = s.Announcements.PublicAnnouncement(ctx, id(bob), first.ID)
	code(t, err, api.ENOTFOUND)
	_, err = s.Announcements.PublicAnnouncement(ctx, id(ann), mine.Items[3].ID)
	code(t, err, api.ENOTFOUND)

	feed, err := s.Announcements.Feed(fan, "", 0)
	if err != nil || len(feed.Items) != 0 {
		t.Fatalf("feed of a fan who follows nobody: %+v, %v", feed, err)
	}
	if _, err := s.Announcements.SetFollow(fan, id(bob), api.MailPrefs{}); err != nil {
		t.Fatal(err)
	}
	feed, err = s.Announcements.Feed(fan, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "feed following bob", titles(feed), []string{"Bob's news"})
	if err := s.Earnings.Follow(fan, id(ann)); err != nil {
		t.Fatal(err)
	}
	feed, err = s.Announcements.Feed(fan, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "feed following both", titles(feed), []string{"Bob's news", "News 3", "News 2"})
	_, err = s.Announcements.Feed(ctx, "", 0)
	code(t, err, api.EUNAUTHORIZED)
}

// testAnnouncementMail: an announcement queues one message per fan of its
// audience who chose the artist's email, each with its own one-click
// unsubscribe link; the link turns that fan's email off and nothing else;
// unfollowing turns it off too; the fans list shows the addresses of
// those who share them.
func testAnnouncementMail(t *testing.T, s Services) {
	ctx := context.Background()
	setClock(s, at(t, "2026-05-02T09:00:00Z"))
	s.SetMail(func() {})
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	amy := signUp(t, s, "amy", false) // follows, email on, shares
	ben := signUp(t, s, "ben", false) // follows, email off
	cat := signUp(t, s, "cat", false) // bought A, email on, does not follow
	dan := signUp(t, s, "dan", false) // bought B, email on
	eve := signUp(t, s, "eve", false) // bought A, never chose
	a := release(t, s, ann, "A", 500, "EUR", 1)
	b := release(t, s, ann, "B", 500, "EUR", 1)
	buy(t, s, cat, a, 500)
	buy(t, s, dan, b, 500)
	buy(t, s, eve, a, 500)
	buy(t, s, amy, a, 500)
	set := func(ctx context.Context, artist context.Context, p api.MailPrefs) {
		t.Helper()
		if _, err := s.Announcements.SetFollow(ctx, id(artist), p); err != nil {
			t.Fatal(err)
		}
	}
	set(amy, ann, api.MailPrefs{Email: true, ShareEmail: true})
	set(amy, bob, api.MailPrefs{Email: true})
	set(ben, ann, api.MailPrefs{})
	for _, c := range []context.Context{cat, dan} {
		if err := s.Store.WithTx(ctx, func(tx store.Tx) error {
			return tx.SetMailPrefs(ctx, id(c), id(ann), api.MailPrefs{Email: true}, time.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Announcements.FollowState(amy, id(ann))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "amy's follow", *st, api.FollowState{Following: true, MailPrefs: api.MailPrefs{Email: true, ShareEmail: true}})

	sentTo := func(a *api.Announcement, fans ...context.Context) {
		t.Helper()
		var want []int64
		for _, f := range fans {
			want = append(want, id(f))
		}
		same(t, a.Title+" recipients", a.Recipients, len(want))
		for _, f := range []context.Context{ann, amy, ben, cat, dan, eve} {
			m, err := s.Store.MailByKey(ctx, fmt.Sprintf("announce:%d:%d", a.ID, id(f)))
			if slices.Contains(want, id(f)) != (err == nil) {
				t.Fatalf("%s: mail to account %d: %v (want sent: %v)", a.Title, id(f), err, slices.Contains(want, id(f)))
			}
			if err == nil && m.To != email(accountName(t, s, f)) {
				t.Fatalf("mail to %q, want %q", m.To, email(accountName(t, s, f)))
			}
		}
	}
	followers := announce(t, s, ann, api.AnnouncementCreate{Title: "To followers", Body: "Hi *all*", ReleaseID: a.ID})
	sentTo(followers, amy)
	buyers := announce(t, s, ann, api.AnnouncementCreate{Title: "To buyers", Body: "x", Audience: api.AudienceBuyers})
	sentTo(buyers, amy, cat, dan)
	ofB := announce(t, s, ann, api.AnnouncementCreate{Title: "To B's buyers", Body: "x", Audience: api.AudienceReleases, ReleaseIDs: []int64{b.ID}})
	sentTo(ofB, dan)
	me := announce(t, s, ann, api.AnnouncementCreate{Title: "Test", Body: "x", Audience: api.AudienceMe})
	sentTo(me, ann)

	m, err := s.Store.MailByKey(ctx, fmt.Sprintf("announce:%d:%d", followers.ID, id(amy)))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "subject", m.Subject, "ann: To followers")
	if !strings.Contains(m.HTML, "<p>Hi <em>all</em></p>") || !strings.Contains(m.Text, "Hi *all*") {
		t.Fatalf("parts:\n%s\n%s", m.Text, m.HTML)
	}
	same(t, "one-click header", m.Headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
	link := strings.TrimSuffix(strings.TrimPrefix(m.Headers["List-Unsubscribe"], "<"), ">")
	u, err := url.Parse(link)
	if err != nil || u.Scheme+"://"+u.Host != origin || !strings.HasPrefix(u.Path, "/unsubscribe/") {
		t.Fatalf("unsubscribe link %q", link)
	}
	if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) {
		t.Fatal("the parts do not carry the unsubscribe link")
	}
	token := strings.TrimPrefix(u.Path, "/unsubscribe/")
	other, err := s.Store.MailByKey(ctx, fmt.Sprintf("announce:%d:%d", buyers.ID, id(cat)))
	if err != nil {
		t.Fatal(err)
	}
	if other.Headers["List-Unsubscribe"] == m.Headers["List-Unsubscribe"] {
		t.Fatal("two fans share an unsubscribe link")
	}

	for _, bad := range []string{"", "abc", token[:len(token)-2] + "AA", strings.ToUpper(token)} {
		_, err := s.Announcements.Unsubscribe(ctx, bad)
		code(t, err, api.ENOTFOUND)
	}
	p, err := s.Announcements.UnsubscribeTarget(ctx, token)
	if err != nil || p.DisplayName != "ann" {
		t.Fatalf("unsubscribe target: %+v, %v", p, err)
	}
	if st, _ := s.Announcements.FollowState(amy, id(ann)); !st.Email {
		t.Fatal("looking at the link unsubscribed")
	}
	for range 2 { // a second click changes nothing
		if p, err = s.Announcements.Unsubscribe(ctx, token); err != nil || p.DisplayName != "ann" {
			t.Fatalf("unsubscribe: %+v, %v", p, err)
		}
	}
	st, _ = s.Announcements.FollowState(amy, id(ann))
	same(t, "after unsubscribing", *st, api.FollowState{Following: true, MailPrefs: api.MailPrefs{ShareEmail: true}})
	if st, _ := s.Announcements.FollowState(amy, id(bob)); !st.Email {
		t.Fatal("unsubscribing from ann stopped bob's email")
	}
	next := announce(t, s, ann, api.AnnouncementCreate{Title: "Next", Body: "x", Audience: api.AudienceBuyers})
	sentTo(next, cat, dan)

	if err := s.Earnings.Unfollow(amy, id(bob)); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Announcements.FollowState(amy, id(bob)); st.Following || st.Email {
		t.Fatalf("after unfollowing bob: %+v", st)
	}

	got, err := s.Earnings.Fans(ann)
	if err != nil {
		t.Fatal(err)
	}
	emails := map[string]string{}
	for _, f := range got.Items {
		emails[f.DisplayName] = f.Email
	}
	same(t, "fans' addresses", emails, map[string]string{"amy": "amy@example.com", "ben": "", "cat": "", "dan": "", "eve": ""})
}

func accountName(t *testing.T, s Services, ctx context.Context) string {
	t.Helper()
	a, err := s.Store.Account(context.Background(), id(ctx))
	if err != nil {
		t.Fatal(err)
	}
	return a.DisplayName
}

// testQueueMailsInBatches: thousands of messages queue in one
// transaction; queueing the same keys again adds none.
func testQueueMailsInBatches(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-05-03T08:00:00Z")
	var ms []store.Mail
	for i := range 1234 {
		ms = append(ms, store.Mail{Key: fmt.Sprintf("announce:1:%d", i), To: fmt.Sprintf("f%d@example.com", i), Subject: "S",
			Text: "t", HTML: "<p>h</p>", Headers: map[string]string{"List-Unsubscribe": fmt.Sprintf("<https://x.example/u/%d>", i)},
			NextAt: t0, CreatedAt: t0})
	}
	queue := func(ms []store.Mail) int {
		t.Helper()
		var n int
		if err := s.Store.WithTx(ctx, func(tx store.Tx) error {
			var err error
			n, err = tx.QueueMails(ctx, ms)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	same(t, "queued", queue(ms), 1234)
	same(t, "queued again", queue(append(ms[1000:], store.Mail{Key: "announce:2:1", To: "new@example.com", NextAt: t0, CreatedAt: t0})), 1)
	m, err := s.Store.MailByKey(ctx, "announce:1:1233")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "stored", *m, store.Mail{ID: m.ID, Key: "announce:1:1233", To: "f1233@example.com", Subject: "S", Text: "t",
		HTML: "<p>h</p>", Headers: map[string]string{"List-Unsubscribe": "<https://x.example/u/1233>"}, State: store.MailQueued,
		NextAt: t0, LeaseTill: m.LeaseTill, CreatedAt: t0}) // a lease the driver's way of none
	if _, err := s.Store.MailByKey(ctx, "announce:1:1234"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unqueued key: %v", err)
	}
}
