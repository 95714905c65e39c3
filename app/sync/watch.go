package sync

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	gosync "sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// change names a release folder that something happened in; an empty dir
// means the root itself (appeared, vanished, or needs a full rescan).
type change struct {
	root string
	dir  string
}

// watcher turns fsnotify events into release-folder changes. A goroutine
// does nothing but drain the kernel queue into an unbounded in-process
// queue, so a busy engine never makes the kernel drop events; if it drops
// them anyway, overflow fires and the engine rescans. Directories the
// system refuses to watch (its limit on watches is reached) are kept in
// failed: the engine rescans them periodically and says so.
type watcher struct {
	fs       *fsnotify.Watcher
	add      func(w *fsnotify.Watcher, dir string) error
	roots    []string
	mu       gosync.Mutex
	queue    []change
	failed   map[string]error // directory → why it is not watched
	ready    chan struct{}    // 1-buffered: the queue has items
	overflow chan struct{}    // 1-buffered
	done     chan struct{}    // closed when drain returns
}

// kernel is how the watcher reaches the system's file watching; tests
// replace it to see what the engine does when the system refuses.
type kernel struct {
	open func() (*fsnotify.Watcher, error)
	add  func(w *fsnotify.Watcher, dir string) error
}

var systemKernel = kernel{open: fsnotify.NewWatcher, add: (*fsnotify.Watcher).Add}

func newWatcher(k kernel, roots []string) (*watcher, error) {
	fw, err := k.open()
	if err != nil {
		return nil, err
	}
	w := &watcher{fs: fw, add: k.add, failed: map[string]error{}, ready: make(chan struct{}, 1),
		overflow: make(chan struct{}, 1), done: make(chan struct{})}
	for _, r := range roots {
		w.addRoot(r)
	}
	go w.drain()
	return w, nil
}

func (w *watcher) addRoot(r string) {
	w.mu.Lock()
	if !slices.Contains(w.roots, r) {
		w.roots = append(w.roots, r)
	}
	w.mu.Unlock()
	w.addTree(r)
	w.watchDir(filepath.Dir(r)) // to see the root itself vanish or return
}

// close stops watching and waits for the drain goroutine.
func (w *watcher) close() {
	w.fs.Close()
	<-w.done
}

// addTree watches a directory and everything below it. Entries that
// cannot be read are skipped, so the walk itself never fails.
func (w *watcher) addTree(dir string) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != dir && ignored(d.Name()) {
			return filepath.SkipDir
		}
		w.watchDir(p)
		return nil
	})
}

// watchDir watches one directory, remembering a refusal. A directory that
// is gone already needs no watch.
func (w *watcher) watchDir(p string) {
	err := w.add(w.fs, p)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.failed[p] = err
	} else {
		delete(w.failed, p)
	}
}

// retryFailed asks again to watch the directories the system refused and
// returns the changes to look at for those still refused: without a watch
// only a rescan sees what happens in them.
func (w *watcher) retryFailed() []change {
	w.mu.Lock()
	var dirs []string
	for p := range w.failed {
		dirs = append(dirs, p)
	}
	w.mu.Unlock()
	for _, p := range dirs {
		if _, err := os.Stat(p); err != nil {
			w.mu.Lock()
			delete(w.failed, p) // gone: its parent's rescan sees that
			w.mu.Unlock()
			continue
		}
		w.addTree(p)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []change
	for p := range w.failed {
		out = append(out, w.changeFor(p))
	}
	return out
}

// changeFor names what a rescan of directory p must cover: the release
// folder it is in, or the whole root for the root or its parent.
func (w *watcher) changeFor(p string) change {
	for _, root := range w.roots {
		if p == root || p == filepath.Dir(root) {
			return change{root: root}
		}
		rel, err := filepath.Rel(root, p)
		if err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			return change{root: root, dir: releaseDir(filepath.ToSlash(rel))}
		}
	}
	return change{}
}

// problem describes the directories the system refuses to watch (they
// are looked at every poll instead), or nil when every one is watched.
func (w *watcher) problem(poll time.Duration) *Problem {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.failed) == 0 {
		return nil
	}
	var first string
	paths := make([]string, 0, len(w.failed))
	for p := range w.failed {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	err := w.failed[paths[0]]
	first = err.Error()
	p := &Problem{Kind: KindUnwatched, Count: len(paths), Name: paths[0], Limit: int64(max(1, poll.Round(time.Second)/time.Second))}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) {
		first = "the system's limit on watched folders is reached; raising fs.inotify.max_user_watches lifts it"
		p.Code = "watch_limit"
	}
	p.Detail = fmt.Sprintf("Megabox cannot watch %d folder(s) for changes (%s), starting with %s. It looks for changes in them every %s instead.",
		len(paths), first, paths[0], poll)
	return p
}

func (w *watcher) drain() {
	defer close(w.done)
	for {
		select {
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			w.handle(ev)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) || err != nil {
				signal(w.overflow)
			}
		}
	}
}

func (w *watcher) handle(ev fsnotify.Event) {
	w.mu.Lock()
	roots := slices.Clone(w.roots)
	w.mu.Unlock()
	for _, root := range roots {
		if ev.Name == root {
			w.push(change{root: root})
			if ev.Has(fsnotify.Create) {
				w.addTree(root)
			}
			return
		}
		rel, err := filepath.Rel(root, ev.Name)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			continue
		}
		rel = filepath.ToSlash(rel)
		if ev.Has(fsnotify.Create) {
			w.addTree(ev.Name) // no-op for files
		}
		dir := releaseDir(rel)
		if ignored(filepath.Base(ev.Name)) && !strings.Contains(rel, "/") {
			return
		}
		if !strings.Contains(rel, "/") && !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
			return // a loose file in the root changed: not a release
		}
		w.push(change{root: root, dir: dir})
		return
	}
}

func (w *watcher) push(c change) {
	w.mu.Lock()
	w.queue = append(w.queue, c)
	w.mu.Unlock()
	signal(w.ready)
}

// take empties the queue.
func (w *watcher) take() []change {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	return q
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
