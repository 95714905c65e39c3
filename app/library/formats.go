package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// settingFormat keeps the format the fan chose for the library.
const settingFormat = "library_format"

// DefaultFormat is the library's format until the fan chooses another.
const DefaultFormat = api.FormatFLAC

// Format is the format the fan chose for the library.
func (l *Library) Format(ctx context.Context) api.Format {
	f, err := api.ParseFormat(l.cache.Setting(ctx, settingFormat, string(DefaultFormat)))
	if err != nil || !slices.Contains(api.LosslessFormats, f) {
		return DefaultFormat
	}
	return f
}

// SetFormat chooses the library's format and asks for a sync, which
// mirrors every release again in it: new files first, then the old ones
// go. EINVALID (field "format") for a format a fan cannot choose.
func (l *Library) SetFormat(ctx context.Context, name string) error {
	f, err := api.ParseFormat(name)
	if err == nil && !slices.Contains(api.LosslessFormats, f) {
		err = api.FieldErrorf("format", "must be one of flac, mp3-320, mp3-v0, opus, aac")
	}
	if err != nil {
		return err
	}
	if err := l.cache.SetSetting(ctx, settingFormat, string(f)); err != nil {
		return fmt.Errorf("keep library format: %w", err)
	}
	l.Request()
	return nil
}

// trackFormat is what a track is mirrored as: the fan's choice for a
// lossless master; an MP3 master is always itself.
func trackFormat(t api.Track, chosen api.Format) api.Format {
	if t.Master.Codec == "flac" {
		return chosen
	}
	return api.FormatMP3
}

// releaseFormat is what a release is mirrored as, said of the whole.
func releaseFormat(r api.Release, chosen api.Format) api.Format {
	for _, t := range r.Tracks {
		if t.Master.Codec == "flac" {
			return chosen
		}
	}
	return api.FormatMP3
}

func trackName(t api.Track, f api.Format) string {
	return fmt.Sprintf("%02d - %s%s", t.Position, SafeName(t.Title, "Track"), f.Ext())
}

// Preparing is a release waiting for the platform to make its files in
// the library's format.
type Preparing struct {
	Format   api.Format `json:"format"`
	Progress float64    `json:"progress"` // 0 to 1 over the release's tracks
}

// setPreparing records (or, with nil, clears) what a release waits for.
func (l *Library) setPreparing(purchaseID int64, p *Preparing) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p == nil {
		delete(l.preparing, purchaseID)
		return
	}
	l.preparing[purchaseID] = *p
}

func (l *Library) preparingOf(purchaseID int64) *Preparing {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p, ok := l.preparing[purchaseID]; ok {
		return &p
	}
	return nil
}

// syncTracks mirrors a release's available tracks in the chosen format.
// Tracks still being made are left for a later sync, which the report's
// retry says when to run; the others are fetched meanwhile. Once every
// track is in, the files a format switch replaced are removed.
func (l *Library) syncTracks(ctx context.Context, it api.LibraryItem, dir string, chosen api.Format, rep *Report) error {
	rel := it.Release
	mirrors, err := l.cache.LibraryMirrors(ctx, rel.ID)
	if err != nil {
		return err
	}
	problems := len(rep.Problems)
	var tracks, ready int
	var progress float64
	var retry time.Duration
	for _, t := range rel.Tracks {
		if t.AvailableOn != "" { // the platform opens it on the release day; a later sync fetches it
			rep.Waiting++
			continue
		}
		rep.Tracks++
		tracks++
		pending, err := l.syncTrack(ctx, it.PurchaseID, rel.ID, dir, t, trackFormat(t, chosen), mirrors[t.ID], rep)
		if err != nil {
			return err
		}
		switch {
		case pending == nil:
			ready++
			progress++
		case pending.Pending.State == api.TranscodeFailed:
			rep.Problems = append(rep.Problems, Problem{Path: filepath.ToSlash(filepath.Join(dir, trackName(t, chosen))), Kind: ProblemDownload,
				Error: "the platform could not make this format"})
		default:
			progress += min(max(pending.Pending.Progress, 0), 1)
			if retry == 0 || pending.RetryAfter < retry {
				retry = pending.RetryAfter
			}
		}
	}
	if ready < tracks {
		if retry > 0 {
			rep.Preparing++
			rep.retry = minRetry(rep.retry, retry)
			l.setPreparing(it.PurchaseID, &Preparing{Format: releaseFormat(rel, chosen), Progress: progress / float64(tracks)})
		}
		return nil
	}
	l.setPreparing(it.PurchaseID, nil)
	if len(rep.Problems) > problems {
		return nil // the old files stay until the release is whole in the new format
	}
	if err := l.removeLeftovers(ctx, it.PurchaseID, rep); err != nil {
		return err
	}
	return l.cache.SetLibraryItemFormat(ctx, it.PurchaseID, string(releaseFormat(rel, chosen)))
}

func minRetry(a, b time.Duration) time.Duration {
	if a == 0 || b < a {
		return b
	}
	return a
}

// removeLeftovers deletes the files a format switch replaced, each only if
// it is still as it was mirrored: a file the fan changed is kept (and
// said), one they moved or deleted is simply forgotten.
func (l *Library) removeLeftovers(ctx context.Context, purchaseID int64, rep *Report) error {
	left, err := l.cache.Leftovers(ctx, purchaseID)
	if err != nil {
		return err
	}
	for _, lf := range left {
		abs := filepath.Join(l.dir, filepath.FromSlash(lf.Path))
		if !within(l.dir, abs) {
			return fmt.Errorf("refusing a path outside the library: %q", lf.Path)
		}
		sum, err := fileSHA(abs)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return err
		case sum == lf.SHA256:
			if err := os.Remove(abs); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		default:
			rep.Problems = append(rep.Problems, Problem{Path: lf.Path, Kind: ProblemKept, Error: "changed since it was mirrored: kept"})
		}
		if err := l.cache.DeleteLeftover(ctx, lf.Path); err != nil {
			return err
		}
	}
	return nil
}

// syncExtras mirrors a release's bonus files into its Bonus folder, each
// verified against the sha256 the release names.
func (l *Library) syncExtras(ctx context.Context, it api.LibraryItem, dir string, rep *Report) error {
	if len(it.Release.Extras) == 0 {
		return nil
	}
	have, err := l.cache.LibraryExtras(ctx, it.PurchaseID)
	if err != nil {
		return err
	}
	known := map[string]cache.LibraryExtra{}
	for _, e := range have {
		known[e.Name] = e
	}
	for _, x := range it.Release.Extras {
		if err := l.syncExtra(ctx, it, dir, x, known[x.Name], rep); err != nil {
			return err
		}
	}
	return nil
}

func (l *Library) syncExtra(ctx context.Context, it api.LibraryItem, dir string, x api.Extra, old cache.LibraryExtra, rep *Report) error {
	rel := filepath.Join(dir, "Bonus", SafeName(x.Name, "Bonus"))
	abs := filepath.Join(l.dir, rel)
	if !within(l.dir, abs) {
		return fmt.Errorf("refusing a path outside the library: %q", rel)
	}
	rec := cache.LibraryExtra{PurchaseID: it.PurchaseID, Name: x.Name, Path: filepath.ToSlash(rel), SHA256: x.SHA256, Size: x.Size, State: StatePending}
	if fi, err := os.Stat(abs); err == nil && fi.Size() == x.Size {
		if old.State == StateOK && old.SHA256 == x.SHA256 && old.Path == rec.Path && old.MtimeNS == fi.ModTime().UnixNano() {
			return nil // unchanged since it was verified
		}
		if sum, err := fileSHA(abs); err == nil && sum == x.SHA256 {
			rec.State, rec.MtimeNS = StateOK, fi.ModTime().UnixNano()
			return l.cache.PutLibraryExtra(ctx, rec)
		}
	}
	res, err := l.fetchFile(ctx, abs, x.SHA256, func(ctx context.Context, offset int64) (*mhttp.Fetched, error) {
		return l.platform.FetchExtra(ctx, it.Release.ID, x.Name, offset)
	})
	if err == nil && res.pending != nil {
		err = errors.New("the platform is still preparing this file")
	}
	if err != nil {
		if api.ErrorCode(err) == api.EUNAVAILABLE {
			l.setOffline(ctx, true)
			return ErrOffline
		}
		rep.Problems = append(rep.Problems, Problem{Path: rec.Path, Kind: ProblemDownload, Error: err.Error()})
		return l.cache.PutLibraryExtra(ctx, rec)
	}
	rep.Downloaded++
	rec.State, rec.MtimeNS = StateOK, res.mtimeNS
	return l.cache.PutLibraryExtra(ctx, rec)
}
