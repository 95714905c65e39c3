package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// syncTrack makes one owned track present and verified on disk in format
// f. A format still being made returns its progress and changes nothing.
func (l *Library) syncTrack(ctx context.Context, purchaseID, releaseID int64, dir string, t api.Track, f api.Format,
	was cache.Mirror, rep *Report) (*mhttp.Fetched, error) {
	rel := filepath.Join(dir, trackName(t, f))
	abs := filepath.Join(l.dir, rel)
	if !within(l.dir, abs) {
		return nil, fmt.Errorf("refusing a path outside the library: %q", rel)
	}
	rec := cache.LibraryFile{TrackID: t.ID, PurchaseID: purchaseID, ReleaseID: releaseID, Position: t.Position, Title: t.Title,
		SHA256: t.AudioSHA256, Size: t.Size, DurationMS: t.DurationMS, Path: filepath.ToSlash(rel), State: StatePending}
	mirror := cache.Mirror{Format: string(f), MasterSHA256: t.AudioSHA256}
	old := l.known(ctx, t.ID)
	if old != nil && old.Path == rec.Path && sameFormat(was.Format, f) && madeFrom(was, old) == t.AudioSHA256 {
		if done, err := l.stillGood(ctx, old, abs, was); done || err != nil {
			return nil, err
		}
		// Missing or changed: fetched again, as any owned file.
	}
	res, err := l.fetchFile(ctx, abs, "", func(ctx context.Context, offset int64) (*mhttp.Fetched, error) {
		return l.fetchTrack(ctx, t, f, offset)
	})
	if res.pending != nil || err != nil {
		if api.ErrorCode(err) == api.EUNAVAILABLE {
			l.setOffline(ctx, true)
			return nil, ErrOffline
		}
		if err != nil {
			rep.Problems = append(rep.Problems, Problem{Path: rec.Path, Kind: ProblemDownload, Error: err.Error()})
		}
		if old == nil { // listed, to be fetched; a file already there stays what it is until its replacement is in
			return res.pending, l.cache.PutMirroredFile(ctx, rec, mirror, nil)
		}
		return res.pending, nil
	}
	rep.Downloaded++
	var replaced *cache.Leftover
	if old != nil && old.Path != rec.Path {
		replaced = &cache.Leftover{Path: old.Path, PurchaseID: old.PurchaseID, SHA256: old.SHA256}
	}
	rec.SHA256, rec.Size, rec.State, rec.MtimeNS = res.sha, res.size, StateOK, res.mtimeNS
	return nil, l.cache.PutMirroredFile(ctx, rec, mirror, replaced)
}

// stillGood says whether an owned file is on disk as it was mirrored,
// hashing it only when its size or time changed.
func (l *Library) stillGood(ctx context.Context, old *cache.LibraryFile, abs string, was cache.Mirror) (bool, error) {
	fi, err := os.Stat(abs)
	if err != nil || fi.Size() != old.Size {
		return false, nil
	}
	if old.State == StateOK && old.MtimeNS == fi.ModTime().UnixNano() {
		return true, nil
	}
	if sum, err := fileSHA(abs); err != nil || sum != old.SHA256 {
		return false, nil
	}
	old.State, old.MtimeNS = StateOK, fi.ModTime().UnixNano()
	return true, l.cache.PutMirroredFile(ctx, *old, was, nil)
}

// fetchTrack asks for a track in f and checks the platform sends that
// format, so a file is never named for a format it is not in. A platform
// that makes no formats still serves masters, which is all it takes when
// f is the master's own format.
func (l *Library) fetchTrack(ctx context.Context, t api.Track, f api.Format, offset int64) (*mhttp.Fetched, error) {
	res, err := l.platform.FetchTrackFormat(ctx, t.ID, f, offset)
	if api.ErrorCode(err) == api.EUNSUPPORTED && trackFormat(t, api.FormatFLAC) == f {
		res, err = l.platform.FetchTrackFormat(ctx, t.ID, "", offset)
	}
	if err != nil || res.Pending != nil {
		return res, err
	}
	if mt, _, err := mime.ParseMediaType(res.MediaType); err == nil && mt != f.MediaType() {
		res.Body.Close()
		return nil, fmt.Errorf("the platform sent %s for %s", mt, f.Label())
	}
	return res, nil
}

func (l *Library) known(ctx context.Context, trackID int64) *cache.LibraryFile {
	f, err := l.cache.LibraryFileByTrack(ctx, trackID)
	if err != nil {
		return nil
	}
	return f
}

// sameFormat: files mirrored before formats are the MP3 masters.
func sameFormat(recorded string, f api.Format) bool {
	return api.Format(recorded) == f || recorded == "" && f == api.FormatMP3
}

// madeFrom is the master a file was made from; files mirrored before
// formats are the master itself.
func madeFrom(m cache.Mirror, f *cache.LibraryFile) string {
	if m.MasterSHA256 != "" {
		return m.MasterSHA256
	}
	return f.SHA256
}

// fetched is a file fetchFile put in place, or the progress of one still
// being made.
type fetched struct {
	sha     string
	size    int64
	mtimeNS int64
	pending *mhttp.Fetched
}

type fetchFunc func(ctx context.Context, offset int64) (*mhttp.Fetched, error)

// fetchFile downloads into a hidden partial file beside abs, resuming what
// an earlier run left when the platform continues there, verifies the
// whole file against want (or, when want is "", the sha256 the platform
// names) and only then gives it its name.
func (l *Library) fetchFile(ctx context.Context, abs, want string, fetch fetchFunc) (fetched, error) {
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return fetched{}, err
	}
	part := filepath.Join(filepath.Dir(abs), "."+filepath.Base(abs)+".part")
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fetched{}, err
	}
	defer f.Close()
	h := sha256.New()
	have, err := io.Copy(h, f) // hash what is already there, and find the end
	if err != nil {
		return fetched{}, err
	}
	res, err := fetch(ctx, have)
	if err != nil {
		return fetched{}, err
	}
	if res.Pending != nil {
		return fetched{pending: res}, nil
	}
	defer res.Body.Close()
	if have > 0 && !res.Partial { // the platform starts over
		if err := f.Truncate(0); err != nil {
			return fetched{}, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fetched{}, err
		}
		have, h = 0, sha256.New()
	}
	n, err := io.Copy(io.MultiWriter(f, h), res.Body)
	l.bytesDownloaded.Add(n)
	if err != nil {
		return fetched{}, err
	}
	if want == "" {
		want = res.SHA256
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if want == "" || sum != want {
		f.Close()
		os.Remove(part) // start clean next time
		if want == "" {
			return fetched{}, errors.New("the platform did not say the file's sha256")
		}
		return fetched{}, errors.New("download does not match the purchased file's sha256")
	}
	if err := f.Sync(); err != nil {
		return fetched{}, err
	}
	f.Close()
	if err := atomicfile.Rename(part, abs); err != nil {
		return fetched{}, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return fetched{}, err
	}
	return fetched{sha: sum, size: have + n, mtimeNS: fi.ModTime().UnixNano()}, nil
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
