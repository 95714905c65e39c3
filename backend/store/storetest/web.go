package storetest

import (
	"context"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// testReleaseSlugs: a new release is named from its title, numbered when
// the artist has the name already; a chosen slug replaces it and the old
// one keeps pointing at the release; another release cannot take it.
func testReleaseSlugs(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	if _, err := s.Profiles.UpdateProfile(ann, api.Profile{Handle: "ann"}); err != nil {
		t.Fatal(err)
	}
	m := manifest(t, s, ann, "Nuit Étoilée!", 500, "EUR", 1)
	a, err := s.Releases.CreateRelease(ann, m)
	if err != nil || a.Slug != "nuit-etoilee" || a.PreviewSeconds != 30 || a.FullStreaming {
		t.Fatalf("first = %+v, %v", a, err)
	}
	b, err := s.Releases.CreateRelease(ann, m)
	if err != nil || b.Slug != "nuit-etoilee-2" {
		t.Fatalf("same title = %q, %v", b.Slug, err)
	}
	m.Slug, m.PreviewSeconds, m.FullStreaming = "starry-night", 45, true
	if a, err = s.Releases.UpdateRelease(ann, a.ID, m); err != nil || a.Slug != "starry-night" || a.PreviewSeconds != 45 || !a.FullStreaming {
		t.Fatalf("renamed = %+v, %v", a, err)
	}
	m.Slug, m.PreviewSeconds, m.FullStreaming = "", 0, false
	if a, err = s.Releases.UpdateRelease(ann, a.ID, m); err != nil || a.Slug != "starry-night" || a.PreviewSeconds != 30 {
		t.Fatalf("updated without a slug = %+v, %v", a, err)
	}
	m.Slug = "nuit-etoilee"
	if _, err := s.Releases.UpdateRelease(ann, b.ID, m); api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != "slug" {
		t.Fatalf("taking a slug that points at another release: %v", err)
	}
	m.Slug = "Bad Slug"
	if _, err := s.Releases.CreateRelease(ann, m); api.ErrorField(err) != "slug" {
		t.Fatalf("bad slug: %v", err)
	}
	if _, err := s.Releases.PublishRelease(ann, a.ID); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"starry-night", "nuit-etoilee"} {
		got, err := s.Profiles.ReleaseByPath(context.Background(), "ann", slug)
		if err != nil || got.Release.ID != a.ID || got.Release.Slug != "starry-night" || got.Artist.Handle != "ann" {
			t.Fatalf("/@ann/%s = %+v, %v", slug, got, err)
		}
	}
	if _, err := s.Profiles.ReleaseByPath(context.Background(), "ann", "nuit-etoilee-2"); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("a draft's page: %v", err)
	}
}

// testProfiles: a handle is unique whatever the case, an earlier handle
// keeps leading to its account, and nobody else can take it.
func testProfiles(t *testing.T, s Services) {
	ctx := context.Background()
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	p, err := s.Profiles.UpdateProfile(ann, api.Profile{Handle: "@Ann-Sounds", Bio: "Songs.\nMore songs.", Links: []string{"https://ann.example"}})
	if err != nil || p.Handle != "ann-sounds" || p.DisplayName != "ann" || p.Bio != "Songs.\nMore songs." || len(p.Links) != 1 {
		t.Fatalf("profile = %+v, %v", p, err)
	}
	if _, err := s.Profiles.UpdateProfile(bob, api.Profile{Handle: "ann-sounds"}); api.ErrorField(err) != "handle" {
		t.Fatalf("taking someone's handle: %v", err)
	}
	if p, err = s.Profiles.UpdateProfile(ann, api.Profile{Handle: "ann", DisplayName: "Ann K"}); err != nil || p.Handle != "ann" || p.Bio != "" {
		t.Fatalf("new handle = %+v, %v", p, err)
	}
	if _, err := s.Profiles.UpdateProfile(bob, api.Profile{Handle: "ann-sounds"}); api.ErrorField(err) != "handle" {
		t.Fatalf("taking someone's earlier handle: %v", err)
	}
	for _, h := range []string{"ann", "ann-sounds"} {
		a, err := s.Profiles.ArtistByHandle(ctx, h)
		if err != nil || a.ID != id(ann) || a.Profile.Handle != "ann" || a.Profile.DisplayName != "Ann K" || a.Releases == nil {
			t.Fatalf("@%s = %+v, %v", h, a, err)
		}
	}
	for _, bad := range []api.Profile{{Handle: "ab"}, {Handle: "api"}, {Handle: "-ann"}, {Handle: "a--b"}, {Links: []string{"javascript:alert(1)"}}} {
		if _, err := s.Profiles.UpdateProfile(bob, bad); api.ErrorCode(err) != api.EINVALID {
			t.Errorf("profile %+v: %v", bad, err)
		}
	}
	if _, err := s.Profiles.ArtistByHandle(ctx, "nobody"); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("unknown handle: %v", err)
	}
}

// testPublishingGivesAHandle: a creator who publishes without a handle
// gets one made from their name, numbered when taken, so the release has a
// web address; one who chose a handle keeps it.
func testPublishingGivesAHandle(t *testing.T, s Services) {
	ctx := context.Background()
	ann := signUp(t, s, "ann", true)
	if _, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "ann2@example.com", Password: "password ann2", DisplayName: "ann", Creator: true}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Accounts.CreateSession(ctx, api.Credentials{Email: "ann2@example.com", Password: "password ann2"})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := s.Auth.Authenticate(ctx, c.Token)
	if err != nil {
		t.Fatal(err)
	}
	twin := api.NewContextWithCaller(ctx, caller)
	bob := signUp(t, s, "bob", true)
	if _, err := s.Profiles.UpdateProfile(bob, api.Profile{Handle: "bob-sounds"}); err != nil {
		t.Fatal(err)
	}
	release(t, s, ann, "One", 500, "EUR", 1)
	release(t, s, twin, "Two", 500, "EUR", 1)
	rel := release(t, s, bob, "Three", 500, "EUR", 1)
	for who, want := range map[context.Context]string{ann: "ann", twin: "ann-2", bob: "bob-sounds"} {
		p, err := s.Profiles.MyProfile(who)
		if err != nil || p.Handle != want {
			t.Fatalf("handle = %+v, %v; want %q", p, err, want)
		}
	}
	if got, err := s.Profiles.ReleaseByPath(ctx, "bob-sounds", rel.Slug); err != nil || got.Release.ID != rel.ID {
		t.Fatalf("bob's release page = %+v, %v", got, err)
	}
}
