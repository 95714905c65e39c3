package library

import (
	"context"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// countingPlatform counts downloads per track.
type countingPlatform struct {
	Platform
	mu   gosync.Mutex
	gets map[int64]int
}

func (c *countingPlatform) FetchTrackFormat(ctx context.Context, trackID int64, f api.Format, offset int64) (*mhttp.Fetched, error) {
	c.mu.Lock()
	c.gets[trackID]++
	c.mu.Unlock()
	return c.Platform.FetchTrackFormat(ctx, trackID, f, offset)
}

// Twenty syncs asked at once share runs: each file is downloaded once and
// ends up intact, whether Serve owns the syncs or callers run them.
func TestConcurrentSyncsDownloadOnce(t *testing.T) {
	for _, serve := range []bool{true, false} {
		name := map[bool]string{true: "served", false: "callers"}[serve]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			counter := &countingPlatform{Platform: e.fan, gets: map[int64]int{}}
			lib := New(e.cache, filepath.Join(t.TempDir(), "Music"), counter)
			ctx, cancel := context.WithCancel(context.Background())
			var wg gosync.WaitGroup
			if serve {
				wg.Go(func() { lib.Serve(ctx) })
			}
			defer func() { cancel(); wg.Wait() }()

			var callers gosync.WaitGroup
			errs := make(chan error, 20)
			for range 20 {
				callers.Go(func() {
					if _, err := lib.Sync(ctx); err != nil {
						errs <- err
					}
				})
			}
			callers.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("Sync: %v", err)
			}
			for _, tr := range e.rel.Tracks {
				if n := counter.gets[tr.ID]; n != 1 {
					t.Errorf("track %d downloaded %d times, want once", tr.ID, n)
				}
			}
			files, err := e.cache.LibraryFiles(ctx, 0)
			if err != nil || len(files) != len(e.rel.Tracks) {
				t.Fatalf("library files: %d, %v", len(files), err)
			}
			for _, f := range files {
				sum, err := fileSHA(filepath.Join(lib.Dir(), filepath.FromSlash(f.Path)))
				if err != nil || sum != f.SHA256 || f.State != StateOK {
					t.Errorf("%s: sha %s (%v), state %s; want %s", f.Path, sum, err, f.State, f.SHA256)
				}
			}
			parts, _ := filepath.Glob(filepath.Join(lib.Dir(), "*", "*", ".*.part"))
			if len(parts) != 0 {
				t.Errorf("partial files left: %v", parts)
			}
		})
	}
}

// Asks left when Serve stops are answered, not left waiting.
func TestSyncAskedAsServeStops(t *testing.T) {
	e := newEnv(t)
	lib := New(e.cache, filepath.Join(t.TempDir(), "Music"), e.fan)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { lib.Serve(ctx); close(done) }()
	cancel()
	<-done
	if _, err := lib.Sync(context.Background()); err != nil {
		t.Fatalf("Sync after Serve stopped: %v", err)
	}
	if _, err := os.Stat(lib.Dir()); err != nil {
		t.Fatalf("no library written: %v", err)
	}
}
