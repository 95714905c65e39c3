package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

func testReleases(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	fan := signUp(t, s, "fan", false)
	anon := context.Background()
	m := api.Manifest{Title: "First Light", PriceCents: 700, Currency: "eur", CoverSHA256: blob(t, s, ann, 10, api.MediaJPEG),
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: blob(t, s, ann, 11, api.MediaMP3)}}}
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	if rel.Currency != "EUR" || rel.ArtistName != "ann" || rel.Tracks[0].DurationMS != 60_000 || rel.State != api.StateDraft {
		t.Fatalf("release = %+v", rel)
	}
	_, err = s.Releases.CreateRelease(fan, m)
	code(t, err, api.EFORBIDDEN)
	_, err = s.Releases.CreateRelease(bob, m) // Ann's blobs
	code(t, err, api.EINVALID)
	for _, ctx := range []context.Context{anon, fan, bob} {
		_, err = s.Releases.FindRelease(ctx, rel.ID)
		code(t, err, api.ENOTFOUND)
	}
	_, err = s.Releases.PublishRelease(bob, rel.ID)
	code(t, err, api.ENOTFOUND)
	if _, err := s.Releases.PublishRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Releases.FindRelease(fan, rel.ID); err != nil || got.Title != "First Light" {
		t.Fatalf("published release for a fan = %+v, %v", got, err)
	}
	page, err := s.Releases.SearchReleases(anon, api.ReleaseFilter{Query: "light"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("search = %+v, %v", page, err)
	}
	// Nothing found is an empty list, not null.
	if page, err := s.Releases.SearchReleases(anon, api.ReleaseFilter{Query: "nothing"}); err != nil || page.Items == nil || len(page.Items) != 0 || page.NextCursor != "" {
		t.Fatalf("search for nothing = %+v, %v; want items []", page, err)
	}
	if a, err := s.Releases.FindArtist(anon, id(bob)); err != nil || a.Name != "bob" || a.Releases == nil || len(a.Releases) != 0 {
		t.Fatalf("artist without releases = %+v, %v; want releases []", a, err)
	}
	_, err = s.Releases.FindArtist(anon, id(fan))
	code(t, err, api.ENOTFOUND)
	// Downloads: creator yes, fan no (paid release), anonymous never.
	if f, err := s.Downloads.AuthorizeTrack(ann, rel.Tracks[0].ID); err != nil || f.AudioSHA256 != m.Tracks[0].AudioSHA256 {
		t.Fatalf("creator download = %+v, %v", f, err)
	}
	_, err = s.Downloads.AuthorizeTrack(fan, rel.Tracks[0].ID)
	code(t, err, api.EFORBIDDEN)
	_, err = s.Downloads.AuthorizeTrack(anon, rel.Tracks[0].ID)
	code(t, err, api.EUNAUTHORIZED)

	err = s.Releases.DeleteRelease(bob, rel.ID)
	code(t, err, api.ENOTFOUND)
	if err := s.Releases.DeleteRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Releases.FindRelease(ann, rel.ID)
	code(t, err, api.ENOTFOUND)
}

// testTracksAreTheManifest: after any update a release's tracks are exactly
// the manifest's, positions 1..n, even when the same audio fills several
// positions (two identical files in one folder).
func testTracksAreTheManifest(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	a, b, c := blob(t, s, ann, 21, api.MediaMP3), blob(t, s, ann, 22, api.MediaMP3), blob(t, s, ann, 23, api.MediaMP3)
	manifest := func(shas ...string) api.Manifest {
		m := api.Manifest{Title: "Twice", PriceCents: 500, Currency: "EUR"}
		for i, sha := range shas {
			m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: fmt.Sprintf("Song %d", i+1), AudioSHA256: sha})
		}
		return m
	}
	check := func(rel *api.Release, want api.Manifest) {
		t.Helper()
		if len(rel.Tracks) != len(want.Tracks) {
			t.Fatalf("release has %d tracks %+v, manifest %d", len(rel.Tracks), rel.Tracks, len(want.Tracks))
		}
		for i, tr := range rel.Tracks {
			w := want.Tracks[i]
			if tr.Position != i+1 || tr.Title != w.Title || tr.AudioSHA256 != w.AudioSHA256 {
				t.Fatalf("track %d = %d %q %.8s, want %d %q %.8s", i, tr.Position, tr.Title, tr.AudioSHA256, i+1, w.Title, w.AudioSHA256)
			}
		}
	}
	m := manifest(a, a, b)
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	check(rel, m)
	for _, shas := range [][]string{{a, a, b}, {a, a, b}, {b, a, a}, {a, b, a, a}, {a, a, a}, {c, a}, {a, a, b}, {a}} {
		m := manifest(shas...)
		rel, err = s.Releases.UpdateRelease(ann, rel.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		check(rel, m)
		got, err := s.Releases.FindRelease(ann, rel.ID)
		if err != nil {
			t.Fatal(err)
		}
		check(got, m)
		if page, err := s.Releases.MyReleases(ann, 10, ""); err != nil || len(page.Items) != 1 {
			t.Fatalf("MyReleases = %+v, %v", page, err)
		} else {
			check(&page.Items[0], m)
		}
	}
	// The one track left is downloadable; the replaced ones are gone.
	if _, err := s.Downloads.AuthorizeTrack(ann, rel.Tracks[0].ID); err != nil {
		t.Fatalf("download the remaining track: %v", err)
	}
}

// testNamesShowWhatTheyContain: display, artist, release and track names
// with text-direction or invisible characters are refused, naming the
// field; the same names without them are accepted.
func testNamesShowWhatTheyContain(t *testing.T, s Services) {
	ctx := context.Background()
	_, err := s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "eve@example.com", Password: "password eve", DisplayName: "Ann\u202E", Creator: true})
	field(t, err, "display_name")
	_, err = s.Accounts.CreateAccount(ctx, api.AccountCreate{Email: "eve@example.com", Password: "password eve", DisplayName: "A\u200Bnn", Creator: true})
	field(t, err, "display_name")
	ann := signUp(t, s, "ann", true)
	audio := blob(t, s, ann, 31, api.MediaMP3)
	good := func() api.Manifest {
		return api.Manifest{Title: "Nuit blanche", ArtistName: "Ann & Léa", PriceCents: 500, Currency: "EUR",
			Tracks: []api.ManifestTrack{{Position: 1, Title: "Aube 🌅", AudioSHA256: audio}}}
	}
	rel, err := s.Releases.CreateRelease(ann, good())
	if err != nil || rel.Title != "Nuit blanche" || rel.ArtistName != "Ann & Léa" || rel.Tracks[0].Title != "Aube 🌅" {
		t.Fatalf("CreateRelease = %+v, %v", rel, err)
	}
	for _, tc := range []struct {
		field string
		edit  func(m *api.Manifest)
	}{
		{"title", func(m *api.Manifest) { m.Title = "\u202Eevil" }},
		{"title", func(m *api.Manifest) { m.Title = "Nuit\u2066 blanche" }},
		{"artist_name", func(m *api.Manifest) { m.ArtistName = "Ann\u200F" }},
		{"artist_name", func(m *api.Manifest) { m.ArtistName = "\uFEFFAnn" }},
		{"tracks[0].title", func(m *api.Manifest) { m.Tracks[0].Title = "Aube\u061C" }},
		{"tracks[0].title", func(m *api.Manifest) { m.Tracks[0].Title = "Au\u2060be" }},
	} {
		m := good()
		tc.edit(&m)
		_, err := s.Releases.CreateRelease(ann, m)
		field(t, err, tc.field)
		_, err = s.Releases.UpdateRelease(ann, rel.ID, m)
		field(t, err, tc.field)
	}
	if got, err := s.Releases.FindRelease(ann, rel.ID); err != nil || got.Title != "Nuit blanche" || got.Tracks[0].Title != "Aube 🌅" {
		t.Fatalf("after refused updates the release is %+v, %v", got, err)
	}
}

// testReleaseEditingRules: publishing needs a track and is dated once; a
// published release keeps a track; audio a buyer owns must stay (renamed
// or moved is fine); a release with sales can never be deleted.
func testReleaseEditingRules(t *testing.T, s Services) {
	t0 := at(t, "2026-05-01T10:00:00.001Z")
	clk := setClock(s, t0)
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	fan := signUp(t, s, "fan", false)

	empty, err := s.Releases.CreateRelease(ann, api.Manifest{Title: "Empty", PriceCents: 500, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "tracks of an empty draft", empty.Tracks, []api.Track{})
	_, err = s.Releases.PublishRelease(ann, empty.ID)
	code(t, err, api.ECONFLICT)
	if got, err := s.Releases.FindRelease(ann, empty.ID); err != nil || got.State != api.StateDraft || got.PublishedAt != nil {
		t.Fatalf("after a refused publish = %+v, %v", got, err)
	}

	m := manifest(t, s, ann, "Kept", 500, "EUR", 2)
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	// Published once: unpublishing and publishing again keeps the date.
	t1, t2, t3 := t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	for _, step := range []struct {
		at      time.Time
		publish bool
		state   string
	}{{t1, true, api.StatePublished}, {t2, false, api.StateDraft}, {t3, true, api.StatePublished}} {
		clk.set(step.at)
		if step.publish {
			rel, err = s.Releases.PublishRelease(ann, rel.ID)
		} else {
			rel, err = s.Releases.UnpublishRelease(ann, rel.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if rel.State != step.state || !rel.CreatedAt.Equal(t0) || !rel.UpdatedAt.Equal(step.at) || rel.PublishedAt == nil || !rel.PublishedAt.Equal(t1) {
			t.Fatalf("at %s: state %s created %s updated %s published %v; want %s, %s, %s, %s",
				step.at, rel.State, rel.CreatedAt, rel.UpdatedAt, rel.PublishedAt, step.state, t0, step.at, t1)
		}
	}
	_, err = s.Releases.UpdateRelease(ann, rel.ID, api.Manifest{Title: "Kept", PriceCents: 500, Currency: "EUR"})
	field(t, err, "tracks")
	_, err = s.Releases.UpdateRelease(bob, rel.ID, m)
	code(t, err, api.ENOTFOUND)
	_, err = s.Releases.UpdateRelease(fan, rel.ID, m)
	code(t, err, api.EFORBIDDEN)

	buy(t, s, fan, rel, 500)
	sold := func(edit func(m *api.Manifest)) error {
		m := manifest(t, s, ann, "Kept", 500, "EUR", 2)
		edit(&m)
		_, err := s.Releases.UpdateRelease(ann, rel.ID, m)
		return err
	}
	err = sold(func(m *api.Manifest) { m.Tracks = m.Tracks[:1] })
	code(t, err, api.ECONFLICT)
	if api.ErrorField(err) != "tracks" {
		t.Fatalf("dropping sold audio: field %q, want tracks", api.ErrorField(err))
	}
	err = sold(func(m *api.Manifest) { m.Tracks[0].AudioSHA256 = audio(t, s, ann, "replacement") })
	code(t, err, api.ECONFLICT)
	// Renamed, moved and joined by a new track: fine.
	if err := sold(func(m *api.Manifest) {
		m.Tracks[0], m.Tracks[1] = m.Tracks[1], m.Tracks[0]
		m.Tracks[0].Position, m.Tracks[1].Position = 1, 2
		m.Tracks[0].Title = "Renamed"
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: 3, Title: "Bonus", AudioSHA256: audio(t, s, ann, "bonus")})
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Releases.FindRelease(fan, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, tr := range got.Tracks {
		titles = append(titles, tr.Title)
	}
	same(t, "titles after the edit", titles, []string{"Renamed", "Kept 1", "Bonus"})

	err = s.Releases.DeleteRelease(ann, rel.ID)
	code(t, err, api.ECONFLICT)
	if _, err := s.Releases.UnpublishRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	err = s.Releases.DeleteRelease(ann, rel.ID)
	code(t, err, api.ECONFLICT)
	if _, err := s.Releases.FindRelease(ann, rel.ID); err != nil {
		t.Fatalf("a sold release after a refused delete: %v", err)
	}
	// Unsold: deleted.
	if err := s.Releases.DeleteRelease(ann, empty.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Releases.FindRelease(ann, empty.ID)
	code(t, err, api.ENOTFOUND)
}
