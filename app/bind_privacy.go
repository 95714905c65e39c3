package app

import (
	"log/slog"
	"os"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// PrivacyAPI is the signed-in person's own data: download it, or delete
// the account.
type PrivacyAPI struct{ a *App }

// ExportData saves everything the platform holds about the account as a
// zip where the user chooses, the dialog titled in the user's language
// by the window; it returns the path, or "" if cancelled.
func (x *PrivacyAPI) ExportData(title string) (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	acc := x.a.currentAccount()
	if acc == nil {
		return "", uiError(api.Errorf(api.EUNAUTHORIZED, "sign in first"))
	}
	path, err := x.savePath(api.ExportFilename(acc.ID), title)
	if err != nil || path == "" {
		return "", uiError(err)
	}
	return path, uiError(x.exportTo(path))
}

// exportTo streams the zip into path, whole or not at all.
func (x *PrivacyAPI) exportTo(path string) error {
	return atomicfile.WriteWith(path, 0o600, func(f *os.File) error { return x.a.client.ExportData(x.a.ctx, f) })
}

// DeleteAccount deletes the account (the password again, and DELETE
// typed), then signs out here and forgets the stored session.
func (x *PrivacyAPI) DeleteAccount(password, confirm string) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	if err := x.a.client.DeleteAccount(x.a.ctx, api.AccountDeletion{Password: password, Confirm: confirm}); err != nil {
		return uiError(err)
	}
	x.a.signedOut()
	if err := x.a.player.Clear(); err != nil { // nothing of the account stays queued
		return uiError(err)
	}
	return uiError(x.a.creds.Clear())
}

// savePath asks where to save the zip (a dev build may be told by
// devSavePath).
func (x *PrivacyAPI) savePath(name, title string) (string, error) {
	if p := os.Getenv(devSavePath); devBuild && p != "" {
		slog.Info("save dialog answered by "+devSavePath, "path", p)
		return p, nil
	}
	return runtime.SaveFileDialog(x.a.window(), runtime.SaveDialogOptions{Title: title, DefaultFilename: name,
		Filters: []runtime.FileFilter{{DisplayName: "Zip", Pattern: "*.zip"}}})
}
