package mpris_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/megabox-fm/megabox/app/mpris"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/internal/dbustest"
	"github.com/megabox-fm/megabox/internal/nullaudio"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// TestMain stops the shared null sound card when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.sound != nil {
		shared.sound.Stop()
		os.RemoveAll(shared.sound.Dir)
	}
	os.Exit(code)
}

// shared is the process's audio device, playing into a null sound card:
// oto keeps one context per process, so every test (and -count run)
// shares it.
var shared struct {
	once  gosync.Once
	sound *nullaudio.Sound
	dev   *player.OtoOutput
	err   error
}

func device(t *testing.T) *player.OtoOutput {
	t.Helper()
	if _, err := exec.LookPath("pulseaudio"); err != nil {
		t.Fatal("pulseaudio is not installed: run .ci/deps test")
	}
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "megabox-sound-")
		if err != nil {
			shared.err = err
			return
		}
		if shared.sound, shared.err = nullaudio.Start(dir); shared.err != nil {
			return
		}
		os.Setenv("ALSA_CONFIG_PATH", shared.sound.Config)
		shared.dev, shared.err = player.NewOtoOutput(44100)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dev
}

// relay hands the player's events to the server made after it.
type relay struct{ s atomic.Pointer[mpris.Server] }

func (r *relay) Emit(event string, payload any) {
	if s := r.s.Load(); s != nil {
		s.Emit(event, payload)
	}
}

// bus is a private session bus with a playing player exported on it.
type bus struct {
	addr   string
	p      *player.Player
	srv    *mpris.Server
	cover  string
	track  player.Item
	events chan *dbus.Signal // what a second connection hears from the player's object
}

// startPlaying plays a track through the null sound card until its
// position moves.
func startPlaying(t *testing.T) *bus {
	t.Helper()
	b := startWith(t, device(t))
	b.waitPosition(t, 200*time.Millisecond)
	return b
}

// startWith starts a track playing on out.
func startWith(t *testing.T, out player.Output) *bus {
	t.Helper()
	b := &bus{addr: dbustest.Start(t)}
	dir := t.TempDir()
	b.track = player.Item{Key: "42", Path: filepath.Join(dir, "01 - Night Drive.mp3"), Title: "Night Drive", Artist: "The Examples", Album: "Loopback", DurationMS: 30000}
	testmedia.MP3(t, b.track.Path, 30, 440, testmedia.Tags{Title: b.track.Title, Artist: b.track.Artist, Album: b.track.Album})
	b.cover = filepath.Join(dir, "cover.jpg")
	if err := os.WriteFile(b.cover, testmedia.JPEG(8, 8), 0o644); err != nil {
		t.Fatal(err)
	}

	r := &relay{}
	b.p = player.New(out, r, nil)
	t.Cleanup(func() { b.p.Close() })
	srv, err := mpris.New(dbustest.Connect(t, b.addr), b.p, mpris.Options{Cover: func(it player.Item) string {
		if it.Key == b.track.Key {
			return b.cover
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	b.srv = srv
	r.s.Store(srv)
	ctx, cancel := context.WithCancel(context.Background())
	var served gosync.WaitGroup
	served.Go(func() { srv.Serve(ctx) })
	t.Cleanup(func() { cancel(); served.Wait(); srv.Close() })

	watcher := dbustest.Connect(t, b.addr)
	if err := watcher.AddMatchSignal(dbus.WithMatchObjectPath(mpris.Path)); err != nil {
		t.Fatal(err)
	}
	b.events = make(chan *dbus.Signal, 256)
	watcher.Signal(b.events)

	if err := b.p.PlayQueue([]player.Item{b.track}, 0); err != nil {
		t.Fatal(err)
	}
	b.waitProp(t, "PlaybackStatus", "Playing")
	return b
}

// waitPosition waits until the position read over the bus is past min.
func (b *bus) waitPosition(t *testing.T, min time.Duration) {
	t.Helper()
	var got time.Duration
	wait.For(t, 10*time.Second, func() bool { got = b.position(t); return got > min },
		func() string { return fmt.Sprintf("the position is %v, want past %v", got, min) })
}

// busctl runs busctl against the private bus and returns its output.
func (b *bus) busctl(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("busctl"); err != nil {
		if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "1" {
			t.Fatal("busctl is not installed (Debian's systemd package): run .ci/deps test")
		}
		t.Skip("busctl is not installed")
	}
	cmd := exec.Command("busctl", append([]string{"--user"}, args...)...)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+b.addr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("busctl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// call calls a method of the Player interface through busctl.
func (b *bus) call(t *testing.T, method string, args ...string) {
	t.Helper()
	b.busctl(t, append([]string{"call", b.srv.Name(), string(mpris.Path), mpris.IfacePlayer, method}, args...)...)
}

// prop reads a Player property through busctl, decoded from its JSON.
func (b *bus) prop(t *testing.T, name string, v any) {
	t.Helper()
	out := b.busctl(t, "--json=short", "get-property", b.srv.Name(), string(mpris.Path), mpris.IfacePlayer, name)
	var got struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("busctl get-property %s: %v: %s", name, err, out)
	}
	if err := json.Unmarshal(got.Data, v); err != nil {
		t.Fatalf("property %s: %v: %s", name, err, got.Data)
	}
}

func (b *bus) position(t *testing.T) time.Duration {
	t.Helper()
	var us int64
	b.prop(t, "Position", &us)
	return time.Duration(us) * time.Microsecond
}

func (b *bus) waitProp(t *testing.T, name, want string) {
	t.Helper()
	var got string
	wait.For(t, 10*time.Second, func() bool { b.prop(t, name, &got); return got == want },
		func() string { return fmt.Sprintf("%s is %q, want %q", name, got, want) })
}

// waitSignal waits for a signal from the player's object that ok accepts.
func (b *bus) waitSignal(t *testing.T, what string, ok func(*dbus.Signal) bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-b.events:
			if ok(s) {
				return
			}
		case <-timeout:
			t.Fatalf("no %s signal within 10 s", what)
		}
	}
}

// changed accepts a PropertiesChanged of the Player interface that sets
// name to want.
func changed(name string, want any) func(*dbus.Signal) bool {
	return func(s *dbus.Signal) bool {
		if s.Name != "org.freedesktop.DBus.Properties.PropertiesChanged" || len(s.Body) < 2 || s.Body[0] != mpris.IfacePlayer {
			return false
		}
		v, ok := s.Body[1].(map[string]dbus.Variant)[name]
		return ok && v.Value() == want
	}
}

// TestPlayPauseOverTheBus drives a real player, playing a real MP3 into a
// null sound card, from busctl over a private session bus: PlayPause
// pauses (the position stops) and resumes (it moves again), a second
// connection hears the changes, and the metadata names the track.
func TestPlayPauseOverTheBus(t *testing.T) {
	b := startPlaying(t)

	b.call(t, "PlayPause")
	b.waitProp(t, "PlaybackStatus", "Paused")
	b.waitSignal(t, "PropertiesChanged(PlaybackStatus=Paused)", changed("PlaybackStatus", "Paused"))
	paused := b.position(t)
	if paused <= 0 {
		t.Fatalf("position %v after playing, want > 0", paused)
	}
	// Paused, the position holds: read it over half a second.
	for start := time.Now(); time.Since(start) < 500*time.Millisecond; time.Sleep(50 * time.Millisecond) {
		if got := b.position(t); got != paused {
			t.Fatalf("paused, the position moved from %v to %v", paused, got)
		}
	}

	b.call(t, "PlayPause")
	b.waitProp(t, "PlaybackStatus", "Playing")
	b.waitSignal(t, "PropertiesChanged(PlaybackStatus=Playing)", changed("PlaybackStatus", "Playing"))
	b.waitPosition(t, paused+300*time.Millisecond)

	var meta map[string]struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	b.prop(t, "Metadata", &meta)
	want := map[string]string{
		"xesam:title":   `"Night Drive"`,
		"xesam:album":   `"Loopback"`,
		"xesam:artist":  `["The Examples"]`,
		"mpris:length":  `30000000`,
		"mpris:artUrl":  `"file://` + b.cover + `"`,
		"mpris:trackid": "",
	}
	for k, w := range want {
		got, ok := meta[k]
		if !ok {
			t.Errorf("Metadata has no %s: %v", k, meta)
			continue
		}
		if k == "mpris:trackid" {
			if got.Type != "o" {
				t.Errorf("mpris:trackid has type %q, want an object path", got.Type)
			}
			continue
		}
		if string(got.Data) != w {
			t.Errorf("Metadata %s = %s, want %s", k, got.Data, w)
		}
	}
}

// TestNextOnOneTrack: with one track queued there is no next one; Next
// over the bus changes nothing.
func TestNextOnOneTrack(t *testing.T) {
	b := startPlaying(t)
	var can bool
	b.prop(t, "CanGoNext", &can)
	if can {
		t.Fatal("CanGoNext is true with one track queued")
	}
	b.prop(t, "CanPlay", &can)
	if !can {
		t.Fatal("CanPlay is false with a track queued")
	}
	b.waitPosition(t, time.Second) // far enough in that a restart would show
	before := b.position(t)
	b.call(t, "Next")
	if st := b.p.Status(); st.State != player.StatePlaying || st.Track == nil || st.Track.Key != b.track.Key {
		t.Fatalf("after Next: %s, track %v; want the same track still playing", st.State, st.Track)
	}
	// The position moves in steps of a frame or two while playing; a
	// restart would take it back to the start.
	if after := b.position(t); after < before-100*time.Millisecond {
		t.Fatalf("after Next the position went from %v back to %v: the track restarted", before, after)
	}
}

// TestSetPositionSignalsSeeked: a seek over the bus moves the player and
// is announced with Seeked. The output is a stand-in that plays nothing:
// oto v2.4.3 reads the source from two goroutines into one buffer when a
// playing stream seeks, which the race detector reports.
func TestSetPositionSignalsSeeked(t *testing.T) {
	b := startWith(t, stillOutput{})
	var meta map[string]struct {
		Data json.RawMessage `json:"data"`
	}
	b.prop(t, "Metadata", &meta)
	var id string
	if err := json.Unmarshal(meta["mpris:trackid"].Data, &id); err != nil {
		t.Fatal(err)
	}
	b.call(t, "SetPosition", "ox", id, "20000000")
	b.waitSignal(t, "Seeked", func(s *dbus.Signal) bool {
		return s.Name == mpris.IfacePlayer+".Seeked" && len(s.Body) == 1 && s.Body[0].(int64) >= 20_000_000
	})
	if pos := b.position(t); pos < 20*time.Second {
		t.Fatalf("after SetPosition to 20 s the position is %v", pos)
	}
}

// TestEmptyQueue: with nothing queued nothing can be done, and the
// methods do nothing.
func TestEmptyQueue(t *testing.T) {
	addr := dbustest.Start(t)
	p := player.New(device(t), nil, nil)
	t.Cleanup(func() { p.Close() })
	srv, err := mpris.New(dbustest.Connect(t, addr), p, mpris.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	b := &bus{addr: addr, p: p, srv: srv}
	for _, name := range []string{"CanGoNext", "CanGoPrevious", "CanPlay", "CanPause", "CanSeek"} {
		var can bool
		b.prop(t, name, &can)
		if can {
			t.Errorf("%s is true with an empty queue", name)
		}
	}
	b.call(t, "PlayPause")
	b.waitProp(t, "PlaybackStatus", "Stopped")
	if st := p.Status(); st.State != player.StateStopped || st.Problem != "" {
		t.Fatalf("PlayPause on an empty queue: %s %q", st.State, st.Problem)
	}
}

// stillOutput is a sound device that never takes any audio: the position
// stays where the player put it.
type stillOutput struct{}

func (stillOutput) SampleRate() int { return 44100 }
func (stillOutput) Err() error      { return nil }
func (stillOutput) NewStream(src io.ReadSeeker) player.Stream {
	return &stillStream{src: src}
}

type stillStream struct {
	src     io.ReadSeeker
	mu      gosync.Mutex
	playing bool
}

func (s *stillStream) Play()  { s.mu.Lock(); s.playing = true; s.mu.Unlock() }
func (s *stillStream) Pause() { s.mu.Lock(); s.playing = false; s.mu.Unlock() }
func (s *stillStream) IsPlaying() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.playing
}
func (s *stillStream) Seek(off int64, whence int) (int64, error) { return s.src.Seek(off, whence) }
func (s *stillStream) UnplayedBufferSize() int                   { return 0 }
func (s *stillStream) SetVolume(float64)                         {}
func (s *stillStream) Err() error                                { return nil }
func (s *stillStream) Close() error                              { return nil }
