package sync

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// Kinds of file in a release folder.
const (
	kindAudio       = "audio"    // MP3
	kindLossless    = "lossless" // FLAC, WAV, AIFF: checked, and WAV/AIFF encoded to FLAC
	kindCover       = "cover"
	kindSidecar     = "sidecar"
	kindExtra       = "extra"       // a bonus file: booklet, images, lyrics, stems
	kindUnsupported = "unsupported" // audio we do not take
	kindOther       = "other"       // anything else: left alone
)

// SidecarName is the release settings file kept beside the tracks.
const SidecarName = "megabox.json"

// localFile is one file found in a release folder.
type localFile struct {
	rel     string // slash-separated, below the root
	abs     string
	size    int64
	mtimeNS int64
	inode   uint64
	kind    string
}

// ignored reports names that are never synced: hidden files, system
// clutter and files still being downloaded or written.
func ignored(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(name, "."), strings.HasPrefix(name, "~$"), strings.HasSuffix(name, "~"):
		return true
	case lower == "thumbs.db", lower == "desktop.ini", lower == "$recycle.bin":
		return true
	}
	for _, ext := range []string{".part", ".partial", ".crdownload", ".download", ".tmp", ".temp", ".swp"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

func kindOf(rel string) string {
	name := strings.ToLower(path.Base(rel))
	ext := path.Ext(name)
	top := strings.Count(rel, "/") == 1 // directly in the release folder
	switch {
	case ext == ".mp3":
		return kindAudio
	case top && name == SidecarName:
		return kindSidecar
	case top && (ext == ".jpg" || ext == ".jpeg" || ext == ".png") && isCoverName(strings.TrimSuffix(name, ext)):
		return kindCover
	case losslessCodec(name) != "":
		return kindLossless
	case ext == ".m4a" || ext == ".ogg" || ext == ".opus" || ext == ".wma":
		return kindUnsupported
	}
	if _, _, err := api.ExtraKind(name); err == nil {
		return kindExtra
	}
	return kindOther
}

func isCoverName(base string) bool { return base == "cover" || base == "folder" || base == "front" }

// listRelease walks one release folder. Symlinks are not followed: a
// release is what is really inside its folder.
func listRelease(root, dir string) ([]localFile, error) {
	var out []localFile
	base := filepath.Join(root, filepath.FromSlash(dir))
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == base {
				return err
			}
			return nil // unreadable entry: skip, the rest still syncs
		}
		if p != base && ignored(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		f := localFile{rel: rel, abs: p, size: fi.Size(), mtimeNS: fi.ModTime().UnixNano(), inode: inodeOf(fi), kind: kindOf(rel)}
		out = append(out, f)
		return nil
	})
	return out, err
}

// listRoot returns the release folders of a root.
func listRoot(root string) ([]string, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, errors.New("not a folder")
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && !ignored(e.Name()) {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs, nil
}

// releaseDir is the release folder of a slash path below the root.
func releaseDir(rel string) string { return strings.SplitN(rel, "/", 2)[0] }
