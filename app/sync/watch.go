package sync

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"

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
// them anyway, overflow fires and the engine rescans.
type watcher struct {
	fs       *fsnotify.Watcher
	roots    []string
	mu       gosync.Mutex
	queue    []change
	ready    chan struct{} // 1-buffered: the queue has items
	overflow chan struct{} // 1-buffered
}

func newWatcher(roots []string) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{fs: fw, roots: roots, ready: make(chan struct{}, 1), overflow: make(chan struct{}, 1)}
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
	w.fs.Add(filepath.Dir(r)) // to see the root itself vanish or return
}

func (w *watcher) close() { w.fs.Close() }

// addTree watches a directory and everything below it.
func (w *watcher) addTree(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != dir && ignored(d.Name()) {
			return filepath.SkipDir
		}
		w.fs.Add(p)
		return nil
	})
}

func (w *watcher) drain() {
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
