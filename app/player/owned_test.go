package player

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// slowStore counts saves running at once; each save takes a moment so
// overlapping saves would show.
type slowStore struct {
	mu      gosync.Mutex
	b       []byte
	saves   int
	running atomic.Int32
	most    atomic.Int32
}

func (s *slowStore) LoadPlayerState(context.Context) []byte { return nil }
func (s *slowStore) SavePlayerState(_ context.Context, b []byte) error {
	n := s.running.Add(1)
	defer s.running.Add(-1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	time.Sleep(2 * time.Millisecond)
	s.mu.Lock()
	s.b, s.saves = append([]byte(nil), b...), s.saves+1
	s.mu.Unlock()
	return nil
}

// Saving has one owner: many pauses at once never save concurrently, and
// Close returns only after the last save, which holds the final state.
func TestSavesHaveOneOwner(t *testing.T) {
	store := &slowStore{}
	p := New(&fakeOutput{rate: 44100}, nil, store)
	items, _ := tracks(t, 1, 1)
	p.PlayQueue(items, 0)
	var wg gosync.WaitGroup
	for range 40 {
		wg.Go(func() { p.Pause() })
	}
	wg.Wait()
	p.SetVolume(0.25)
	p.Close()
	if m := store.most.Load(); m != 1 {
		t.Fatalf("%d saves ran at once, want 1", m)
	}
	store.mu.Lock()
	saved, saves := string(store.b), store.saves
	store.mu.Unlock()
	if saves < 1 || saves > 41 {
		t.Fatalf("%d saves for 40 pauses and a close", saves)
	}
	if !strings.Contains(saved, `"volume":0.25`) {
		t.Fatalf("the last save is not the state at Close: %s", saved)
	}
}

// mixedRateMP3 is 24 s at 48 kHz followed by one MPEG-2.5 frame: go-mp3
// then sizes frames by the last one and its Seek indexes past its frame
// table (it panics).
func mixedRateMP3(t *testing.T, path string) {
	t.Helper()
	cmd := exec.Command("lame", "--quiet", "-r", "-s", "44.1", "--resample", "48", "--bitwidth", "16", "--signed",
		"--little-endian", "-m", "j", "-b", "128", "-", path)
	cmd.Stdin = bytes.NewReader(testmedia.Tone(24, 440))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lame: %v: %s", err, out)
	}
	frame := make([]byte, 417) // MPEG-2.5 layer III, 64 kbit/s, 11025 Hz
	copy(frame, []byte{0xFF, 0xE3, 0x80, 0x00})
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(frame); err != nil {
		t.Fatal(err)
	}
}

// A decoder that panics while seeking costs only its track: the player
// reports it and plays the next one.
func TestDecoderPanicSkipsTrack(t *testing.T) {
	p, s, rec := newTestPlayer(t)
	good, pcm := tracks(t, 1, 0.5)
	bad := filepath.Join(t.TempDir(), "mixed.mp3")
	mixedRateMP3(t, bad)
	queue := []Item{{Key: "mixed", Path: bad, Title: "Mixed"}, good[0]}
	if err := p.PlayQueue(queue, 0); err != nil {
		t.Fatal(err)
	}
	if err := p.Seek(20 * time.Second); err != nil {
		t.Fatalf("seek into the damaged track: %v", err)
	}
	if got := s.drain(); !bytes.Equal(got, pcm[0]) {
		t.Fatalf("after the damaged track: played %d bytes, want the next track's %d", len(got), len(pcm[0]))
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.errors()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	errs := rec.errors()
	if len(errs) != 1 || errs[0].Index != 0 || !strings.Contains(errs[0].Error, "damaged MP3") {
		t.Fatalf("error events: %+v, want one for track 0 saying it is damaged", errs)
	}
	if st := p.Status(); st.Problem != ProblemUnplayable || st.ProblemTrack != "Mixed" {
		t.Fatalf("status after the damaged track: %q %q", st.Problem, st.ProblemTrack)
	}
}

// flakyOutput has no device until plugged is set, and like oto it
// notices one only when asked to open it again.
type flakyOutput struct {
	fakeOutput
	plugged atomic.Bool
	open    atomic.Bool
	tries   atomic.Int32
}

func (o *flakyOutput) Err() error {
	if o.open.Load() {
		return nil
	}
	return os.ErrNotExist
}

func (o *flakyOutput) Reopen() error {
	o.tries.Add(1)
	o.open.Store(o.plugged.Load())
	return o.Err()
}

// Without a device the player says so in words a listener can act on, and
// pressing Play again picks up a device connected since.
func TestNoDeviceThenPlugged(t *testing.T) {
	out := &flakyOutput{fakeOutput: fakeOutput{rate: 44100}}
	p := New(out, nil, nil)
	defer p.Close()
	items, pcm := tracks(t, 1, 0.3)
	if err := p.PlayQueue(items, 0); err != ErrNoDevice {
		t.Fatalf("PlayQueue without a device: %v, want ErrNoDevice", err)
	}
	if st := p.Status(); st.State != StateError || st.Problem != ProblemNoDevice || st.Error == "" {
		t.Fatalf("status without a device: %q %q %q", st.State, st.Problem, st.Error)
	}
	out.plugged.Store(true)
	if err := p.Play(); err != nil {
		t.Fatalf("Play after connecting a device: %v", err)
	}
	p.mu.Lock()
	s := p.stream.(*fakeStream)
	p.mu.Unlock()
	if got := s.drain(); !bytes.Equal(got, pcm[0]) {
		t.Fatalf("played %d bytes on the new device, want %d", len(got), len(pcm[0]))
	}
	if n := out.tries.Load(); n != 2 {
		t.Fatalf("%d attempts to open the device, want 2 (one per press)", n)
	}
}
