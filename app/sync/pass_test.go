package sync

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// listCounter is the platform, counting how often the creator's releases
// are listed.
type listCounter struct {
	Platform
	lists atomic.Int64
}

func (c *listCounter) MyReleases(ctx context.Context, limit int, cursor string) (*api.ReleasePage, error) {
	c.lists.Add(1)
	return c.Platform.MyReleases(ctx, limit, cursor)
}

// TestAPassListsTheReleasesOnce: adoption reads the creator's releases
// once per pass, not once per new folder (thousands of new folders would
// each list every release), and still sees what the pass itself made: a
// copy of a folder synced in the same pass gets its own release, with a
// note naming the folder that has the files.
func TestAPassListsTheReleasesOnce(t *testing.T) {
	e := newEnv(t)
	const n = 5
	for i := range n {
		e.album(fmt.Sprintf("Album %d", i), 1, 0.2)
	}
	copyDir(t, filepath.Join(e.rootPath, "Album 0"), filepath.Join(e.rootPath, "Album 0 copy"))
	p := &listCounter{Platform: e.client}
	eng := e.engine(Options{})
	eng.platform = p
	if rep := e.syncOnce(eng); rep.Failed() || rep.Releases != n+1 {
		t.Fatalf("sync: %d releases, %+v", rep.Releases, rep)
	}
	if got := p.lists.Load(); got != 1 {
		t.Errorf("a first sync of %d new folders listed the releases %d times, want 1", n+1, got)
	}
	ids := map[int64]string{}
	for i := range n {
		dir := fmt.Sprintf("Album %d", i)
		ids[e.release(dir).ID] = dir
	}
	cp := e.release("Album 0 copy")
	if other, ok := ids[cp.ID]; ok {
		t.Fatalf("the copy took over release %d of %s", cp.ID, other)
	}
	if len(ids) != n {
		t.Fatalf("%d folders made %d distinct releases", n, len(ids))
	}
	rec, err := e.cache.Release(context.Background(), e.root.ID, "Album 0 copy")
	if err != nil {
		t.Fatal(err)
	}
	_ = rec
	if p := e.problem("Album 0 copy"); p == nil || p.Kind != KindAdoptTaken || p.Folder != "Album 0" || !strings.Contains(p.Detail, "made a new draft") {
		t.Errorf("the copy's note is %+v, want adopt_taken naming the folder Album 0", p)
	}
}

// TestAdoptionAfterALostCacheStillWorks: a pass with a fresh cache adopts
// each folder's release, listing the releases once.
func TestAdoptionAfterALostCacheStillWorks(t *testing.T) {
	e := newEnv(t)
	const n = 3
	for i := range n {
		e.album(fmt.Sprintf("Album %d", i), 1, 0.2)
	}
	if rep := e.syncOnce(e.engine(Options{})); rep.Failed() {
		t.Fatalf("sync: %+v", rep)
	}
	want := map[string]int64{}
	for i := range n {
		dir := fmt.Sprintf("Album %d", i)
		want[dir] = e.release(dir).ID
	}
	e.cache = mustCache(t, filepath.Join(t.TempDir(), "lost.db"))
	r, err := e.cache.AddRoot(context.Background(), e.rootPath)
	if err != nil {
		t.Fatal(err)
	}
	e.root = *r
	p := &listCounter{Platform: e.client}
	eng := e.engine(Options{})
	eng.platform = p
	if rep := e.syncOnce(eng); rep.Failed() {
		t.Fatalf("sync after losing the cache: %+v", rep)
	}
	for dir, id := range want {
		if got := e.release(dir).ID; got != id {
			t.Errorf("%s: release %d after losing the cache, want %d adopted", dir, got, id)
		}
	}
	if got := p.lists.Load(); got != 1 {
		t.Errorf("listed the releases %d times, want 1", got)
	}
	page, err := e.client.MyReleases(context.Background(), api.MaxPageSize, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != n {
		t.Errorf("the platform has %d releases, want %d (none duplicated)", len(page.Items), n)
	}
}

// TestAFoldersFinishedFilesShareACommit: the records a folder's finished
// uploads leave (blobs now on the platform, files now synced) are written
// a batch to a transaction, not a transaction per file, and are all there
// when the pass ends.
func TestAFoldersFinishedFilesShareACommit(t *testing.T) {
	e := newEnv(t)
	const n = 12
	paths := e.album("Many", n, 0.2)
	eng := e.engine(Options{FinishWait: time.Hour}) // one batch however slow the machine
	before := e.cache.Transactions()
	if rep := e.syncOnce(eng); rep.Failed() || rep.Files != n+1 {
		t.Fatalf("sync: %d files, %+v", rep.Files, rep)
	}
	if got := e.cache.Transactions() - before; got > 3 {
		t.Errorf("a folder of %d files cost %d transactions, want at most 3", n+1, got)
	}
	ctx := context.Background()
	for _, p := range append(paths, filepath.Join(e.rootPath, "Many", "cover.png")) {
		rel, _ := filepath.Rel(e.rootPath, p)
		f, err := e.cache.File(ctx, e.root.ID, filepath.ToSlash(rel))
		if err != nil {
			t.Fatal(err)
		}
		if f.State != StateSynced || !e.cache.KnownRemote(ctx, f.SHA256) {
			t.Errorf("%s: state %q, known remote %v; want synced and known", rel, f.State, e.cache.KnownRemote(ctx, f.SHA256))
		}
	}
}
