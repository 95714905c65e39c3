package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// env is a real megaboxd over loopback, a signed-in creator, a local cache
// and a watched root, all in temp dirs.
type env struct {
	t        testing.TB
	pdir     string
	p        *platform.Platform
	srv      *httptest.Server
	client   *mhttp.Client
	cache    *cache.Cache
	cacheDB  string // the cache's file
	cfg      platform.Config
	root     cache.Root
	rootPath string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, platform.DefaultConfig)
}

// newEnvWith is newEnv with the platform configured as cfg.
func newEnvWith(t testing.TB, cfg platform.Config) *env {
	t.Helper()
	e := &env{t: t, pdir: t.TempDir(), cfg: cfg}
	e.startPlatform(nil)
	t.Cleanup(func() { e.srv.Close(); e.p.Close() })
	c, err := mhttp.NewClient(e.srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateAccount(ctx, api.AccountCreate{Email: "ann@example.com", Password: "password1", DisplayName: "Ann", Creator: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "password1"}); err != nil {
		t.Fatal(err)
	}
	e.client = c
	e.cacheDB = filepath.Join(t.TempDir(), "cache.db")
	e.cache = mustCache(t, e.cacheDB)
	e.rootPath = filepath.Join(t.TempDir(), "Megabox")
	os.MkdirAll(e.rootPath, 0o755)
	r, err := e.cache.AddRoot(ctx, e.rootPath)
	if err != nil {
		t.Fatal(err)
	}
	e.root = *r
	return e
}

// startPlatform (re)starts the server, on l if given.
func (e *env) startPlatform(l net.Listener) {
	e.t.Helper()
	p, err := platform.Open(context.Background(), e.pdir, e.cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		e.t.Fatal(err)
	}
	e.p = p
	srv := httptest.NewUnstartedServer(p.Handler)
	if l != nil {
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	e.srv = srv
}

func mustCache(t testing.TB, path string) *cache.Cache {
	t.Helper()
	c, err := cache.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (e *env) engine(opts Options) *Engine {
	if opts.Quiet == 0 {
		opts.Quiet = 200 * time.Millisecond
	}
	if opts.Settle == 0 {
		opts.Settle = time.Nanosecond
	}
	if opts.ChunkSize == 0 {
		opts.ChunkSize = 256 << 10
	}
	return New(e.cache, e.client, nil, opts)
}

// album writes n tagged MP3s (and a cover) into dir under the root.
func (e *env) album(dir string, n int, seconds float64) []string {
	e.t.Helper()
	d := filepath.Join(e.rootPath, dir)
	os.MkdirAll(d, 0o755)
	var paths []string
	for i := range n {
		p := filepath.Join(d, fmt.Sprintf("%02d - Song %d.mp3", i+1, i+1))
		testmedia.MP3(e.t, p, seconds, 200+float64(i)*50+float64(len(dir))*7, testmedia.Tags{
			Title: fmt.Sprintf("Song %d", i+1), Artist: "Ann", Album: dir, Track: fmt.Sprintf("%d/%d", i+1, n), Year: "2026"})
		paths = append(paths, p)
	}
	os.WriteFile(filepath.Join(d, "cover.png"), testmedia.PNG(120, 120), 0o644)
	return paths
}

func (e *env) syncOnce(eng *Engine) *Report {
	e.t.Helper()
	rep, err := eng.SyncOnce(context.Background())
	if err != nil {
		e.t.Fatalf("SyncOnce: %v", err)
	}
	return rep
}

// release returns the platform release a folder became.
func (e *env) release(dir string) *api.Release {
	e.t.Helper()
	rec, err := e.cache.Release(context.Background(), e.root.ID, dir)
	if err != nil || rec.ReleaseID == 0 {
		e.t.Fatalf("%s has no release (%+v, %v)", dir, rec, err)
	}
	r, err := e.client.FindRelease(context.Background(), rec.ReleaseID)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// serverBlobs lists the platform's stored blobs, checking each file's
// bytes hash to its name.
func (e *env) serverBlobs() map[string]bool {
	e.t.Helper()
	out := map[string]bool{}
	base := filepath.Join(e.pdir, "blobs")
	filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(base, p)
		if err != nil || d.IsDir() || strings.HasPrefix(rel, "uploads") || strings.HasPrefix(rel, "tmp") || rel == "layout" {
			return nil // staging, and the bucket's layout marker
		}
		if got := fileSHA(e.t, p); got != d.Name() {
			e.t.Errorf("server blob %s holds bytes hashing to %s", d.Name(), got)
		}
		out[d.Name()] = true
		return nil
	})
	return out
}

func fileSHA(t testing.TB, p string) string {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// problem is what the cache says is wrong with a release folder (nil for
// nothing), as the window receives it.
func (e *env) problem(dir string) *Problem {
	e.t.Helper()
	rec, err := e.cache.Release(context.Background(), e.root.ID, dir)
	if err != nil {
		e.t.Fatal(err)
	}
	if rec.Error != "" && ParseProblem(rec.Error) == nil {
		e.t.Fatalf("%s: the cache holds %q, not a typed problem", dir, rec.Error)
	}
	return ParseProblem(rec.Error)
}

func (e *env) releaseState(dir string) string {
	rec, _ := e.cache.Release(context.Background(), e.root.ID, dir)
	return rec.State
}
