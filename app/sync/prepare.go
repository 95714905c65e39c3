package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
)

// blobJob is one file (or embedded picture) the platform must hold.
type blobJob struct {
	sha   string
	size  int64
	rel   string
	state string // the file's cached state
	abs   string // read from disk, or
	data  []byte // from memory
	name  string // the name it is uploaded under, when not rel
	// source is the sha256 of the WAV or AIFF an encode was made from.
	source string
	// warning is shown with the file once synced (clipping, silence).
	warning *Problem
}

// prepared is a release folder read and checked.
type prepared struct {
	tracks   []track
	extras   []api.ManifestExtra
	coverSHA string
	errors   []FileEvent
	waiting  int
	known    map[string]*cache.File // the folder's cache records, read once
}

// damagedAfter is how long a file that ends mid-frame may still be
// growing before it is called damaged.
const damagedAfter = time.Minute

// prepareFiles examines a release folder's files and sends each blob the
// platform must hold to jobs as soon as it is known.
// It stops with errYield between files once yield (if set) reports true.
func (e *Engine) prepareFiles(ctx context.Context, root cache.Root, dir string, files []localFile, rep *Report, jobs chan<- blobJob, yield func() bool) (*prepared, error) {
	cached, err := e.cache.FilesIn(ctx, root.ID, dir)
	if err != nil {
		return nil, err
	}
	st := &prepared{known: make(map[string]*cache.File, len(cached))}
	for i := range cached {
		st.known[cached[i].Rel] = &cached[i]
	}
	var cover *localFile
	var coverRec *cache.File
	for i := range files {
		f := files[i]
		if yield != nil {
			if yield() {
				return nil, errYield
			}
			e.passHook(f.rel)
		}
		switch f.kind {
		case kindOther, kindSidecar, kindExtra:
			continue // bonus files follow the tracks
		case kindUnsupported:
			ext := strings.ToUpper(strings.TrimPrefix(path.Ext(f.rel), "."))
			p := &Problem{Kind: KindUnsupportedType, Name: ext, Detail: ext + " files are not accepted: export this track as FLAC, WAV or MP3"}
			if err := e.fileError(ctx, root, f, st, p); err != nil {
				return nil, err
			}
			continue
		}
		rep.Files++
		rec, err := e.examine(ctx, root, f, st)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			continue
		}
		if f.kind == kindCover {
			if cover == nil || coverRank(f.rel) < coverRank(cover.rel) {
				cover, coverRec = &files[i], rec
			}
			continue
		}
		tags := tagsFrom(rec.Tags)
		job := blobJob{sha: rec.SHA256, size: f.size, rel: f.rel, abs: f.abs, state: rec.State}
		if f.kind == kindLossless {
			ok, err := e.masterJob(ctx, root, f, rec, &tags, st, &job)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		st.tracks = append(st.tracks, track{rel: f.rel, sha: job.sha, tags: tags, durationMS: rec.DurationMS})
		if e.needsWork(ctx, st, f.rel, rec, job.sha) {
			jobs <- job
		}
	}
	if err := e.extras(ctx, root, files, st, rep, jobs, yield); err != nil {
		return nil, err
	}
	if cover != nil {
		st.coverSHA = coverRec.SHA256
		if e.needsWork(ctx, st, cover.rel, coverRec, coverRec.SHA256) {
			jobs <- blobJob{sha: coverRec.SHA256, size: cover.size, rel: cover.rel, abs: cover.abs, state: coverRec.State}
		}
	} else if st.waiting == 0 {
		if job, ok := e.embeddedCover(ctx, files, st); ok {
			jobs <- job
		}
	}
	rep.FileErrors = append(rep.FileErrors, st.errors...)
	return st, nil
}

// needsWork reports whether a file must be uploaded or recorded synced:
// one found unchanged at its path, synced, whose blob the platform holds,
// needs nothing (a renamed one is new to whoever shows the folder).
// sha is the blob the platform must hold: the file's own, or its encode.
func (e *Engine) needsWork(ctx context.Context, st *prepared, rel string, rec *cache.File, sha string) bool {
	return st.known[rel] != rec || rec.State != StateSynced || !e.knownRemote(ctx, sha)
}

// examine returns a file's up-to-date cache record, reading the file only
// if it changed. A nil record means the file is not usable now (waiting or
// in error, as recorded in st).
func (e *Engine) examine(ctx context.Context, root cache.Root, f localFile, st *prepared) (*cache.File, error) {
	rec, ok := st.known[f.rel]
	if ok && rec.Unchanged(f.size, f.mtimeNS, f.inode) {
		if p := ParseProblem(rec.Error); rec.State == StateError && p != nil && !rederived(p, f) {
			st.errors = append(st.errors, FileEvent{Root: root.Path, Path: f.rel, State: StateError, Problem: p})
			return nil, nil
		}
		if rec.SHA256 != "" && rec.State != StateError {
			return rec, nil
		}
	}
	moved, err := e.cache.FileByStat(ctx, root.ID, f.size, f.mtimeNS, f.inode)
	if err != nil && !cache.IsNotFound(err) {
		return nil, err
	}
	if err == nil && moved.State != StateError {
		moved.Rel, moved.Dir, moved.RootID = f.rel, releaseDir(f.rel), root.ID
		if err := e.cache.PutFile(ctx, *moved); err != nil { // renamed: no new hash, no new upload
			return nil, err
		}
		return moved, nil
	}
	if age := time.Since(time.Unix(0, f.mtimeNS)); age < e.opts.Settle {
		return nil, e.waiting(ctx, root, f, st, &Problem{Kind: KindSettling, Detail: "modified moments ago"})
	}
	e.fileEvent(root, f.rel, StateHashing, 0, f.size, nil)
	h, err := hashFile(ctx, f, f.kind == kindAudio, &e.bytesRead)
	switch {
	case errors.Is(err, errChanged) || errors.Is(err, os.ErrNotExist):
		return nil, e.waiting(ctx, root, f, st, &Problem{Kind: KindChanged, Detail: "changed while being read"})
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, e.fileError(ctx, root, f, st, &Problem{Kind: KindUnreadable, Detail: "cannot read: " + err.Error()})
	}
	rec = &cache.File{RootID: root.ID, Rel: f.rel, Dir: releaseDir(f.rel), Size: f.size, MtimeNS: f.mtimeNS, Inode: f.inode, SHA256: h.sha, State: StateQueued}
	if f.kind == kindLossless {
		m, p, err := e.master(ctx, f, h.sha)
		switch {
		case errors.Is(err, errChanged) || errors.Is(err, os.ErrNotExist):
			return nil, e.waiting(ctx, root, f, st, &Problem{Kind: KindChanged, Detail: "changed while being read"})
		case err != nil:
			return nil, err
		case p != nil:
			return nil, e.fileError(ctx, root, f, st, p)
		}
		tags := losslessTags(f)
		tags.PictureMIME = pictureKey(tags)
		tags.Master = masterInfo(m)
		rec.DurationMS, rec.Tags = m.DurationMS, tagsJSON(tags)
	}
	if f.kind == kindAudio {
		if p := e.checkAudio(h, f); p != nil && p.Kind == KindStillCopying {
			return nil, e.waiting(ctx, root, f, st, p)
		} else if p != nil {
			return nil, e.fileError(ctx, root, f, st, p)
		}
		tags, _ := readTags(h.head, h.tail, h.size) // unreadable tags fall back to the file name
		tags.PictureMIME = pictureKey(tags)
		rec.DurationMS, rec.Tags = h.durationMS, tagsJSON(tags)
	}
	if err := e.cache.PutFile(ctx, *rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// checkAudio says what is wrong with an MP3 (KindStillCopying if it may
// still be growing), or nil if it is fine.
func (e *Engine) checkAudio(h *hashed, f localFile) *Problem {
	switch {
	case h.frames == 0:
		return &Problem{Kind: KindNotMP3, Detail: "not an MP3 file: no audio frames found"}
	case h.truncated && time.Since(time.Unix(0, f.mtimeNS)) < damagedAfter:
		return &Problem{Kind: KindStillCopying, Detail: "ends in the middle of an audio frame: still being copied?"}
	case h.truncated:
		return &Problem{Kind: KindDamaged, Detail: "damaged MP3: the file ends in the middle of an audio frame"}
	case h.unplayable != nil:
		return &Problem{Kind: KindUnplayable, Detail: h.unplayable.Error()}
	}
	return nil
}

// pictureKey records the embedded picture's hash in the cache so the
// picture can be found again without reading every track.
func pictureKey(t Tags) string {
	if len(t.Picture) == 0 {
		return ""
	}
	s := sha256.Sum256(t.Picture)
	return hex.EncodeToString(s[:])
}

// embeddedCover uses the first track's embedded picture when the folder
// has no cover file.
func (e *Engine) embeddedCover(ctx context.Context, files []localFile, st *prepared) (blobJob, bool) {
	for _, t := range st.tracks {
		if t.tags.PictureMIME == "" {
			continue
		}
		for _, f := range files {
			if f.rel != t.rel {
				continue
			}
			tags, err := e.pictureOf(ctx, f)
			if err != nil || len(tags.Picture) == 0 {
				return blobJob{}, false
			}
			name, ok := pictureName(t.rel, tags.Picture)
			if !ok {
				return blobJob{}, false
			}
			st.coverSHA = pictureKey(tags)
			return blobJob{sha: st.coverSHA, size: int64(len(tags.Picture)), rel: f.rel + "#picture", data: tags.Picture, name: name}, true
		}
	}
	return blobJob{}, false
}

// pictureName is the name an embedded picture is uploaded under, by what
// its bytes are (the tag's MIME type is often wrong): the platform takes
// only JPEG and PNG covers and refuses any other declared type, so a
// picture of another kind is no cover (ok false).
func pictureName(rel string, pic []byte) (string, bool) {
	info, err := media.Probe(bytes.NewReader(pic))
	if err != nil {
		return "", false
	}
	switch info.MediaType {
	case api.MediaJPEG:
		return releaseDir(rel) + "/cover.jpg", true
	case api.MediaPNG:
		return releaseDir(rel) + "/cover.png", true
	}
	return "", false
}

// pictureOf reads a track's tags with its embedded picture.
func (e *Engine) pictureOf(ctx context.Context, f localFile) (Tags, error) {
	if f.kind == kindLossless {
		return losslessTags(f), nil
	}
	h, err := hashFile(ctx, f, true, &e.bytesRead)
	if err != nil {
		return Tags{}, err
	}
	return readTags(h.head, h.tail, h.size)
}

func coverRank(rel string) int {
	base := strings.ToLower(strings.TrimSuffix(path.Base(rel), path.Ext(rel)))
	return map[string]int{"cover": 0, "folder": 1, "front": 2}[base]
}

func (e *Engine) waiting(ctx context.Context, root cache.Root, f localFile, st *prepared, why *Problem) error {
	st.waiting++
	e.fileEvent(root, f.rel, StateWaiting, 0, f.size, why)
	return nil
}

// fileError records a file the creator must fix. The error returned is
// the cache's, if it could not record it.
func (e *Engine) fileError(ctx context.Context, root cache.Root, f localFile, st *prepared, p *Problem) error {
	if err := e.cache.PutFile(ctx, cache.File{RootID: root.ID, Rel: f.rel, Dir: releaseDir(f.rel), Size: f.size, MtimeNS: f.mtimeNS, Inode: f.inode, State: StateError, Error: p.encode()}); err != nil {
		return err
	}
	st.errors = append(st.errors, FileEvent{Root: root.Path, Path: f.rel, State: StateError, Problem: p})
	e.fileEvent(root, f.rel, StateError, 0, f.size, p)
	return nil
}
