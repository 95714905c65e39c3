package sync

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
)

// recorder keeps the events an engine emits.
type recorder struct {
	mu     gosync.Mutex
	synced map[string]bool // file paths reported synced
	last   Progress
}

func newRecorder() *recorder { return &recorder{synced: map[string]bool{}} }

func (r *recorder) Emit(event string, payload any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch p := payload.(type) {
	case FileEvent:
		if p.State == StateSynced {
			r.synced[p.Path] = true
		}
	case Progress:
		r.last = p
	}
}

func (r *recorder) syncedFiles() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for p := range r.synced {
		out = append(out, p)
	}
	return out
}

// breakCache makes every statement of kind op ("INSERT", "UPDATE",
// "DELETE") on table fail in the cache's own database, as a full or
// failing disk would, until the returned func repairs it.
func (e *env) breakCache(table, op string) (repair func()) {
	e.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+e.cacheDB+"?_busy_timeout=10000")
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	name := "fail_" + table + "_" + strings.ToLower(op)
	if _, err := db.Exec(fmt.Sprintf(`CREATE TRIGGER %s BEFORE %s ON %s BEGIN SELECT RAISE(ABORT, 'disk is full'); END`, name, op, table)); err != nil {
		e.t.Fatal(err)
	}
	return func() {
		e.t.Helper()
		if _, err := db.Exec(`DROP TRIGGER ` + name); err != nil {
			e.t.Fatal(err)
		}
	}
}

// myReleases counts the creator's releases on the platform.
func (e *env) myReleases() int {
	e.t.Helper()
	page, err := e.client.MyReleases(context.Background(), api.MaxPageSize, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return len(page.Items)
}

// TestFailedCacheWritesStopTheFolder breaks one kind of cache write at a
// time: the pass reports the cache's error, no file is reported synced and
// the platform gets nothing the cache could not record (a release created
// but not recorded would be created again). Once the cache works again the
// next pass converges.
func TestFailedCacheWritesStopTheFolder(t *testing.T) {
	cases := []struct {
		name      string
		table, op string
		before    func(e *env, eng *Engine) // a first, healthy pass, if any
		releases  int                       // releases on the platform while broken
		chunk     int64                     // upload chunk size, if not the default
	}{
		{name: "file state", table: "files", op: "UPDATE"},
		{name: "release record", table: "releases", op: "INSERT"},
		{name: "upload offset", table: "uploads", op: "UPDATE", chunk: 4 << 10},
		{name: "root state", table: "roots", op: "UPDATE", before: func(e *env, eng *Engine) {
			if err := e.cache.SetRootState(context.Background(), e.root.ID, cache.RootMissing); err != nil {
				e.t.Fatal(err)
			}
		}},
		{name: "forgetting a renamed file's old name", table: "files", op: "DELETE", releases: 1, before: func(e *env, eng *Engine) {
			e.syncOnce(eng)
			dir := filepath.Join(e.rootPath, "Album")
			if err := os.Rename(filepath.Join(dir, "02 - Song 2.mp3"), filepath.Join(dir, "02 - Renamed.mp3")); err != nil {
				e.t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.album("Album", 2, 1)
			rec := newRecorder()
			eng := e.engine(Options{ChunkSize: tc.chunk})
			eng.emit = rec
			if tc.before != nil {
				tc.before(e, eng)
			}
			repair := e.breakCache(tc.table, tc.op)

			rep := e.syncOnce(eng)
			if len(rep.Errors) == 0 || !strings.Contains(fmt.Sprint(rep.Errors), "disk is full") {
				t.Fatalf("the pass reported %v, want the cache's error", rep.Errors)
			}
			for _, rel := range rec.syncedFiles() {
				if f, err := e.cache.File(context.Background(), e.root.ID, rel); err != nil || f.State != StateSynced {
					t.Errorf("%s reported synced while the cache could not record it (%+v, %v)", rel, f, err)
				}
			}
			if got := e.myReleases(); got != tc.releases {
				t.Errorf("the platform has %d release(s), want %d", got, tc.releases)
			}

			repair()
			rep = e.syncOnce(eng)
			if rep.Failed() {
				t.Fatalf("after repair: %v %v", rep.Errors, rep.FileErrors)
			}
			if got := len(e.release("Album").Tracks); got != 2 {
				t.Fatalf("release has %d track(s), want 2", got)
			}
			if got := e.myReleases(); got != 1 {
				t.Errorf("the platform has %d releases, want 1", got)
			}
			files, err := e.cache.FilesIn(context.Background(), e.root.ID, "Album")
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if f.State != StateSynced {
					t.Errorf("%s is %q in the cache, want synced", f.Rel, f.State)
				}
				if !rec.synced[f.Rel] {
					t.Errorf("%s was never reported synced", f.Rel)
				}
			}
			if len(files) != 3 { // the tracks and the cover
				t.Errorf("cache holds %d files, want 3: %+v", len(files), files)
			}
			if rec, _ := e.cache.Roots(context.Background()); rec[0].State != cache.RootOK {
				t.Errorf("root state %q, want ok", rec[0].State)
			}
		})
	}
}

// TestServeRetriesAfterCacheWrites: while the cache refuses writes Serve
// keeps the folder pending and retries with backoff; it converges once the
// cache works.
func TestServeRetriesAfterCacheWrites(t *testing.T) {
	e := newEnv(t)
	e.album("Album", 1, 1)
	rec := newRecorder()
	eng := e.engine(Options{Rescan: time.Hour})
	eng.emit = rec
	repair := e.breakCache("files", "UPDATE")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	wait.Until(t, 10*time.Second, "a failed attempt", func() bool { return e.releaseState("Album") == StateError })
	if got := rec.syncedFiles(); len(got) != 0 {
		t.Fatalf("reported synced while the cache refused: %v", got)
	}
	repair()
	wait.Until(t, 20*time.Second, "the folder to sync", func() bool {
		return e.releaseState("Album") == StateSynced && len(rec.syncedFiles()) == 2
	})
}
