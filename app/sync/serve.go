package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
// on Kick and every Rescan; folders the system refuses to watch are
// looked at every Poll.
func (e *Engine) Serve(ctx context.Context) error {
	roots, err := e.cache.Roots(ctx)
	if err != nil {
		e.setStopped("folders", "Megabox could not read its list of folders", err)
		return fmt.Errorf("list folders: %w", err)
	}
	byPath := map[string]cache.Root{}
	var paths []string
	for _, r := range roots {
		byPath[r.Path] = r
		paths = append(paths, r.Path)
	}
	w, err := newWatcher(e.kernel, paths)
	if err != nil {
		e.setStopped("watch", "Megabox could not watch your folders", err)
		return fmt.Errorf("watch folders: %w", err)
	}
	e.setStopped("", "", nil)
	defer w.close()
	e.mu.Lock()
	e.w = w
	e.mu.Unlock()
	e.noteWatch(w)

	l, closeLoop := e.openLoop()
	defer closeLoop()

	dirty := schedule{}
	rescan := func() {
		now := time.Now().Add(-e.opts.MaxWait) // act at once
		for i := range roots {
			e.listRoot(ctx, &roots[i], dirty, now)
		}
	}
	rescan()
	tick := time.NewTicker(e.opts.Quiet / 4)
	defer tick.Stop()
	full := time.NewTicker(e.opts.Rescan)
	defer full.Stop()
	poll := time.NewTicker(e.opts.Poll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.ready:
			e.marked(w.take(), byPath, dirty, time.Now(), rescan)
			e.noteWatch(w) // new folders may have been refused
		case <-w.overflow:
			rescan()
		case <-l.ready:
			e.serveWaiting(ctx, l)
		case <-e.kick:
			roots = e.watchNewRoots(ctx, w, roots, byPath)
			e.noteWatch(w)
			rescan()
		case <-e.signedIn:
			for _, p := range dirty {
				if p.signedOut {
					p.notBefore, p.backoff, p.signedOut = time.Time{}, 0, false
				}
			}
			e.runReady(ctx, l, roots, dirty)
		case <-full.C:
			rescan()
			// Statistics only guide the planner (every per-file query
			// names its index): a failure here costs nothing.
			_ = e.cache.Optimize(ctx)
		case <-poll.C:
			// Without a watch only a look sees what changed: act at once.
			e.marked(w.retryFailed(), byPath, dirty, time.Now().Add(-e.opts.MaxWait), rescan)
			e.noteWatch(w)
		case <-tick.C:
			e.runReady(ctx, l, roots, dirty)
		}
	}
}

// schedule holds the release folders waiting to be synced. A key with an
// empty dir stands for listing a root again.
type schedule map[dirKey]*pending

// mark records a change at now.
func (s schedule) mark(k dirKey, now time.Time) {
	p := s[k]
	if p == nil {
		p = &pending{first: now}
		s[k] = p
	}
	p.last = now
}

// marked schedules watcher changes; a change to a root itself asks for a
// full rescan.
func (e *Engine) marked(changes []change, byPath map[string]cache.Root, dirty schedule, now time.Time, rescan func()) {
	full := false
	for _, c := range changes {
		r, ok := byPath[c.root]
		if !ok {
			continue
		}
		if c.dir == "" {
			full = true
			continue
		}
		dirty.mark(dirKey{r.ID, c.dir}, now)
	}
	if full {
		rescan()
	}
}

// listRoot schedules every release folder of a root at now. If the cache
// cannot be read or written, the listing itself is scheduled again.
func (e *Engine) listRoot(ctx context.Context, root *cache.Root, dirty schedule, now time.Time) {
	dirs, ok, err := e.checkRoot(ctx, root)
	if err != nil {
		dirty.mark(dirKey{root.ID, ""}, now)
		return
	}
	if !ok {
		return
	}
	for _, d := range dirs {
		dirty.mark(dirKey{root.ID, d}, now)
	}
}

// runReady syncs the folders whose quiet window (or maximum wait) is over.
// The creator's requests (publish, confirm) go first: they are served
// between folders, and a folder gives way to them between its files.
func (e *Engine) runReady(ctx context.Context, l *loop, roots []cache.Root, dirty schedule) {
	now := time.Now()
	defer e.serveWaiting(ctx, l)
	pass := &Report{} // shared by the folders of this round, for what adoption reads once
	for k, p := range dirty {
		if e.serveWaiting(ctx, l) {
			pass.adopt = adoptIndex{} // a request may have changed releases
		}
		quiet := now.Sub(p.last) >= e.opts.Quiet || now.Sub(p.first) >= e.opts.MaxWait
		if !quiet || now.Before(p.notBefore) || ctx.Err() != nil {
			continue
		}
		i := slices.IndexFunc(roots, func(r cache.Root) bool { return r.ID == k.rootID })
		if i < 0 {
			delete(dirty, k)
			continue
		}
		e.work.Lock()
		err := e.runOne(ctx, &roots[i], k.dir, dirty, now, pass, l.waiting)
		e.work.Unlock()
		switch {
		case errors.Is(err, errYield):
			// Still ready: it goes on at the next tick, after the request.
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

// runOne syncs a release folder, or lists a root again (dir ""). The
// folder stops early with errYield when yield reports a request waiting.
func (e *Engine) runOne(ctx context.Context, root *cache.Root, dir string, dirty schedule, now time.Time, pass *Report, yield func() bool) error {
	if dir != "" {
		e.passHook(dir)
		return e.syncDir(ctx, *root, dir, pass, yield)
	}
	dirs, ok, err := e.checkRoot(ctx, root)
	if err != nil || !ok {
		return err
	}
	for _, d := range dirs {
		dirty.mark(dirKey{root.ID, d}, now.Add(-e.opts.MaxWait))
	}
	return nil
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
