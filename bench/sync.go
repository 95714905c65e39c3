package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/sync"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
)

// syncEnv is a platform over loopback, a signed-in creator and a cache.
type syncEnv struct {
	p      *platform.Platform
	srv    *httptest.Server
	client *mhttp.Client
	cache  *cache.Cache
	root   cache.Root
	music  string
}

func newSyncEnv(dir string) (*syncEnv, error) {
	ctx := context.Background()
	p, err := platform.Open(ctx, filepath.Join(dir, "platform"), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	e := &syncEnv{p: p, srv: httptest.NewServer(p.Handler), music: filepath.Join(dir, "music")}
	if e.client, err = signedIn(ctx, e.srv.URL, true); err != nil {
		return nil, err
	}
	if e.cache, err = cache.Open(ctx, filepath.Join(dir, "cache.db")); err != nil {
		return nil, err
	}
	os.MkdirAll(e.music, 0o755)
	r, err := e.cache.AddRoot(ctx, e.music)
	if err != nil {
		return nil, err
	}
	e.root = *r
	return e, nil
}

func (e *syncEnv) close() { e.cache.Close(); e.srv.Close(); e.p.Close() }

// album writes n copies of an MP3, each made distinct by its own ID3v1
// tag, into a release folder, dated in the past so they count as settled.
func album(dir string, mp3 []byte, n int) (int64, error) {
	os.MkdirAll(dir, 0o755)
	var total int64
	old := time.Now().Add(-time.Hour)
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("%02d.mp3", i+1))
		tag := make([]byte, 128)
		copy(tag, "TAG")
		copy(tag[3:], fmt.Sprintf("Track %d %d", i+1, time.Now().UnixNano()))
		if err := os.WriteFile(p, append(append([]byte(nil), mp3...), tag...), 0o644); err != nil {
			return 0, err
		}
		os.Chtimes(p, old, old)
		total += int64(len(mp3) + 128)
	}
	return total, nil
}

// tenMB is an MP3 of about 10 MB (4 minutes at 320 kbit/s).
func tenMB(dir string) ([]byte, error) { return encodeMP3At(filepath.Join(dir, "ten.mp3"), 250, 320) }

// benchSync: the first sync of a 20 × 10 MB album against the raw upload
// baseline, and the bytes it reads per byte synced.
func benchSync(dir string, runs int) ([]Result, error) {
	mp3, err := tenMB(dir)
	if err != nil {
		return nil, err
	}
	var ours, base []time.Duration
	var readRatio float64
	size := int64(20 * (len(mp3) + 128))
	src := filepath.Join(dir, "raw.bin")
	if err := os.WriteFile(src, mp3Times(mp3, 20), 0o644); err != nil {
		return nil, err
	}
	defer os.Remove(src)
	for i := range runs {
		e, err := newSyncEnv(filepath.Join(dir, fmt.Sprint("sync", i)))
		if err != nil {
			return nil, err
		}
		if _, err := album(filepath.Join(e.music, "Album"), mp3, 20); err != nil {
			return nil, err
		}
		eng := sync.New(e.cache, e.client, nil, sync.Options{})
		syscall.Sync() // no writeback of the setup during the timed run
		start := time.Now()
		rep, err := eng.SyncOnce(context.Background())
		if err != nil || rep.Failed() {
			return nil, fmt.Errorf("sync: %v %v", err, rep)
		}
		ours = append(ours, time.Since(start))
		readRatio = float64(eng.BytesRead()) / float64(size)
		e.close()
		syscall.Sync()
		d, err := rawUpload(dir, src)
		if err != nil {
			return nil, err
		}
		base = append(base, d)
		os.RemoveAll(filepath.Join(dir, fmt.Sprint("sync", i)))
	}
	o, b := median(ours), median(base)
	return []Result{{
		Name:     "initial sync of a 20 × 10 MB album (hash, tags, tus upload, draft)",
		Value:    mbps(size, o),
		Baseline: mbps(size, b) + " raw body → sha256 → fsync'd file",
		Ratio:    b.Seconds() / o.Seconds(), Target: "≥ 0.80", Pass: b.Seconds()/o.Seconds() >= 0.8,
	}, {
		Name:     "bytes read from disk per byte synced (initial sync)",
		Value:    fmt.Sprintf("%.3f", readRatio),
		Baseline: "1.000 (every byte read once)",
		Ratio:    1 / readRatio, Target: "≤ 2", Pass: readRatio <= 2,
	}}, nil
}

// benchRescan: a rescan of 20,000 unchanged files next to a bare walk
// that only stats them.
func benchRescan(dir string, runs int) ([]Result, error) {
	e, err := newSyncEnv(filepath.Join(dir, "rescan"))
	if err != nil {
		return nil, err
	}
	defer e.close()
	defer os.RemoveAll(filepath.Join(dir, "rescan"))
	small, err := encodeMP3At(filepath.Join(dir, "small.mp3"), 0.2, 128)
	if err != nil {
		return nil, err
	}
	old := time.Now().Add(-time.Hour)
	for r := range 100 {
		d := filepath.Join(e.music, fmt.Sprintf("Release %03d", r))
		os.MkdirAll(d, 0o755)
		for k := range 200 {
			p := filepath.Join(d, fmt.Sprintf("%03d.mp3", k+1))
			os.WriteFile(p, small, 0o644)
			os.Chtimes(p, old, old)
		}
	}
	eng := sync.New(e.cache, e.client, nil, sync.Options{})
	if rep, err := eng.SyncOnce(context.Background()); err != nil || rep.Failed() || rep.Files != 20_000 {
		return nil, fmt.Errorf("initial sync of 20,000 files: %v %+v", err, rep)
	}
	var ours, base []time.Duration
	for range runs {
		start := time.Now()
		read := eng.BytesRead()
		if _, err := eng.SyncOnce(context.Background()); err != nil {
			return nil, err
		}
		ours = append(ours, time.Since(start))
		if eng.BytesRead() != read {
			return nil, fmt.Errorf("rescan read %d bytes of unchanged files", eng.BytesRead()-read)
		}
		start = time.Now()
		filepath.WalkDir(e.music, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				os.Lstat(p)
			}
			return nil
		})
		base = append(base, time.Since(start))
	}
	o, b := median(ours), median(base)
	return []Result{{
		Name:     "rescan of 20,000 unchanged files",
		Value:    ms(o),
		Baseline: ms(b) + " walk + lstat only",
		Ratio:    b.Seconds() / o.Seconds(), Target: "< 1 s", Pass: o < time.Second,
	}}, nil
}

// benchLatency: from a 10 MB track landing in the watched folder to its
// draft on the platform, with the default 1 s quiet window.
func benchLatency(dir string, runs int) ([]Result, error) {
	mp3, err := tenMB(dir)
	if err != nil {
		return nil, err
	}
	e, err := newSyncEnv(filepath.Join(dir, "latency"))
	if err != nil {
		return nil, err
	}
	defer e.close()
	opts := sync.Options{}
	eng := sync.New(e.cache, e.client, nil, opts)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go eng.Serve(ctx)
	time.Sleep(200 * time.Millisecond)
	var lat []time.Duration
	for i := range runs {
		dir := fmt.Sprintf("Single %d", i)
		tmp := filepath.Join(e.music, "."+dir+".part")
		os.MkdirAll(tmp, 0o755)
		tag := make([]byte, 128)
		copy(tag, fmt.Sprintf("TAGSingle %d", i))
		os.WriteFile(filepath.Join(tmp, "01.mp3"), append(append([]byte(nil), mp3...), tag...), 0o644)
		start := time.Now()
		os.Rename(tmp, filepath.Join(e.music, dir)) // lands at once, as a finished copy
		for {
			rec, _ := e.cache.Release(ctx, e.root.ID, dir)
			if rec.State == sync.StateSynced && rec.ReleaseID != 0 {
				break
			}
			if time.Since(start) > 30*time.Second {
				return nil, fmt.Errorf("track never synced (state %q)", rec.State)
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	m := median(lat)
	target := time.Second + 500*time.Millisecond
	return []Result{{
		Name:     "drop-to-synced latency, one 10 MB track (1 s quiet window)",
		Value:    ms(m),
		Baseline: "1000 ms quiet window",
		Ratio:    m.Seconds() / target.Seconds(), Target: "< quiet window + 0.5 s", Pass: m < target,
	}}, nil
}

// mp3Times is n copies of mp3, each followed by a 128-byte tag: the same
// bytes the album holds.
func mp3Times(mp3 []byte, n int) []byte {
	out := make([]byte, 0, n*(len(mp3)+128))
	for range n {
		out = append(out, mp3...)
		out = append(out, make([]byte, 128)...)
	}
	return out
}

func newEngine(e *syncEnv) *sync.Engine { return sync.New(e.cache, e.client, nil, sync.Options{}) }
