package app

import (
	"github.com/megabox-fm/megabox/backend/api"
)

// SaveRelease writes the editor's draft of a release folder to its
// megabox.json (never renaming a file) and syncs it. A draft the platform
// would refuse is not written; the error names the field.
func (x *SyncAPI) SaveRelease(rootID int64, dir string, draft ReleaseDraft) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	folder, err := x.a.releaseFolder(rootID, dir)
	if err != nil {
		return uiError(err)
	}
	return uiError(x.a.saveDraft(rootID, folder, dir, draft))
}

// PublishDraft saves the draft on screen, then syncs and publishes the
// release folder: what is published is exactly that draft.
func (x *SyncAPI) PublishDraft(rootID int64, dir string, draft ReleaseDraft) (*api.Release, error) {
	if err := x.SaveRelease(rootID, dir, draft); err != nil {
		return nil, err
	}
	return x.Publish(rootID, dir)
}

// RemoteReleases lists the creator's releases no watched folder holds.
func (x *SyncAPI) RemoteReleases() ([]RemoteRelease, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	rs, err := x.a.remoteOnly()
	return rs, uiError(err)
}

// SaveRemote replaces a release without a folder here with the draft.
func (x *SyncAPI) SaveRemote(releaseID int64, draft ReleaseDraft) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	_, err := x.a.saveRemote(releaseID, draft)
	return uiError(err)
}

// PublishRemote saves the draft of a release without a folder here and
// publishes it.
func (x *SyncAPI) PublishRemote(releaseID int64, draft ReleaseDraft) (*api.Release, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if _, err := x.a.saveRemote(releaseID, draft); err != nil {
		return nil, uiError(err)
	}
	r, err := x.a.client.PublishRelease(x.a.ctx, releaseID)
	return r, uiError(err)
}

// AddDropped watches the folders dropped on the window; each path gets
// its outcome, a problem key the window translates ("" when watched).
func (x *SyncAPI) AddDropped(paths []string) ([]DroppedPath, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	out, err := x.a.addDropped(paths)
	return out, uiError(err)
}
