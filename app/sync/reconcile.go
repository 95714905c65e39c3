package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
)

// reconcile makes the platform draft match the folder. It never removes
// anything on its own: a published release, or a change that would drop
// tracks, waits for the creator's confirmation. A folder left synced keeps
// print, its listing, so a rescan that lists the same skips it.
// idx, the pass's adoption index, learns what reconcile changes.
func (e *Engine) reconcile(ctx context.Context, idx *adoptIndex, root cache.Root, rec *cache.Release, m api.Manifest, fileErrors int, print string) error {
	h := manifestHash(m)
	orig := *rec
	done := func(state string, p *Problem) error {
		if fileErrors > 0 && state == StateSynced {
			state, p = StateBlocked, &Problem{Kind: KindFilesNeedFix, Count: fileErrors, Detail: fmt.Sprintf("%d file(s) need attention before this release can be published", fileErrors)}
		}
		rec.State, rec.Error, rec.Scanned = state, p.encode(), ""
		if state == StateSynced {
			rec.Scanned = print
		}
		if *rec != orig { // a rescan of an unchanged folder writes nothing
			if err := e.cache.PutRelease(ctx, *rec); err != nil {
				return err
			}
			idx.bind(folderKey{root.ID, rec.Dir}, rec.ReleaseID)
		}
		e.releaseEvent(root, rec.Dir, state, rec.ReleaseID, len(m.Tracks), p)
		return nil
	}
	if rec.ReleaseID != 0 && rec.ManifestHash == h && rec.Pending == "" {
		var note *Problem
		if rec.State == StateSynced {
			note = ParseProblem(rec.Error) // what adoption had to say stays until the folder changes
		}
		return done(StateSynced, note)
	}
	if len(m.Tracks) == 0 && rec.ReleaseID == 0 {
		return done(StateSynced, &Problem{Kind: KindNoTracks, Detail: "no audio files yet"})
	}
	var note *Problem
	if rec.ReleaseID == 0 {
		// A lost cache must not duplicate releases: adopt the one these
		// files already make up, if no other folder has it.
		id, why, err := e.adoptable(ctx, idx, root, rec.Dir, m)
		if err != nil {
			return e.releaseFailed(ctx, root, rec, err)
		}
		rec.ReleaseID, note = id, why
		idx.bind(folderKey{root.ID, rec.Dir}, id) // no other folder of the pass may take it
	}
	if rec.ReleaseID != 0 {
		cur, err := e.platform.FindRelease(ctx, rec.ReleaseID)
		if api.ErrorCode(err) == api.ENOTFOUND {
			idx.drop(rec.ReleaseID)
			rec.ReleaseID = 0 // deleted on the platform: the folder makes it again
		} else if err != nil {
			return e.releaseFailed(ctx, root, rec, err)
		} else if cur.State == api.StatePublished || len(m.Tracks) < len(cur.Tracks) {
			b, _ := json.Marshal(m)
			rec.Pending = string(b)
			why := &Problem{Kind: KindConfirmPublished, Detail: "changes to a published release wait for your confirmation"}
			if cur.State != api.StatePublished {
				why = &Problem{Kind: KindConfirmRemoval, Count: len(m.Tracks), Total: len(cur.Tracks),
					Detail: fmt.Sprintf("the folder has %d track(s), the release %d: confirm to remove tracks", len(m.Tracks), len(cur.Tracks))}
			}
			return done(StateConfirm, why)
		}
	}
	rel, err := e.push(ctx, rec.ReleaseID, m)
	if err != nil {
		return e.releaseFailed(ctx, root, rec, err)
	}
	idx.put(*rel)
	rec.ReleaseID, rec.ManifestHash, rec.Pending = rel.ID, h, ""
	return done(StateSynced, note)
}

func (e *Engine) push(ctx context.Context, id int64, m api.Manifest) (*api.Release, error) {
	if err := checkManifest(m); err != nil {
		return nil, inSidecar(err)
	}
	var rel *api.Release
	var err error
	if id == 0 {
		rel, err = e.platform.CreateRelease(ctx, m)
	} else {
		rel, err = e.platform.UpdateRelease(ctx, id, m)
	}
	return rel, inSidecar(err)
}

// inSidecar names megabox.json in an error about a field only the sidecar
// sets (the collaborators, the web settings, the tracks out before a
// pre-order's day), so the creator knows which file to fix; the error
// keeps its code and field.
func inSidecar(err error) error {
	switch f := api.ErrorField(err); {
	case strings.HasPrefix(f, "collaborators"), f == "slug", f == "preview_seconds", f == "full_streaming",
		strings.HasSuffix(f, "preorder_available"):
		return &sidecarError{kind: KindSidecarInvalid, field: f, err: fmt.Errorf("%s: %w", SidecarName, err)}
	}
	return err
}

// checkManifest applies the platform's own rule to a manifest before it
// is sent, so a folder whose sidecar breaks it says why offline too. The
// platform names the artist after the account when the folder does not:
// an empty artist name is left for it.
func checkManifest(m api.Manifest) error {
	m.Normalize("the account's name")
	return m.Validate()
}

// confirm applies a change that waits for the creator (to a published
// release, or one removing tracks).
func (e *Engine) confirm(ctx context.Context, rootID int64, dir string) (*api.Release, error) {
	rec, err := e.cache.Release(ctx, rootID, dir)
	if err != nil {
		return nil, err
	}
	if rec.Pending == "" {
		return nil, &api.Error{Code: api.ECONFLICT, Field: "pending", Message: "nothing waits for confirmation in " + dir}
	}
	var m api.Manifest
	if err := json.Unmarshal([]byte(rec.Pending), &m); err != nil {
		return nil, err
	}
	rel, err := e.platform.UpdateRelease(ctx, rec.ReleaseID, m)
	if err != nil {
		return nil, err
	}
	rec.ManifestHash, rec.Pending, rec.State, rec.Error = manifestHash(m), "", StateSynced, ""
	return rel, e.cache.PutRelease(ctx, *rec)
}

// publish syncs a release folder and publishes it. It refuses while files
// are waiting or in error.
func (e *Engine) publish(ctx context.Context, root cache.Root, dir string) (*api.Release, error) {
	rep := &Report{}
	if err := e.SyncDir(ctx, root, dir, rep); errors.Is(err, errRetry) {
		return nil, &api.Error{Code: api.ECONFLICT, Field: "waiting", Message: fmt.Sprintf("%d file(s) are still being written: try again in a moment", rep.Waiting)}
	} else if err != nil {
		return nil, err
	}
	if len(rep.FileErrors) > 0 {
		return nil, &api.Error{Code: api.ECONFLICT, Field: "files", Message: fmt.Sprintf("%s: %s", rep.FileErrors[0].Path, rep.FileErrors[0].Problem)}
	}
	rec, err := e.cache.Release(ctx, root.ID, dir)
	if err != nil {
		return nil, err
	}
	if rec.Pending != "" {
		if _, err := e.confirm(ctx, root.ID, dir); err != nil {
			return nil, err
		}
	}
	if rec.ReleaseID == 0 {
		return nil, &api.Error{Code: api.ECONFLICT, Field: "tracks", Message: dir + " has no audio files to publish"}
	}
	return e.platform.PublishRelease(ctx, rec.ReleaseID)
}
