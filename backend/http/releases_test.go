package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

func TestReleaseCreatePublishSearch(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, annAcct := e.signUp("Ann", true)
	m, _ := e.album(ann, "Night Drive", 3)
	m.ArtistName = "The Ann Band"
	m.Description = "Three songs.\nRecorded at home."
	m.ReleaseDate = "2026-11-01"

	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if rel.State != api.StateDraft || rel.ArtistID != annAcct.ID || rel.ArtistName != "The Ann Band" || len(rel.Tracks) != 3 {
		t.Fatalf("created release = %+v", rel)
	}
	for i, tr := range rel.Tracks {
		// Durations are measured by the server: 1 s, 1.5 s, 2 s (+ encoder padding).
		want := int64(1000 + 500*i)
		if tr.DurationMS < want || tr.DurationMS > want+80 || tr.Size == 0 || tr.Position != i+1 {
			t.Errorf("track %d = %+v, want duration ≈ %d ms", i, tr, want)
		}
	}
	// Drafts stay out of the catalog.
	page, err := e.client().SearchReleases(ctx, api.ReleaseFilter{Query: "night"})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("draft found in catalog: %+v, %v", page, err)
	}
	if _, err := ann.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	anon := e.client()
	for _, q := range []string{"night", "DRIVE", "ann band", "night ann"} {
		page, err := anon.SearchReleases(ctx, api.ReleaseFilter{Query: q})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != rel.ID {
			t.Errorf("search %q = %+v, %v; want release %d", q, page, err, rel.ID)
		}
	}
	for _, q := range []string{"day", "%", "_ight", "night  xyz"} {
		page, _ := anon.SearchReleases(ctx, api.ReleaseFilter{Query: q})
		if len(page.Items) != 0 {
			t.Errorf("search %q matched %d releases, want 0", q, len(page.Items))
		}
	}
	got, err := anon.FindRelease(ctx, rel.ID)
	if err != nil || got.PublishedAt == nil || got.Description != m.Description {
		t.Fatalf("public release = %+v, %v", got, err)
	}
	if _, err := ann.UpdateProfile(ctx, api.Profile{Handle: "ann-band", Bio: "Night music.", Links: []string{"https://ann.example"},
		PictureSHA256: m.CoverSHA256}); err != nil {
		t.Fatal(err)
	}
	artist, err := anon.FindArtist(ctx, annAcct.ID)
	if err != nil || artist.Name != "Ann" || len(artist.Releases) != 1 || artist.Handle != "ann-band" || artist.Bio != "Night music." ||
		len(artist.Links) != 1 || artist.PictureSHA256 != m.CoverSHA256 {
		t.Fatalf("artist = %+v, %v", artist, err)
	}
	var pic bytes.Buffer
	if err := anon.DownloadPicture(ctx, artist.Handle, artist.PictureSHA256, &pic); err != nil || hexSHA(pic.Bytes()) != m.CoverSHA256 {
		t.Fatalf("picture: sha %s, %v", hexSHA(pic.Bytes()), err)
	}
	// The cover is served byte for byte.
	status, body, hdr := e.raw("GET", fmt.Sprintf("/api/v1/releases/%d/cover", rel.ID), "", nil)
	if status != 200 || hexSHA(body) != m.CoverSHA256 || hdr.Get("Content-Type") != "image/png" {
		t.Fatalf("cover: %d, %s, sha %s", status, hdr.Get("Content-Type"), hexSHA(body))
	}
	// Unpublish hides it again.
	if _, err := ann.UnpublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	_, err = anon.FindRelease(ctx, rel.ID)
	wantCode(t, err, api.ENOTFOUND)
}

func TestCatalogPagination(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	m, _ := e.album(ann, "x", 1)
	var ids []int64
	for i := range 7 {
		m.Title = fmt.Sprintf("Volume %d", i)
		r, err := ann.CreateRelease(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		ann.PublishRelease(ctx, r.ID)
		ids = append(ids, r.ID)
	}
	var seen []int64
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := e.client().SearchReleases(ctx, api.ReleaseFilter{Query: "volume", Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Items {
			seen = append(seen, r.ID)
		}
		if p.NextCursor == "" {
			if pages != 2 {
				t.Fatalf("%d pages, want 3", pages+1)
			}
			break
		}
		cursor = p.NextCursor
	}
	if len(seen) != 7 || seen[0] != ids[6] || seen[6] != ids[0] {
		t.Fatalf("pages listed %v, want all 7 newest first (%v)", seen, ids)
	}
	mine, err := ann.MyReleases(ctx, 100, "")
	if err != nil || len(mine.Items) != 7 {
		t.Fatalf("MyReleases = %d items, %v", len(mine.Items), err)
	}
	for _, q := range []string{"limit=1000", "limit=-1", "limit=x", "cursor=!!!", "cursor=bm9wZQ", "artist=abc"} {
		status, body, _ := e.raw("GET", "/api/v1/releases?"+q, "", nil)
		if status != 400 {
			t.Errorf("?%s: %d %s, want 400", q, status, body)
		}
	}
}

func TestRangedDownload(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	m, files := e.album(ann, "Ranges", 1)
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	track := rel.Tracks[0]
	path := fmt.Sprintf("/api/v1/tracks/%d/audio", track.ID)

	status, body, hdr := e.raw("GET", path, ann.Token(), nil, "Range", "bytes=100-1123")
	if status != http.StatusPartialContent || !bytes.Equal(body, files[0][100:1124]) {
		t.Fatalf("range: %d, %d bytes (want 206 and bytes 100..1123)", status, len(body))
	}
	if want := fmt.Sprintf("bytes 100-1123/%d", len(files[0])); hdr.Get("Content-Range") != want {
		t.Errorf("Content-Range = %q, want %q", hdr.Get("Content-Range"), want)
	}
	status, body, _ = e.raw("GET", path, ann.Token(), nil, "Range", "bytes=-10")
	if status != 206 || !bytes.Equal(body, files[0][len(files[0])-10:]) {
		t.Fatalf("suffix range: %d %d bytes", status, len(body))
	}
	status, _, _ = e.raw("GET", path, ann.Token(), nil, "Range", fmt.Sprintf("bytes=%d-", len(files[0])+10))
	if status != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("range past the end: %d, want 416", status)
	}
	// A download cut short resumes from the bytes already on disk.
	var buf bytes.Buffer
	buf.Write(files[0][:5000])
	if _, err := ann.DownloadTrack(ctx, track.ID, 5000, &buf); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(buf.Bytes())
	if hex.EncodeToString(h[:]) != track.AudioSHA256 {
		t.Fatal("resumed download does not hash to the track's sha256")
	}
}

// TestAuthorizationMatrix checks every release endpoint for every kind of
// caller against a draft and a published release of Ann's.
func TestAuthorizationMatrix(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	bob, _ := e.signUp("Bob", true)
	fan, _ := e.signUp("Fan", false)
	m, _ := e.album(ann, "Owned", 1)
	draft, _ := ann.CreateRelease(ctx, m)
	pub, _ := ann.CreateRelease(ctx, m)
	if _, err := ann.PublishRelease(ctx, pub.ID); err != nil {
		t.Fatal(err)
	}
	free := m
	free.PriceCents = 0
	freeRel, _ := ann.CreateRelease(ctx, free)
	ann.PublishRelease(ctx, freeRel.ID)
	manifest, _ := json.Marshal(m)

	callers := map[string]string{"anon": "", "fan": fan.Token(), "other": bob.Token(), "owner": ann.Token()}
	type row struct {
		method, path string
		body         []byte
		want         map[string]int // caller → status
	}
	rel := func(id int64, suffix string) string { return fmt.Sprintf("/api/v1/releases/%d%s", id, suffix) }
	audio := func(r int64) string {
		got, _ := ann.FindRelease(ctx, r)
		return fmt.Sprintf("/api/v1/tracks/%d/audio", got.Tracks[0].ID)
	}
	rows := []row{
		{"GET", rel(draft.ID, ""), nil, map[string]int{"anon": 404, "fan": 404, "other": 404, "owner": 200}},
		{"GET", rel(pub.ID, ""), nil, map[string]int{"anon": 200, "fan": 200, "other": 200, "owner": 200}},
		{"GET", rel(draft.ID, "/cover"), nil, map[string]int{"anon": 404, "fan": 404, "other": 404, "owner": 200}},
		{"GET", rel(pub.ID, "/cover"), nil, map[string]int{"anon": 200, "fan": 200, "other": 200, "owner": 200}},
		{"PUT", rel(draft.ID, ""), manifest, map[string]int{"anon": 401, "fan": 403, "other": 404, "owner": 200}},
		{"PUT", rel(pub.ID, ""), manifest, map[string]int{"anon": 401, "fan": 403, "other": 404, "owner": 200}},
		{"POST", rel(draft.ID, "/publish"), nil, map[string]int{"anon": 401, "fan": 403, "other": 404}},
		{"POST", rel(pub.ID, "/unpublish"), nil, map[string]int{"anon": 401, "fan": 403, "other": 404}},
		{"DELETE", rel(pub.ID, ""), nil, map[string]int{"anon": 401, "fan": 403, "other": 404}},
		{"GET", audio(draft.ID), nil, map[string]int{"anon": 401, "fan": 404, "other": 404, "owner": 200}},
		{"GET", audio(pub.ID), nil, map[string]int{"anon": 401, "fan": 403, "other": 403, "owner": 200}},
		{"GET", audio(freeRel.ID), nil, map[string]int{"anon": 401, "fan": 200, "other": 200, "owner": 200}},
		{"POST", "/api/v1/releases", manifest, map[string]int{"anon": 401, "fan": 403, "other": 400, "owner": 201}},
		{"GET", "/api/v1/me/releases", nil, map[string]int{"anon": 401, "fan": 403, "other": 200, "owner": 200}},
		{"GET", "/api/v1/me", nil, map[string]int{"anon": 401, "fan": 200, "other": 200, "owner": 200}},
		{"POST", "/api/v1/uploads/", nil, map[string]int{"anon": 401}},
	}
	for _, r := range rows {
		for who, want := range r.want {
			status, body, _ := e.raw(r.method, r.path, callers[who], bytes.NewReader(r.body))
			if status != want {
				t.Errorf("%s %s as %s: %d, want %d (%s)", r.method, r.path, who, status, want, strings.TrimSpace(string(body)))
			}
		}
	}
	// Unknown or malformed ids are 404, never 500.
	for _, p := range []string{"/api/v1/releases/999999", "/api/v1/releases/0", "/api/v1/releases/-1", "/api/v1/releases/1e3",
		"/api/v1/releases/99999999999999999999999", "/api/v1/artists/424242", "/api/v1/tracks/31337/audio", "/api/v1/nope"} {
		if status, _, _ := e.raw("GET", p, fan.Token(), nil); status != 404 {
			t.Errorf("GET %s: %d, want 404", p, status)
		}
	}
	// A fan is not an artist.
	if status, _, _ := e.raw("GET", "/api/v1/artists/3", "", nil); status != 404 {
		t.Errorf("GET a fan as an artist: %d, want 404", status)
	}
}

func TestManifestBadInput(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	bob, _ := e.signUp("Bob", true)
	good, _ := e.album(ann, "Good", 2)
	notAudio := good.CoverSHA256 // a PNG
	bobsAudio := e.upload(bob, testmedia.MP3Bytes(t, 1, 600))

	cases := []struct {
		name   string
		edit   func(m *api.Manifest)
		status int
		field  string
	}{
		{"no title", func(m *api.Manifest) { m.Title = " " }, 400, "title"},
		{"long title", func(m *api.Manifest) { m.Title = strings.Repeat("a", 201) }, 400, "title"},
		{"bad currency", func(m *api.Manifest) { m.Currency = "XYZ" }, 400, "currency"},
		{"negative price", func(m *api.Manifest) { m.PriceCents = -1 }, 400, "price_cents"},
		{"huge price", func(m *api.Manifest) { m.PriceCents = 1 << 40 }, 400, "price_cents"},
		{"min over price", func(m *api.Manifest) { m.PayWhatYouWant, m.MinCents = true, 2000 }, 400, "min_cents"},
		{"bad date", func(m *api.Manifest) { m.ReleaseDate = "yesterday" }, 400, "release_date"},
		{"bad cover hash", func(m *api.Manifest) { m.CoverSHA256 = "xyz" }, 400, "cover_sha256"},
		{"audio as cover", func(m *api.Manifest) { m.CoverSHA256 = m.Tracks[0].AudioSHA256 }, 400, "cover_sha256"},
		{"duplicate position", func(m *api.Manifest) { m.Tracks[1].Position = 1 }, 400, "tracks[1].position"},
		{"position zero", func(m *api.Manifest) { m.Tracks[0].Position = 0 }, 400, "tracks[0].position"},
		{"untitled track", func(m *api.Manifest) { m.Tracks[1].Title = "" }, 400, "tracks[1].title"},
		{"image as audio", func(m *api.Manifest) { m.Tracks[1].AudioSHA256 = notAudio }, 422, "tracks[1].audio_sha256"},
		{"someone else's audio", func(m *api.Manifest) { m.Tracks[0].AudioSHA256 = bobsAudio }, 400, "tracks[0].audio_sha256"},
		{"never uploaded", func(m *api.Manifest) { m.Tracks[0].AudioSHA256 = hexSHA([]byte("?")) }, 400, "tracks[0].audio_sha256"},
	}
	for _, c := range cases {
		m := good
		m.Tracks = append([]api.ManifestTrack(nil), good.Tracks...)
		c.edit(&m)
		body, _ := json.Marshal(m)
		status, resp, _ := e.raw("POST", "/api/v1/releases", ann.Token(), bytes.NewReader(body))
		var p struct{ Field, Detail string }
		json.Unmarshal(resp, &p)
		if status != c.status || p.Field != c.field || p.Detail == "" {
			t.Errorf("%s: %d field %q (%s); want %d field %q", c.name, status, p.Field, p.Detail, c.status, c.field)
		}
	}
	mine, _ := ann.MyReleases(ctx, 0, "")
	if len(mine.Items) != 0 {
		t.Fatalf("bad manifests created %d releases", len(mine.Items))
	}
	// Empty drafts are fine; publishing one is not.
	empty := good
	empty.Tracks = nil
	rel, err := ann.CreateRelease(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ann.PublishRelease(ctx, rel.ID)
	wantCode(t, err, api.ECONFLICT)
}

func TestUpdateKeepsTrackIDs(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	m, _ := e.album(ann, "Order", 3)
	rel, _ := ann.CreateRelease(ctx, m)
	ids := map[string]int64{}
	for _, tr := range rel.Tracks {
		ids[tr.AudioSHA256] = tr.ID
	}
	// Reverse the order and rename: same audio keeps its track id.
	m.Tracks[0].Position, m.Tracks[2].Position = 3, 1
	m.Tracks[1].Title = "Renamed"
	up, err := ann.UpdateRelease(ctx, rel.ID, m)
	if err != nil {
		t.Fatal(err)
	}
	if up.Tracks[0].AudioSHA256 != m.Tracks[2].AudioSHA256 || up.Tracks[1].Title != "Renamed" {
		t.Fatalf("tracks after update = %+v", up.Tracks)
	}
	for _, tr := range up.Tracks {
		if ids[tr.AudioSHA256] != tr.ID {
			t.Errorf("track %q changed id %d → %d", tr.Title, ids[tr.AudioSHA256], tr.ID)
		}
	}
	// Deleting an unsold draft works.
	if err := ann.DeleteRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	_, err = ann.FindRelease(ctx, rel.ID)
	wantCode(t, err, api.ENOTFOUND)
}
