package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
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
	deadline := time.Now().Add(10 * time.Second)
	for a.library.BytesDownloaded() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	a.Shutdown(context.Background())

	buf := make([]byte, 1<<22)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, fn := range []string{
		"app/sync.(*Engine).Serve(", "app/library.(*Library).sync(", "app.(*App).keepLibrary(",
		"app.(*App).serveSync(", "app/player.(*Player).save(",
	} {
		if strings.Contains(stacks, fn) {
			t.Errorf("%s still runs after Shutdown returned", fn)
		}
	}
	if out := logs.String(); strings.Contains(out, "database is closed") {
		t.Errorf("work ran on the closed cache:\n%s", out)
	}
	if a.library.BytesDownloaded() == 0 {
		t.Error("the library sync never started")
	}
}
