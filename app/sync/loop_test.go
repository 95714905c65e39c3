package sync

import (
	"context"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Publish and Confirm run in the loop that owns the folder: many at once,
// while the loop rescans, make exactly one release on the platform.
func TestConcurrentPublishMakesOneRelease(t *testing.T) {
	e := newEnv(t)
	e.album("Together", 2, 1)
	eng := e.engine(Options{Quiet: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var serving gosync.WaitGroup
	serving.Go(func() { eng.Serve(ctx) })
	defer func() { cancel(); serving.Wait() }()

	var wg gosync.WaitGroup
	published := make(chan int64, 10)
	for i := range 20 {
		wg.Go(func() {
			if i%2 == 0 {
				if rel, err := eng.Publish(ctx, e.root, "Together"); err == nil {
					published <- rel.ID
				}
				return
			}
			eng.Kick()
			eng.Confirm(ctx, e.root.ID, "Together") // mostly "nothing waits": fine
		})
	}
	wg.Wait()
	close(published)
	ids := map[int64]bool{}
	for id := range published {
		ids[id] = true
	}
	page, err := e.client.MyReleases(ctx, api.MaxPageSize, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || len(ids) != 1 || !ids[page.Items[0].ID] {
		t.Fatalf("%d releases on the platform, %d published ids; want one and the same", len(page.Items), len(ids))
	}
	if got := page.Items[0]; got.State != api.StatePublished || len(got.Tracks) != 2 {
		t.Fatalf("release: state %s, %d tracks", got.State, len(got.Tracks))
	}
}
