package sync

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"

	"golang.org/x/sync/errgroup"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// uploadAll makes sure the platform holds every blob sent on jobs,
// Parallel at a time. It drains jobs even after a failure so the sender
// never blocks. What finished is recorded in the cache in batches, even
// after a failure.
func (e *Engine) uploadAll(ctx context.Context, root cache.Root, jobs <-chan blobJob) error {
	rctx, done, err := e.runCtx(ctx)
	if err != nil {
		for range jobs {
		}
		return err
	}
	defer done()
	fin := e.startFinisher(ctx, root)
	g, gctx := errgroup.WithContext(rctx)
	g.SetLimit(e.opts.Parallel)
	seen := map[string]bool{}
	var copies []blobJob // files whose bytes another file of the folder uploads
	for job := range jobs {
		if seen[job.sha] {
			copies = append(copies, job)
			continue
		}
		if gctx.Err() != nil {
			continue
		}
		seen[job.sha] = true
		known := e.knownRemote(ctx, job.sha)
		if !known {
			e.meter.add(1, job.size)
		}
		g.Go(func() error { return e.ensureBlob(gctx, root, job, known, fin) })
	}
	err = g.Wait()
	if err == nil {
		for _, job := range copies {
			fin.add(finished{job: job})
		}
	}
	if ferr := fin.close(); err == nil {
		err = ferr
	}
	if err != nil && ctx.Err() == nil && e.Paused() {
		return errPaused
	}
	return err
}

// ensureBlob uploads one blob unless the platform is known to have it
// already, resuming an upload a previous run began; fin records it done.
func (e *Engine) ensureBlob(ctx context.Context, root cache.Root, job blobJob, known bool, fin *finisher) error {
	if known {
		fin.add(finished{job: job})
		return nil
	}
	// No HEAD first: the upload's creation request asks the platform to
	// take nothing if the account already owns the blob, before any byte.
	owned, err := e.upload(ctx, root, job)
	if err != nil {
		return e.offline(err)
	}
	e.online.Store(true)
	if owned {
		e.meter.advance(job.size, true) // nothing was sent
		e.emitProgress(false)
	}
	fin.add(finished{job: job, uploaded: true})
	return nil
}

// knownRemote asks memory, then the cache, whether the platform has a blob.
func (e *Engine) knownRemote(ctx context.Context, sha string) bool {
	if _, ok := e.remote.Load(sha); ok {
		return true
	}
	if e.cache.KnownRemote(ctx, sha) {
		e.remote.Store(sha, true)
		return true
	}
	return false
}

func (e *Engine) offline(err error) error {
	if api.ErrorCode(err) == api.EUNAVAILABLE {
		e.online.Store(false)
	}
	return err
}

// upload sends a blob, resuming an upload a previous run began; owned
// reports that the platform already had it for this account.
func (e *Engine) upload(ctx context.Context, root cache.Root, job blobJob) (owned bool, err error) {
	src, closer, err := e.open(job)
	if err != nil {
		return false, err
	}
	defer closer.Close()
	name := job.name
	if name == "" {
		name = job.rel
	}
	u := &mhttp.Upload{SHA256: job.sha, Size: job.size, Filename: readable(name), ChunkSize: e.opts.ChunkSize}
	if prev, err := e.cache.UploadFor(ctx, job.sha); err == nil && prev.Size == job.size {
		u.URL = prev.URL
	}
	u.OnCreate = func(url string) error {
		return e.cache.PutUpload(ctx, cache.Upload{SHA256: job.sha, URL: url, Size: job.size})
	}
	// An offset the cache cannot keep stops the upload: the folder is
	// retried once the cache works, resuming where the server is.
	uctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var saveErr error
	var last int64
	u.OnProgress = func(off int64) {
		// The last offset needs no record: FinishUpload follows.
		if off < job.size && saveErr == nil {
			if err := e.cache.PutUpload(ctx, cache.Upload{SHA256: job.sha, URL: u.URL, Offset: off, Size: job.size}); err != nil {
				saveErr = err
				cancel()
			}
		}
		e.meter.advance(off-last, off == job.size)
		last = off
		e.fileEvent(root, job.rel, StateUploading, off, job.size, nil)
		e.emitProgress(off == job.size)
	}
	// Status (another process) reads "uploading" from the cache; a file
	// sent whole in one request is done before anyone could look.
	if u.URL != "" || job.size > u.ChunkSize {
		if err := e.cache.SetFileState(ctx, root.ID, job.rel, StateUploading, ""); err != nil {
			return false, err
		}
	}
	e.fileEvent(root, job.rel, StateUploading, 0, job.size, nil)
	sent, err := e.platform.UploadFile(uctx, src, u)
	e.bytesSent.Add(sent)
	if saveErr != nil {
		return false, saveErr
	}
	if api.ErrorCode(err) == api.ECHECKSUM {
		// The file changed under the upload: hash it again next pass.
		if err := e.cache.ForgetUpload(ctx, job.sha); err != nil {
			return false, err
		}
		if job.source != "" { // an encode changed on disk: make it again
			if err := e.cache.ForgetMaster(ctx, job.source); err != nil {
				return false, err
			}
		}
		if err := e.cache.PutFile(ctx, cache.File{RootID: root.ID, Rel: job.rel, Dir: releaseDir(job.rel), State: StateQueued}); err != nil {
			return false, err
		}
		return false, errRetry
	}
	return u.Owned, err
}

// open returns the job's bytes as a ReaderAt that counts disk reads and
// honours the bandwidth limit.
func (e *Engine) open(job blobJob) (io.ReaderAt, io.Closer, error) {
	if job.data != nil {
		return &limitedReaderAt{e: e, r: bytes.NewReader(job.data)}, io.NopCloser(nil), nil
	}
	f, err := os.Open(job.abs)
	if err != nil {
		return nil, nil, err
	}
	return &limitedReaderAt{e: e, r: f, disk: true}, f, nil
}

type limitedReaderAt struct {
	e    *Engine
	r    io.ReaderAt
	disk bool
}

// DirectFile implements mhttp.FileSource: with no bandwidth limit, a file
// on disk goes to the socket straight from the page cache.
func (l *limitedReaderAt) DirectFile() *os.File {
	l.e.mu.Lock()
	limited := l.e.limiter != nil
	l.e.mu.Unlock()
	if f, ok := l.r.(*os.File); ok && l.disk && !limited {
		return f
	}
	return nil
}

// SentDirect implements mhttp.FileSource.
func (l *limitedReaderAt) SentDirect(n int64) { l.e.bytesRead.Add(n) }

func (l *limitedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	l.e.mu.Lock()
	lim := l.e.limiter
	l.e.mu.Unlock()
	if lim != nil {
		p = p[:min(len(p), lim.Burst())]
		if err := lim.WaitN(context.Background(), len(p)); err != nil {
			return 0, err
		}
	}
	n, err := l.r.ReadAt(p, off)
	if l.disk {
		l.e.bytesRead.Add(int64(n))
	}
	if errors.Is(err, io.EOF) && n == len(p) {
		err = nil
	}
	return n, err
}

// ForgetRemote forgets which blobs the platform holds: after signing in
// as another account, ownership must be asked again.
func (e *Engine) ForgetRemote(ctx context.Context) error {
	e.remote.Clear()
	return e.cache.ClearRemote(ctx)
}
