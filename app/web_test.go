package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// creatorOn is the app signed in as a new creator, Ann, on a real
// megaboxd; the server is returned so a test can take it away.
func creatorOn(t *testing.T) (*App, *httptest.Server) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	a := New(Config{Home: t.TempDir(), PlatformURL: srv.URL, Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	if _, err := (&AccountAPI{a}).SignUp("ann@example.com", "a long enough password", "Ann", true); err != nil {
		t.Fatal(err)
	}
	return a, srv
}

// A creator's profile is saved as the platform reads it and comes back
// with its public address; what the platform would refuse is refused
// first, naming the field, and a handle someone has is refused by the
// platform, naming the handle.
func TestSaveProfile(t *testing.T) {
	a, srv := creatorOn(t)
	x := &AccountAPI{a}
	v, err := x.Profile()
	if err != nil || v.Profile.Handle != "" || v.URL != "" || v.Profile.DisplayName != "Ann" {
		t.Fatalf("a new creator's profile = %+v, %v", v, err)
	}

	for _, c := range []struct {
		name  string
		p     api.Profile
		field string
	}{
		{"a handle too short", api.Profile{Handle: "ab"}, "handle"},
		{"a reserved handle", api.Profile{Handle: "admin"}, "handle"},
		{"a handle with a space", api.Profile{Handle: "ann music"}, "handle"},
		{"a link that is not a web address", api.Profile{Handle: "ann", Links: []string{"https://ann.example", "ftp://ann.example"}}, "links[1]"},
		{"a bio too long", api.Profile{Handle: "ann", Bio: strings.Repeat("é", api.MaxBioLen+1)}, "bio"},
		{"too many links", api.Profile{Handle: "ann", Links: strings.Split(strings.Repeat("https://a.example,", api.MaxLinks+1), ",")[:api.MaxLinks+1]}, "links"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := x.SaveProfile(c.p)
			if got := decodeUIError(t, err); got["code"] != api.EINVALID || got["field"] != c.field || got["message"] == "" {
				t.Fatalf("SaveProfile = %v, want invalid %s", got, c.field)
			}
		})
	}
	if p, _ := a.client.MyProfile(t.Context()); p.Handle != "" || len(p.Links) != 0 {
		t.Fatalf("a refused profile reached the platform: %+v", p)
	}

	saved, err := x.SaveProfile(api.Profile{Handle: " @Ann-Music ", Bio: "Songs for night drives.\nMade in Lyon.", Links: []string{" https://ann.example ", ""}})
	if err != nil {
		t.Fatal(err)
	}
	want := api.Profile{Handle: "ann-music", DisplayName: "Ann", Bio: "Songs for night drives.\nMade in Lyon.", Links: []string{"https://ann.example"}}
	if !reflect.DeepEqual(saved.Profile, want) || saved.URL != srv.URL+"/@ann-music" {
		t.Fatalf("saved %+v at %q, want %+v at %s/@ann-music", saved.Profile, saved.URL, want, srv.URL)
	}
	if got, err := x.Profile(); err != nil || !reflect.DeepEqual(got, saved) {
		t.Fatalf("read back %+v, %v", got, err)
	}

	// Bob's handle, and Ann's earlier one, are not Ann's to give away.
	bob := signedUp(t, srv.URL, "bob@example.com", true)
	if _, err := bob.UpdateProfile(t.Context(), api.Profile{Handle: "bob-beats"}); err != nil {
		t.Fatal(err)
	}
	_, err = x.SaveProfile(api.Profile{Handle: "bob-beats", Bio: "mine now"})
	if got := decodeUIError(t, err); got["code"] != api.ECONFLICT || got["field"] != "handle" || !strings.Contains(got["message"], "@bob-beats is taken") {
		t.Fatalf("taking Bob's handle: %v", got)
	}
	if p, _ := a.client.MyProfile(t.Context()); p.Handle != "ann-music" || p.Bio != want.Bio {
		t.Fatalf("after a refused change Ann's profile is %+v", p)
	}
}

// Saving a release's web settings writes them to megabox.json as the
// manifest has them, keeping the rest; settings the platform would refuse
// write nothing and name the field.
func TestSetWebSettingsWritesTheSidecar(t *testing.T) {
	x, roots, dir := folderWithoutPlatform(t, "Night")
	id := roots[0].ID
	if err := x.SetPrice(id, "Night", 700, "EUR", false, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		slug    string
		seconds int
		field   string
	}{
		{"a slug with spaces", "night drive", 30, "slug"},
		{"a slug with an accent", "nuit-étoilée", 30, "slug"},
		{"a preview too short", "", 3, "preview_seconds"},
		{"a preview too long", "", 601, "preview_seconds"},
	} {
		err := x.SetWebSettings(id, "Night", c.slug, c.seconds, false)
		if got := decodeUIError(t, err); got["code"] != api.EINVALID || got["field"] != c.field {
			t.Errorf("%s: %v, want invalid %s", c.name, got, c.field)
		}
	}
	read := func() string {
		b, err := os.ReadFile(filepath.Join(dir, sync.SidecarName))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read(); got != "{\n  \"price_cents\": 700,\n  \"currency\": \"EUR\"\n}\n" {
		t.Fatalf("refused settings were written:\n%s", got)
	}

	if err := x.SetWebSettings(id, "Night", " Night-Drive ", 60, false); err != nil {
		t.Fatal(err)
	}
	if got, want := read(), "{\n  \"price_cents\": 700,\n  \"currency\": \"EUR\",\n  \"slug\": \"night-drive\",\n  \"preview_seconds\": 60\n}\n"; got != want {
		t.Fatalf("megabox.json =\n%s\nwant\n%s", got, want)
	}
	// Full streaming keeps no length; no slug leaves the platform's.
	if err := x.SetWebSettings(id, "Night", "", 90, true); err != nil {
		t.Fatal(err)
	}
	if got, want := read(), "{\n  \"price_cents\": 700,\n  \"currency\": \"EUR\",\n  \"full_streaming\": true\n}\n"; got != want {
		t.Fatalf("megabox.json =\n%s\nwant\n%s", got, want)
	}
	if err := x.SetWebSettings(id, "../x", "", 0, false); decodeUIError(t, err)["field"] != "dir" {
		t.Fatalf("a folder outside the watched one: %v", err)
	}
}

// A sync error naming a web setting in megabox.json shows next to that
// setting; others do not.
func TestWebProblemReadsThePlatformsRefusal(t *testing.T) {
	taken := api.FieldErrorf("slug", `another of your releases uses "night" (or did, and its old links point there)`)
	for _, c := range []struct {
		msg  string
		want *FieldProblem
	}{
		{sync.SidecarName + ": " + taken.Error(), &FieldProblem{Field: "slug", Message: taken.Message}},
		{sync.SidecarName + ": " + api.FieldErrorf("preview_seconds", "a preview lasts 5 to 600 seconds").Error(), &FieldProblem{Field: "preview_seconds", Message: "a preview lasts 5 to 600 seconds"}},
		{sync.SidecarName + ": " + api.FieldErrorf("collaborators", "x").Error(), nil},
		{taken.Error(), nil},
		{"", nil},
	} {
		if got := webProblem(sidecarRefusal(c.msg)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("webProblem(%q) = %+v, want %+v", c.msg, got, c.want)
		}
	}
}

// publishedNight syncs and publishes a folder "Night" of two tracks of
// seconds each with web settings side, and returns the release.
func publishedNight(t *testing.T, a *App, side sync.Sidecar, seconds float64) *api.Release {
	t.Helper()
	music := t.TempDir()
	dir := filepath.Join(music, "Night")
	os.MkdirAll(dir, 0o755)
	testmedia.MP3(t, filepath.Join(dir, "01 - One.mp3"), seconds, 440, testmedia.Tags{Title: "One", Artist: "Ann", Album: "Night", Track: "1"})
	testmedia.MP3(t, filepath.Join(dir, "02 - Two.mp3"), seconds, 660, testmedia.Tags{Title: "Two", Artist: "Ann", Album: "Night", Track: "2"})
	if err := sync.WriteSidecar(dir, side); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour) // written long ago: settled, ready to send
	for _, name := range []string{"01 - One.mp3", "02 - Two.mp3", sync.SidecarName} {
		os.Chtimes(filepath.Join(dir, name), old, old)
	}
	x := &SyncAPI{a}
	if err := x.AddFolder(music); err != nil {
		t.Fatal(err)
	}
	roots, _ := a.cache.Roots(t.Context())
	rel, err := x.Publish(roots[0].ID, "Night")
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// The Sync view shows a release's web settings, its slug on the platform
// and the creator's page: publishing gave them a handle from their name,
// and one they choose replaces it.
func TestFoldersShowWebSettings(t *testing.T) {
	a, srv := creatorOn(t)
	publishedNight(t, a, sync.Sidecar{Slug: "night-drive", PreviewSeconds: 60}, 1)
	web := func() WebSettings {
		fs, err := (&SyncAPI{a}).Folders()
		if err != nil || len(fs) != 1 || len(fs[0].Releases) != 1 {
			t.Fatalf("folders = %+v, %v", fs, err)
		}
		return fs[0].Releases[0].Web
	}
	if got := web(); got != (WebSettings{Slug: "night-drive", PreviewSeconds: 60, CurrentSlug: "night-drive", ArtistURL: srv.URL + "/@ann"}) {
		t.Fatalf("after publishing the view has %+v", got)
	}
	if _, err := (&AccountAPI{a}).SaveProfile(api.Profile{Handle: "ann-music"}); err != nil {
		t.Fatal(err)
	}
	if got := web(); got.ArtistURL != srv.URL+"/@ann-music" || got.CurrentSlug != "night-drive" {
		t.Fatalf("with a chosen handle the view has %+v", got)
	}
}

// A fan hears a track's preview in the store: fetched once from the
// platform into the preview cache, the same bytes the platform serves as
// the preview (shorter than the track), played under the track's title
// as a preview. Offline, a preview never fetched is "unavailable".
func TestPlayPreview(t *testing.T) {
	a, srv := creatorOn(t)
	rel := publishedNight(t, a, sync.Sidecar{PreviewSeconds: 5}, 12)
	one := rel.Tracks[0]
	x := &StoreAPI{a}
	if err := x.PlayPreview(rel.ID, one.ID); err != nil {
		t.Fatal(err)
	}
	st := a.player.Status()
	if st.Track == nil || st.Track.Key != PreviewKeyPrefix+strconv.FormatInt(one.ID, 10) || st.Track.Title != "One" || st.Track.Artist != "Ann" || st.Track.DurationMS != 5000 || len(st.Queue) != 1 {
		t.Fatalf("the player has %+v (queue %d)", st.Track, len(st.Queue))
	}
	kept, err := os.ReadFile(st.Track.Path)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/api/v1/tracks/" + strconv.FormatInt(one.ID, 10) + "/preview")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(kept) != string(served) || len(kept) == 0 || int64(len(kept)) >= one.Size {
		t.Fatalf("kept %d bytes, the platform serves %d as the preview of a %d-byte track", len(kept), len(served), one.Size)
	}
	if filepath.Dir(st.Track.Path) != filepath.Join(a.cfg.Home, "previews") {
		t.Fatalf("kept at %s", st.Track.Path)
	}
	fi, _ := os.Stat(st.Track.Path)
	if err := x.PlayPreview(rel.ID, one.ID); err != nil {
		t.Fatal(err)
	}
	if again := a.player.Status(); again.Track == nil || again.Track.Path != st.Track.Path {
		t.Fatalf("played again from %+v", again.Track)
	}
	if fi2, _ := os.Stat(st.Track.Path); !os.SameFile(fi, fi2) {
		t.Fatal("the preview was fetched again though it had not changed")
	}

	if err := x.PlayPreview(rel.ID, 999_999); decodeUIError(t, err)["code"] != api.ENOTFOUND {
		t.Fatalf("a track of another release: %v", err)
	}
	srv.CloseClientConnections()
	srv.Close()
	if got := decodeUIError(t, x.PlayPreview(rel.ID, rel.Tracks[1].ID)); got["code"] != api.EUNAVAILABLE {
		t.Fatalf("offline: %v, want unavailable", got)
	}
}
