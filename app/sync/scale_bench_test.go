package sync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// BenchmarkTwentyThousandTracks is the first sync and the rescan of 100
// release folders of 200 small MP3s each, all new to the cache: the case
// where per-file cache work, not bytes, is the cost. Run it with
// -benchtime=1x -cpuprofile to see what a pass spends per file.
func BenchmarkTwentyThousandTracks(b *testing.B) {
	cfg := platform.DefaultConfig
	cfg.Quota = 0 // as bench runs megaboxd: the client's cost, not the quota check's
	e := newEnvWith(b, cfg)
	base := testmedia.MP3Bytes(b, 0.2, 440)
	old := time.Now().Add(-time.Hour)
	for i := range 20_000 {
		dir := filepath.Join(e.rootPath, fmt.Sprintf("Release %03d", i/200))
		os.MkdirAll(dir, 0o755)
		p := filepath.Join(dir, fmt.Sprintf("%03d.mp3", i%200+1))
		data := append(append([]byte(nil), base...), id3v1(fmt.Sprintf("Track %d", i))...)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		os.Chtimes(p, old, old) // one size and mtime for all: only the inode tells them apart
	}
	for b.Loop() {
		b.StopTimer()
		e.cache = mustCache(b, filepath.Join(b.TempDir(), "cache.db"))
		r, err := e.cache.AddRoot(context.Background(), e.rootPath)
		if err != nil {
			b.Fatal(err)
		}
		e.root = *r
		eng := e.engine(Options{Parallel: 4})
		b.StartTimer()
		start := time.Now()
		rep := e.syncOnce(eng)
		first := time.Since(start)
		if rep.Failed() || rep.Files != 20_000 {
			b.Fatalf("first sync: %d files, %v %v", rep.Files, rep.Errors, rep.FileErrors)
		}
		start = time.Now()
		e.syncOnce(eng)
		rescan := time.Since(start)
		b.ReportMetric(first.Seconds(), "first-sync-s")
		b.ReportMetric(float64(rescan.Milliseconds()), "rescan-ms")
	}
}

// TestHashingASmallFileAllocatesLittle: reading a small file must not cost
// a fresh megabyte buffer (allocating and clearing one per file would be
// most of a first sync's client CPU on 20,000 small files).
func TestHashingASmallFileAllocatesLittle(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers on purpose")
	}
	p := filepath.Join(t.TempDir(), "small.mp3")
	testmedia.MP3(t, p, 0.2, 440, testmedia.Tags{Title: "Small"})
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	f := localFile{abs: p, size: fi.Size(), kind: kindAudio}
	if _, err := hashFile(context.Background(), f, true, nil); err != nil { // warm the pool
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 50
	for range n {
		if _, err := hashFile(context.Background(), f, true, nil); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 256<<10 {
		t.Fatalf("hashing a %d-byte file allocates %d bytes", fi.Size(), per)
	}
}
