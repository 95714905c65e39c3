package sync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// BenchmarkTwentyThousandTracks is the first sync and the rescan of 100
// release folders of 200 small MP3s each, all new to the cache: the case
// where per-file cache work, not bytes, is the cost. Run it with
// -benchtime=1x -cpuprofile to see what a pass spends per file.
func BenchmarkTwentyThousandTracks(b *testing.B) {
	e := newEnv(b)
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
