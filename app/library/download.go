package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// syncTrack makes one owned track present and verified on disk.
func (l *Library) syncTrack(ctx context.Context, purchaseID, releaseID int64, dir string, t api.Track, rep *Report) error {
	rel := filepath.Join(dir, trackName(t))
	abs := filepath.Join(l.dir, rel)
	if !within(l.dir, abs) {
		return fmt.Errorf("refusing a path outside the library: %q", rel)
	}
	rec := cache.LibraryFile{TrackID: t.ID, PurchaseID: purchaseID, ReleaseID: releaseID, Position: t.Position, Title: t.Title,
		SHA256: t.AudioSHA256, Size: t.Size, DurationMS: t.DurationMS, Path: filepath.ToSlash(rel), State: StatePending}
	if fi, err := os.Stat(abs); err == nil && fi.Size() == t.Size {
		if old := l.known(ctx, t.ID); old != nil && old.State == StateOK && old.MtimeNS == fi.ModTime().UnixNano() && old.SHA256 == t.AudioSHA256 {
			return nil // unchanged since it was verified
		}
		if sum, err := fileSHA(abs); err == nil && sum == t.AudioSHA256 {
			rec.State, rec.MtimeNS = StateOK, fi.ModTime().UnixNano()
			return l.cache.PutLibraryFile(ctx, rec)
		}
	}
	if err := l.download(ctx, t, abs); err != nil {
		if api.ErrorCode(err) == api.EUNAVAILABLE {
			l.setOffline(ctx, true)
			return ErrOffline
		}
		rep.Problems = append(rep.Problems, Problem{Path: rec.Path, Kind: ProblemDownload, Error: err.Error()})
		return l.cache.PutLibraryFile(ctx, rec)
	}
	rep.Downloaded++
	fi, err := os.Stat(abs)
	if err != nil {
		return err
	}
	rec.State, rec.MtimeNS = StateOK, fi.ModTime().UnixNano()
	return l.cache.PutLibraryFile(ctx, rec)
}

func (l *Library) known(ctx context.Context, trackID int64) *cache.LibraryFile {
	f, err := l.cache.LibraryFileByTrack(ctx, trackID)
	if err != nil {
		return nil
	}
	return f
}

// download fetches a track into a hidden partial file beside its final
// name, resuming what an earlier run left, verifies the whole file and
// only then gives it its name.
func (l *Library) download(ctx context.Context, t api.Track, abs string) error {
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return err
	}
	part := filepath.Join(filepath.Dir(abs), "."+filepath.Base(abs)+".part")
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	have, err := io.Copy(h, f) // hash what is already there, and find the end
	if err != nil {
		return err
	}
	if have > t.Size {
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		have, h = 0, sha256.New()
	}
	if have < t.Size {
		n, err := l.platform.DownloadTrack(ctx, t.ID, have, io.MultiWriter(f, h))
		l.bytesDownloaded.Add(n)
		if err != nil {
			return err
		}
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != t.AudioSHA256 {
		f.Close()
		os.Remove(part) // start clean next time
		return errors.New("download does not match the purchased file's sha256")
	}
	if err := f.Sync(); err != nil {
		return err
	}
	f.Close()
	return atomicfile.Rename(part, abs)
}

func fileSHA(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
