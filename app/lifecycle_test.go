package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/demo"
	"github.com/megabox-fm/megabox/app/player"
)

// quietOutput is a sound device that takes nothing: the test needs the
// player's goroutines, not sound.
type quietOutput struct{}

func (quietOutput) SampleRate() int                       { return 44100 }
func (quietOutput) Err() error                            { return nil }
func (quietOutput) NewStream(io.ReadSeeker) player.Stream { return quietStream{} }

type quietStream struct{}

func (quietStream) Play()                          {}
func (quietStream) Pause()                         {}
func (quietStream) IsPlaying() bool                { return false }
func (quietStream) Seek(int64, int) (int64, error) { return 0, nil }
func (quietStream) UnplayedBufferSize() int        { return 0 }
func (quietStream) SetVolume(float64)              {}
func (quietStream) Err() error                     { return nil }
func (quietStream) Close() error                   { return nil }

// lockedBuffer collects log lines from any goroutine.
type lockedBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Shutdown returns only once the sync engine, library syncs and player
// saves have ended, and closes the cache after them.
func TestShutdownWaitsForItsGoroutines(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // the library folder defaults to ~/Music
	logs := &lockedBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	// The platform runs apart, as a remote one would: Shutdown then has no
	// platform of its own to stop, and closes the cache at once.
	platformDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	local, err := startLocal(ctx, platformDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); local.close() })
	home := t.TempDir()
	a := New(Config{Home: home, PlatformURL: local.url, Output: quietOutput{}})
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	pw, err := demo.Password(platformDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.signIn(demo.FanEmail, pw); err != nil { // asks for a library sync
		t.Fatal(err)
	}
	a.player.Enqueue(player.Item{Key: "1", Path: filepath.Join(home, "none.mp3"), Title: "One"})
	a.player.Pause() // asks for a save
	// Let the library sync get under way, so Shutdown has work to wait for.
	for deadline := time.Now().Add(time.Minute); a.library.BytesDownloaded() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the library sync never started downloading")
		}
	}
	// Work of the app's that uses the cache after its context ended, as a
	// library sync finishing a file does, held until the test lets it go.
	release, used := make(chan struct{}), make(chan error, 1)
	a.work.Go(func() {
		<-a.ctx.Done()
		<-release
		_, err := a.cache.Roots(context.Background())
		used <- err
	})
	shut := make(chan struct{})
	go func() { a.Shutdown(context.Background()); close(shut) }()
	select {
	case <-shut:
		t.Fatal("Shutdown returned while the app's work still ran")
	case <-time.After(100 * time.Millisecond): // a wrong return comes at once; a right one waits for release
	}
	close(release)
	select {
	case <-shut:
	case <-time.After(20 * time.Second):
		t.Fatal("Shutdown did not return once the app's work ended")
	}
	if err := <-used; err != nil {
		t.Errorf("the app's last work found the cache closed: %v", err)
	}
	if _, err := a.cache.Roots(context.Background()); err == nil {
		t.Error("the cache is still open after Shutdown")
	}

	for _, g := range appGoroutines() {
		for _, fn := range []string{
			"app/sync.(*Engine).Serve(", "app/library.(*Library).sync(", "app.(*App).keepLibrary(",
			"app.(*App).serveSync(", "app/player.(*Player).save(",
		} {
			if strings.Contains(g, fn) {
				t.Errorf("%s still runs after Shutdown returned:\n%s", fn, g)
			}
		}
	}
	if out := logs.String(); strings.Contains(out, "database is closed") {
		t.Errorf("work ran on the closed cache:\n%s", out)
	}
	if a.library.BytesDownloaded() == 0 {
		t.Error("the library sync never started")
	}
}

// close returns only once the local platform's server has ended, so
// nothing answers from a platform whose storage is closed.
func TestLocalPlatformCloseWaitsForItsServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lp, err := openLocal(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gate := &gatedListener{Listener: lp.l, release: make(chan struct{})}
	lp.l = gate
	lp.run(ctx)
	resp, err := http.Get(lp.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health: %s", resp.Status)
	}

	closed := make(chan struct{})
	go func() { lp.close(); close(closed) }()
	select {
	case <-gate.held():
	case <-time.After(10 * time.Second):
		t.Fatal("close never stopped the server")
	}
	select {
	case <-closed:
		t.Fatal("close returned while the server was still stopping")
	case <-time.After(50 * time.Millisecond): // a wrong return comes at once; a right one waits for release
	}
	close(gate.release)
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not return once the server ended")
	}
}

// gatedListener holds the server's last Accept, the one that tells it the
// listener closed, until release is closed.
type gatedListener struct {
	net.Listener
	release  chan struct{}
	once     gosync.Once
	stopping chan struct{}
}

func (g *gatedListener) held() chan struct{} {
	g.once.Do(func() { g.stopping = make(chan struct{}) })
	return g.stopping
}

func (g *gatedListener) Accept() (net.Conn, error) {
	c, err := g.Listener.Accept()
	if err != nil {
		select { // only the server's goroutine calls Accept
		case <-g.held():
		default:
			close(g.held())
		}
		<-g.release
	}
	return c, err
}

// appGoroutines returns the stacks of the goroutines this package started.
func appGoroutines() []string {
	buf := make([]byte, 1<<22)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "megabox-fm/megabox/app") {
			out = append(out, g)
		}
	}
	return out
}
