package app

import (
	"os"
	"path/filepath"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
)

// SyncAPI manages watched folders and the releases they hold.
type SyncAPI struct{ a *App }

// Folders lists watched folders with their release folders and files.
func (x *SyncAPI) Folders() ([]FolderView, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	v, err := x.a.folders()
	return v, uiError(err)
}

// ChooseFolder opens the native folder dialog, titled in the user's
// language by the window, and watches the choice.
func (x *SyncAPI) ChooseFolder(title string) (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	path, err := runtime.OpenDirectoryDialog(x.a.window(), runtime.OpenDialogOptions{Title: title})
	if err != nil || path == "" {
		return "", uiError(err)
	}
	return path, x.AddFolder(path)
}

// AddFolder watches a folder given by path.
func (x *SyncAPI) AddFolder(path string) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	if !filepath.IsAbs(path) {
		return invalid("path", "give the full path of a folder")
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return invalid("path", "that folder does not exist")
	}
	if _, err := x.a.cache.AddRoot(x.a.ctx, path); err != nil {
		return uiError(err)
	}
	x.a.engine.Kick()
	return nil
}

// RemoveFolder stops watching a folder; nothing changes on the platform.
func (x *SyncAPI) RemoveFolder(id int64) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.cache.RemoveRoot(x.a.ctx, id))
}

// Progress returns upload totals.
func (x *SyncAPI) Progress() sync.Progress {
	if !x.a.started() {
		return sync.Progress{}
	}
	return x.a.engine.Progress()
}

// Pause pauses uploads.
func (x *SyncAPI) Pause() {
	if !x.a.started() {
		return
	}
	x.a.engine.Pause()
}

// Resume resumes uploads.
func (x *SyncAPI) Resume() {
	if !x.a.started() {
		return
	}
	x.a.engine.Resume()
}

// Retry rescans every folder now.
func (x *SyncAPI) Retry() {
	if !x.a.started() {
		return
	}
	x.a.engine.Kick()
}

// SetBandwidth limits uploads to kbps kilobytes per second (0: no limit).
func (x *SyncAPI) SetBandwidth(kbps int64) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	if kbps < 0 || kbps > 10_000_000 {
		return invalid("kbps", "enter a limit in KB/s, or 0 for none")
	}
	x.a.engine.SetRateLimit(kbps * 1000)
	return nil
}

// SetPrice writes a release folder's price to its megabox.json, where it
// lives, and syncs it.
func (x *SyncAPI) SetPrice(rootID int64, dir string, priceCents int64, currency string, pwyw bool, minCents int64) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	folder, err := x.a.releaseFolder(rootID, dir)
	if err != nil {
		return uiError(err)
	}
	if err := checkPrice(priceCents, currency, pwyw, minCents); err != nil {
		return uiError(err)
	}
	return uiError(x.a.writePrice(folder, priceCents, currency, pwyw, minCents))
}

// SetCollaborators writes the accounts sharing a release folder's
// earnings to its megabox.json and syncs them; an empty list leaves the
// owner everything. A list the platform would refuse is not written.
func (x *SyncAPI) SetCollaborators(rootID int64, dir string, collaborators []api.ManifestCollaborator) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	folder, err := x.a.releaseFolder(rootID, dir)
	if err != nil {
		return uiError(err)
	}
	cs := normalCollaborators(collaborators)
	if p := checkPayees(x.a.ownerEmail(), cs); p != nil {
		return invalid(p.Field, p.Message)
	}
	return uiError(x.a.writeCollaborators(folder, cs))
}

// Publish makes a release folder's draft public.
func (x *SyncAPI) Publish(rootID int64, dir string) (*api.Release, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	root, err := x.a.root(rootID)
	if err != nil {
		return nil, uiError(err)
	}
	r, err := x.a.engine.Publish(x.a.ctx, root, dir)
	return r, uiError(err)
}

// Unpublish takes a release out of the store; buyers keep it.
func (x *SyncAPI) Unpublish(releaseID int64) (*api.Release, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	r, err := x.a.client.UnpublishRelease(x.a.ctx, releaseID)
	return r, uiError(err)
}

// Confirm applies a change that waits for the creator.
func (x *SyncAPI) Confirm(rootID int64, dir string) (*api.Release, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	r, err := x.a.engine.Confirm(x.a.ctx, rootID, dir)
	return r, uiError(err)
}
