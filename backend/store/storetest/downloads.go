package storetest

import (
	"context"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// testDownloads: a track's file goes to its creator, to buyers (even of
// an unpublished release), to anyone signed in for a free published
// release; others get EFORBIDDEN for what they can see and ENOTFOUND for
// what they cannot; anonymous callers EUNAUTHORIZED.
func testDownloads(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	fan := signUp(t, s, "fan", false)
	other := signUp(t, s, "other", false)
	anon := context.Background()
	paid := release(t, s, ann, "Paid", 500, "EUR", 2)
	free := release(t, s, ann, "Free", 0, "EUR", 1)
	gone := release(t, s, ann, "Gone", 500, "EUR", 1)
	draft, err := s.Releases.CreateRelease(ann, manifest(t, s, ann, "Draft", 500, "EUR", 1))
	if err != nil {
		t.Fatal(err)
	}
	bought := buy(t, s, fan, paid, 500)
	buy(t, s, fan, gone, 500)
	if _, err := s.Releases.UnpublishRelease(ann, gone.ID); err != nil {
		t.Fatal(err)
	}
	file := func(rel *api.Release, i int) *api.TrackFile {
		tr := rel.Tracks[i]
		return &api.TrackFile{TrackID: tr.ID, ReleaseID: rel.ID, Position: tr.Position, Title: tr.Title, AudioSHA256: tr.AudioSHA256, Size: 100}
	}
	for _, c := range []struct {
		who   string
		ctx   context.Context
		rel   *api.Release
		track int
		code  string
	}{
		{"creator", ann, paid, 1, ""},
		{"creator", ann, draft, 0, ""},
		{"creator", ann, gone, 0, ""},
		{"buyer", fan, paid, 0, ""},
		{"buyer", fan, paid, 1, ""},
		{"buyer", fan, gone, 0, ""},
		{"buyer", fan, free, 0, ""},
		{"stranger", other, free, 0, ""},
		{"stranger", other, paid, 0, api.EFORBIDDEN},
		{"another creator", bob, paid, 0, api.EFORBIDDEN},
		{"stranger", other, gone, 0, api.ENOTFOUND},
		{"stranger", other, draft, 0, api.ENOTFOUND},
		{"buyer", fan, draft, 0, api.ENOTFOUND},
		{"anonymous", anon, free, 0, api.EUNAUTHORIZED},
		{"anonymous", anon, paid, 0, api.EUNAUTHORIZED},
	} {
		got, err := s.Downloads.AuthorizeTrack(c.ctx, c.rel.Tracks[c.track].ID)
		if c.code != "" {
			if api.ErrorCode(err) != c.code {
				t.Fatalf("%s, %q track %d: %v, want %s", c.who, c.rel.Title, c.track, err, c.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s, %q track %d: %v", c.who, c.rel.Title, c.track, err)
		}
		same(t, c.who+" downloads "+c.rel.Title, got, file(c.rel, c.track))
	}
	_, err = s.Downloads.AuthorizeTrack(fan, 1<<40)
	code(t, err, api.ENOTFOUND)
	// A full refund takes the right away.
	refund(t, s, ann, bought.ID, 500)
	_, err = s.Downloads.AuthorizeTrack(fan, paid.Tracks[0].ID)
	code(t, err, api.EFORBIDDEN)
}
