package sync

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/fsnotify/fsnotify"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestRefusedWatchesAreRescanned: when the system refuses to watch a
// folder (its inotify limit is reached, ENOSPC), sync says so and still
// picks up files added there by looking every Poll; once the watch is
// allowed the message goes.
func TestRefusedWatchesAreRescanned(t *testing.T) {
	e := newEnv(t)
	e.album("Watched", 1, 1)
	e.album("Unwatched", 1, 1)
	refused := filepath.Join(e.rootPath, "Unwatched")
	var refuse atomic.Bool
	refuse.Store(true)
	eng := e.engine(Options{Rescan: time.Hour, Poll: 300 * time.Millisecond})
	eng.kernel.add = func(w *fsnotify.Watcher, dir string) error {
		if dir == refused && refuse.Load() {
			return fmt.Errorf("inotify_add_watch %s: %w", dir, syscall.ENOSPC)
		}
		return w.Add(dir)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	wait.Until(t, 2*time.Minute, "both albums", func() bool {
		return e.releaseState("Watched") == StateSynced && e.releaseState("Unwatched") == StateSynced
	})
	p := eng.Progress().Problem
	if p == nil || p.Kind != KindUnwatched || p.Count != 1 || p.Name != refused || p.Code != "watch_limit" || p.Limit != 1 {
		t.Fatalf("Progress.Problem = %+v, want unwatched: 1 folder, %s first, the system's limit, looked at every second", p, refused)
	}
	for _, want := range []string{"cannot watch 1 folder(s)", "limit on watched folders", refused, "every 300ms"} {
		if !strings.Contains(p.Detail, want) {
			t.Errorf("Progress.Problem.Detail = %q, want it to say %q", p.Detail, want)
		}
	}
	testmedia.MP3(t, filepath.Join(refused, "02 - Late.mp3"), 1, 777, testmedia.Tags{Title: "Late", Track: "2"})
	wait.Until(t, 2*time.Minute, "the file added to the unwatched folder", func() bool {
		return e.releaseState("Unwatched") == StateSynced && len(e.release("Unwatched").Tracks) == 2
	})
	refuse.Store(false)
	wait.Until(t, 2*time.Minute, "the message to clear once the folder is watched", func() bool {
		return eng.Progress().Problem == nil
	})
	eng.mu.Lock()
	w := eng.w
	eng.mu.Unlock()
	if !slices.Contains(w.fs.WatchList(), refused) {
		t.Fatalf("%s is still not watched: %v", refused, w.fs.WatchList())
	}
}

// TestServeErrorIsShown: when Serve cannot start (the system refuses a
// watcher, or the cache cannot be read) it returns the error and the
// engine's status says sync is off and why; once it runs the status clears.
func TestServeErrorIsShown(t *testing.T) {
	e := newEnv(t)
	eng := e.engine(Options{})
	var refuse atomic.Bool
	refuse.Store(true)
	eng.kernel.open = func() (*fsnotify.Watcher, error) {
		if refuse.Load() {
			return nil, syscall.EMFILE
		}
		return fsnotify.NewWatcher()
	}
	err := eng.Serve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "too many open files") {
		t.Fatalf("Serve = %v, want the watcher's error", err)
	}
	want := Problem{Kind: KindSyncOff, Field: "watch", Detail: "Sync is off: Megabox could not watch your folders (too many open files). It tries again shortly."}
	if got := eng.Progress().Problem; got == nil || *got != want {
		t.Fatalf("Progress.Problem = %+v, want %+v", got, want)
	}
	refuse.Store(false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Serve(ctx) }()
	wait.Until(t, 2*time.Minute, "the status to clear", func() bool { return eng.Progress().Problem == nil })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel = %v", err)
	}

	e.cache.Close()
	if err := eng.Serve(context.Background()); err == nil {
		t.Fatal("Serve on a closed cache returned nil")
	}
	if got := eng.Progress().Problem; got == nil || got.Kind != KindSyncOff || got.Field != "folders" ||
		!strings.HasPrefix(got.Detail, "Sync is off: Megabox could not read its list of folders (") {
		t.Fatalf("Progress.Problem = %+v after the cache failed", got)
	}
}
