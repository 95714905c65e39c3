package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// followers lists the account ids the creator's fans list marks as
// followers.
func followers(t *testing.T, c *mhttp.Client) []int64 {
	t.Helper()
	fans, err := c.Fans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, f := range fans.Items {
		if f.Follower {
			out = append(out, f.AccountID)
		}
	}
	return out
}

// followButton is the artist page's follow button for this browser: its
// text and whether it is the "following" state; it fails unless there is
// exactly one form.
func followButton(t *testing.T, b *browser, page string) (url.Values, string, bool) {
	t.Helper()
	a := b.get(page)
	if a.status != http.StatusOK {
		t.Fatalf("%s: status %d", page, a.status)
	}
	form := formOf(t, a.doc, page)
	btns := find(find(a.doc, "form", "action", page)[0], "button")
	if len(btns) != 1 {
		t.Fatalf("%d buttons in the follow form", len(btns))
	}
	pressed, _ := attr(btns[0], "aria-pressed")
	return form, strings.TrimSpace(text(btns[0])), pressed == "true"
}

// A signed-in fan follows and unfollows an artist from the artist page;
// the creator's fans list shows it; forms without the session's token are
// refused and change nothing; a visitor is asked to sign in.
func TestFollowOnTheArtistPage(t *testing.T) {
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	// A release whose slug is "follow" keeps its own address.
	e.publish(c, api.Manifest{Title: "Follow", PriceCents: 500}, "One")
	page := "/@nova"

	// A visitor sees a link to sign in that comes back here, and a post
	// without a session is sent there too.
	anon := e.browser()
	a := anon.get(page)
	if got := one(t, a.doc, "href", "a", "data-follow-signin", ""); got != "/signin?next=%2F%40nova" {
		t.Errorf("visitor's sign-in link %q", got)
	}
	if got := text(find(a.doc, "a", "data-follow-signin", "")[0]); got != "Sign in to follow" {
		t.Errorf("visitor's link says %q", got)
	}
	if n := len(find(a.doc, "form", "action", page)); n != 0 {
		t.Errorf("a visitor gets %d follow forms", n)
	}
	if r := anon.post(page, url.Values{"follow": {"1"}}); r.status != http.StatusSeeOther || r.hdr.Get("Location") != "/signin?next=%2F%40nova" {
		t.Errorf("visitor's post: %d to %q", r.status, r.hdr.Get("Location"))
	}

	fan := e.browser()
	fan.signUp("fan@example.com", "/")
	other := e.browser()
	other.signUp("other@example.com", "/")
	othersForm, _, _ := followButton(t, other, page)
	form, label, pressed := followButton(t, fan, page)
	if label != "Follow" || pressed || form.Get("follow") != "1" {
		t.Fatalf("before following: button %q pressed=%v follow=%q", label, pressed, form.Get("follow"))
	}

	// Refusals: no token, another session's, another origin.
	noToken := cloneValues(form)
	noToken.Del("csrf")
	otherToken := cloneValues(form)
	otherToken.Set("csrf", othersForm.Get("csrf"))
	refused(t, "follow without the token", fan.post(page, noToken))
	refused(t, "follow with another session's token", fan.post(page, otherToken))
	refused(t, "follow from another origin", fan.post(page, form, "Origin", "https://evil.example"))
	if got := followers(t, c); len(got) != 0 {
		t.Fatalf("after refused forms the creator has followers %v", got)
	}

	// Follow: back to the page, which now says so; the creator sees them.
	r := fan.post(page, form)
	if r.status != http.StatusSeeOther || r.hdr.Get("Location") != page {
		t.Fatalf("follow: %d to %q: %s", r.status, r.hdr.Get("Location"), r.body)
	}
	form, label, pressed = followButton(t, fan, page)
	if label != "Following" || !pressed || form.Get("follow") != "0" {
		t.Fatalf("after following: button %q pressed=%v follow=%q", label, pressed, form.Get("follow"))
	}
	if got := followers(t, c); len(got) != 1 {
		t.Fatalf("followers %v, want the fan", got)
	}
	if _, label, _ := followButton(t, other, page); label != "Follow" {
		t.Errorf("another fan's button says %q", label)
	}

	// Unfollow without the token is refused; with it, it is done.
	noToken = cloneValues(form)
	noToken.Del("csrf")
	refused(t, "unfollow without the token", fan.post(page, noToken))
	if got := followers(t, c); len(got) != 1 {
		t.Fatalf("after a refused unfollow: followers %v", got)
	}
	if r := fan.post(page, form); r.status != http.StatusSeeOther || r.hdr.Get("Location") != page {
		t.Fatalf("unfollow: %d to %q", r.status, r.hdr.Get("Location"))
	}
	if _, label, pressed := followButton(t, fan, page); label != "Follow" || pressed {
		t.Errorf("after unfollowing: button %q pressed=%v", label, pressed)
	}
	if got := followers(t, c); len(got) != 0 {
		t.Errorf("after unfollowing: followers %v", got)
	}

	// A form that says neither is a bad request.
	bad := cloneValues(form)
	bad.Set("follow", "maybe")
	if r := fan.post(page, bad); r.status != http.StatusBadRequest {
		t.Errorf("follow=maybe: status %d", r.status)
	}

	// The release called "Follow" is still bought at its own address.
	rel := fan.get("/@nova/follow")
	if rel.status != http.StatusOK || len(find(rel.doc, "form", "action", "/@nova/follow")) != 1 {
		t.Errorf("release /@nova/follow: status %d, buy forms %d", rel.status, len(find(rel.doc, "form", "action", "/@nova/follow")))
	}

	// The artist on their own page has nothing to follow.
	me := e.browser()
	in := formOf(t, me.get("/signin").doc, "/signin")
	in.Set("email", "creator1@example.com")
	in.Set("password", "long enough pw")
	if r := me.post("/signin", in); r.status != http.StatusSeeOther {
		t.Fatalf("creator's sign-in: %d", r.status)
	}
	if a := me.get(page); len(find(a.doc, "form", "action", page)) != 0 || len(find(a.doc, "a", "data-follow-signin", "")) != 0 || len(find(a.doc, "a", "data-user", "")) != 1 {
		t.Errorf("the artist's own page offers to follow, or they are not signed in")
	}

	// In French.
	fan.hdr.Set("Accept-Language", "fr")
	if _, label, _ := followButton(t, fan, page); label != "Suivre" {
		t.Errorf("French button %q", label)
	}
}
