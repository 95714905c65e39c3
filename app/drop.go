package app

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Why a dropped path is not watched: stable keys the window translates.
const (
	DropNotFolder  = "not_folder" // a file, not a folder
	DropMissing    = "missing"    // gone, or not a local path
	DropUnreadable = "unreadable" // the app may not read it
	DropWatched    = "watched"    // already watched
)

// DroppedPath is the outcome for one path dropped on the window.
type DroppedPath struct {
	Path    string `json:"path"`
	Problem string `json:"problem"` // "": now watched
}

// addDropped watches each dropped folder, the same way as a folder
// chosen in the dialog; anything else is refused, with why.
func (a *App) addDropped(paths []string) ([]DroppedPath, error) {
	roots, err := a.cache.Roots(a.ctx)
	if err != nil {
		return nil, err
	}
	watched := map[string]bool{}
	for _, r := range roots {
		watched[r.Path] = true
	}
	out := []DroppedPath{}
	added := false
	for _, p := range paths {
		d := DroppedPath{Path: p, Problem: dropProblem(p, watched)}
		if d.Problem == "" {
			if _, err := a.cache.AddRoot(a.ctx, filepath.Clean(p)); err != nil {
				return nil, err
			}
			watched[filepath.Clean(p)], added = true, true
		}
		out = append(out, d)
	}
	if added {
		a.engine.Kick()
	}
	return out, nil
}

func dropProblem(p string, watched map[string]bool) string {
	if p == "" || !filepath.IsAbs(p) {
		return DropMissing
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return DropUnreadable
	case err != nil:
		return DropMissing
	case !fi.IsDir():
		return DropNotFolder
	case watched[filepath.Clean(p)]:
		return DropWatched
	}
	if f, err := os.Open(p); err != nil {
		return DropUnreadable
	} else if _, err := f.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return DropUnreadable
	} else {
		f.Close()
	}
	return ""
}
