package sync

import (
	"context"
	"slices"
	gosync "sync"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
)

// request is work on the folders asked of the loop that owns them.
type request struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	done chan error // 1-buffered
}

// loop is how callers reach a running Serve. Requests queue here; the
// Serve goroutine takes them when idle, between folders of a pass and
// between files of a folder, so the creator never waits for a whole pass.
type loop struct {
	mu      gosync.Mutex
	queue   []*request
	ready   chan struct{} // 1-buffered: the queue may hold requests
	stopped chan struct{} // closed when Serve stops taking requests
}

func (l *loop) add(r *request) {
	l.mu.Lock()
	l.queue = append(l.queue, r)
	l.mu.Unlock()
	select {
	case l.ready <- struct{}{}:
	default:
	}
}

// next takes the oldest request, or nil.
func (l *loop) next() *request {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) == 0 {
		return nil
	}
	r := l.queue[0]
	l.queue = l.queue[1:]
	return r
}

// withdraw takes r back unless the loop has already taken it.
func (l *loop) withdraw(r *request) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.Index(l.queue, r)
	if i < 0 {
		return false
	}
	l.queue = slices.Delete(l.queue, i, i+1)
	return true
}

// waiting reports whether a request is queued: a pass gives way to it.
func (l *loop) waiting() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue) > 0
}

// inLoop runs fn where folder work happens: on the Serve goroutine while
// one runs (so a publish never races a rescan of the same folder), or on
// the caller's goroutine otherwise, one at a time.
func (e *Engine) inLoop(ctx context.Context, fn func(ctx context.Context) error) error {
	for {
		e.mu.Lock()
		l := e.loop
		e.mu.Unlock()
		if l == nil {
			e.work.Lock()
			defer e.work.Unlock()
			return fn(ctx)
		}
		req := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
		l.add(req)
		select {
		case err := <-req.done:
			return err
		case <-l.stopped: // Serve ended: ask again, unless it took the request
			if !l.withdraw(req) {
				return <-req.done // fn runs on a context that has ended: soon
			}
		case <-ctx.Done():
			if !l.withdraw(req) {
				return <-req.done
			}
			return ctx.Err()
		}
	}
}

// serveWaiting runs the queued requests, reporting whether there were any.
func (e *Engine) serveWaiting(loopCtx context.Context, l *loop) (served bool) {
	for r := l.next(); r != nil; r = l.next() {
		e.serveRequest(loopCtx, *r)
		served = true
	}
	return served
}

// serveRequest runs a request on the loop; it ends when the caller's
// context or the loop's does.
func (e *Engine) serveRequest(loopCtx context.Context, req request) {
	ctx, cancel := context.WithCancel(req.ctx)
	defer cancel()
	stop := context.AfterFunc(loopCtx, cancel)
	defer stop()
	e.work.Lock()
	defer e.work.Unlock()
	req.done <- req.fn(ctx)
}

// openLoop makes the engine's callers send their work to the caller (the
// Serve goroutine) until the returned func is called. Callers whose
// requests were not taken by then ask again and run them themselves.
func (e *Engine) openLoop() (*loop, func()) {
	l := &loop{ready: make(chan struct{}, 1), stopped: make(chan struct{})}
	e.mu.Lock()
	e.loop = l
	e.mu.Unlock()
	return l, func() {
		e.mu.Lock()
		e.loop = nil
		e.mu.Unlock()
		close(l.stopped)
	}
}

// Publish syncs a release folder and publishes it. It refuses while files
// are waiting or in error. It runs in the loop that owns the folders.
func (e *Engine) Publish(ctx context.Context, root cache.Root, dir string) (*api.Release, error) {
	var rel *api.Release
	err := e.inLoop(ctx, func(ctx context.Context) (err error) {
		rel, err = e.publish(ctx, root, dir)
		return err
	})
	return rel, err
}

// Confirm applies a change that waits for the creator (to a published
// release, or one removing tracks). It runs in the loop that owns the
// folders.
func (e *Engine) Confirm(ctx context.Context, rootID int64, dir string) (*api.Release, error) {
	var rel *api.Release
	err := e.inLoop(ctx, func(ctx context.Context) (err error) {
		rel, err = e.confirm(ctx, rootID, dir)
		return err
	})
	return rel, err
}

// setStopped records why Serve could not run (nil once it runs) and tells
// the UI: a system limit on watched folders must not turn sync off in
// silence. part is what failed: the list of folders, or watching them.
func (e *Engine) setStopped(part, what string, err error) {
	var p *Problem
	if err != nil {
		p = &Problem{Kind: KindSyncOff, Field: part, Detail: "Sync is off: " + what + " (" + err.Error() + "). It tries again shortly."}
	}
	e.setNote(&e.stopped, p)
}

// noteWatch tells the UI which folders are only rescanned because the
// system refuses to watch them, or that all are watched again.
func (e *Engine) noteWatch(w *watcher) {
	e.setNote(&e.unwatched, w.problem(e.opts.Poll))
}

func (e *Engine) setNote(note **Problem, p *Problem) {
	e.mu.Lock()
	changed := (*note).encode() != p.encode()
	*note = p
	e.mu.Unlock()
	if changed {
		e.emitProgress(true)
	}
}
