package sync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestTenThousandFiles syncs a tree of 10,000 files (50 releases of 4
// tracks, with artwork scans and notes) and rescans it without reading a
// byte.
func TestTenThousandFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 files")
	}
	e := newEnv(t)
	base := testmedia.MP3Bytes(t, 0.3, 440)
	n := 0
	for r := range 50 {
		dir := filepath.Join(e.rootPath, fmt.Sprintf("Release %02d", r))
		os.MkdirAll(filepath.Join(dir, "scans"), 0o755)
		for k := range 4 {
			// Distinct files: the same audio with a distinct trailing ID3v1 tag.
			data := append(append([]byte(nil), base...), id3v1(fmt.Sprintf("R%02d T%d", r, k))...)
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d.mp3", k+1)), data, 0o644)
			n++
		}
		for k := 0; n < (r+1)*200; k++ {
			os.WriteFile(filepath.Join(dir, "scans", fmt.Sprintf("page-%03d.tif", k)), []byte("scan"), 0o644)
			n++
		}
	}
	if n != 10_000 {
		t.Fatalf("made %d files", n)
	}
	eng := e.engine(Options{Parallel: 4})
	start := time.Now()
	rep := e.syncOnce(eng)
	t.Logf("first sync of 10,000 files: %v", time.Since(start))
	if rep.Failed() || rep.Releases != 50 || rep.Files != 200 {
		t.Fatalf("report: %d releases, %d files, errors %v %v", rep.Releases, rep.Files, rep.FileErrors, rep.Errors)
	}
	for r := range 50 {
		if got := len(e.release(fmt.Sprintf("Release %02d", r)).Tracks); got != 4 {
			t.Fatalf("release %d has %d tracks", r, got)
		}
	}
	read := eng.BytesRead()
	start = time.Now()
	e.syncOnce(eng)
	t.Logf("rescan of 10,000 unchanged files: %v", time.Since(start))
	if eng.BytesRead() != read {
		t.Fatalf("an unchanged tree was read again: %d bytes", eng.BytesRead()-read)
	}
}

// id3v1 is a 128-byte ID3v1 tag with a title.
func id3v1(title string) []byte {
	b := make([]byte, 128)
	copy(b, "TAG")
	copy(b[3:33], title)
	return b
}

// TestOverflowRescanConverges loses watcher events (as a kernel queue
// overflow does), signals the overflow, and checks the engine catches up
// by rescanning.
func TestOverflowRescanConverges(t *testing.T) {
	e := newEnv(t)
	e.album("Before", 1, 1)
	eng := e.engine(Options{Rescan: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go eng.Serve(ctx)
	wait.Until(t, 10*time.Second, "the first release", func() bool { return e.releaseState("Before") == StateSynced })
	eng.mu.Lock()
	w := eng.w
	eng.mu.Unlock()
	// Stop watching, so the next changes are lost like overflowed events.
	w.fs.Remove(e.rootPath)
	w.fs.Remove(filepath.Join(e.rootPath, "Before"))
	e.album("Lost Events", 2, 1)
	testmedia.MP3(t, filepath.Join(e.rootPath, "Before", "02 - New.mp3"), 1, 900, testmedia.Tags{Title: "New", Track: "2"})
	time.Sleep(600 * time.Millisecond)
	if st := e.releaseState("Lost Events"); st != "" {
		t.Fatalf("the engine saw unwatched changes (%q): the test is not losing events", st)
	}
	signal(w.overflow)
	wait.Until(t, 10*time.Second, "the rescan to converge", func() bool {
		return e.releaseState("Lost Events") == StateSynced && e.releaseState("Before") == StateSynced && len(e.release("Before").Tracks) == 2
	})
}
