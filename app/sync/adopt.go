package sync

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
)

// adoptable returns the creator's release a folder without a record
// already is (its cache was lost), or 0 to make a new draft. It adopts only
// a release no other folder of this install is bound to, and only when
// exactly one fits: guessing wrong would retitle and retrack another
// folder's release. When it declines, why says so for the creator.
func (e *Engine) adoptable(ctx context.Context, root cache.Root, dir string, m api.Manifest) (id int64, why string, err error) {
	bound, err := e.boundReleases(ctx, root.ID, dir)
	if err != nil {
		return 0, "", err
	}
	same, err := e.releasesWithAudio(ctx, m)
	if err != nil {
		return 0, "", err
	}
	var free, taken []api.Release
	for _, r := range same {
		if _, ok := bound[r.ID]; ok {
			taken = append(taken, r)
		} else {
			free = append(free, r)
		}
	}
	if len(free) > 1 { // the title may still tell them apart
		var titled []api.Release
		for _, r := range free {
			if r.Title == m.Title {
				titled = append(titled, r)
			}
		}
		if len(titled) == 1 {
			free = titled
		}
	}
	switch {
	case len(free) == 1:
		return free[0].ID, "", nil
	case len(free) > 1:
		return 0, fmt.Sprintf("made a new draft: %d releases on Megabox (%s) have exactly these files and none is clearly this folder's",
			len(free), titles(free)), nil
	case len(taken) > 0:
		return 0, fmt.Sprintf("made a new draft: %s has exactly these files but belongs to the folder %s",
			titles(taken[:1]), bound[taken[0].ID]), nil
	}
	return 0, "", nil
}

// boundReleases maps each release id a folder of this install syncs to
// that folder, leaving out the folder being synced.
func (e *Engine) boundReleases(ctx context.Context, rootID int64, dir string) (map[int64]string, error) {
	roots, err := e.cache.Roots(ctx)
	if err != nil {
		return nil, err
	}
	bound := map[int64]string{}
	for _, r := range roots {
		recs, err := e.cache.Releases(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			if rec.ReleaseID != 0 && (r.ID != rootID || rec.Dir != dir) {
				bound[rec.ReleaseID] = rec.Dir
			}
		}
	}
	return bound, nil
}

// releasesWithAudio lists the creator's releases whose tracks are exactly
// the manifest's audio, copies counted.
func (e *Engine) releasesWithAudio(ctx context.Context, m api.Manifest) ([]api.Release, error) {
	want := make([]string, 0, len(m.Tracks))
	for _, t := range m.Tracks {
		want = append(want, t.AudioSHA256)
	}
	slices.Sort(want)
	var out []api.Release
	cursor := ""
	for range 50 { // up to 5000 releases
		page, err := e.platform.MyReleases(ctx, api.MaxPageSize, cursor)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Items {
			if sameAudio(r.Tracks, want) {
				out = append(out, r)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	return out, nil
}

// sameAudio reports whether tracks hold exactly the audio of want, sorted.
func sameAudio(tracks []api.Track, want []string) bool {
	if len(tracks) != len(want) {
		return false
	}
	got := make([]string, 0, len(tracks))
	for _, t := range tracks {
		got = append(got, t.AudioSHA256)
	}
	slices.Sort(got)
	return slices.Equal(got, want)
}

func titles(rels []api.Release) string {
	var s []string
	for _, r := range rels {
		s = append(s, fmt.Sprintf("%q (%d)", r.Title, r.ID))
	}
	return strings.Join(s, ", ")
}
