package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// Platform is what the engine needs from the platform; *http.Client has it.
type Platform interface {
	HasBlob(ctx context.Context, sha256 string) (bool, error)
	UploadFile(ctx context.Context, src io.ReaderAt, u *mhttp.Upload) (int64, error)
	CreateRelease(ctx context.Context, m api.Manifest) (*api.Release, error)
	UpdateRelease(ctx context.Context, id int64, m api.Manifest) (*api.Release, error)
	FindRelease(ctx context.Context, id int64) (*api.Release, error)
	PublishRelease(ctx context.Context, id int64) (*api.Release, error)
	MyReleases(ctx context.Context, limit int, cursor string) (*api.ReleasePage, error)
}

// Options tune the engine; zero values take the defaults.
type Options struct {
	Parallel  int           // uploads at once (2)
	ChunkSize int64         // most bytes per upload request (16 MiB)
	Quiet     time.Duration // act after a folder is quiet this long (1 s)
	MaxWait   time.Duration // act at the latest after this much continuous change (10 s)
	Rescan    time.Duration // full rescan as a safety net (10 min)
	Poll      time.Duration // rescan of folders the system refuses to watch (30 s)
	Settle    time.Duration // a file must be unmodified this long before it is read (Quiet)
	RateLimit int64         // upload bytes per second, 0 for no limit
	// FinishWait bounds how long a finished file waits for its batch to be
	// written (and so to be reported synced) while its folder still uploads.
	FinishWait time.Duration // (500 ms)
	Defaults   Defaults      // price when the sidecar names none (DefaultPrice)
}

// DefaultPrice is a release's price until its creator sets one.
var DefaultPrice = Defaults{PriceCents: 1000, Currency: "EUR"}

func (o *Options) fill() {
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = mhttp.DefaultChunkSize
	}
	if o.Quiet <= 0 {
		o.Quiet = time.Second
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 10 * time.Second
	}
	if o.Rescan <= 0 {
		o.Rescan = 10 * time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 30 * time.Second
	}
	if o.FinishWait <= 0 {
		o.FinishWait = 500 * time.Millisecond
	}
	if o.Settle <= 0 {
		o.Settle = o.Quiet
	}
	if o.Defaults.Currency == "" {
		o.Defaults = DefaultPrice
	}
}

// Engine syncs watched folders to the platform.
type Engine struct {
	cache    *cache.Cache
	platform Platform
	emit     Emitter
	opts     Options
	limiter  *rate.Limiter
	events   *throttle

	meter     meter
	remote    gosync.Map   // blob sha256 → true: known to be on the platform
	bytesRead atomic.Int64 // from disk: hashing and uploading
	bytesSent atomic.Int64 // over the network
	online    atomic.Bool

	mu        gosync.Mutex
	paused    bool
	pauseCtx  context.Context
	cancelRun context.CancelFunc
	kick      chan struct{}
	stopped   *Problem     // why Serve is not running, for the UI
	unwatched *Problem     // which folders are rescanned for want of a watch
	kernel    kernel       // the system's file watching
	loop      *loop        // while serving: where folder work is sent
	work      gosync.Mutex // held while working on a folder: one piece of work at a time
	signedIn  chan struct{}
	w         *watcher // while serving

	// onPass, if set, is called before each folder and each file of a
	// pass the Serve loop runs (tests hold a pass with it).
	onPass func(rel string)
}

// New returns an engine; call Serve or SyncOnce to run it.
func New(c *cache.Cache, p Platform, emit Emitter, opts Options) *Engine {
	opts.fill()
	if emit == nil {
		emit = NopEmitter{}
	}
	e := &Engine{cache: c, platform: p, emit: emit, opts: opts, events: newThrottle(250 * time.Millisecond),
		kick: make(chan struct{}, 1), signedIn: make(chan struct{}, 1), kernel: systemKernel}
	if opts.RateLimit > 0 {
		e.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), int(min(opts.RateLimit, 1<<20)))
	}
	e.online.Store(true)
	e.pauseCtx, e.cancelRun = context.WithCancel(context.Background())
	return e
}

func (e *Engine) passHook(rel string) {
	if e.onPass != nil {
		e.onPass(rel)
	}
}

// BytesRead is how many bytes the engine has read from disk.
func (e *Engine) BytesRead() int64 { return e.bytesRead.Load() }

// BytesSent is how many bytes the engine has uploaded.
func (e *Engine) BytesSent() int64 { return e.bytesSent.Load() }

// Pause stops uploads at once (their offsets are kept) until Resume.
func (e *Engine) Pause() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.paused {
		e.paused = true
		e.cancelRun()
	}
}

// Resume restarts paused uploads.
func (e *Engine) Resume() {
	e.mu.Lock()
	if e.paused {
		e.paused = false
		e.pauseCtx, e.cancelRun = context.WithCancel(context.Background())
	}
	e.mu.Unlock()
	e.Kick()
}

// Paused reports whether uploads are paused.
func (e *Engine) Paused() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.paused
}

// Kick asks a running Serve loop for a full rescan.
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// SignedIn tells a running Serve loop that the platform has a new session:
// folders refused for want of one are retried at once, not after backoff.
func (e *Engine) SignedIn() {
	select {
	case e.signedIn <- struct{}{}:
	default:
	}
}

// Progress returns the upload totals so far.
func (e *Engine) Progress() Progress {
	p := e.meter.snapshot()
	p.Paused, p.Online = e.Paused(), e.Online()
	e.mu.Lock()
	p.Problem = e.stopped
	if p.Problem == nil {
		p.Problem = e.unwatched
	}
	e.mu.Unlock()
	return p
}

func (e *Engine) emitProgress(final bool) {
	if e.events.allow(EventProgress, final) {
		e.emit.Emit(EventProgress, e.Progress())
	}
}

// Online reports whether the platform answered last time it was asked.
func (e *Engine) Online() bool { return e.online.Load() }

// SetRateLimit changes the upload bandwidth limit; 0 removes it.
func (e *Engine) SetRateLimit(bps int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if bps <= 0 {
		e.limiter = nil
		return
	}
	e.limiter = rate.NewLimiter(rate.Limit(bps), int(min(bps, 1<<20)))
}

// runCtx ties an operation to ctx and to pausing.
func (e *Engine) runCtx(ctx context.Context) (context.Context, context.CancelFunc, error) {
	e.mu.Lock()
	paused, pctx := e.paused, e.pauseCtx
	e.mu.Unlock()
	if paused {
		return nil, nil, errPaused
	}
	c, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(pctx, cancel)
	return c, func() { stop(); cancel() }, nil
}

var (
	errPaused = errors.New("paused")
	// errRetry means some files are not ready yet; try again soon.
	errRetry = errors.New("files still being written")
	// errYield means a folder stopped early to let a request run first.
	errYield = errors.New("gave way to a request")
)

// Report sums up one pass over the watched folders.
type Report struct {
	Releases   int
	Files      int
	Waiting    int
	FileErrors []FileEvent
	Errors     []error // release-level failures

	adopt adoptIndex // what adoption knows, read once per pass
}

// Failed reports whether anything needs the creator's attention.
func (r *Report) Failed() bool { return len(r.FileErrors) > 0 || len(r.Errors) > 0 }

// SyncOnce scans every watched folder and syncs every release folder.
func (e *Engine) SyncOnce(ctx context.Context) (*Report, error) {
	roots, err := e.cache.Roots(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	for _, root := range roots {
		dirs, ok, err := e.checkRoot(ctx, &root)
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Errorf("%s: %w", root.Path, err))
			continue
		}
		if !ok {
			rep.Errors = append(rep.Errors, fmt.Errorf("%s: watched folder is missing (unmounted or renamed?)", root.Path))
			continue
		}
		for _, dir := range dirs {
			if err := e.SyncDir(ctx, root, dir, rep); err != nil && !errors.Is(err, errRetry) {
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
				rep.Errors = append(rep.Errors, fmt.Errorf("%s: %w", dir, err))
			}
		}
	}
	e.emitProgress(true)
	return rep, nil
}

// checkRoot lists a root's release folders (including ones the cache
// knows but that are gone), marking the root missing if it is (ok false).
// An error means the cache could not be read or written.
func (e *Engine) checkRoot(ctx context.Context, root *cache.Root) ([]string, bool, error) {
	dirs, lerr := listRoot(root.Path)
	if lerr != nil {
		if root.State != cache.RootMissing {
			if err := e.cache.SetRootState(ctx, root.ID, cache.RootMissing); err != nil {
				return nil, false, err
			}
			root.State = cache.RootMissing
		}
		e.emit.Emit(EventRelease, ReleaseEvent{Root: root.Path, State: StateRootMissing, Problem: &Problem{Kind: KindRootMissing, Detail: lerr.Error()}})
		return nil, false, nil
	}
	if root.State != cache.RootOK {
		if err := e.cache.SetRootState(ctx, root.ID, cache.RootOK); err != nil {
			return nil, false, err
		}
		root.State = cache.RootOK
	}
	known, err := e.cache.Releases(ctx, root.ID)
	if err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		seen[d] = true
	}
	for _, r := range known {
		if !seen[r.Dir] {
			dirs = append(dirs, r.Dir)
		}
	}
	return dirs, true, nil
}

// SyncDir brings one release folder to the platform. It returns errRetry
// when files are still being written.
func (e *Engine) SyncDir(ctx context.Context, root cache.Root, dir string, rep *Report) error {
	return e.syncDir(ctx, root, dir, rep, nil)
}

// syncDir is SyncDir that stops between files, cancelling its uploads
// (their offsets are kept), and returns errYield once yield reports true.
func (e *Engine) syncDir(ctx context.Context, root cache.Root, dir string, rep *Report, yield func() bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rep.Releases++
	files, err := listRelease(root.Path, dir)
	if errors.Is(err, os.ErrNotExist) {
		return e.folderMissing(ctx, root, dir)
	} else if err != nil {
		return err
	}
	rec, err := e.cache.Release(ctx, root.ID, dir)
	if err != nil {
		return err
	}
	print := e.listingPrint(files)
	if unchanged(rec, print) {
		e.stillSynced(root, rec, files, rep)
		return nil
	}
	if rec.State == "" {
		rec.State = StateQueued
		if err := e.cache.PutRelease(ctx, *rec); err != nil {
			return err
		}
	}
	// Files upload as soon as they are hashed, while the rest are read.
	jobs := make(chan blobJob, 16)
	var st *prepared
	var perr error
	go func() {
		defer close(jobs)
		st, perr = e.prepareFiles(ctx, root, dir, files, rep, jobs, yield)
		if errors.Is(perr, errYield) {
			cancel()
		}
	}()
	uerr := e.uploadAll(ctx, root, jobs)
	if perr != nil {
		return perr
	}
	// After: a renamed file's old record saved a hash.
	if err := e.forgetVanished(ctx, root, files, st.known); err != nil {
		return err
	}
	if err := e.cleanEncodes(ctx); err != nil {
		return err
	}
	if uerr != nil {
		return e.releaseFailedAs(ctx, root, rec, uerr, KindUploadFailed)
	}
	if st.waiting > 0 {
		rep.Waiting += st.waiting
		e.releaseEvent(root, dir, StateWaiting, rec.ReleaseID, len(st.tracks), nil)
		return errRetry
	}
	side, err := ReadSidecar(filepath.Join(root.Path, filepath.FromSlash(dir)))
	if err != nil {
		rep.FileErrors = append(rep.FileErrors, FileEvent{Root: root.Path, Path: dir + "/" + SidecarName, State: StateError, Problem: problemOf(err, KindSidecarInvalid)})
		return e.releaseFailed(ctx, root, rec, err)
	}
	m := buildManifest(dir, st.tracks, st.coverSHA, side, e.opts.Defaults)
	m.Extras = st.extras
	return e.reconcile(ctx, &rep.adopt, root, rec, m, len(st.errors), print)
}

// folderMissing records a vanished release folder; the platform keeps
// everything.
func (e *Engine) folderMissing(ctx context.Context, root cache.Root, dir string) error {
	rec, err := e.cache.Release(ctx, root.ID, dir)
	if err != nil {
		return err
	}
	if rec.ReleaseID == 0 && rec.State == "" {
		return nil
	}
	p := &Problem{Kind: KindFolderMissing, Detail: "the folder is gone from disk; the release on Megabox is unchanged"}
	rec.State, rec.Error, rec.Scanned = StateMissing, p.encode(), ""
	if err := e.cache.PutRelease(ctx, *rec); err != nil {
		return err
	}
	e.releaseEvent(root, dir, StateMissing, rec.ReleaseID, 0, p)
	return nil
}

// forgetVanished drops the cache records (known, read before the pass)
// of files no longer in the folder.
func (e *Engine) forgetVanished(ctx context.Context, root cache.Root, files []localFile, known map[string]*cache.File) error {
	present := make(map[string]bool, len(files))
	for _, f := range files {
		present[f.rel] = true
	}
	var gone []string
	for rel := range known {
		if !present[rel] {
			gone = append(gone, rel)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return e.cache.DeleteFiles(ctx, root.ID, gone)
}

func (e *Engine) releaseFailed(ctx context.Context, root cache.Root, rec *cache.Release, err error) error {
	return e.releaseFailedAs(ctx, root, rec, err, KindFailed)
}

// releaseFailedAs is releaseFailed with the kind an untyped err has.
func (e *Engine) releaseFailedAs(ctx context.Context, root cache.Root, rec *cache.Release, err error, fallback string) error {
	if errors.Is(err, errPaused) || ctx.Err() != nil {
		return err
	}
	if api.ErrorCode(err) == api.EUNAVAILABLE {
		e.online.Store(false)
	}
	p := problemOf(err, fallback)
	rec.State, rec.Error, rec.Scanned = StateError, p.encode(), ""
	if werr := e.cache.PutRelease(ctx, *rec); werr != nil {
		return fmt.Errorf("%w (the cache could not record it: %v)", err, werr)
	}
	e.releaseEvent(root, rec.Dir, StateError, rec.ReleaseID, 0, p)
	return err
}

func (e *Engine) releaseEvent(root cache.Root, dir, state string, id int64, tracks int, p *Problem) {
	e.emit.Emit(EventRelease, ReleaseEvent{Root: root.Path, Dir: dir, State: state, ReleaseID: id, Tracks: tracks, Problem: p})
}

func (e *Engine) fileEvent(root cache.Root, rel, state string, done, total int64, p *Problem) {
	final := state != StateUploading && state != StateHashing
	if e.events.allow(root.Path+"\x00"+rel, final) {
		e.emit.Emit(EventFile, FileEvent{Root: root.Path, Path: rel, State: state, Done: done, Total: total, Problem: p})
	}
}

// tagsJSON stores tags in the cache.
func tagsJSON(t Tags) string {
	b, _ := json.Marshal(t)
	return string(b)
}

// tagsFrom reads tags stored by tagsJSON; a record that does not parse
// gives no tags, and titles fall back to the file name.
func tagsFrom(s string) Tags {
	var t Tags
	if s == "" || json.Unmarshal([]byte(s), &t) != nil {
		return Tags{}
	}
	return t
}
