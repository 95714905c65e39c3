package sync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/testmedia"
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

// heldPass serves eng with a pass held at its first call of onPass for a
// name accepted by hold, and returns a Publish of dir issued once the pass
// is held; the pass goes on once the publish is queued.
type heldPass struct {
	started   chan struct{} // the pass is held
	published chan struct{} // Publish returned
	late      chan string   // names the pass reached before Publish returned
}

func holdPass(t *testing.T, e *env, eng *Engine, hold func(rel string) bool) *heldPass {
	t.Helper()
	h := &heldPass{started: make(chan struct{}), published: make(chan struct{}), late: make(chan string, 1000)}
	gate := make(chan struct{})
	first, gaveUp := true, false
	eng.onPass = func(rel string) { // called on the Serve goroutine or its folder's
		if !hold(rel) {
			return
		}
		if first {
			first = false
			close(h.started)
			<-gate
			return
		}
		// Every later step of the pass waits for the publish, up to a
		// deadline: a pass that serves requests only at its end cannot
		// answer it, and goes on late.
		if gaveUp {
			return
		}
		select {
		case <-h.published:
		case <-time.After(10 * time.Second):
			gaveUp = true
			h.late <- rel
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var serving gosync.WaitGroup
	serving.Go(func() { eng.Serve(ctx) })
	t.Cleanup(func() { cancel(); serving.Wait() })
	select {
	case <-h.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the pass never started")
	}
	go func() { // the pass goes on once the publish is queued
		defer close(gate)
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			eng.mu.Lock()
			l := eng.loop
			eng.mu.Unlock()
			if l != nil && l.waiting() {
				return
			}
		}
	}()
	return h
}

// TestPublishIsServedBetweenFolders: a Publish issued while a pass over
// many folders is running is answered after the folder being synced, not
// after the whole pass.
func TestPublishIsServedBetweenFolders(t *testing.T) {
	e := newEnv(t)
	for i := range 6 {
		e.album(fmt.Sprintf("Pass %d", i), 1, 0.5)
	}
	e.album("Target", 1, 0.5)
	eng := e.engine(Options{Quiet: 50 * time.Millisecond})
	h := holdPass(t, e, eng, func(rel string) bool { return strings.HasPrefix(rel, "Pass") && !strings.Contains(rel, "/") })
	publishDuringPass(t, e, eng, h, "the pass")
}

// TestPublishIsServedBetweenFiles: a folder of many files gives way to a
// Publish between its files, and still syncs completely afterwards.
func TestPublishIsServedBetweenFiles(t *testing.T) {
	e := newEnv(t)
	big := filepath.Join(e.rootPath, "Big")
	os.MkdirAll(big, 0o755)
	base := testmedia.MP3Bytes(t, 0.2, 440)
	for i := range 30 {
		data := append(append([]byte(nil), base...), id3v1(fmt.Sprintf("Big %d", i))...)
		if err := os.WriteFile(filepath.Join(big, fmt.Sprintf("%02d.mp3", i+1)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.album("Target", 1, 0.5)
	eng := e.engine(Options{Quiet: 50 * time.Millisecond})
	h := holdPass(t, e, eng, func(rel string) bool { return strings.HasPrefix(rel, "Big/") })
	publishDuringPass(t, e, eng, h, "the folder")
	wait.Until(t, 30*time.Second, "Big to sync after giving way", func() bool {
		return e.releaseState("Big") == StateSynced && len(e.release("Big").Tracks) == 30
	})
}

// publishDuringPass publishes "Target" while h holds the pass, and checks
// the publish was answered before what (the pass, or a folder) went on.
func publishDuringPass(t *testing.T, e *env, eng *Engine, h *heldPass, what string) {
	t.Helper()
	rel, err := eng.Publish(context.Background(), e.root, "Target")
	close(h.published)
	if err != nil {
		t.Fatal(err)
	}
	if rel.State != api.StatePublished {
		t.Fatalf("release is %s, want published", rel.State)
	}
	select {
	case name := <-h.late:
		t.Fatalf("%s went on to %q without answering the publish", what, name)
	default:
	}
}
