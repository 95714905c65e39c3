package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
)

// pending is a release folder waiting to be synced.
type pending struct {
	first, last time.Time // first and latest change since the last sync
	notBefore   time.Time // retry backoff
	backoff     time.Duration
	signedOut   bool // the last attempt was refused for want of a valid session
}

type dirKey struct {
	rootID int64
	dir    string
}

const maxBackoff = time.Minute

// Serve watches every root and syncs what changes until ctx ends. It owns
// the schedule: changes are aggregated per release folder and acted on
// after a quiet window (or a maximum wait); failures retry with capped
// exponential backoff; a full rescan runs at start, on watcher overflow,
// on Kick and every Rescan.
func (e *Engine) Serve(ctx context.Context) error {
	roots, err := e.cache.Roots(ctx)
	if err != nil {
		return err
	}
	byPath := map[string]cache.Root{}
	var paths []string
	for _, r := range roots {
		byPath[r.Path] = r
		paths = append(paths, r.Path)
	}
	w, err := newWatcher(paths)
	e.setStopped(err)
	if err != nil {
		return fmt.Errorf("watch folders: %w", err)
	}
	defer w.close()
	e.mu.Lock()
	e.w = w
	e.mu.Unlock()

	l, closeLoop := e.openLoop()
	defer closeLoop()

	dirty := map[dirKey]*pending{}
	mark := func(k dirKey, now time.Time) {
		p := dirty[k]
		if p == nil {
			p = &pending{first: now}
			dirty[k] = p
		}
		p.last = now
	}
	rescan := func() {
		now := time.Now().Add(-e.opts.MaxWait) // act at once
		for _, r := range roots {
			dirs, ok := e.checkRoot(ctx, r)
			if !ok {
				continue
			}
			for _, d := range dirs {
				mark(dirKey{r.ID, d}, now)
			}
		}
	}
	rescan()
	tick := time.NewTicker(e.opts.Quiet / 4)
	defer tick.Stop()
	full := time.NewTicker(e.opts.Rescan)
	defer full.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.ready:
			now := time.Now()
			for _, c := range w.take() {
				r, ok := byPath[c.root]
				if !ok {
					continue
				}
				if c.dir == "" {
					rescan()
					continue
				}
				mark(dirKey{r.ID, c.dir}, now)
			}
		case <-w.overflow:
			rescan()
		case req := <-l.reqs:
			e.serveRequest(ctx, req)
		case <-e.kick:
			roots = e.watchNewRoots(ctx, w, roots, byPath)
			rescan()
		case <-e.signedIn:
			for _, p := range dirty {
				if p.signedOut {
					p.notBefore, p.backoff, p.signedOut = time.Time{}, 0, false
				}
			}
			e.runReady(ctx, roots, dirty)
		case <-full.C:
			rescan()
		case <-tick.C:
			e.runReady(ctx, roots, dirty)
		}
	}
}

// runReady syncs the folders whose quiet window (or maximum wait) is over.
func (e *Engine) runReady(ctx context.Context, roots []cache.Root, dirty map[dirKey]*pending) {
	now := time.Now()
	for k, p := range dirty {
		quiet := now.Sub(p.last) >= e.opts.Quiet || now.Sub(p.first) >= e.opts.MaxWait
		if !quiet || now.Before(p.notBefore) || ctx.Err() != nil {
			continue
		}
		root, ok := findRoot(roots, k.rootID)
		if !ok {
			delete(dirty, k)
			continue
		}
		e.work.Lock()
		err := e.SyncDir(ctx, root, k.dir, &Report{})
		e.work.Unlock()
		switch {
		case err == nil:
			delete(dirty, k)
		case errors.Is(err, errRetry):
			p.first, p.last, p.notBefore = now, now, now.Add(e.opts.Quiet)
		case errors.Is(err, errPaused):
			p.notBefore = now.Add(e.opts.Quiet)
		default:
			p.signedOut = api.ErrorCode(err) == api.EUNAUTHORIZED
			p.backoff = min(max(2*p.backoff, time.Second), maxBackoff)
			if api.ErrorCode(err) != api.EUNAVAILABLE && api.ErrorCode(err) != api.EINTERNAL {
				p.backoff = maxBackoff // the creator must fix something; keep trying slowly
			}
			p.notBefore = now.Add(p.backoff)
		}
	}
}

func findRoot(roots []cache.Root, id int64) (cache.Root, bool) {
	for _, r := range roots {
		if r.ID == id {
			return r, true
		}
	}
	return cache.Root{}, false
}

// watchNewRoots picks up folders added while serving.
func (e *Engine) watchNewRoots(ctx context.Context, w *watcher, roots []cache.Root, byPath map[string]cache.Root) []cache.Root {
	all, err := e.cache.Roots(ctx)
	if err != nil {
		return roots
	}
	for _, r := range all {
		if _, ok := byPath[r.Path]; !ok {
			byPath[r.Path] = r
			w.addRoot(r.Path)
		}
	}
	return all
}
