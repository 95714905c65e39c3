package web_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestPreorderPages: a release on pre-order says so, with its day and
// how many tracks buyers get now, in English and French, on its page,
// in the discover list and in the artist's feed, and marks the tracks
// still to come; from the release day on it is a release like any other.
func TestPreorderPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var now atomic.Pointer[time.Time]
	day := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	now.Store(&day)
	e.p.Services.SetClock(func() time.Time { return *now.Load() })
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	m := api.Manifest{Title: "Night Drive", Slug: "night-drive", PriceCents: 800, Currency: "EUR", ReleaseDate: "2026-12-05", Preorder: true}
	for i, title := range []string{"One", "Two", "Three", "Four", "Five"} {
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: title,
			AudioSHA256: e.upload(c, testmedia.SilentMP3(8_000+2_000*i)), PreorderAvailable: i == 0 || i == 2})
	}
	r, err := c.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishRelease(ctx, r.ID); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ lang, line, later, card string }{
		{"en-GB,en;q=0.9", "Pre-order — released on December 5, 2026; 2 of 5 tracks now.", "on December 5, 2026", "Pre-order · out December 5, 2026"},
		{"fr-FR,fr;q=0.9", "Précommande — parution le 5 décembre 2026 ; 2 titres sur 5 dès maintenant.", "le 5 décembre 2026", "Précommande · parution le 5 décembre 2026"},
	} {
		page := e.get("/@nova/night-drive", "Accept-Language", c.lang)
		if got := find(page.doc, "p", "class", "preorder"); len(got) != 1 || text(got[0]) != c.line {
			t.Fatalf("%s: %d pre-order lines, want %q", c.lang, len(got), c.line)
		}
		var later []string
		for _, n := range find(page.doc, "span", "class", "later muted small") {
			later = append(later, text(n))
		}
		if len(later) != 3 || later[0] != c.later {
			t.Fatalf("%s: tracks marked for later: %q, want 3 × %q", c.lang, later, c.later)
		}
		if len(find(page.doc, "a", "data-signin", "")) != 1 { // the way to buy, as for any release
			t.Fatalf("%s: no way to buy a pre-order", c.lang)
		}
		if home := e.get("/", "Accept-Language", c.lang); !strings.Contains(home.body, c.card) {
			t.Fatalf("%s: discover has no %q", c.lang, c.card)
		}
		if feed := e.get("/@nova/feed.atom", "Accept-Language", c.lang); !strings.Contains(feed.body, "<summary>"+c.line) {
			t.Fatalf("%s: feed entry does not start with the pre-order line:\n%s", c.lang, feed.body)
		}
	}

	// The release day: nothing more to say. (Another language header: a
	// fresh render, not the page kept a few seconds for visitors.)
	released := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	now.Store(&released)
	page := e.get("/@nova/night-drive", "Accept-Language", "en-US,en;q=0.8")
	if len(find(page.doc, "p", "class", "preorder")) != 0 || len(find(page.doc, "span", "class", "later muted small")) != 0 ||
		strings.Contains(page.body, "Pre-order") {
		t.Fatalf("release day page still says pre-order:\n%s", page.body)
	}
}
