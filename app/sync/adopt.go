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
func (e *Engine) adoptable(ctx context.Context, idx *adoptIndex, root cache.Root, dir string, m api.Manifest) (id int64, why *Problem, err error) {
	if err := e.loadAdoptIndex(ctx, idx); err != nil {
		return 0, nil, err
	}
	here := folderKey{root.ID, dir}
	var free, taken []api.Release
	for _, r := range idx.bySig[manifestAudio(m)] {
		if at, ok := idx.bound[r.ID]; ok && at != here {
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
		return free[0].ID, nil, nil
	case len(free) > 1:
		return 0, &Problem{Kind: KindAdoptAmbiguous, Count: len(free), Name: names(free),
			Detail: fmt.Sprintf("made a new draft: %d releases on Megabox (%s) have exactly these files and none is clearly this folder's", len(free), titles(free))}, nil
	case len(taken) > 0:
		return 0, &Problem{Kind: KindAdoptTaken, Name: names(taken[:1]), Folder: idx.bound[taken[0].ID].dir,
			Detail: fmt.Sprintf("made a new draft: %s has exactly these files but belongs to the folder %s", titles(taken[:1]), idx.bound[taken[0].ID].dir)}, nil
	}
	return 0, nil, nil
}

// folderKey names a release folder of this install.
type folderKey struct {
	rootID int64
	dir    string
}

// adoptIndex is what adoption needs to know, read once per pass rather
// than once per new folder (that would list every release on the platform
// and in the cache for each of thousands of folders): the creator's
// releases by their audio, and which folder each bound release belongs
// to. The pass keeps it current with what it changes itself.
type adoptIndex struct {
	loaded bool
	bySig  map[string][]api.Release // sorted audio hashes → releases
	sigOf  map[int64]string         // release id → its key in bySig
	bound  map[int64]folderKey      // release id → the folder syncing to it
	folder map[folderKey]int64      // the reverse of bound
}

// loadAdoptIndex fills idx on first use in a pass.
func (e *Engine) loadAdoptIndex(ctx context.Context, idx *adoptIndex) error {
	if idx.loaded {
		return nil
	}
	x := adoptIndex{loaded: true, bySig: map[string][]api.Release{}, sigOf: map[int64]string{},
		bound: map[int64]folderKey{}, folder: map[folderKey]int64{}}
	roots, err := e.cache.Roots(ctx)
	if err != nil {
		return err
	}
	for _, r := range roots {
		recs, err := e.cache.Releases(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			x.bind(folderKey{r.ID, rec.Dir}, rec.ReleaseID)
		}
	}
	cursor := ""
	for range 50 { // up to 5000 releases
		page, err := e.platform.MyReleases(ctx, api.MaxPageSize, cursor)
		if err != nil {
			return err
		}
		for _, r := range page.Items {
			x.put(r)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	*idx = x
	return nil
}

// bind records that folder syncs to release id (0: to none).
func (x *adoptIndex) bind(folder folderKey, id int64) {
	if !x.loaded {
		return
	}
	if old, ok := x.folder[folder]; ok {
		if x.bound[old] == folder {
			delete(x.bound, old)
		}
		delete(x.folder, folder)
	}
	if id != 0 {
		x.bound[id] = folder
		x.folder[folder] = id
	}
}

// put records a release as the platform now has it.
func (x *adoptIndex) put(r api.Release) {
	if !x.loaded {
		return
	}
	x.drop(r.ID)
	shas := make([]string, 0, len(r.Tracks))
	for _, t := range r.Tracks {
		shas = append(shas, t.AudioSHA256)
	}
	key := audioKey(shas)
	x.bySig[key] = append(x.bySig[key], r)
	x.sigOf[r.ID] = key
}

// drop forgets a release (gone from the platform, or about to change).
func (x *adoptIndex) drop(id int64) {
	if !x.loaded {
		return
	}
	key, ok := x.sigOf[id]
	if !ok {
		return
	}
	x.bySig[key] = slices.DeleteFunc(x.bySig[key], func(r api.Release) bool { return r.ID == id })
	delete(x.sigOf, id)
}

// manifestAudio is the audioKey of a manifest's tracks.
func manifestAudio(m api.Manifest) string {
	shas := make([]string, 0, len(m.Tracks))
	for _, t := range m.Tracks {
		shas = append(shas, t.AudioSHA256)
	}
	return audioKey(shas)
}

// audioKey is a set of audio hashes, sorted: copies count, order does not.
func audioKey(shas []string) string {
	slices.Sort(shas)
	return strings.Join(shas, ",")
}

func titles(rels []api.Release) string {
	var s []string
	for _, r := range rels {
		s = append(s, fmt.Sprintf("%q (%d)", r.Title, r.ID))
	}
	return strings.Join(s, ", ")
}

// names lists releases by title alone, as the window says them.
func names(rels []api.Release) string {
	var s []string
	for _, r := range rels {
		s = append(s, r.Title)
	}
	return strings.Join(s, ", ")
}
